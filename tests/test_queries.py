"""Queries on the Embedding: cosine (parity with gensim), 3CosMul, analogy, relatedness, PMI, norms, errors."""
from __future__ import annotations

import time

import numpy as np
import pytest

from wordvec import Embedding
from wordvec.corpora import Vocabulary
from wordvec.errors import InputError, UnknownWordError, WordvecError
from wordvec.query.similarity import top_k


def random_embedding(v: int = 400, d: int = 16, seed: int = 0, dtype=np.float32, kind: str = "pmi") -> Embedding:
    rng = np.random.default_rng(seed)
    words = [f"w{i}" for i in range(v)]
    counts = np.sort(rng.integers(5, 10_000, size=v))[::-1]
    vocab = Vocabulary(words, counts)
    meta = {"kind": kind, "total_tokens": int(counts.sum()), "tokenizer": {"mode": "whitespace"}}
    return Embedding(rng.standard_normal((v, d)).astype(dtype), vocab, meta)


@pytest.fixture(scope="module")
def emb() -> Embedding:
    return random_embedding()


@pytest.fixture(scope="module")
def kv(emb):
    from gensim.models import KeyedVectors

    kv = KeyedVectors(emb.shape[1])
    kv.add_vectors(emb.words, np.asarray(emb.vectors))
    return kv


def assert_same_ranking(ours, theirs, atol=1e-5):
    assert [w for w, _ in ours] == [w for w, _ in theirs]
    assert np.allclose([s for _, s in ours], [s for _, s in theirs], atol=atol)
    assert all(isinstance(s, float) for _, s in ours)


@pytest.mark.parametrize(
    "positive, negative, restrict",
    [("w3", [], None), (["w3", "w50"], ["w7"], None), (["w10"], [], 100), ([], ["w2"], None), (["w1", "w2", "w3"], [], 50)],
)
def test_most_similar_equals_gensim(emb, kv, positive, negative, restrict):
    ours = emb.most_similar(positive, negative, topn=12, restrict_vocab=restrict)
    theirs = kv.most_similar(positive=positive, negative=negative, topn=12, restrict_vocab=restrict)
    assert_same_ranking(ours, theirs)


def test_most_similar_accepts_vectors_and_cosmul_equals_gensim(emb, kv):
    vec = np.asarray(emb["w5"]) * 3
    assert_same_ranking(emb.most_similar(vec, topn=5), kv.most_similar(positive=[vec], topn=5))
    ours = emb.most_similar_cosmul(["w3", "w50"], ["w7"], topn=10)
    theirs = kv.most_similar_cosmul(positive=["w3", "w50"], negative=["w7"], topn=10)
    assert_same_ranking(ours, theirs, atol=1e-4)
    assert abs(emb.similarity("w1", "w2") - float(kv.similarity("w1", "w2"))) < 1e-6
    with pytest.raises(InputError):
        emb.most_similar([], [])
    with pytest.raises(InputError):
        emb.most_similar(np.ones(3))
    with pytest.raises(InputError, match="method"):
        emb.most_similar("w1", method="bogus")


def test_analogy_add_and_mul(emb, kv):
    vec = emb.vectors.astype(np.float64)
    q = vec[1] + vec[2] - vec[3]
    unit = vec / np.linalg.norm(vec, axis=1, keepdims=True)
    scores = unit @ (q / np.linalg.norm(q))
    expect = [f"w{i}" for i in np.argsort(-scores) if i not in (1, 2, 3)][:5]
    got = emb.analogy("w1", "w2", "w3", topn=5)
    assert [w for w, _ in got] == expect
    kept = emb.analogy("w1", "w2", "w3", topn=400, exclude_inputs=False)
    assert {"w1", "w2", "w3"} <= {w for w, _ in kept}
    assert_same_ranking(emb.analogy("w1", "w2", "w3", topn=5, method="mul"),
                        kv.most_similar_cosmul(positive=["w1", "w2"], negative=["w3"], topn=5), atol=1e-4)
    assert len(emb.analogy("w1", "w2", None, topn=3)) == 3
    with pytest.raises(InputError):
        emb.analogy("w1", "w2", "w3", method="div")


