"""Evaluation: file quirks, coverage arithmetic, OOV conventions, and agreement with gensim (issue 6)."""
from __future__ import annotations

import numpy as np
import pytest
from conftest import shared_file

from wordvec.io.vocab import Vocabulary
from wordvec.query.embedding import Embedding
from wordvec.errors import InputError, WordvecError
from wordvec.query.evaluate import (
    detect_kind,
    evaluate,
    evaluate_analogies,
    evaluate_word_pairs,
    read_analogies,
    read_word_pairs,
)


def emb_of(words, vectors, counts=None):
    counts = counts if counts is not None else np.arange(len(words), 0, -1)
    return Embedding(np.asarray(vectors, dtype=np.float32), Vocabulary(words, counts), {"kind": "external"})


def write(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return str(path)


# --- format quirks (../shared/data/README.md) ----------------------------------------------------------------
def test_pairs_crlf_no_final_newline(tmp_path):
    path = write(tmp_path, "p.txt", "老虎\t猫\t7.35\r\n书\t纸\t7.46\r\n电脑\t键盘\t7.62")
    assert read_word_pairs(path) == [("老虎", "猫", 7.35), ("书", "纸", 7.46), ("电脑", "键盘", 7.62)]


def test_pairs_space_after_tab_and_leading_space(tmp_path):
    path = write(tmp_path, "p.txt", "钱\t 现金\t4.58\n 开始\t 比赛\t2.156\n")
    assert read_word_pairs(path) == [("钱", "现金", 4.58), ("开始", "比赛", 2.156)]


def test_pairs_header_comments_bom_extra_columns_spaces(tmp_path):
    text = "\ufeffword1\tword2\tPOS\tscore\tconc\n# comment\nold\tnew\tA\t1.58\t2.72\n\nsmart intelligent 9.2\n"
    assert read_word_pairs(write(tmp_path, "p.txt", text)) == [("old", "new", 1.58), ("smart", "intelligent", 9.2)]
    text = "# The WordSimilarity-353 Test Collection\n# Word 1\tWord 2\tHuman (mean)\nlove\tsex\t6.77\n"
    assert read_word_pairs(write(tmp_path, "q.txt", text)) == [("love", "sex", 6.77)]


def test_pairs_bad_lines_are_one_line_errors(tmp_path):
    with pytest.raises(InputError, match=r"p.txt:3: expected 'word1 word2 score'"):
        read_word_pairs(write(tmp_path, "p.txt", "a\tb\t1\nc\td\t2\nbroken line\n"))
    with pytest.raises(InputError, match="no word pairs"):
        read_word_pairs(write(tmp_path, "e.txt", ""))
    with pytest.raises(InputError, match=r"u.txt:2: not valid UTF-8"):
        read_word_pairs(write(tmp_path, "u.txt", b"a\tb\t1\n\xff\xfe\t1\t2\n"))
    with pytest.raises(InputError, match="NUL"):
        read_word_pairs(write(tmp_path, "n.txt", b"a\x00b\t1\n"))
    with pytest.raises(InputError, match="not found"):
        evaluate_word_pairs(emb_of(["a"], [[1.0]]), str(tmp_path / "missing.txt"))


def test_analogy_sections_crlf_and_default_section(tmp_path):
    text = "a b c d\r\n: capital\r\n雅典 希腊 北京 中国\r\n# note\r\n:family\r\n男孩 女孩 兄弟 姐妹"
    sections = read_analogies(write(tmp_path, "q.txt", text))
    assert sections == [
        ("default", [("a", "b", "c", "d")]),
        ("capital", [("雅典", "希腊", "北京", "中国")]),
        ("family", [("男孩", "女孩", "兄弟", "姐妹")]),
    ]
    assert detect_kind(write(tmp_path, "q.txt", text)) == "analogy"
    assert detect_kind(write(tmp_path, "r.txt", "a b c d\ne f g h\n")) == "analogy"
    assert detect_kind(write(tmp_path, "s.txt", "a\tb\t1.0\n")) == "similarity"
    with pytest.raises(InputError, match=r"bad.txt:2: expected four words"):
        read_analogies(write(tmp_path, "bad.txt", ": s\na b c\n"))
    with pytest.raises(InputError, match="no analogy questions"):
        read_analogies(write(tmp_path, "none.txt", ": s\n: t\n"))


# --- coverage arithmetic and OOV conventions ------------------------------------------------------------------
def test_pairs_coverage_and_missing(tmp_path):
    emb = emb_of(["a", "b", "c"], [[1, 0], [1, 1], [0, 1]])
    path = write(tmp_path, "p.txt", "a\tb\t3\nb\tc\t2\na\tc\t1\nx\ta\t5\ny\tx\t4\n")
    result = evaluate_word_pairs(emb, path)
    assert (result.covered, result.total) == (3, 5)
    assert result.coverage == pytest.approx(0.6)
    assert result.missing == ["x", "y"]
    # cosines: a·b = 0.707, b·c = 0.707, a·c = 0 ; gold 3, 2, 1
    assert result.spearman == pytest.approx(np.corrcoef([3, 2, 1], [1.5, 1.5, 0])[0, 1])
    assert result.pearson == pytest.approx(np.corrcoef([3, 2, 1], [2 ** -0.5, 2 ** -0.5, 0])[0, 1])
    one = evaluate_word_pairs(emb, write(tmp_path, "one.txt", "a\tb\t1\nx\ty\t2\n"))
    assert one.spearman is None and one.covered == 1
    assert evaluate_word_pairs(emb, path, restrict_vocab=2).covered == 1


def toy_analogy_emb():
    # king - man + woman = queen exactly; paris - france + italy = rome
    words = ["man", "woman", "king", "queen", "france", "paris", "italy", "rome", "noise"]
    vectors = [
        [1, 0, 0, 0, 0], [0, 1, 0, 0, 0], [1, 0, 1, 0, 0], [0, 1, 1, 0, 0],
        [0, 0, 0, 1, 0], [0, 0, 0.2, 1, 1], [0, 0, 0.8, 0, 0.2], [0, 0, 1, 0, 1.2], [0.3, 0.3, 0.3, 0.3, 0.3],
    ]
    return emb_of(words, vectors)


def test_analogy_coverage_and_both_oov_conventions(tmp_path):
    emb = toy_analogy_emb()
    text = (": royal\nman woman king queen\nman woman king rome\nman woman king prince\n"
            ": capital\nfrance paris italy rome\nfrance paris spain madrid\n")
    path = write(tmp_path, "q.txt", text)
    skip = evaluate_analogies(emb, path, oov="skip")
    assert (skip.correct, skip.covered, skip.total) == (2, 3, 5)
    assert skip.accuracy == pytest.approx(2 / 3)
    assert skip.coverage == pytest.approx(3 / 5)
    assert skip.missing == ["prince", "spain", "madrid"]
    royal, capital = skip.sections
    assert (royal["correct"], royal["covered"], royal["total"]) == (1, 2, 3)
    assert (capital["correct"], capital["covered"], capital["total"]) == (1, 1, 2)
    assert royal["accuracy"] == pytest.approx(0.5)
    wrong = evaluate_analogies(emb, path, oov="wrong")
    assert wrong.accuracy == pytest.approx(2 / 5)
    assert wrong.sections[0]["accuracy"] == pytest.approx(1 / 3)
    assert skip.correct_cosmul == 2 and wrong.accuracy_cosmul == pytest.approx(2 / 5)
    with pytest.raises(InputError, match="oov must be"):
        evaluate_analogies(emb, path, oov="zero")


def test_analogy_excludes_inputs(tmp_path):
    # b - a + c is closest to c itself; the answer must be the best word that is not an input
    emb = emb_of(["a", "b", "c", "d"], [[1, 0, 0], [1, 0.1, 0], [0, 0, 1], [0, 0.5, 1]])
    result = evaluate_analogies(emb, write(tmp_path, "q.txt", ": s\na b c d\n"))
    assert result.correct == 1 and result.correct_cosmul == 1


def test_case_handling(tmp_path):
    # "Paris" (frequent) and "paris" (rare) both exist: case-insensitive uses the first (most frequent) row
    emb = emb_of(["Paris", "France", "paris", "Rome"], [[1, 0], [0, 1], [-1, 0], [1, 0.1]])
    path = write(tmp_path, "p.txt", "paris\tfrance\t1\nPARIS\trome\t2\nparis\trome\t3\n")
    insensitive = evaluate_word_pairs(emb, path)
    assert insensitive.covered == 3
    sensitive = evaluate_word_pairs(emb, path, case_insensitive=False)
    assert sensitive.covered == 0 and sensitive.missing == ["france", "PARIS", "rome"]


def test_evaluate_dispatch(tmp_path):
    emb = toy_analogy_emb()
    assert evaluate(emb, write(tmp_path, "q.txt", ": s\nman woman king queen\n")).kind == "analogy"
    result = evaluate(emb, write(tmp_path, "p.txt", "man\twoman\t1\nking\tqueen\t2\n"), oov="wrong")
    assert result.kind == "similarity" and result.to_dict()["covered"] == 2


# --- agreement with gensim --------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def gensim_model():
    from gensim.models import Word2Vec
    from gensim.test.utils import datapath

    sentences = []
    with open(datapath("questions-words.txt"), encoding="utf-8") as handle:
        sentences += [line.split() for line in handle if not line.startswith(":")]
    with open(datapath("wordsim353.tsv"), encoding="utf-8") as handle:
        pairs = [line.split("\t")[:2] for line in handle if not line.startswith("#")]
    sentences += [[w.lower() for w in pair] * 2 for pair in pairs[:250]]  # some wordsim words stay OOV
    model = Word2Vec(sentences, vector_size=48, window=3, min_count=1, workers=1, seed=1, epochs=10, sg=1)
    kv = model.wv
    counts = [kv.get_vecattr(w, "count") for w in kv.index_to_key]
    return kv, Embedding(kv.vectors, Vocabulary(kv.index_to_key, counts), {"kind": "w2v"})


@pytest.mark.parametrize("dataset", ["wordsim353.tsv", "simlex999.txt"])
@pytest.mark.parametrize("restrict", [300000, 500])
def test_word_pairs_agree_with_gensim(gensim_model, dataset, restrict):
    from gensim.test.utils import datapath

    kv, emb = gensim_model
    pearson, spearman, oov_ratio = kv.evaluate_word_pairs(datapath(dataset), restrict_vocab=restrict)
    ours = evaluate_word_pairs(emb, datapath(dataset), restrict_vocab=restrict)
    assert abs(ours.spearman - spearman.statistic) < 1e-6
    assert abs(ours.pearson - pearson.statistic) < 1e-6
    assert 100 * (1 - ours.coverage) == pytest.approx(oov_ratio)
    assert 0 < ours.covered < ours.total


@pytest.mark.parametrize("restrict,oov", [(300000, "skip"), (600, "skip"), (600, "wrong")])
def test_analogies_agree_with_gensim(gensim_model, restrict, oov):
    from gensim.test.utils import datapath

    kv, emb = gensim_model
    path = datapath("questions-words.txt")
    score, sections = kv.evaluate_word_analogies(path, restrict_vocab=restrict, dummy4unknown=oov == "wrong")
    ours = evaluate_analogies(emb, path, restrict_vocab=restrict, oov=oov)
    assert ours.accuracy == pytest.approx(score, abs=1e-12)
    assert ours.correct > 50
    for theirs, mine in zip(sections[:-1], ours.sections):
        assert theirs["section"] == mine["section"]
        assert len(theirs["correct"]) == mine["correct"]
        assert len(theirs["correct"]) + len(theirs["incorrect"]) == (mine["covered"] if oov == "skip" else mine["total"])


def test_cosmul_agrees_with_gensim_most_similar_cosmul(gensim_model, tmp_path):
    kv, emb = gensim_model
    questions = [("Athens", "Greece", "Baghdad", "Iraq"), ("boy", "girl", "brother", "sister"),
                 ("good", "better", "bad", "worse"), ("Paris", "France", "Rome", "Italy")]
    questions = [q for q in questions if all(w in kv.key_to_index for w in q)]
    path = write(tmp_path, "q.txt", ": s\n" + "\n".join(" ".join(q) for q in questions) + "\n")
    ours = evaluate_analogies(emb, path, case_insensitive=False)
    expected = sum(kv.most_similar_cosmul(positive=[b, c], negative=[a], topn=1)[0][0] == d for a, b, c, d in questions)
    assert ours.correct_cosmul == expected and ours.covered == len(questions)


# --- real evaluation files (../shared/data/eval) --------------------------------------------------------------------
def test_real_eval_files_parse():
    w240 = read_word_pairs(str(shared_file("eval/wordsim-240.txt")))
    w297 = read_word_pairs(str(shared_file("eval/wordsim-297.txt")))
    ca = read_analogies(str(shared_file("eval/ca_translated.txt")))
    assert len(w240) == 240 and len(w297) == 297
    assert all(w == w.strip() and w for a, b, _ in w240 + w297 for w in (a, b))
    assert 0 <= min(s for *_, s in w240) and max(s for *_, s in w240) <= 10
    assert [name for name, _ in ca] == ["capital-common-countries", "city-in-state", "family"]
    assert sum(len(q) for _, q in ca) == 953


def test_real_eval_files_coverage():
    path = str(shared_file("eval/wordsim-297.txt"))
    pairs = read_word_pairs(path)
    words = sorted({w for a, b, _ in pairs[:100] for w in (a, b)})
    rng = np.random.default_rng(0)
    emb = emb_of(words, rng.standard_normal((len(words), 8)))
    result = evaluate_word_pairs(emb, path)
    covered = sum(a in words and b in words for a, b, _ in pairs)
    assert (result.covered, result.total) == (covered, 297)
    ca = str(shared_file("eval/ca_translated.txt"))
    result = evaluate_analogies(emb, ca, oov="wrong")
    assert result.total == 953 and result.accuracy is not None


def test_every_parse_error_is_ours(tmp_path):
    for data in (b"\xef\xbb\xbf", b"a b\n", b":\n", b"1 2 3 4\n", b"a\tb\tnan\n", b"a\tb\tinf\nc\td\t1\n"):
        path = write(tmp_path, "x.txt", data)
        for reader in (read_word_pairs, read_analogies):
            try:
                reader(path)
            except WordvecError as err:
                assert "\n" not in str(err)
