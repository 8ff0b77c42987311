"""numba kernel for ranking queries: one pass over the table computing scores and keeping the k best.

``top_k_dot(table, query, scale, bias, k)`` scores row ``i`` as ``(table[i]·query)·scale[i] + bias[i]``
(``scale``/``bias`` of length 0 mean 1 and 0) and returns the ``k`` best rows and scores, best first, ties
by lower row. It is serial on purpose: the pass is memory-bound, and on a shared 2-core machine a
parallel loop waits for the slowest thread. Compared with BLAS ``gemv`` + ``np.argpartition`` it skips the
V-long score array and the partition (about 0.8 ms on 100k rows). NaN scores are never selected.
The plain-Python twin lives in ``tests/test_queries.py``.
"""
from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, fastmath={"reassoc", "contract"}, nogil=True)  # NaN/inf semantics kept
def top_k_dot(table, query, scale, bias, k):  # pragma: no cover - compiled
    n, d = table.shape
    k = min(k, n)
    best_idx = np.full(k, -1, dtype=np.int64)
    best_val = np.full(k, -np.inf, dtype=np.float64)
    if k == 0:
        return best_idx, best_val
    has_scale = scale.shape[0] > 0
    has_bias = bias.shape[0] > 0
    floor = -np.inf
    filled = 0
    for i in range(n):
        acc = query[0] - query[0]
        for j in range(d):
            acc += table[i, j] * query[j]
        x = np.float64(acc)
        if has_scale:
            x = x * scale[i]
        if has_bias:
            x = x + bias[i]
        if x > floor or (filled < k and x == x):
            # insertion into the sorted best list; equal scores keep the earlier row first
            pos = min(filled, k - 1)
            while pos > 0 and best_val[pos - 1] < x:
                best_val[pos] = best_val[pos - 1]
                best_idx[pos] = best_idx[pos - 1]
                pos -= 1
            best_val[pos] = x
            best_idx[pos] = i
            if filled < k:
                filled += 1
            if filled == k:
                floor = best_val[k - 1]
    return best_idx[:filled], best_val[:filled]


__all__ = ["top_k_dot"]
