"""The independence prior (wordvec/independence.py) against plain sums over all pairs, and in the trainer."""
from __future__ import annotations

import numpy as np
import pytest

import wordvec.train.prior as ind
from wordvec.errors import InputError
from wordvec.train.pmi import PMIEmbedding, SEED_PRESET

from test_pmi import synthetic


def brute_loss(v: np.ndarray, w0: float) -> float:
    n = len(v)
    return sum(0.5 * w0 * float(v[i] @ v[j]) ** 2 for i in range(n) for j in range(i + 1, n))


def brute_step(v: np.ndarray, accum: np.ndarray, w0: float, lr: float) -> np.ndarray:
    """Each word solves (I + s_i C) v_new = v_i + s_i ‖v_i‖² v_i with C from the old vectors."""
    c = sum(np.outer(row, row) for row in v)
    out = np.empty_like(v)
    for i, row in enumerate(v):
        s = lr * w0 / np.sqrt(accum[i].mean() + 1e-8)
        out[i] = np.linalg.solve(np.eye(len(row)) + s * c, row + s * float(row @ row) * row)
    return out


@pytest.fixture(params=[65536, 3], ids=["one block", "blocks of 3"])
def block(request, monkeypatch):
    monkeypatch.setattr(ind, "_BLOCK", request.param)


def test_loss_is_the_sum_over_distinct_pairs(block):
    v = np.random.default_rng(0).normal(size=(11, 4))
    assert ind.independence_loss(v, 0.3) == pytest.approx(brute_loss(v, 0.3), rel=1e-12)
    assert np.allclose(ind.gram(v), v.T @ v)


def test_step_matches_the_plain_solve(block):
    rng = np.random.default_rng(1)
    v = rng.normal(size=(10, 5))
    accum = 1.0 + rng.random((10, 5)) * 4
    expected = brute_step(v, accum, 0.2, 0.5)
    ind.independence_step(v, accum, 0.2, 0.5)
    assert np.allclose(v, expected, atol=1e-12)


def test_small_step_follows_the_gradient_of_the_loss():
    """For a tiny step, (v − v_new)/s is the gradient of the loss: w0·(C v_i − ‖v_i‖² v_i)."""
    rng = np.random.default_rng(2)
    v = rng.normal(size=(8, 3))
    w0, lr = 0.5, 1e-7
    new = v.copy()
    ind.independence_step(new, np.ones_like(v), w0, lr)
    eps = 1e-6
    numeric = np.zeros_like(v)
    for i in range(v.shape[0]):
        for k in range(v.shape[1]):
            up, down = v.copy(), v.copy()
            up[i, k] += eps
            down[i, k] -= eps
            numeric[i, k] = (ind.independence_loss(up, w0) - ind.independence_loss(down, w0)) / (2 * eps)
    s = lr / np.sqrt(1 + 1e-8)
    assert np.allclose((v - new) / s, numeric, rtol=1e-4, atol=1e-6)


def test_step_lowers_the_loss_and_is_stable_for_large_weights():
    rng = np.random.default_rng(3)
    v = rng.normal(size=(50, 6)).astype(np.float32)
    before = ind.independence_loss(v, 1.0)
    for weight in (1e-3, 1.0, 1e6):
        w = v.copy()
        ind.independence_step(w, np.ones_like(w), weight, 0.4)
        assert np.isfinite(w).all() and w.dtype == np.float32
        assert ind.independence_loss(w, 1.0) < before


def test_non_finite_vectors_are_left_for_the_divergence_check():
    v = np.ones((4, 3))
    v[1, 2] = np.inf
    w = v.copy()
    ind.independence_step(w, np.ones_like(w), 0.1, 0.4)
    assert np.array_equal(v, w)


def test_zero_weight_leaves_the_vectors_alone():
    v = np.random.default_rng(4).normal(size=(6, 3))
    w = v.copy()
    ind.independence_step(w, np.ones_like(w), 0.0, 0.4)
    assert np.array_equal(v, w)


def test_trainer_uses_it_reproducibly_and_it_shrinks_unobserved_products():
    counts, _ = synthetic(n_words=200, rank=4, seed=5, z0=2e5)
    assert SEED_PRESET["independence_weight"] == 0.0
    common = dict(dim=8, epochs=15, seed=1, threads=1, cds=1.0)
    off = PMIEmbedding(**common, independence_weight=0.0).fit(counts).embedding_
    on1 = PMIEmbedding(**common, independence_weight=1e-3).fit(counts).embedding_
    on2 = PMIEmbedding(**common, independence_weight=1e-3).fit(counts).embedding_
    assert np.array_equal(on1.vectors, on2.vectors) and on1.meta["independence_weight"] == 1e-3
    unobserved = counts.matrix.toarray() == 0
    np.fill_diagonal(unobserved, False)

    def mean_square_unobserved(emb):
        v = emb.vectors.astype(np.float64)
        return float(np.mean((v @ v.T)[unobserved] ** 2))

    assert unobserved.sum() > 100
    assert mean_square_unobserved(on1) < mean_square_unobserved(off)


@pytest.mark.parametrize("bad", [-1.0, float("nan"), float("inf")])
def test_negative_or_non_finite_weight_is_refused(bad):
    with pytest.raises(InputError, match="independence_weight must be a finite number"):
        PMIEmbedding(independence_weight=bad).fit(synthetic(n_words=20)[0])
