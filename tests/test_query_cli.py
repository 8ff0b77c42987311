"""Every query command through click's CliRunner: tables, --json parsing back to the Python API, errors."""
from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

from wordvec import Embedding
from wordvec.cli.main import cli
from wordvec.corpora import Vocabulary

WORDS = ["，", "的", "是", "北京", "上海", "广州", "经济", "发展", "太阳", "恒星", "一颗", "城市", "天气", "比赛", "法律"]


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    rng = np.random.default_rng(7)
    counts = np.arange(len(WORDS), 0, -1) * 100
    vocab = Vocabulary(WORDS, counts)
    meta = {"kind": "pmi", "total_tokens": int(counts.sum()), "tokenizer": {"mode": "jieba", "hmm": False},
            "window": 10, "min_count": 5, "dim": 6, "loss_per_epoch": [0.5, 0.3, 0.2]}
    vectors = rng.standard_normal((len(WORDS), 6)).astype(np.float32)
    vectors[:3] *= 0.05  # punctuation and function words: tiny norms
    path = tmp_path_factory.mktemp("cli") / "model"
    Embedding(vectors, vocab, meta).save(path)
    return str(path)


@pytest.fixture(scope="module")
def emb(model):
    return Embedding.load(model)


def run(*args, input=None):
    return CliRunner().invoke(cli, [str(a) for a in args], input=input)


def pairs(output: str):
    return [(item["word"], item["score"]) for item in json.loads(output)]


def same(a, b):
    assert [w for w, _ in a] == [w for w, _ in b]
    assert np.allclose([s for _, s in a], [s for _, s in b], atol=1e-6)


def test_similar(model, emb):
    res = run("similar", model, "北京", "-n", "4", "--json")
    assert res.exit_code == 0, res.output
    same(pairs(res.output), emb.most_similar("北京", topn=4))
    res = run("similar", model, "北京", "上海", "--negative", "广州", "-n", "3", "--json")
    same(pairs(res.output), emb.most_similar(["北京", "上海"], ["广州"], topn=3))
    res = run("similar", model, "北京", "--method", "profile", "--context-words", "4", "--json")
    same(pairs(res.output), emb.most_similar("北京", method="profile", context_words=4))
    table = run("similar", model, "北京", "-n", "3")
    assert table.exit_code == 0 and table.output.splitlines()[0].split() == ["word", "cosine"]
    assert len(table.output.splitlines()) == 5
    assert run("similar", model).exit_code == 2  # no WORD: usage error


def test_unknown_word_is_one_line_exit_1(model):
    for args in (("similar", model, "北"), ("related", model, "北"), ("analogy", model, "北京", "上海", "北"),
                 ("pmi", model, "北京", "北"), ("predict", model, "北")):
        res = run(*args)
        assert res.exit_code == 1, args
        assert res.output.strip().splitlines() == ["error: word not in vocabulary: '北'; did you mean: 北京?"]


def test_missing_model_is_one_line(tmp_path):
    res = run("similar", tmp_path / "none", "北京")
    assert res.exit_code == 1 and res.output.startswith("error: ") and len(res.output.strip().splitlines()) == 1


def test_related(model, emb):
    res = run("related", model, "北京", "--json")
    assert res.exit_code == 0
    same(pairs(res.output), emb.most_related("北京"))
    same(pairs(run("related", model, "北京", "--alpha", "0.9", "-n", "5", "--json").output),
         emb.most_related("北京", topn=5, alpha=0.9))
    same(pairs(run("related", model, "北京", "--normalize", "--json").output), emb.most_related("北京", normalize=True))
    self_list = pairs(run("related", model, "北京", "--include-self", "-n", "14", "--json").output)
    assert "北京" in [w for w, _ in self_list]
    assert "pmi" in run("related", model, "北京").output.splitlines()[0]


