"""Profile similarity (SPEC c.2.3, d.3-3, DECISIONS 5): equals np.corrcoef of the PMI profiles over the top-N words."""
from __future__ import annotations

import numpy as np
import pytest

from wordvec import Embedding
from wordvec.corpora import Vocabulary
from wordvec.errors import InputError, WordvecError
from wordvec.query.profile import ProfileTransform


def make(v: int, d: int, dtype=np.float64, seed: int = 0, kind: str = "pmi") -> Embedding:
    rng = np.random.default_rng(seed)
    words = [f"p{i}" for i in range(v)]
    vocab = Vocabulary(words, np.arange(v, 0, -1) + 4)
    return Embedding(rng.standard_normal((v, d)).astype(dtype), vocab, {"kind": kind})


def profiles_corr(emb: Embedding, n: int) -> np.ndarray:
    vec = np.asarray(emb.vectors, dtype=np.float64)
    return np.corrcoef(vec @ vec[:n].T)  # rows: PMI profiles ⟨v_i, v_k⟩ over the top-n context words


@pytest.mark.parametrize("v, d, n", [(60, 8, 30), (60, 8, 60), (60, 8, 1000), (80, 16, 5), (80, 16, 12)])
def test_profile_similarity_equals_corrcoef(v, d, n):
    emb = make(v, d)
    corr = profiles_corr(emb, min(n, v))
    rng = np.random.default_rng(1)
    for i, j in rng.integers(0, v, size=(15, 2)):
        assert abs(emb.profile_similarity(f"p{i}", f"p{j}", context_words=n) - corr[i, j]) < 1e-6
    # the ranking over the whole vocabulary, N < d included
    for i in (0, 7, v - 1):
        got = emb.most_similar(f"p{i}", topn=v, method="profile", context_words=n)
        expect = sorted(((f"p{j}", corr[i, j]) for j in range(v) if j != i), key=lambda x: (-x[1], int(x[0][1:])))
        assert np.allclose([s for _, s in got], [s for _, s in expect], atol=1e-6)
        assert [w for w, _ in got][:5] == [w for w, _ in expect][:5]


def test_transform_scores_row_equals_corrcoef():
    emb = make(50, 6)
    transform = ProfileTransform(emb.vectors, 8)
    assert np.allclose(transform.scores(emb.vectors, emb.vectors[4]), profiles_corr(emb, 8)[4], atol=1e-9)


def test_profile_float32_close_and_cached_per_n():
    emb = make(200, 16, dtype=np.float32)
    corr = profiles_corr(emb, 50)
    got = dict(emb.most_similar("p3", topn=199, method="profile", context_words=50))
    assert max(abs(got[f"p{j}"] - corr[3, j]) for j in range(200) if j != 3) < 1e-4
    first = emb.derived.profile_transform
    assert first.n_context == 50
    emb.most_similar("p4", method="profile", context_words=50)
    assert emb.derived.profile_transform is first
    emb.most_similar("p4", method="profile", context_words=20)
    assert emb.derived.profile_transform.n_context == 20


def test_profile_with_negative_and_restrict():
    emb = make(100, 8)
    res = emb.most_similar(["p1", "p2"], negative=["p3"], topn=5, method="profile", context_words=40, restrict_vocab=50)
    assert len(res) == 5 and all(int(w[1:]) < 50 and w not in ("p1", "p2", "p3") for w, _ in res)


def test_constant_profile_gives_zero_not_nan():
    emb = make(30, 4)
    vec = emb.vectors.copy()
    vec[5] = 0.0
    emb = Embedding(vec, emb.vocab, {"kind": "pmi"})
    assert emb.profile_similarity("p5", "p6", context_words=10) == 0.0
    scores = [s for _, s in emb.most_similar("p6", topn=29, method="profile", context_words=10)]
    assert np.all(np.isfinite(scores))
    assert all(s == 0.0 for w, s in emb.most_similar("p5", topn=3, method="profile", context_words=10))


def test_profile_errors():
    w2v = make(20, 4, kind="w2v")
    with pytest.raises(WordvecError, match="needs a PMI model"):
        w2v.profile_similarity("p1", "p2")
    with pytest.raises(InputError):
        make(20, 4).most_similar("p1", method="profile", context_words=0)
    with pytest.raises(InputError):
        ProfileTransform(np.ones((3, 2)), 0)