def test_most_related_raw_cosine_and_alpha(emb):
    vec = emb.vectors.astype(np.float64)
    raw = vec @ vec[4]
    expect = [f"w{i}" for i in np.argsort(-raw) if i != 4][:8]
    got = emb.most_related("w4", topn=8)
    assert [w for w, _ in got] == expect
    assert np.allclose([s for _, s in got], np.sort(raw[[int(w[1:]) for w in expect]])[::-1], atol=1e-4)
    # SPEC d.3-5: α = 1 ranks exactly like the raw inner product
    assert [w for w, _ in emb.most_related("w4", topn=50, alpha=1.0)] == [w for w, _ in emb.most_related("w4", topn=50)]
    # the α-variant: ⟨v_x,v_y⟩ + (1−α) log P(y)
    logp = np.log(emb.counts / emb.total_tokens)
    alpha_scores = raw + 0.1 * logp
    expect_alpha = [f"w{i}" for i in np.argsort(-alpha_scores) if i != 4][:8]
    got_alpha = emb.most_related("w4", topn=8, alpha=0.9)
    assert [w for w, _ in got_alpha] == expect_alpha
    assert np.allclose([s for _, s in got_alpha], [alpha_scores[int(w[1:])] for w in expect_alpha], atol=1e-4)
    cos = [w for w, _ in emb.most_related("w4", topn=8, normalize=True)]
    assert cos == [w for w, _ in emb.most_similar("w4", topn=8)]
    assert emb.most_related("w4", topn=3, include_self=True)[0][0] in {"w4"} | set(expect[:1])
    assert abs(emb.pmi("w4", "w9") - raw[9]) < 1e-4


def test_alpha_needs_counts():
    rng = np.random.default_rng(1)
    vocab = Vocabulary([f"x{i}" for i in range(10)], np.zeros(10, dtype=np.int64))
    ext = Embedding(rng.standard_normal((10, 4)).astype(np.float32), vocab, {"kind": "external"})
    assert len(ext.most_related("x1", topn=3)) == 3
    with pytest.raises(WordvecError, match="no word counts"):
        ext.most_related("x1", alpha=0.9)


def test_norms_and_word_weight(emb):
    norms = np.linalg.norm(emb.vectors.astype(np.float64), axis=1)
    asc = emb.norms(topn=5)
    assert [w for w, _ in asc] == [f"w{i}" for i in np.argsort(norms)[:5]]
    desc = emb.norms(topn=5, ascending=False)
    assert [w for w, _ in desc] == [f"w{i}" for i in np.argsort(-norms)[:5]]
    assert len(emb.norms()) == len(emb)
    assert abs(emb.word_weight("w7") - norms[7]) < 1e-6


def test_unknown_word_error_and_suggestions(emb):
    with pytest.raises(UnknownWordError, match=r"'w9999'; did you mean: .*w99") as info:
        emb.most_similar("w9999")
    assert 1 <= len(info.value.suggestions) <= 5
    for call in (lambda: emb.most_related("nope"), lambda: emb.pmi("w1", "nope"), lambda: emb.analogy("w1", "w2", "nope")):
        with pytest.raises(UnknownWordError):
            call()
    assert emb.suggest("") == [] and emb.suggest("中") == []


def test_suggest_is_fast_on_100k_words():
    rng = np.random.default_rng(2)
    alphabet = np.array(list("的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经"))
    words = sorted({"".join(rng.choice(alphabet, size=rng.integers(1, 5))) for _ in range(130_000)})[:100_000]
    vocab = Vocabulary(words, np.ones(len(words), dtype=np.int64))
    big = Embedding(np.zeros((len(words), 2), np.float32), vocab)
    big.suggest("经济发展")  # builds the index
    start = time.perf_counter()
    got = big.suggest("经济发展")
    assert time.perf_counter() - start < 0.2
    assert len(got) == 5 and all(set(w) & set("经济发展") for w in got)


