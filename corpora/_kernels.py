"""numba kernels of the co-occurrence counter (SPEC a.3); the only module of ``corpora`` that uses numba.

Vocabulary: a *pair key* is ``(a << vb) | b`` (``vb`` = column bits, ``col_bits(V)``) for the unordered pair
``a <= b`` (upper triangle), so keys sort by (row, column); an *event* is
one (earlier token, later token) pair within the window on one line. Counts are integers in units of
``1/scale`` (``scale`` = 1 without distance weighting, so every sum is exact and independent of the order
in which threads, buffers and shards add it up). Each function has a plain-Python twin in
``tests/test_count_kernels.py``.
"""
from __future__ import annotations

import numba
import numpy as np
from numba import njit, prange

MAX_DIGIT = 12


def col_bits(vocab_size: int) -> int:
    """Bits of a column id in a pair key: keys are ``(row << col_bits) | col``."""
    return max(1, int(vocab_size - 1).bit_length())


@njit(cache=True)
def _digit_bits(bits):
    passes = (bits + MAX_DIGIT - 1) // MAX_DIGIT
    if passes < 1:
        passes = 1
    return (bits + passes - 1) // passes


@njit(cache=True)
def filter_tokens(ids, offsets, vocab_size, line_start, line_stop):
    """Drop ids >= ``vocab_size`` from lines [line_start, line_stop) (SPEC a.3: OOV never takes a position).

    Returns ``(fids, foffs)``: the kept ids (uint32) and line offsets into them (int64, len n_lines+1).
    """
    base = offsets[line_start]
    n = offsets[line_stop] - base
    fids = np.empty(n, np.uint32)
    foffs = np.empty(line_stop - line_start + 1, np.int64)
    k = 0
    foffs[0] = 0
    for line in range(line_start, line_stop):
        for p in range(offsets[line], offsets[line + 1]):
            t = ids[p]
            if t < vocab_size:
                fids[k] = t
                k += 1
        foffs[line - line_start + 1] = k
    return fids[:k].copy(), foffs


@njit(cache=True)
def count_span(fids, foffs, start, stop, window, weights, dbits, vb, dense, doff, dcut, nrows_dense,
               buf, nbuf):
    """Count the events whose later token lies in [start, stop) (SPEC a.3).

    Pairs ``(a, b)``, ``a <= b``, with ``a < nrows_dense`` and ``b < dcut[a]`` add ``weights[d]`` to
    ``dense[doff[a] + b - a]``; the others append ``(key << dbits) | d`` to ``buf`` (d = distance, 0 when
    unweighted). Stops early, before a token, when ``buf`` lacks room for ``window`` more events.
    Returns ``(position reached, new nbuf)``.
    """
    cap = buf.shape[0]
    # the line holding ``start``
    lo = 0
    hi = foffs.shape[0] - 1
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if foffs[mid] <= start:
            lo = mid
        else:
            hi = mid
    line = lo
    p = start
    VB = np.uint64(vb)
    while p < stop:
        while foffs[line + 1] <= p:
            line += 1
        if nbuf + window > cap:
            return p, nbuf
        first = foffs[line]
        w2 = fids[p]
        q0 = p - window
        if q0 < first:
            q0 = first
        for q in range(q0, p):
            w1 = fids[q]
            d = p - q
            if w1 <= w2:
                a = w1
                b = w2
            else:
                a = w2
                b = w1
            if a < nrows_dense and b < dcut[a]:
                dense[doff[a] + b - a] += weights[d]
            else:
                key = (np.uint64(a) << VB) | np.uint64(b)
                buf[nbuf] = (key << np.uint64(dbits)) | np.uint64(d if dbits else 0)
                nbuf += 1
        p += 1
    return p, nbuf


@njit(parallel=True, cache=True)
def count_parallel(fids, foffs, starts, stops, window, weights, dbits, vb, dense, doff, dcut,
                   nrows_dense, bufs, nbufs):
    """Run ``count_span`` for each thread's span ``[starts[t], stops[t])`` at once; updates ``starts``/``nbufs``.

    ``dense`` and ``bufs`` have one row per thread, so threads never write to shared memory.
    """
    for t in prange(starts.shape[0]):
        if starts[t] < stops[t]:
            reached, nb = count_span(fids, foffs, starts[t], stops[t], window, weights, dbits, vb,
                                     dense[t], doff, dcut, nrows_dense, bufs[t], nbufs[t])
            starts[t] = reached
            nbufs[t] = nb


