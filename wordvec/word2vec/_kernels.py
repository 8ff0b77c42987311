"""numba kernels for exact hierarchical-softmax path probabilities (SPEC c.7, vectorised form).

Given node activations ``h`` (inner products of an input vector with ``syn1`` rows) and the padded Huffman
paths of the output words, ``log p(o|i) = Σ_{t<L_o} log σ((1 − 2 C[o,t]) · h[P[o,t]])``.

Two steps: (1) ``node_log_sigmoids`` evaluates, once per inner node ``n``, ``log σ(h_n)`` and
``log σ(−h_n)`` stably as ``−softplus(∓h_n)`` (never skipping saturated nodes, unlike gensim's ``score``,
which drops |h| ≥ 6); (2) ``path_sums`` adds the table entries along every path (a gather-add, no
transcendental functions). Every path shares the V−1 inner nodes, so this needs 2(V−1) ``log1p/exp``
instead of Σ_o L_o. numba lives only in this module; ``tests/test_hs_kernels.py`` holds the plain-Python twin.
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit, prange


@njit(cache=True, inline="always")
def log_sigmoid(z: float) -> float:
    """Stable ``log σ(z) = −softplus(−z)`` (SPEC c.7)."""
    if z >= 0.0:
        return -math.log1p(math.exp(-z))
    return z - math.log1p(math.exp(z))


@njit(cache=True)
def node_log_sigmoids(h, table):  # pragma: no cover - compiled
    """``table[r, 2n] = log σ(h[r, n])`` and ``table[r, 2n+1] = log σ(−h[r, n])`` (code bit 0 / 1, SPEC c.7).

    ``h``: float ``m×n``; ``table``: float64 ``m×2n``.
    """
    m, n = h.shape
    for r in range(m):
        for p in range(n):
            z = np.float64(h[r, p])
            table[r, 2 * p] = log_sigmoid(z)
            table[r, 2 * p + 1] = log_sigmoid(-z)


@njit(cache=True, fastmath=True)
def _dot(a, b):  # pragma: no cover - compiled
    acc = 0.0
    for j in range(a.shape[0]):
        acc += np.float64(a[j]) * np.float64(b[j])
    return acc


@njit(cache=True)
def node_table(x, syn1, nodes, table):  # pragma: no cover - compiled
    """Fused activations and log-sigmoids: ``h = x[r]·syn1[nodes[j]]``, then ``table[r, 2j + c] =
    log σ((1 − 2c)·h)`` (SPEC c.7). ``x``: ``m×d``; ``syn1``: ``n×d``; ``nodes``: int ``q`` (rows of
    ``syn1`` to use, in the column order of ``table``); ``table``: float64 ``m×2q``. One thread, no BLAS:
    small products stay fast on a loaded machine (BLAS threads stall behind busy cores). Both signs share
    one ``log1p(exp(−|h|))``: ``log σ(±h) = −max(∓h, 0) − log1p(e^{−|h|})``, exact and stable.
    """
    m = x.shape[0]
    for r in range(m):
        xr = x[r]
        for j in range(nodes.shape[0]):
            z = _dot(xr, syn1[nodes[j]])
            soft = math.log1p(math.exp(-abs(z)))
            table[r, 2 * j] = -max(-z, 0.0) - soft
            table[r, 2 * j + 1] = -max(z, 0.0) - soft


@njit(cache=True)
def path_sums(table, points, codes, lengths, out):  # pragma: no cover - compiled
    """``out[r, o] = Σ_{t<lengths[o]} table[r, 2·points[o,t] + codes[o,t]]`` (one thread).

    ``points``: int ``k×Lmax`` (padded), ``codes``: uint8 ``k×Lmax``, ``lengths``: int ``k``; ``out``:
    float64 ``m×k``.
    """
    m = table.shape[0]
    k = points.shape[0]
    for r in range(m):
        for o in range(k):
            total = 0.0
            for t in range(lengths[o]):
                total += table[r, 2 * np.int64(points[o, t]) + codes[o, t]]
            out[r, o] = total


@njit(cache=True, parallel=True)
def path_sums_parallel(table, points, codes, lengths, out):  # pragma: no cover - compiled
    """``path_sums`` parallel over the output words ``o`` (prange)."""
    m = table.shape[0]
    k = points.shape[0]
    for r in range(m):
        for o in prange(k):
            total = 0.0
            for t in range(lengths[o]):
                total += table[r, 2 * np.int64(points[o, t]) + codes[o, t]]
            out[r, o] = total


# parallel path sums pay off only for large work; below this many path entries one thread is faster
# (and does not leave OpenMP threads spinning against the BLAS mat-vec of the next query)
PARALLEL_MIN_WORK = 50_000_000


def path_log_prob_matrix(h: np.ndarray, points: np.ndarray, codes: np.ndarray, lengths: np.ndarray,
                         parallel: bool | None = None) -> np.ndarray:
    """``m×k`` float64 matrix of ``log p(word o | row r)`` from node activations ``h`` (``m×n``, SPEC c.7).

    ``points``/``codes``/``lengths``: padded paths of the ``k`` output words into the ``n`` columns of ``h``.
    ``parallel``: None (default) chooses by the amount of work (see ``PARALLEL_MIN_WORK``).
    """
    h = np.asarray(h)
    if h.ndim == 1:
        h = h[None, :]
    table = np.empty((h.shape[0], 2 * h.shape[1]), dtype=np.float64)
    node_log_sigmoids(np.ascontiguousarray(h), table)
    return _sum_paths(table, points, codes, lengths, parallel)


def log_prob_matrix(x: np.ndarray, syn1: np.ndarray, nodes: np.ndarray | None, points: np.ndarray,
                    codes: np.ndarray, lengths: np.ndarray, parallel: bool | None = None) -> np.ndarray:
    """``m×k`` float64 ``log p(o | x_r)`` from input vectors ``x`` (``m×d``) and ``syn1`` (SPEC c.7).

    ``nodes``: the rows of ``syn1`` the paths use (``points`` index positions in ``nodes``), or None for all
    rows (``points`` are ``syn1`` rows). Activations are accumulated in float64.
    """
    x = np.ascontiguousarray(np.atleast_2d(x))
    if nodes is None:
        nodes = np.arange(syn1.shape[0], dtype=np.int64)
    table = np.empty((x.shape[0], 2 * len(nodes)), dtype=np.float64)
    node_table(x, syn1, np.asarray(nodes, dtype=np.int64), table)
    return _sum_paths(table, points, codes, lengths, parallel)


def _sum_paths(table, points, codes, lengths, parallel):
    out = np.empty((table.shape[0], points.shape[0]), dtype=np.float64)
    if parallel is None:
        parallel = table.shape[0] * points.size >= PARALLEL_MIN_WORK
    (path_sums_parallel if parallel else path_sums)(table, points, codes, lengths, out)
    return out


__all__ = ["log_sigmoid", "node_log_sigmoids", "node_table", "log_prob_matrix", "path_sums", "path_sums_parallel",
           "path_log_prob_matrix", "PARALLEL_MIN_WORK"]
