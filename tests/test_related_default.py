"""`related`'s default ranking (issue 12): a cds model ranks by its inner product (the PMI with both words'
probabilities smoothed); ``alpha=1`` ranks by plain PMI, the value `wordvec pmi` prints."""
from __future__ import annotations

import numpy as np
import pytest

from wordvec.io.vocab import Vocabulary
from wordvec.query.embedding import Embedding
from wordvec.query.methods import pair_scorer

WORDS = [f"w{i}" for i in range(30)]


def model(cds):
    rng = np.random.default_rng(4)
    vectors = rng.standard_normal((len(WORDS), 5)).astype(np.float32)
    counts = (np.arange(len(WORDS), 0, -1) ** 2) * 7
    return Embedding(vectors, Vocabulary(WORDS, counts), {"kind": "pmi", "cds": cds, "total_tokens": int(counts.sum())})


def test_default_is_the_inner_product_and_alpha_1_is_plain_pmi():
    emb = model(0.75)
    v = emb.vectors.astype(np.float64)
    dots = v @ v[3]
    got = emb.most_related("w3", topn=29)
    assert [w for w, _ in got] == [WORDS[j] for j in np.argsort(-dots) if j != 3]
    assert got[0][1] == pytest.approx(dots[WORDS.index(got[0][0])], abs=1e-5)
    plain = np.array([emb.pmi("w3", w) if w != "w3" else -np.inf for w in WORDS])
    assert not np.allclose(plain[np.isfinite(plain)], dots[np.isfinite(plain)])  # the offsets matter here
    alpha1 = emb.most_related("w3", topn=29, alpha=1.0)
    assert [w for w, _ in alpha1] == [WORDS[j] for j in np.argsort(-plain) if j != 3]
    assert alpha1[0][1] == pytest.approx(plain[WORDS.index(alpha1[0][0])], abs=1e-5)
    assert pair_scorer(emb, "related")(3, 7) == pytest.approx(dots[7], abs=1e-6)


def test_cds_1_model_default_equals_plain_pmi():
    emb = model(1.0)
    assert emb.most_related("w2", topn=5) == emb.most_related("w2", topn=5, alpha=1.0)