def test_top_k_excludes_and_orders():
    scores = np.array([0.1, 0.9, 0.5, 0.9, -1.0])
    assert top_k(scores, 3) == [1, 3, 2]
    assert top_k(scores, 3, exclude=[1]) == [3, 2, 0]
    assert top_k(scores, 10) == [1, 3, 2, 0, 4]
    assert top_k(scores, 0) == []


def test_load_vector_file_delegates_to_formats(tmp_path, emb):
    formats = pytest.importorskip("wordvec.io.formats")
    path = tmp_path / "vecs.txt"
    formats.save_word2vec_format(emb, path)
    back = Embedding.load(path)
    assert back.words == emb.words and back.kind == "external"
    assert np.allclose(back.vectors, emb.vectors, atol=1e-5)
    assert [w for w, _ in back.most_similar("w3", topn=5)] == [w for w, _ in emb.most_similar("w3", topn=5)]


def test_word2vec_models_dispatch_to_hs(tmp_path):
    pytest.importorskip("wordvec.word2vec.hs")
    from gensim.models import Word2Vec

    from wordvec.word2vec.bridge import load_gensim_model

    rng = np.random.default_rng(3)
    vocab_words = [f"t{i}" for i in range(30)]
    sentences = [list(rng.choice(vocab_words, size=12, p=np.linspace(2, 1, 30) / np.linspace(2, 1, 30).sum()))
                 for _ in range(300)]
    model = Word2Vec(sentences, vector_size=8, window=3, min_count=1, sg=1, hs=1, negative=0, epochs=2,
                     workers=1, seed=1)
    model.save(str(tmp_path / "g.model"))
    w2v = Embedding(load_gensim_model(tmp_path / "g.model", tokenizer={"mode": "whitespace"}))
    assert w2v.kind == "w2v"
    from wordvec.word2vec.hs import hs_keywords, hs_related

    text = ["t1", "t2", "t2", "t5", "unknown"]
    got = w2v.keywords(text, topn=None, method="pmi-sum")
    cand, scores = hs_keywords(w2v, [w2v.index(t) for t in text[:4]])
    assert [w for w, _ in got] == [w2v.words[i] for i in cand]
    assert np.allclose([s for _, s in got], scores)
    rel = w2v.most_related("t3", topn=5)
    full = hs_related(w2v, w2v.index("t3"), 0.9)
    expect = [w2v.words[i] for i in np.argsort(-full, kind="stable") if i != w2v.index("t3")][:5]
    assert [w for w, _ in rel] == expect
    assert len(w2v.predict(["t1", "t2"], topn=4)) == 4
    assert len(w2v.most_similar("t1", topn=3)) == 3
    with pytest.raises(WordvecError, match="needs a PMI model"):
        w2v.pmi("t1", "t2")
    with pytest.raises(WordvecError, match="needs a PMI model"):
        w2v.most_similar("t1", method="profile")
    with pytest.raises(InputError):
        w2v.keywords(text, normalize=True, method="pmi-sum")


def top_k_dot_twin(table, query, scale, bias, k):
    """Plain-Python twin of ``wordvec.query._kernels.top_k_dot``: score every row, sort, keep k."""
    scores = []
    for i, row in enumerate(table):
        x = float(sum(float(a) * float(b) for a, b in zip(row, query)))
        if len(scale):
            x *= float(scale[i])
        if len(bias):
            x += float(bias[i])
        if x == x:
            scores.append((-x, i))
    scores.sort()
    return [i for _, i in scores[:k]], [-x for x, _ in scores[:k]]


