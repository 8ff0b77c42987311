"""Keywords by p(s|w) (wordvec.query.keyword_psw), the jieba.analyse baselines, the CLI and the CSL metric helpers."""
from __future__ import annotations

import json
import math

import numpy as np
import pytest
from click.testing import CliRunner

from wordvec import Embedding
from wordvec.cli.main import cli
from wordvec.corpora import Vocabulary
from wordvec.errors import InputError
from wordvec.query.keyword_eval import precision_at_k, read_keyword_set, recall_at_k, top_words
from wordvec.query.keyword_psw import merge_compounds, psw_keywords


def make(seed: int = 0, cds: float | None = None) -> Embedding:
    rng = np.random.default_rng(seed)
    words = [f"k{i}" for i in range(40)]
    counts = np.arange(40, 0, -1) * 10 + 5  # smallest count 15
    vocab = Vocabulary(words, counts)
    meta = {"kind": "pmi", "total_tokens": int(vocab.total), "tokenizer": {"mode": "whitespace"}}
    if cds is not None:
        meta["cds"] = cds
    return Embedding(rng.standard_normal((40, 5)), vocab, meta)


def brute_force(emb: Embedding, tokens: list[str], association: float = 1.0) -> dict[str, float]:
    """score(w) = n_w I(w) + association · n_w · mean_k PMI(w_k, w) over known tokens k ≠ w, from first principles."""
    total = emb.total_tokens
    c_min = float(emb.counts.min())
    out = {}
    for w in dict.fromkeys(tokens):
        n = tokens.count(w)
        if w not in emb:
            out[w] = -n * math.log(0.5 * c_min / total)
            continue
        prior = -n * math.log(emb.counts[emb.index(w)] / total)
        ctx = [k for k in tokens if k in emb and k != w]
        mean = sum(emb.pmi(k, w) for k in ctx) / len(ctx) if ctx else 0.0
        out[w] = prior + association * n * mean
    return out


@pytest.mark.parametrize("cds", [None, 0.75])
def test_psw_score_is_prior_plus_mean_association(cds):
    emb = make(cds=cds)
    tokens = ["k1", "k2", "k2", "k7", "zz9", "k1", "k30", "k39"]
    for association in (0.0, 1.0, 2.5):
        got = emb.keywords(tokens, topn=None, association=association)
        want = brute_force(emb, tokens, association)
        assert {w for w, _ in got} == set(want)
        for w, s in got:
            assert abs(s - want[w]) < 1e-9, w
        assert [s for _, s in got] == sorted((s for _, s in got), reverse=True)
        for d in got.details:
            assert abs(d.score - d.prior - d.association) < 1e-12
            assert d.count == tokens.count(d.word)


def test_unknown_words_are_rarer_than_any_known_word():
    emb = make()
    got = emb.keywords(["k0", "新词", "k39", "x"], topn=None, association=0.0)
    detail = {d.word: d for d in got.details}
    assert detail["新词"].unknown and not detail["k39"].unknown
    assert detail["新词"].association == 0.0
    assert detail["新词"].prior > detail["k39"].prior > detail["k0"].prior
    assert abs(detail["新词"].prior - (-math.log(0.5 * 15 / emb.total_tokens))) < 1e-12
    assert "x" not in detail  # an unknown single character is a segmenter leftover, not a candidate
    assert got.unknown == ["新词", "x"]
    known_only = emb.keywords(["k0", "新词", "k39"], topn=None, unknown=False)
    assert [w for w, _ in known_only] == ["k39", "k0"]
    # punctuation and digits are never candidates
    assert [w for w, _ in emb.keywords(["k0", "，，", "2024"], topn=None)] == ["k0"]


def test_counts_enter_the_prior_linearly_and_ties_keep_text_order():
    emb = make()
    once = {d.word: d for d in emb.keywords(["k5", "k6"], topn=None, association=0.0).details}
    thrice = {d.word: d for d in emb.keywords(["k5", "k5", "k5", "k6"], topn=None, association=0.0).details}
    assert abs(thrice["k5"].prior - 3 * once["k5"].prior) < 1e-9
    tie = emb.keywords(["新甲", "新乙"], topn=None)
    assert [w for w, _ in tie] == ["新甲", "新乙"]


