"""The hierarchical-softmax path kernel (SPEC c.7) against a plain-Python per-node product."""
from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from wordvec.word2vec._kernels import (
    log_prob_matrix,
    log_sigmoid,
    node_log_sigmoids,
    path_log_prob_matrix,
    path_sums,
    path_sums_parallel,
)


def twin_log_prob(syn1, x, path_points, path_codes):
    """log Π_t σ((−1)^c_t · x·θ_{p_t}) by the definition, one node at a time (SPEC c.7)."""
    prob = 1.0
    log_prob = 0.0
    for p, c in zip(path_points, path_codes):
        f = sum(float(a) * float(b) for a, b in zip(syn1[p], x))
        sgn = -1.0 if c else 1.0
        z = sgn * f
        # σ(z) in a form that does not overflow; accumulate the log to survive long paths
        s = 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))
        prob *= s
        log_prob += math.log(s) if s > 0 else z  # σ(z) underflows only for z ≪ 0, where log σ(z) ≈ z
    return log_prob


def pad(paths):
    lmax = max((len(p) for p, _ in paths), default=1) or 1
    points = np.zeros((len(paths), lmax), np.int32)
    codes = np.zeros((len(paths), lmax), np.uint8)
    lengths = np.zeros(len(paths), np.int32)
    for k, (p, c) in enumerate(paths):
        points[k, : len(p)] = p
        codes[k, : len(c)] = c
        lengths[k] = len(p)
    return points, codes, lengths


@st.composite
def problems(draw):
    n_nodes = draw(st.integers(1, 12))
    dim = draw(st.integers(1, 6))
    n_words = draw(st.integers(1, 10))
    n_inputs = draw(st.integers(1, 4))
    seed = draw(st.integers(0, 2**32 - 1))
    scale = draw(st.sampled_from([0.1, 1.0, 5.0]))
    rng = np.random.default_rng(seed)
    syn1 = rng.normal(0, scale, (n_nodes, dim))
    xs = rng.normal(0, scale, (n_inputs, dim))
    paths = []
    for _ in range(n_words):
        length = int(rng.integers(0, 8))
        paths.append((rng.integers(0, n_nodes, length).tolist(), rng.integers(0, 2, length).tolist()))
    return syn1, xs, paths


@settings(max_examples=80, deadline=None)
@given(problems())
def test_kernel_equals_per_node_twin(problem):
    syn1, xs, paths = problem
    points, codes, lengths = pad(paths)
    h = xs @ syn1.T
    got = path_log_prob_matrix(h, points, codes, lengths)
    table = np.empty((h.shape[0], 2 * h.shape[1]))
    node_log_sigmoids(h, table)
    par = np.empty_like(got)
    path_sums_parallel(table, points, codes, lengths, par)
    ser = np.empty_like(got)
    path_sums(table, points, codes, lengths, ser)
    assert np.array_equal(par, path_log_prob_matrix(h, points, codes, lengths, parallel=True))
    fused = log_prob_matrix(xs, syn1, None, points, codes, lengths)
    # a node subset: the used nodes only, paths re-indexed into it (as hs_keywords does)
    nodes = np.unique(np.concatenate([np.asarray(p, dtype=np.int64) for p, _ in paths] + [np.zeros(1, np.int64)]))
    local = np.searchsorted(nodes, points).astype(np.int32)
    subset = log_prob_matrix(xs, syn1, nodes, local, codes, lengths)
    for r in range(xs.shape[0]):
        for o, (p, c) in enumerate(paths):
            want = twin_log_prob(syn1, xs[r], p, c)
            assert abs(got[r, o] - want) <= 1e-6 * max(1.0, abs(want))
            assert abs(par[r, o] - want) <= 1e-6 * max(1.0, abs(want))
            assert abs(ser[r, o] - want) <= 1e-6 * max(1.0, abs(want))
            assert abs(fused[r, o] - want) <= 1e-6 * max(1.0, abs(want))
            assert abs(subset[r, o] - want) <= 1e-6 * max(1.0, abs(want))


def test_log_sigmoid_is_stable_at_extremes():
    for z in (-1000.0, -40.0, -6.0, 0.0, 6.0, 40.0, 1000.0):
        value = log_sigmoid(z)
        assert math.isfinite(value)
        assert value <= 0.0
    assert log_sigmoid(-1000.0) == -1000.0
    assert log_sigmoid(1000.0) == 0.0
    assert abs(log_sigmoid(0.0) + math.log(2)) < 1e-15


def test_saturated_nodes_are_not_skipped():
    # gensim's score() drops |f| >= 6; the exact formula keeps them (SPEC c.7)
    h = np.array([[10.0, -10.0]])
    points, codes, lengths = pad([([0, 1], [1, 0])])
    got = path_log_prob_matrix(h, points, codes, lengths)[0, 0]
    assert abs(got - 2 * log_sigmoid(-10.0)) < 1e-12
    assert got < -19.0


def test_complete_binary_tree_is_normalised():
    # a full tree of depth 3 over 8 leaves: Σ_o p(o|i) = 1 for any activations
    rng = np.random.default_rng(0)
    paths = []
    for leaf in range(8):
        bits = [(leaf >> s) & 1 for s in (2, 1, 0)]
        node, pts = 0, []
        for b in bits:
            pts.append(node)
            node = 2 * node + 1 + b
        paths.append((pts, bits))
    points, codes, lengths = pad(paths)
    h = rng.normal(0, 3, (5, 7))
    got = path_log_prob_matrix(h, points, codes, lengths)
    np.testing.assert_allclose(np.exp(got).sum(axis=1), 1.0, atol=1e-12)


def test_float32_activations_accepted():
    h = np.array([[0.5, -1.5]], dtype=np.float32)
    points, codes, lengths = pad([([0, 1], [0, 1]), ([1], [0])])
    got = path_log_prob_matrix(h, points, codes, lengths)
    assert got.dtype == np.float64
    assert abs(got[0, 1] - log_sigmoid(-1.5)) < 1e-6


def test_float32_inputs_accumulate_in_float64():
    rng = np.random.default_rng(5)
    syn1 = rng.normal(0, 1, (6, 50)).astype(np.float32)
    x = rng.normal(0, 1, (2, 50)).astype(np.float32)
    points, codes, lengths = pad([([0, 3, 5], [1, 0, 1]), ([2], [0])])
    got = log_prob_matrix(x, syn1, None, points, codes, lengths)
    want = path_log_prob_matrix(x.astype(np.float64) @ syn1.T.astype(np.float64), points, codes, lengths)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
