"""The AdaGrad kernel (SPEC b.3, b.6) against SPEC b.7 and against a plain-Python twin."""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wordvec.train._kernels import adagrad_epoch, pair_dots


def twin_epoch(vectors, accum, rows, cols, target, weight, lr):
    """Plain-Python SPEC b.6 loop (sequential), obviously right; returns Σ ½λe²."""
    cost = 0.0
    d = vectors.shape[1]
    for i, j, t, w in zip(rows, cols, target, weight):
        e = sum(float(vectors[i, k]) * float(vectors[j, k]) for k in range(d)) - t
        delta = w * e
        if not (math.isfinite(e) and math.isfinite(delta)):
            continue
        cost += 0.5 * delta * e
        gi = [delta * vectors[j, k] for k in range(d)]
        gj = [delta * vectors[i, k] for k in range(d)]
        si, sj = [], []
        for k in range(d):
            accum[i, k] += gi[k] ** 2
            accum[j, k] += gj[k] ** 2
            si.append(lr * gi[k] / math.sqrt(accum[i, k] + 1e-8))
            sj.append(lr * gj[k] / math.sqrt(accum[j, k] + 1e-8))
        if not math.isfinite(sum(si) + sum(sj)):
            continue
        for k in range(d):
            vectors[i, k] -= si[k]
            vectors[j, k] -= sj[k]
    return cost


def test_spec_b7_single_update_float64():
    # SPEC a.5 target for (我, 爱) feeds SPEC b.7
    target = math.log((2 / 22) / ((2 / 10) * (2 / 10)))
    weight = (2 / 100) ** 0.75
    vectors = np.array([[0.1, -0.2], [0.05, 0.1]])
    accum = np.ones_like(vectors)
    cost, skipped = adagrad_epoch(vectors, accum, np.array([0], np.int32), np.array([1], np.int32),
                                  np.array([target]), np.array([weight]), 0.1, 1)
    assert skipped == 0
    assert vectors[0] == pytest.approx([0.1002223, -0.1995554], abs=1e-6)
    assert vectors[1] == pytest.approx([0.0504446, 0.0991108], abs=1e-6)
    assert cost == pytest.approx(0.018584, abs=1e-6)
    assert accum[0] == pytest.approx([1 + 0.002223**2, 1 + 0.004446**2], abs=1e-8)


def _problem(seed, n_words, dim, n_rec, scale=1.0):
    rng = np.random.default_rng(seed)
    vectors = rng.uniform(-0.5, 0.5, (n_words, dim)) * scale
    rows = rng.integers(0, n_words, n_rec).astype(np.int32)
    cols = ((rows + rng.integers(1, n_words, n_rec)) % n_words).astype(np.int32)  # records never have i == j
    target = rng.normal(size=n_rec)
    weight = rng.uniform(0.01, 3.0, n_rec)
    return vectors, rows, cols, target, weight


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**31), n_words=st.integers(2, 12), dim=st.integers(1, 9), n_rec=st.integers(1, 60),
       lr=st.floats(0.001, 2.0))
def test_kernel_matches_twin(seed, n_words, dim, n_rec, lr):
    vectors, rows, cols, target, weight = _problem(seed, n_words, dim, n_rec)
    v1, a1 = vectors.copy(), np.ones_like(vectors)
    v2, a2 = vectors.copy(), np.ones_like(vectors)
    c1, _ = adagrad_epoch(v1, a1, rows, cols, target, weight, lr, 1)
    c2 = twin_epoch(v2, a2, rows, cols, target, weight, lr)
    assert np.allclose(v1, v2, rtol=1e-9, atol=1e-12)
    assert np.allclose(a1, a2, rtol=1e-9, atol=1e-12)
    assert c1 == pytest.approx(c2, rel=1e-9, abs=1e-12)


def test_nan_guards_skip_bad_records():
    vectors = np.array([[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]])
    accum = np.ones_like(vectors)
    rows, cols = np.array([0, 1], np.int32), np.array([1, 2], np.int32)
    target = np.array([np.nan, 0.5])
    weight = np.array([1.0, np.inf])
    before = vectors.copy()
    cost, skipped = adagrad_epoch(vectors, accum, rows, cols, target, weight, 0.1, 1)
    assert np.array_equal(vectors, before) and cost == 0.0 and skipped == 2
    # a huge (overflowing) step is skipped, though its accumulator is updated (as coded)
    big = np.array([[1e200, 1e200], [1e200, 1e200]])
    acc = np.ones_like(big)
    adagrad_epoch(big, acc, np.array([0], np.int32), np.array([1], np.int32), np.array([0.0]), np.array([1e-300]),
                  0.1, 1)
    assert np.isfinite(big).all()


