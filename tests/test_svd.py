"""PPMI-SVD baseline on a synthetic corpus."""
from __future__ import annotations

import numpy as np
import pytest

from wordvec.errors import InputError
from wordvec.train.svd import PPMISVD
from test_pmi import synthetic


def test_svd_embedding():
    counts, true_pmi = synthetic(n_words=120, rank=3)
    model = PPMISVD(dim=6, seed=0).fit(counts)
    emb = model.embedding_
    assert emb.kind == "svd" and emb.shape == (120, 6) and np.isfinite(emb.vectors).all()
    assert np.all(np.diff(model.singular_values_) <= 1e-9)
    assert emb.meta["cds"] == 0.75 and emb.meta["eig"] == 0.5
    # nearest neighbours by cosine follow the true PMI profile
    unit = emb.unit_vectors
    sims = unit @ unit.T
    np.fill_diagonal(sims, -np.inf)
    truth = true_pmi.copy()
    np.fill_diagonal(truth, np.nan)
    corr = [np.corrcoef(true_pmi[i], true_pmi[int(np.argmax(sims[i]))])[0, 1] for i in range(20)]
    assert np.mean(corr) > 0.5


def test_svd_bad_dim():
    counts, _ = synthetic(n_words=20, rank=2)
    with pytest.raises(InputError):
        PPMISVD(dim=50).fit(counts)