@njit(cache=True, inline="always")
def _digit_offsets(keys, sh, mask, digit):
    """Start offset of each digit value ``(key >> sh) & mask`` in the sorted output (one radix pass's histogram,
    prefix-summed)."""
    cnt = np.zeros((1 << digit) + 1, np.int64)
    for i in range(keys.shape[0]):
        cnt[np.int64((keys[i] >> sh) & mask) + 1] += 1
    for k in range(1 << digit):
        cnt[k + 1] += cnt[k]
    return cnt


@njit(cache=True)
def radix_sort(keys, tmp, bits):
    """LSD radix sort of uint64 ``keys`` on their low ``bits`` bits; returns the sorted array (keys or tmp)."""
    n = keys.shape[0]
    src = keys
    dst = tmp
    shift = 0
    digit = _digit_bits(bits)
    mask = np.uint64((1 << digit) - 1)
    while shift < bits:
        sh = np.uint64(shift)
        cnt = _digit_offsets(src, sh, mask, digit)
        for i in range(n):
            dg = np.int64((src[i] >> sh) & mask)
            dst[cnt[dg]] = src[i]
            cnt[dg] += 1
        src, dst = dst, src
        shift += digit
    return src


@njit(cache=True)
def radix_sort_pairs(keys, vals, tkeys, tvals, bits):
    """LSD radix sort of ``keys`` carrying ``vals``; returns the sorted ``(keys, vals)`` (inputs or temps)."""
    n = keys.shape[0]
    sk, sv, dk, dv = keys, vals, tkeys, tvals
    shift = 0
    digit = _digit_bits(bits)
    mask = np.uint64((1 << digit) - 1)
    while shift < bits:
        sh = np.uint64(shift)
        cnt = _digit_offsets(sk, sh, mask, digit)
        for i in range(n):
            dg = np.int64((sk[i] >> sh) & mask)
            dk[cnt[dg]] = sk[i]
            dv[cnt[dg]] = sv[i]
            cnt[dg] += 1
        sk, dk = dk, sk
        sv, dv = dv, sv
        shift += digit
    return sk, sv


@njit(cache=True)
def reduce_events(buf, n, tmp, bits, dbits, weights):
    """Sort the first ``n`` events of ``buf`` and sum equal pair keys; returns ``(keys, values)`` (uint64)."""
    s = radix_sort(buf[:n], tmp[:n], bits)
    keys = np.empty(n, np.uint64)
    vals = np.empty(n, np.uint64)
    m = -1
    dmask = np.uint64((1 << dbits) - 1)
    sh = np.uint64(dbits)
    prev = np.uint64(0)
    for i in range(n):
        e = s[i]
        k = e >> sh
        w = np.uint64(weights[np.int64(e & dmask)]) if dbits else np.uint64(weights[1])
        if m >= 0 and k == prev:
            vals[m] += w
        else:
            m += 1
            keys[m] = k
            vals[m] = w
            prev = k
    return keys[:m + 1].copy(), vals[:m + 1].copy()


@njit(parallel=True, cache=True)
def reduce_all(bufs, nbufs, tmps, bits, dbits, weights, out_keys, out_vals, out_n):
    """``reduce_events`` for each thread's buffer in parallel; results into row t of ``out_*``."""
    for t in prange(bufs.shape[0]):
        k, v = reduce_events(bufs[t], nbufs[t], tmps[t], bits, dbits, weights)
        out_keys[t, :k.shape[0]] = k
        out_vals[t, :k.shape[0]] = v
        out_n[t] = k.shape[0]