def test_compounds_merge_adjacent_high_pmi_pairs():
    words = ["光", "催化剂", "制备", "方法", "新"]
    vectors = np.zeros((5, 3))
    vectors[0] = [3.0, 0, 0]  # 光 · 催化剂 = 6: one term
    vectors[1] = [2.0, 0, 0]
    vectors[2] = [0, 1.0, 0]  # 制备 · 方法 = 1: two words
    vectors[3] = [0, 1.0, 0]
    vectors[4] = [0, 0, 0.5]
    vocab = Vocabulary(words, [10, 50, 80, 200, 300])
    emb = Embedding(vectors, vocab, {"kind": "pmi", "total_tokens": 10_000, "tokenizer": {"mode": "whitespace"}})
    tokens = ["新", "光", "催化剂", "制备", "方法"]
    assert merge_compounds(emb, tokens, 4.0) == [("新", False), ("光催化剂", True), ("制备", False), ("方法", False)]
    assert merge_compounds(emb, tokens, 0.5) == [("新", False), ("光催化剂", True), ("制备方法", True)]
    assert merge_compounds(emb, tokens, 4.0, max_chars=3) == [(t, False) for t in tokens]
    got = emb.keywords(tokens, topn=None, compounds=True, compound_pmi=4.0)
    detail = {d.word: d for d in got.details}
    assert detail["光催化剂"].compound and detail["光催化剂"].unknown
    assert got[0][0] == "光催化剂"  # an unseen term: rarer than any known word
    plain = {w for w, _ in emb.keywords(tokens, topn=None)}
    assert "光催化剂" not in plain and "催化剂" in plain


def test_word2vec_models_use_the_exact_hs_association(tmp_path):
    gensim = pytest.importorskip("gensim")
    from wordvec.word2vec.bridge import load_gensim_model
    from wordvec.word2vec.hs import hs_log_prob_all

    rng = np.random.default_rng(3)
    sentences = [[f"t{int(i)}" for i in rng.integers(0, 12, 12)] for _ in range(300)]
    model = gensim.models.Word2Vec(sentences, vector_size=8, sg=1, hs=1, negative=0, min_count=1, seed=1,
                                   workers=1, epochs=2)
    model.save(str(tmp_path / "g.model"))
    w2v = Embedding(load_gensim_model(tmp_path / "g.model", tokenizer={"mode": "whitespace"}))
    tokens = ["t1", "t2", "t2", "t5", "zz"]
    got = {d.word: d for d in w2v.keywords(tokens, topn=None).details}
    log_p = np.log(w2v.counts / w2v.total_tokens)
    for w in ("t1", "t2", "t5"):
        i = w2v.index(w)
        ctx = [w2v.index(k) for k in tokens if k in w2v and k != w]
        row = hs_log_prob_all(w2v, i)
        pmi = [float(row[k]) - log_p[k] for k in ctx]
        n = tokens.count(w)
        assert abs(got[w].association - n * sum(pmi) / len(pmi)) < 1e-4
    assert got["zz"].unknown


def test_bad_options_are_one_line_errors():
    emb = make()
    with pytest.raises(InputError, match="unknown keyword method"):
        emb.keywords("k1 k2", method="bm25")
    with pytest.raises(InputError, match="pmi-sum"):
        emb.keywords("k1 k2", normalize=True)
    with pytest.raises(InputError, match="association"):
        emb.keywords("k1 k2", association=-1)
    with pytest.raises(InputError, match="association"):
        emb.keywords("k1 k2", association=float("nan"))
    no_counts = Embedding(np.eye(3), Vocabulary(["a", "b", "c"], [0, 0, 0]), {"kind": "pmi"})
    with pytest.raises(InputError, match="pmi-sum"):
        no_counts.keywords(["a", "b"])
    assert no_counts.keywords(["a", "b"], method="pmi-sum")


def test_baselines_are_jieba_analyse():
    import jieba.analyse

    emb = make()
    text = "光催化剂在废水处理中的应用研究表明，光催化剂能有效降解有机污染物。"
    assert emb.keywords(text, topn=5, method="tfidf") == [
        (w, pytest.approx(s)) for w, s in jieba.analyse.extract_tags(text, topK=5, withWeight=True)]
    assert emb.keywords(text, topn=5, method="textrank") == [
        (w, pytest.approx(s)) for w, s in jieba.analyse.textrank(text, topK=5, withWeight=True)]
    with pytest.raises(InputError, match="IDF table not found"):
        emb.keywords(text, method="tfidf", idf_path="/nonexistent/idf.txt")


