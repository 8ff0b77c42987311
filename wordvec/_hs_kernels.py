"""numba kernels for exact hierarchical-softmax path probabilities (SPEC c.7, vectorised form).

Given node activations ``h`` (inner products of an input vector with ``syn1`` rows) and the padded Huffman
paths of the output words, ``log p(o|i) = Σ_{t<L_o} log σ((1 − 2 C[o,t]) · h[P[o,t]])``. The log-sigmoid is
computed stably as ``−softplus(−z)`` and never skips saturated nodes (gensim's ``score`` drops |z| ≥ 6).
numba lives only in this module; ``tests/test_hs_kernels.py`` holds the plain-Python twin.
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


@njit(cache=True, parallel=True)
def path_log_probs(h, points, codes, lengths, out):  # pragma: no cover - compiled
    """Fill ``out[r, o] = Σ_{t<lengths[o]} log σ((1 − 2·codes[o,t]) · h[r, points[o,t]])`` (SPEC c.7).

    ``h``: float ``m×n`` node activations (one row per input vector; columns are inner nodes, or a local
    subset of them that ``points`` indexes). ``points``: int ``k×Lmax`` (padded), ``codes``: uint8 ``k×Lmax``,
    ``lengths``: int ``k``. ``out``: float64 ``m×k``. Parallel over the ``m·k`` (row, word) pairs.
    """
    m = h.shape[0]
    k = points.shape[0]
    for idx in prange(m * k):
        r = idx // k
        o = idx - r * k
        total = 0.0
        for t in range(lengths[o]):
            z = np.float64(h[r, points[o, t]])
            if codes[o, t] != 0:
                z = -z
            total += log_sigmoid(z)
        out[r, o] = total


@njit(cache=True)
def path_log_probs_serial(h, points, codes, lengths, out):  # pragma: no cover - compiled
    """The same as ``path_log_probs`` on one thread (for small inputs, where thread start-up dominates)."""
    m = h.shape[0]
    k = points.shape[0]
    for r in range(m):
        for o in range(k):
            total = 0.0
            for t in range(lengths[o]):
                z = np.float64(h[r, points[o, t]])
                if codes[o, t] != 0:
                    z = -z
                total += log_sigmoid(z)
            out[r, o] = total


def path_log_prob_matrix(h: np.ndarray, points: np.ndarray, codes: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """``m×k`` float64 matrix of ``log p(word o | row r)`` from node activations ``h`` (``m×n``).

    Dispatches to the parallel kernel for large work (≥ 20,000 path nodes), else the serial one.
    """
    h = np.ascontiguousarray(h)
    if h.ndim == 1:
        h = h[None, :]
    out = np.empty((h.shape[0], points.shape[0]), dtype=np.float64)
    if h.shape[0] * points.shape[0] * max(points.shape[1], 1) >= 20_000:
        path_log_probs(h, points, codes, lengths, out)
    else:
        path_log_probs_serial(h, points, codes, lengths, out)
    return out


__all__ = ["log_sigmoid", "path_log_probs", "path_log_probs_serial", "path_log_prob_matrix"]
