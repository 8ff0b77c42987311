"""numba kernels of the PMI trainer: one AdaGrad epoch over the records (SPEC b.3, b.6).

The records are shuffled once by the caller; an epoch splits them into ``n_chunks`` contiguous slices, one
per thread, processed Hogwild (no locks) under ``prange``. With ``n_chunks=1`` the epoch is sequential and,
for a fixed input, bit-for-bit reproducible. Plain-Python twin: ``tests/test_train_kernels.py``.
"""
from __future__ import annotations

import numpy as np
from numba import njit, prange

# no "nnan"/"ninf" (the NaN/Inf guards of SPEC b.3 must stay) and no "arcp"/"afn" (exact sqrt and division);
# error_model="numpy" drops the zero-division branch so the per-coordinate loops vectorise (SIMD)
_FAST = {"nsz", "contract", "reassoc"}


@njit(fastmath=_FAST, nogil=True, cache=True, error_model="numpy")
def _sgd_slice(vectors, accum, rows, cols, target, weight, lr, start, stop):  # pragma: no cover - compiled
    d = vectors.shape[1]
    ft = vectors.dtype.type
    eta = ft(lr)
    eps = ft(1e-8)
    step_i = np.empty(d, dtype=vectors.dtype)
    step_j = np.empty(d, dtype=vectors.dtype)
    cost = 0.0
    skipped = 0
    for r in range(start, stop):
        vi = vectors[rows[r]]
        vj = vectors[cols[r]]
        ai = accum[rows[r]]
        aj = accum[cols[r]]
        dot = ft(0.0)
        for k in range(d):
            dot += vi[k] * vj[k]
        e = dot - target[r]  # SPEC b.3
        delta = weight[r] * e
        if not (np.isfinite(e) and np.isfinite(delta)):
            skipped += 1
            continue
        cost += 0.5 * float(delta) * float(e)  # SPEC b.2: ½ λ e²
        total = ft(0.0)
        for k in range(d):
            gi = delta * vj[k]  # gradients from the pre-update vectors
            gj = delta * vi[k]
            a1 = ai[k] + gi * gi  # accumulate g² first, G starts at 1
            a2 = aj[k] + gj * gj
            ai[k] = a1
            aj[k] = a2
            s1 = eta * gi / np.sqrt(a1 + eps)
            s2 = eta * gj / np.sqrt(a2 + eps)
            step_i[k] = s1
            step_j[k] = s2
            total += s1 + s2
        if not np.isfinite(total):
            skipped += 1
            continue
        for k in range(d):
            vi[k] -= step_i[k]
            vj[k] -= step_j[k]
    return cost, skipped


@njit(parallel=True, nogil=True, cache=True)
def adagrad_epoch(vectors, accum, rows, cols, target, weight, lr, n_chunks):  # pragma: no cover - compiled
    """One epoch over all records; returns ``(cost, skipped)``: the summed cost Σ ½λe² (divide by the record
    count for SPEC b.2) and the number of records skipped by the NaN/Inf guards (SPEC b.3).

    ``vectors``/``accum``: ``V×d`` (same float dtype), updated in place. ``rows``/``cols``: int32 ids;
    ``target``/``weight``: per record. ``lr``: η. ``n_chunks``: contiguous slices processed in parallel.
    """
    n = rows.shape[0]
    costs = np.zeros(n_chunks, dtype=np.float64)
    skips = np.zeros(n_chunks, dtype=np.int64)
    for c in prange(n_chunks):
        start = (n * c) // n_chunks
        stop = (n * (c + 1)) // n_chunks
        cost, skipped = _sgd_slice(vectors, accum, rows, cols, target, weight, lr, start, stop)
        costs[c] = cost
        skips[c] = skipped
    return costs.sum(), skips.sum()


@njit(parallel=True, nogil=True, cache=True)
def pair_dots(vectors, rows, cols):  # pragma: no cover - compiled
    """⟨v_rows[r], v_cols[r]⟩ for every r, in float64."""
    n = rows.shape[0]
    out = np.empty(n, dtype=np.float64)
    d = vectors.shape[1]
    for r in prange(n):
        s = 0.0
        for k in range(d):
            s += vectors[rows[r], k] * vectors[cols[r], k]
        out[r] = s
    return out


__all__ = ["adagrad_epoch", "pair_dots"]