def test_threads1_reproducible_and_float32():
    vectors, rows, cols, target, weight = _problem(3, 50, 8, 2000, scale=0.1)
    runs = []
    for _ in range(2):
        v, a = vectors.astype(np.float32), np.ones(vectors.shape, np.float32)
        for _ in range(3):
            adagrad_epoch(v, a, rows, cols, target.astype(np.float32), weight.astype(np.float32), 0.1, 1)
        runs.append(v)
    assert runs[0].dtype == np.float32
    assert np.array_equal(runs[0], runs[1])


def test_parallel_chunks_learn_too():
    vectors, rows, cols, target, weight = _problem(4, 40, 6, 4000, scale=0.1)
    v, a = vectors.copy(), np.ones_like(vectors)
    first, _ = adagrad_epoch(v, a, rows, cols, target, weight, 0.1, 2)
    for _ in range(10):
        last, _ = adagrad_epoch(v, a, rows, cols, target, weight, 0.1, 2)
    assert last < first


def test_pair_dots():
    vectors, rows, cols, _, _ = _problem(5, 10, 4, 30)
    assert np.allclose(pair_dots(vectors, rows, cols), (vectors[rows] * vectors[cols]).sum(1))


M64 = (1 << 64) - 1


def twin_negative(vectors, accum, indptr, indices, cum, bound_i, bound_c, weight, lr, n, seed):
    """Plain-Python twin of the sequential Swivel-style penalty pass (``n_chunks=1``)."""
    state = (seed * 6364136223846793005 + 1442695040888963407) & M64

    def draw(state):
        state ^= state >> 12
        state ^= (state << 25) & M64
        state ^= state >> 27
        return state, ((state * 2685821657736338717) & M64) >> 11

    cost = 0.0
    observed = {(i, int(j)) for i in range(len(indptr) - 1) for j in indices[indptr[i]:indptr[i + 1]]}
    for _ in range(n):
        state, r1 = draw(state)
        state, r2 = draw(state)
        i = int(np.searchsorted(cum, r1 / 2**53 * cum[-1], side="right"))
        j = int(np.searchsorted(cum, r2 / 2**53 * cum[-1], side="right"))
        if i == j or (i, j) in observed:
            continue
        e = float(vectors[i] @ vectors[j]) - (bound_i[i] + bound_c[j])
        if not e > 0:
            continue
        delta = weight * e
        cost += 0.5 * delta * e
        gi, gj = delta * vectors[j], delta * vectors[i]
        accum[i] += gi * gi
        accum[j] += gj * gj
        vectors[i] -= lr * gi / np.sqrt(accum[i] + 1e-8)
        vectors[j] -= lr * gj / np.sqrt(accum[j] + 1e-8)
    return cost


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 2**20), n_words=st.integers(3, 15), dim=st.integers(1, 6), n=st.integers(1, 200))
def test_negative_kernel_matches_twin(seed, n_words, dim, n):
    import scipy.sparse as sp

    from wordvec.train._kernels import negative_epoch

    rng = np.random.default_rng(seed)
    m = sp.random(n_words, n_words, density=0.3, format="csr", random_state=seed)
    m = (m + m.T).tocsr()
    m.sort_indices()
    vectors = rng.normal(size=(n_words, dim))
    cum = np.cumsum(rng.uniform(0.1, 5, n_words))
    bound = rng.normal(size=n_words) - 1
    v1, a1, v2, a2 = vectors.copy(), np.ones_like(vectors), vectors.copy(), np.ones_like(vectors)
    c1 = negative_epoch(v1, a1, m.indptr, m.indices, cum, bound, bound, 0.5, 0.1, n, seed, 1)
    c2 = twin_negative(v2, a2, m.indptr, m.indices, cum, bound, bound, 0.5, 0.1, n, seed * 1000003)
    assert np.allclose(v1, v2, rtol=1e-9, atol=1e-12) and np.allclose(a1, a2, rtol=1e-9, atol=1e-12)
    assert c1 == pytest.approx(c2, rel=1e-9, abs=1e-12)