WORDS = ["，", "的", "是", "北京", "上海", "经济", "发展", "太阳", "恒星", "一颗", "城市"]


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    rng = np.random.default_rng(7)
    counts = np.arange(len(WORDS), 0, -1) * 100
    meta = {"kind": "pmi", "total_tokens": int(counts.sum()), "tokenizer": {"mode": "jieba", "hmm": False}}
    vectors = rng.standard_normal((len(WORDS), 6)).astype(np.float32)
    path = tmp_path_factory.mktemp("kw") / "model"
    Embedding(vectors, Vocabulary(WORDS, counts), meta).save(path)
    return str(path)


def run(*args, input=None):
    return CliRunner().invoke(cli, [str(a) for a in args], input=input)


@pytest.mark.parametrize("method", ["psw", "pmi-sum", "tfidf", "textrank"])
def test_cli_and_python_give_the_same_keywords(model, method):
    emb = Embedding.load(model)
    text = "北京的经济发展是城市的骄傲，太阳是一颗恒星"
    res = run("keywords", model, text, "--method", method, "--json", "-n", "5")
    assert res.exit_code == 0, res.output
    got = [(item["word"], item["score"]) for item in json.loads(res.stdout)]  # stderr: the unknown-word note
    want = emb.keywords(text, topn=5, method=method)
    assert [w for w, _ in got] == [w for w, _ in want] and len(got) > 0
    assert np.allclose([s for _, s in got], [s for _, s in want], atol=1e-6)


def test_cli_explain(model):
    text = "北京的经济发展是城市的骄傲"
    res = run("keywords", model, text, "--explain", "--json")
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)
    assert rows and set(rows[0]) == {"word", "score", "count", "prior", "association", "unknown", "compound"}
    assert any(r["unknown"] for r in rows)  # 骄傲 is not in the toy vocabulary
    for r in rows:
        assert abs(r["score"] - r["prior"] - r["association"]) < 1e-6
    table = run("keywords", model, text, "--explain")
    assert table.exit_code == 0 and "prior" in table.output and "unknown" in table.output
    bad = run("keywords", model, text, "--explain", "--method", "tfidf")
    assert bad.exit_code == 2 and "--explain applies to --method psw" in bad.output
    bad = run("keywords", model, text, "--normalize")
    assert bad.exit_code == 2 and "pmi-sum" in bad.output
    bad = run("keywords", model, text, "--association", "-1")
    assert bad.exit_code == 2


def test_metric_helpers(tmp_path):
    gold = ["国家主权思想", "邓小平", "实践意义"]
    predicted = ["国家主权", "的", "邓小平", "主权", "人权", "思想", "意义"]
    assert top_words(predicted) == ["国家主权", "邓小平", "主权", "人权", "思想"]
    assert top_words(["ab", "ab", "c", "de"], k=5) == ["ab", "de"]
    assert precision_at_k(predicted, gold) == pytest.approx(4 / 5)  # 人权 is in no gold keyword
    assert recall_at_k(predicted, gold) == pytest.approx(2 / 3)  # nothing inside 实践意义
    assert precision_at_k([], gold) == 0.0 and recall_at_k(predicted, []) == 0.0
    assert precision_at_k(["意义"], gold, k=1) == 1.0 and recall_at_k(["意义"], gold, k=1) == pytest.approx(1 / 3)
    path = tmp_path / "set.jsonl"
    path.write_text(json.dumps({"abstract": "文本", "keywords": ["甲", "乙"]}, ensure_ascii=False) + "\n\n",
                    encoding="utf-8")
    docs = read_keyword_set(path)
    assert len(docs) == 1 and docs[0].text == "文本" and docs[0].keywords == ("甲", "乙")
    path.write_text('{"abstract": "x"}\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"set.jsonl:1"):
        read_keyword_set(path)
    path.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(InputError, match="not UTF-8"):
        read_keyword_set(path)
    with pytest.raises(InputError, match="not found"):
        read_keyword_set(tmp_path / "missing.jsonl")


def test_psw_segments_with_the_hmm_so_new_words_come_out_whole(model):
    import jieba

    text = "他来到了网易杭研大厦"
    assert "杭研" in jieba.lcut(text, HMM=True) and "杭研" not in jieba.lcut(text, HMM=False)
    emb = Embedding.load(model)
    assert "杭研" in [w for w, _ in emb.keywords(text, topn=None)]
    assert "杭研" not in [w for w, _ in emb.keywords(text, topn=None, hmm=False)]
    assert "杭研" not in emb.keywords(text, topn=None, method="pmi-sum").unknown  # the model's own setting
    res = run("keywords", model, text, "--no-hmm", "--json")
    assert res.exit_code == 0 and "杭研" not in res.output