def test_kernel_matches_twin():
    pytest.importorskip("numba")
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from wordvec.query._kernels import quantize_rows, top_k_dot, top_k_dot_screened

    @settings(max_examples=40, deadline=None)
    @given(n=st.integers(1, 60), d=st.integers(1, 9), k=st.integers(0, 70), seed=st.integers(0, 10_000),
           use_scale=st.booleans(), use_bias=st.booleans(), ties=st.booleans(), dtype=st.sampled_from(["f4", "f8"]))
    def check(n, d, k, seed, use_scale, use_bias, ties, dtype):
        rng = np.random.default_rng(seed)
        table = rng.standard_normal((n, d))
        if ties:  # repeated rows: equal scores must keep the lower row first
            table = np.round(table[rng.integers(0, max(1, n // 3), size=n)], 1)
        table = table.astype(dtype)
        query = rng.standard_normal(d).astype(dtype)
        scale = rng.random(n) if use_scale else np.zeros(0)
        bias = rng.standard_normal(n) if use_bias else np.zeros(0)
        t_idx, t_val = top_k_dot_twin(table, query, scale, bias, k)
        codes, row_scale = quantize_rows(table)
        assert np.all(np.abs(codes * row_scale[:, None] - table) <= row_scale[:, None] * 0.5 + 1e-6)
        for idx, val in (top_k_dot(table, query, scale, bias, k),
                         top_k_dot_screened(codes, row_scale, table, query, scale, bias, k)):
            assert np.allclose(val, t_val, atol=1e-4)
            if not ties:
                assert list(idx) == t_idx
            else:
                assert all(val[j] > val[j + 1] or idx[j] < idx[j + 1] for j in range(len(idx) - 1))

    check()
    nan_table = np.array([[np.nan], [1.0], [2.0]])
    idx, _ = top_k_dot(nan_table, np.ones(1), np.zeros(0), np.zeros(0), 3)
    assert list(idx) == [2, 1]
    # screening never loses a true top-k row, also on a larger table with near-ties
    rng = np.random.default_rng(9)
    table = rng.standard_normal((5000, 32)).astype(np.float32)
    table[100:200] = table[99] + rng.standard_normal((100, 32)).astype(np.float32) * 1e-3
    codes, row_scale = quantize_rows(table)
    for seed in range(5):
        query = np.random.default_rng(seed).standard_normal(32).astype(np.float32) if seed else table[99]
        exact = np.argsort(-(table.astype(np.float64) @ query.astype(np.float64)), kind="stable")[:50]
        idx, _ = top_k_dot_screened(codes, row_scale, table, query, np.zeros(0), np.zeros(0), 50)
        assert set(idx[:45]) <= set(exact) and len(idx) == 50


@pytest.mark.parametrize("mode", ["always", "never"])
def test_kernel_and_numpy_paths_agree(mode, monkeypatch):
    pytest.importorskip("numba")
    import wordvec.query.similarity as sim

    big = random_embedding(v=3000, d=12, seed=5)
    monkeypatch.setattr(sim, "ACCELERATE", "never")
    expect = [big.most_similar("w3"), big.most_similar(["w3", "w9"], "w1", restrict_vocab=500),
              big.most_related("w3"), big.most_related("w3", alpha=0.8), big.most_related("w3", normalize=True),
              big.analogy("w1", "w2", "w3"), big.predict(["w1", "w2"]),
              big.most_similar("w3", method="profile", context_words=100)]
    monkeypatch.setattr(sim, "ACCELERATE", mode)
    got = [big.most_similar("w3"), big.most_similar(["w3", "w9"], "w1", restrict_vocab=500),
           big.most_related("w3"), big.most_related("w3", alpha=0.8), big.most_related("w3", normalize=True),
           big.analogy("w1", "w2", "w3"), big.predict(["w1", "w2"]),
           big.most_similar("w3", method="profile", context_words=100)]
    for a, b in zip(got, expect):
        assert_same_ranking(a, b, atol=1e-4)
