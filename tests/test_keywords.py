"""Keywords, sentence vectors/similarity and predict (SPEC c.3.2, c.4, c.8, d.3-4, DECISIONS 6)."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

from wordvec import Embedding
from wordvec.corpora import Vocabulary
from wordvec.errors import InputError, UnknownWordError
from wordvec.query.keywords import NoKnownWordWarning, QueryResult


def make(mode: str = "whitespace", seed: int = 0) -> Embedding:
    rng = np.random.default_rng(seed)
    words = [f"k{i}" for i in range(50)]
    vocab = Vocabulary(words, np.arange(50, 0, -1) * 7)
    meta = {"kind": "pmi", "total_tokens": int(vocab.total), "tokenizer": {"mode": mode}}
    return Embedding(rng.standard_normal((50, 6)).astype(np.float64), vocab, meta)


def test_keyword_scores_are_sums_of_inner_products():
    emb = make()
    tokens = ["k1", "k2", "k2", "k7", "zz", "k1", "k30"]
    known = [t for t in tokens if t in emb]
    vec = emb.vectors

    def score(w, context):
        return sum(float(vec[emb.index(k)] @ vec[emb.index(w)]) for k in context)

    got = emb.keywords(tokens, topn=None, method="pmi-sum")
    assert isinstance(got, QueryResult) and got.note is None and got.unknown == ["zz"]
    expect = sorted(((w, score(w, known)) for w in set(known)), key=lambda x: -x[1])
    assert [w for w, _ in got] == [w for w, _ in expect]
    assert np.allclose([s for _, s in got], [s for _, s in expect], atol=1e-9)
    # the same text as a string goes through the model's tokenizer (whitespace here)
    assert emb.keywords(" ".join(tokens), topn=None, method="pmi-sum") == got
    assert len(emb.keywords(tokens, topn=2, method="pmi-sum")) == 2

    # exclude_self: Σ over k with w_k ≠ w
    ex = dict(emb.keywords(tokens, topn=None, exclude_self=True, method="pmi-sum"))
    for w in set(known):
        assert abs(ex[w] - score(w, [k for k in known if k != w])) < 1e-9
    # unique context: every word once
    uq = dict(emb.keywords(tokens, topn=None, unique_context=True, method="pmi-sum"))
    for w in set(known):
        assert abs(uq[w] - score(w, sorted(set(known)))) < 1e-9
    # normalize: cosine of v_w and s (and of v_w and s without w's own terms)
    s = vec[[emb.index(k) for k in known]].sum(axis=0)
    nz = dict(emb.keywords(tokens, topn=None, normalize=True, method="pmi-sum"))
    for w in set(known):
        v = vec[emb.index(w)]
        assert abs(nz[w] - v @ s / np.linalg.norm(v) / np.linalg.norm(s)) < 1e-9
    nx = dict(emb.keywords(tokens, topn=None, normalize=True, exclude_self=True, method="pmi-sum"))
    for w in set(known):
        v = vec[emb.index(w)]
        rest = s - known.count(w) * v
        assert abs(nx[w] - v @ rest / np.linalg.norm(v) / np.linalg.norm(rest)) < 1e-9


def test_toy_sun_sentence_puts_the_stopword_last():
    # SPEC c.3.2 toy: 是 has a tiny norm, 太阳 and 恒星 large ones
    words = ["是", "太阳", "一颗", "恒星"]
    vocab = Vocabulary(words, np.array([100, 10, 20, 5]))
    vec = np.array([[0.1, 0.05, 0.0], [1.2, 0.9, 0.1], [0.3, 0.2, 0.6], [1.0, 1.1, 0.2]])
    emb = Embedding(vec, vocab, {"kind": "pmi", "tokenizer": {"mode": "jieba", "hmm": False}})
    got = emb.keywords("太阳是一颗恒星")
    assert [w for w, _ in got][-1] == "是"
    assert {w for w, _ in got[:2]} == {"太阳", "恒星"}


def test_no_known_word_is_an_empty_result_not_a_crash():
    emb = make()
    with pytest.warns(NoKnownWordWarning):
        got = emb.keywords("xx yy", method="pmi-sum")
    assert got == [] and "no word" in got.note and got.unknown == ["xx", "yy"]
    # psw: unknown words are candidates, equally rare, in text order
    got = emb.keywords("xx yy")
    assert [w for w, _ in got] == ["xx", "yy"] and got.unknown == ["xx", "yy"] and got[0][1] == got[1][1]
    assert "no word of the text is in the vocabulary" in got.note
    with pytest.warns(NoKnownWordWarning):
        assert emb.keywords("") == []
    with pytest.warns(NoKnownWordWarning):
        assert emb.sentence_similarity("xx", "k1") == 0.0
    with pytest.warns(NoKnownWordWarning):
        assert not emb.sentence_vector("xx").any()
    with pytest.warns(NoKnownWordWarning):
        assert emb.predict("xx yy") == []


def test_sentence_vector_and_similarity():
    emb = make()
    vec = emb.vectors
    a, b = ["k1", "k2", "k2"], ["k3", "k9"]
    sa, sb = vec[[1, 2, 2]].sum(axis=0), vec[[3, 9]].sum(axis=0)
    assert np.allclose(emb.sentence_vector(a), sa)
    assert np.allclose(emb.sentence_vector("k1 k2 k2 zz", mode="mean"), sa / 3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert abs(emb.sentence_similarity(a, b) - sa @ sb / np.linalg.norm(sa) / np.linalg.norm(sb)) < 1e-12
        assert abs(emb.sentence_similarity(" ".join(a), b, raw=True) - sa @ sb) < 1e-9
    with pytest.raises(InputError):
        emb.sentence_vector(a, mode="max")


def test_predict_pmi_form():
    emb = make()
    vec = emb.vectors
    s = vec[[4, 5]].sum(axis=0)
    scores = vec @ s + np.log(emb.counts / emb.total_tokens)
    expect = [f"k{i}" for i in np.argsort(-scores) if i not in (4, 5)][:6]
    got = emb.predict(["k4", "k5"], topn=6)
    assert [w for w, _ in got] == expect
    assert np.allclose([s for _, s in got], [scores[int(w[1:])] for w in expect], atol=1e-5)
    assert "k4" in [w for w, _ in emb.predict(["k4", "k5"], topn=50, exclude_context=False)]
    with pytest.raises(UnknownWordError):
        emb.predict(["k4", "nope"])
    with pytest.raises(InputError):
        emb.predict([])


def test_tokenizer_from_model_meta():
    emb = make(mode="char")
    vocab = Vocabulary(["北", "京", "好"], np.array([3, 2, 1]))
    char = Embedding(np.eye(3), vocab, {"kind": "pmi", "tokenizer": {"mode": "char"}})
    assert char.tokenize("北京 好") == ["北", "京", "好"]
    assert [w for w, _ in char.keywords("北京北")][0] == "北"
    assert emb.tokenize("k1  k2") == list("k1k2")  # char mode: whitespace is never a token
    plain = Embedding(np.eye(3), vocab)  # no tokenizer meta: jieba, HMM off
    assert "".join(plain.tokenize("北京好")) == "北京好"


@pytest.mark.slow
def test_zh_small_model_properties(shared_data, tmp_path):
    """SPEC d.3-8/d.3-9 on a PMI model trained from zh_small (minutes: WORDVEC_SLOW=1)."""
    corpus = shared_data("corpora/zh_small.txt.xz")
    from wordvec.corpora.cache import build_token_cache
    from wordvec.corpora.counter import count_cooccurrences
    from wordvec.corpora.tokenize import TokenizerSettings
    from wordvec.train.pmi import PMIEmbedding

    settings = TokenizerSettings()
    counts = count_cooccurrences(build_token_cache([str(corpus)], settings), min_count=5, window=10)
    emb = Embedding(PMIEmbedding(dim=64, epochs=15, seed=1).fit(counts).embedding_)
    emb.meta.setdefault("tokenizer", settings.to_dict())
    sun = [w for w, _ in emb.keywords("太阳是一颗恒星", topn=None)]
    assert sun[-1] == "是"
    for text in ("国务院总理在北京主持召开常务会议，部署稳定就业的政策措施。",
                 "人民法院依法公开审理这起合同纠纷案件，判决被告赔偿原告经济损失。",
                 "这家酒店的房间干净整洁，服务态度也很好，下次出差还会选择这里。"):
        top3 = {w for w, _ in emb.keywords(text, topn=3)}
        assert not top3 & {"的", "是", "在", "了", "和"}, (text, top3)
    for city in ("北京", "上海"):
        assert [w for w, _ in emb.most_related(city)] != [w for w, _ in emb.most_similar(city)]


def test_cds_models_answer_in_pmi_units():
    """A model trained with cds ≠ 1 fits PMI + δ_i + δ_j: queries subtract the offsets (wordvec.query.relatedness)."""
    emb = make()
    emb.meta["cds"] = 0.75
    counts = emb.counts.astype(np.float64)
    delta = np.log(counts / emb.total_tokens) - np.log(counts**0.75 / (counts**0.75).sum())
    vec = emb.vectors
    assert abs(emb.pmi("k1", "k2") - (vec[1] @ vec[2] - delta[1] - delta[2])) < 1e-9
    tokens = ["k1", "k2", "k2", "k7", "k30"]
    for exclude_self in (False, True):
        got = dict(emb.keywords(tokens, topn=None, exclude_self=exclude_self, method="pmi-sum"))
        for w in set(tokens):
            context = [k for k in tokens if not (exclude_self and k == w)]
            assert abs(got[w] - sum(emb.pmi(k, w) for k in context)) < 1e-9
    # related ranks by the smoothed PMI ⟨v_x,v_y⟩ by default; alpha=1 is the plain PMI, offsets removed
    row = emb.index("k3")
    for w, s in emb.most_related("k3", topn=10):
        assert abs(s - float(vec[row].astype(np.float64) @ vec[emb.index(w)].astype(np.float64))) < 1e-4
    plain = emb.most_related("k3", topn=10, alpha=1.0)
    assert all(abs(s - emb.pmi("k3", w)) < 1e-4 for w, s in plain)
    assert [s for _, s in plain] == sorted((s for _, s in plain), reverse=True)
    logp = np.log(counts / emb.total_tokens)
    for w, s in emb.predict(["k4", "k5"], topn=5):
        assert abs(s - (emb.pmi(w, "k4") + emb.pmi(w, "k5") + logp[emb.index(w)])) < 1e-4
    raw = emb.sentence_similarity(["k1", "k2"], ["k3"], raw=True)
    assert abs(raw - emb.pmi("k1", "k3") - emb.pmi("k2", "k3")) < 1e-9
    assert emb.norms(3, corrected=False) == make().norms(3, corrected=False)  # raw: the plain vector norms
    self_pmi = np.sqrt(np.maximum((vec**2).sum(axis=1) - 2 * delta, 0))
    assert emb.norms(5) == emb.norms(5, corrected=True)  # the default is the corrected importance
    assert [w for w, _ in emb.norms(5, corrected=True)] == [f"k{i}" for i in np.argsort(self_pmi, kind="stable")[:5]]
    assert abs(dict(emb.norms(corrected=True))["k3"] ** 2 - emb.pmi("k3", "k3")) < 1e-9 or emb.pmi("k3", "k3") < 0


def test_pre_segmented_model_segments_raw_chinese_queries():
    """A model trained with --tokenizer whitespace/tagged is queried with raw text: unknown Chinese runs go to jieba."""
    import numpy as np

    from wordvec import Embedding
    from wordvec.corpora import Vocabulary

    vocab = Vocabulary(["是", "太阳", "一颗", "恒星"], [40, 3, 2, 1])
    vectors = np.random.default_rng(3).normal(size=(4, 5))
    emb = Embedding(vectors, vocab, {"kind": "pmi", "tokenizer": {"mode": "tagged"}})
    assert sorted(emb.tokenize("太阳是一颗恒星")) == sorted(["太阳", "是", "一颗", "恒星"])
    assert emb.tokenize("太阳/n 是/v") == ["太阳", "是"]
    assert len(emb.keywords("太阳是一颗恒星")) == 4