@njit(cache=True)
def merge_two(k1, v1, k2, v2):
    """Merge two key-sorted runs, summing values of equal keys."""
    n1 = k1.shape[0]
    n2 = k2.shape[0]
    keys = np.empty(n1 + n2, np.uint64)
    vals = np.empty(n1 + n2, np.uint64)
    i = 0
    j = 0
    m = 0
    while i < n1 and j < n2:
        if k1[i] < k2[j]:
            keys[m] = k1[i]
            vals[m] = v1[i]
            i += 1
        elif k2[j] < k1[i]:
            keys[m] = k2[j]
            vals[m] = v2[j]
            j += 1
        else:
            keys[m] = k1[i]
            vals[m] = v1[i] + v2[j]
            i += 1
            j += 1
        m += 1
    while i < n1:
        keys[m] = k1[i]
        vals[m] = v1[i]
        i += 1
        m += 1
    while j < n2:
        keys[m] = k2[j]
        vals[m] = v2[j]
        j += 1
        m += 1
    return keys[:m].copy(), vals[:m].copy()


@njit(cache=True)
def build_symmetric(dense, doff, dcut, nrows_dense, keys, vals, vocab_size, vb, divisor):
    """Dense block + sorted upper-triangle sparse run → the symmetric matrix as CSR ``(indptr, indices, data)``.

    X[a,b] = X[b,a] = U[a,b] / divisor for a != b and X[a,a] = 2 U[a,a] / divisor (SPEC a.3: +1 to both
    orientations). Row a of U is its dense cells (columns < dcut[a]) followed by its sparse keys (columns
    >= dcut[a]); visiting U in row order writes every CSR row in column order.
    """
    VB = np.uint64(vb)
    M = np.uint64((1 << vb) - 1)
    n = keys.shape[0]
    counts = np.zeros(vocab_size + 1, np.int64)
    for a in range(nrows_dense):
        base = doff[a] - a
        for b in range(a, dcut[a]):
            if dense[base + b] != 0:
                counts[a + 1] += 1
                if a != b:
                    counts[b + 1] += 1
    for i in range(n):
        a = np.int64(keys[i] >> VB)
        b = np.int64(keys[i] & M)
        counts[a + 1] += 1
        if a != b:
            counts[b + 1] += 1
    for r in range(vocab_size):
        counts[r + 1] += counts[r]
    indptr = counts.copy()
    cursor = counts[:vocab_size].copy()
    indices = np.empty(indptr[vocab_size], np.int32)
    data = np.empty(indptr[vocab_size], np.float64)
    i = 0
    for a in range(vocab_size):
        if a < nrows_dense:
            base = doff[a] - a
            for b in range(a, dcut[a]):
                u = dense[base + b]
                if u != 0:
                    if a == b:
                        indices[cursor[a]] = b
                        data[cursor[a]] = np.float64(u) * 2.0 / divisor
                        cursor[a] += 1
                    else:
                        x = np.float64(u) / divisor
                        indices[cursor[a]] = b
                        data[cursor[a]] = x
                        cursor[a] += 1
                        indices[cursor[b]] = a
                        data[cursor[b]] = x
                        cursor[b] += 1
        while i < n and np.int64(keys[i] >> VB) == a:
            b = np.int64(keys[i] & M)
            if a == b:
                indices[cursor[a]] = b
                data[cursor[a]] = np.float64(vals[i]) * 2.0 / divisor
                cursor[a] += 1
            else:
                x = np.float64(vals[i]) / divisor
                indices[cursor[a]] = b
                data[cursor[a]] = x
                cursor[a] += 1
                indices[cursor[b]] = a
                data[cursor[b]] = x
                cursor[b] += 1
            i += 1
    return indptr, indices, data


@njit(cache=True)
def split_upper(keys, vals, vb):
    """An upper-triangle run as two sorted runs of the symmetric matrix: the upper part (diagonal doubled,
    already sorted) and the strictly lower part (transposed keys, radix-sorted)."""
    VB = np.uint64(vb)
    M = np.uint64((1 << vb) - 1)
    n = keys.shape[0]
    up_vals = vals.copy()
    m = 0
    for i in range(n):
        a = keys[i] >> VB
        b = keys[i] & M
        if a == b:
            up_vals[i] = vals[i] * np.uint64(2)
        else:
            m += 1
    lk = np.empty(m, np.uint64)
    lv = np.empty(m, np.uint64)
    j = 0
    for i in range(n):
        a = keys[i] >> VB
        b = keys[i] & M
        if a != b:
            lk[j] = (b << VB) | a
            lv[j] = vals[i]
            j += 1
    bits = 2 * vb
    tk = np.empty(m, np.uint64)
    tv = np.empty(m, np.uint64)
    sk, sv = radix_sort_pairs(lk, lv, tk, tv, bits)
    return up_vals, sk.copy(), sv.copy()