def test_keywords_arguments_stdin_and_empty(model, emb):
    texts = ["北京的经济发展", "太阳是一颗恒星"]
    res = run("keywords", model, *texts, "--json")
    assert res.exit_code == 0, res.output
    lines = res.output.strip().splitlines()
    assert len(lines) == 2
    for line, text in zip(lines, texts):
        same(pairs(line), emb.keywords(text))
    piped = run("keywords", model, "-n", "2", "--json", input="\n".join(texts) + "\n")
    assert [pairs(line) for line in piped.output.strip().splitlines()] == [pairs(line)[:2] for line in lines]
    opts = run("keywords", model, texts[0], "--method", "pmi-sum", "--normalize", "--exclude-self", "--unique", "--json")
    same(pairs(opts.output), emb.keywords(texts[0], normalize=True, exclude_self=True, unique_context=True,
                                          method="pmi-sum"))
    table = run("keywords", model, *texts)
    assert table.exit_code == 0 and "# 太阳是一颗恒星" in table.output
    # a text without known words: empty list plus a note, never a crash
    empty = run("keywords", model, "xyz", "--method", "pmi-sum", "--json")
    assert empty.exit_code == 0 and "note: text 1: no word" in empty.output and "[]" in empty.output
    nothing = run("keywords", model, input="")
    assert nothing.exit_code == 0 and "no input text" in nothing.output


def test_analogy(model, emb):
    res = run("analogy", model, "北京", "上海", "广州", "-n", "3", "--json")
    assert res.exit_code == 0
    same(pairs(res.output), emb.analogy("北京", "上海", "广州", topn=3))
    same(pairs(run("analogy", model, "北京", "上海", "广州", "--method", "mul", "--json").output),
         emb.analogy("北京", "上海", "广州", method="mul"))
    kept = pairs(run("analogy", model, "北京", "上海", "广州", "--keep-inputs", "-n", "15", "--json").output)
    assert {"北京", "上海", "广州"} <= {w for w, _ in kept}


def test_sentsim(model, emb):
    res = run("sentsim", model, "北京的经济", "上海的发展", "--json")
    assert res.exit_code == 0
    assert abs(json.loads(res.output)["score"] - emb.sentence_similarity("北京的经济", "上海的发展")) < 1e-9
    raw = json.loads(run("sentsim", model, "北京的经济", "上海的发展", "--raw", "--json").output)
    assert raw["measure"] == "pmi" and abs(raw["score"] - emb.sentence_similarity("北京的经济", "上海的发展", raw=True)) < 1e-9
    plain = run("sentsim", model, "北京", "上海")
    assert float(plain.output.strip()) == pytest.approx(emb.sentence_similarity("北京", "上海"), abs=1e-4)
    empty = run("sentsim", model, "xyz", "北京")
    assert empty.exit_code == 0 and "0.0000" in empty.output and "note:" in empty.output


def test_predict_norms_pmi(model, emb):
    same(pairs(run("predict", model, "北京", "经济", "-n", "4", "--json").output), emb.predict(["北京", "经济"], topn=4))
    res = run("norms", model, "-n", "3", "--json")
    assert res.exit_code == 0
    same(pairs(res.output), emb.norms(topn=3))
    assert {w for w, _ in pairs(res.output)} == {"，", "的", "是"}
    same(pairs(run("norms", model, "--descending", "--json").output), emb.norms(topn=15, ascending=False)[:15])
    assert run("norms", model).output.splitlines()[0].split() == ["word", "norm"]
    same(pairs(run("norms", model, "--corrected", "--json").output), emb.norms(topn=20, corrected=True))
    res = run("pmi", model, "北京", "上海", "--json")
    assert json.loads(res.output)["pmi"] == pytest.approx(emb.pmi("北京", "上海"))
    assert float(run("pmi", model, "北京", "上海").output) == pytest.approx(emb.pmi("北京", "上海"), abs=1e-4)


def test_info(model):
    res = run("info", model, "--json")
    assert res.exit_code == 0
    facts = json.loads(res.output)
    assert facts["kind"] == "pmi" and facts["vocab_size"] == len(WORDS) and facts["dim"] == 6
    assert facts["dtype"] == "float32" and facts["tokenizer"]["mode"] == "jieba" and facts["window"] == 10
    table = run("info", model)
    assert table.exit_code == 0 and "vocab_size" in table.output and "mode=jieba" in table.output


def test_pmi_and_profile_refuse_word2vec_models(tmp_path):
    vocab = Vocabulary(["甲", "乙", "丙"], np.array([3, 2, 1]))
    Embedding(np.eye(3, dtype=np.float32), vocab, {"kind": "w2v"}).save(tmp_path / "w2v")
    for args in (("pmi", tmp_path / "w2v", "甲", "乙"), ("similar", tmp_path / "w2v", "甲", "--method", "profile")):
        res = run(*args)
        assert res.exit_code == 1 and "needs a PMI model" in res.output