@njit(cache=True)
def dense_sym_count(doff, dcut, nrows_dense, vocab_size):
    """Number of symmetric-matrix cells per row covered by the dense block (an upper bound of its nnz)."""
    cnt = np.zeros(vocab_size, np.int64)
    for a in range(nrows_dense):
        cnt[a] += dcut[a] - a
        for b in range(a + 1, dcut[a]):
            cnt[b] += 1
    return cnt


@njit(cache=True)
def dense_sym_keys(dense, doff, dcut, nrows_dense, vocab_size, vb, row_lo, row_hi, key_lo, key_hi):
    """Nonzero dense-block cells of the symmetric matrix with rows in [row_lo, row_hi] and keys in
    [key_lo, key_hi), as ``(keys, values)`` in units of 1/scale (diagonal doubled); unsorted within rows."""
    n = 0
    for r in range(row_lo, min(row_hi + 1, vocab_size)):
        if r < nrows_dense:
            n += dcut[r] - r
        for a in range(min(r, nrows_dense)):
            if r < dcut[a]:
                n += 1
    keys = np.empty(n, np.uint64)
    vals = np.empty(n, np.uint64)
    m = 0
    for r in range(row_lo, min(row_hi + 1, vocab_size)):
        base = np.uint64(r) << np.uint64(vb)
        for a in range(min(r, nrows_dense)):
            if r < dcut[a]:
                x = dense[doff[a] + r - a]
                k = base | np.uint64(a)
                if x != 0 and k >= key_lo and k < key_hi:
                    keys[m] = k
                    vals[m] = np.uint64(x)
                    m += 1
        if r < nrows_dense:
            for c in range(r, dcut[r]):
                x = dense[doff[r] + c - r]
                k = base | np.uint64(c)
                if x != 0 and k >= key_lo and k < key_hi:
                    keys[m] = k
                    vals[m] = np.uint64(x) * (np.uint64(2) if c == r else np.uint64(1))
                    m += 1
    return keys[:m], vals[:m]


@njit(cache=True)
def sort_reduce_pairs(keys, vals, bits):
    """Radix-sort ``(keys, vals)`` by key and sum the values of equal keys; returns new ``(keys, values)``."""
    n = keys.shape[0]
    sk, sv = radix_sort_pairs(keys, vals, np.empty(n, np.uint64), np.empty(n, np.uint64), bits)
    ok = np.empty(n, np.uint64)
    ov = np.empty(n, np.uint64)
    m = -1
    for i in range(n):
        if m >= 0 and sk[i] == ok[m]:
            ov[m] += sv[i]
        else:
            m += 1
            ok[m] = sk[i]
            ov[m] = sv[i]
    return ok[:m + 1].copy(), ov[:m + 1].copy()


@njit(cache=True)
def check_symmetric_csr(indptr, indices, data, n):
    """0 if the CSR has strictly increasing in-range columns per row and X[r,c] == X[c,r] everywhere;
    1 unsorted or duplicate columns, 2 a column out of range, 3 asymmetric values."""
    for r in range(n):
        for p in range(indptr[r], indptr[r + 1]):
            c = indices[p]
            if c < 0 or c >= n:
                return 2
            if p > indptr[r] and indices[p - 1] >= c:
                return 1
    # visiting rows in order, the mirrors (c, r) of the upper entries (r, c) come in row c's column order
    cursor = indptr[:n].copy()
    for r in range(n):
        for p in range(indptr[r], indptr[r + 1]):
            c = indices[p]
            if c <= r:
                continue
            q = cursor[c]
            if q >= indptr[c + 1] or indices[q] != r or data[q] != data[p]:
                return 3
            cursor[c] = q + 1
    for r in range(n):  # every strictly lower entry must have been some upper entry's mirror
        q = cursor[r]
        if q < indptr[r + 1] and indices[q] < r:
            return 3
    return 0


def set_threads(threads: int) -> None:
    """Use ``threads`` numba worker threads (clipped to what numba was configured with)."""
    numba.set_num_threads(max(1, min(int(threads), numba.config.NUMBA_NUM_THREADS)))
