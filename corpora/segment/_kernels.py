"""numba kernels of the compiled jieba cut (``wordvec.corpora.segment``): jieba's precise mode with the HMM
off, over code points, giving token lengths.

The dictionary is an open-addressing table (``slots``, linear probing, power-of-two size, -1 = empty) of the
keys of jieba's prefix dictionary ``FREQ`` (every word and every prefix of one), stored back to back in
``keys`` (``kstart``, ``klen``) with their 64-bit FNV-1a hashes (``khash``), ``log(FREQ or 1)`` (``logf``,
taken in Python with ``math.log``, as jieba does) and whether the frequency is positive (``hasf``). Each
function has a plain-Python twin in ``tests/test_segment.py``.
"""
from __future__ import annotations

import numpy as np
from numba import njit

from ..interning._kernels import FNV_OFFSET, FNV_PRIME, rehash  # noqa: F401 (rehash: the slot table)


@njit(cache=True)
def hash_keys(keys, kstart, klen, khash):
    """FNV-1a of each stored key."""
    for kid in range(len(klen)):
        h = FNV_OFFSET
        for q in range(kstart[kid], kstart[kid] + klen[kid]):
            h = (h ^ np.uint64(keys[q])) * FNV_PRIME
        khash[kid] = h


@njit(cache=True)
def in_han(c):
    """jieba's ``re_han_default``: ``[\\u4E00-\\u9FD5a-zA-Z0-9+#&._%-]``."""
    return ((0x4E00 <= c <= 0x9FD5) or (97 <= c <= 122) or (65 <= c <= 90) or (48 <= c <= 57)
            or c == 43 or c == 35 or c == 38 or c == 46 or c == 95 or c == 37 or c == 45)


@njit(cache=True)
def is_alnum(c):
    """jieba's ``re_eng``: ``[a-zA-Z0-9]``."""
    return (97 <= c <= 122) or (65 <= c <= 90) or (48 <= c <= 57)


@njit(cache=True)
def find(cp, a, n, h, slots, keys, kstart, klen, khash):
    """The key equal to ``cp[a:a+n]`` (hash ``h``), or -1."""
    mask = len(slots) - 1
    s = np.int64(h & np.uint64(mask))
    while True:
        kid = slots[s]
        if kid < 0:
            return -1
        if khash[kid] == h and klen[kid] == n:
            b = kstart[kid]
            same = True
            for q in range(n):
                if keys[b + q] != cp[a + q]:
                    same = False
                    break
            if same:
                return kid
        s = (s + 1) & mask


@njit(cache=True)
def cut_block(cp, a, b, slots, keys, kstart, klen, khash, logf, hasf, logtotal, out, n_out, rv, rx):
    """jieba's ``__cut_DAG_NO_HMM`` of the han block ``cp[a:b]``: appends token lengths to ``out`` from
    ``n_out`` on and returns the new count. ``rv``, ``rx``: scratch of at least ``b - a + 1``."""
    n = b - a
    rv[n] = 0.0
    rx[n] = 0
    for idx in range(n - 1, -1, -1):  # calc: the best route from each position, right to left
        best, best_x, found = 0.0, idx, False
        h = FNV_OFFSET
        i = idx
        while i < n:  # get_DAG: extend while the fragment is in the prefix dictionary
            h = (h ^ np.uint64(cp[a + i])) * FNV_PRIME
            kid = find(cp, a + idx, i - idx + 1, h, slots, keys, kstart, klen, khash)
            if kid < 0:
                break
            if hasf[kid]:
                v = logf[kid] - logtotal + rv[i + 1]
                if not found or v > best or (v == best and i > best_x):  # max over (value, x) tuples
                    best, best_x, found = v, i, True
            i += 1
        if not found:  # DAG[idx] = [idx], and log(FREQ.get(char) or 1) is 0 here
            best = 0.0 - logtotal + rv[idx + 1]
            best_x = idx
        rv[idx] = best
        rx[idx] = best_x
    x = 0
    run = 0  # single ASCII letters and digits in a row are one token
    while x < n:
        y = rx[x] + 1
        if y - x == 1 and is_alnum(cp[a + x]):
            run += 1
        else:
            if run:
                out[n_out] = run
                n_out += 1
                run = 0
            out[n_out] = y - x
            n_out += 1
        x = y
    if run:
        out[n_out] = run
        n_out += 1
    return n_out


@njit(cache=True)
def cut_text(cp, slots, keys, kstart, klen, khash, logf, hasf, logtotal, out, rv, rx):
    """jieba's ``cut(text, HMM=False)`` of code points ``cp``: token lengths into ``out`` (room for
    ``len(cp)``), returning their count. Outside han blocks each character is a token, except CR LF."""
    n = len(cp)
    p = 0
    n_out = 0
    while p < n:
        if in_han(cp[p]):
            q = p + 1
            while q < n and in_han(cp[q]):
                q += 1
            n_out = cut_block(cp, p, q, slots, keys, kstart, klen, khash, logf, hasf, logtotal, out, n_out, rv, rx)
            p = q
        elif cp[p] == 13 and p + 1 < n and cp[p + 1] == 10:
            out[n_out] = 2
            n_out += 1
            p += 2
        else:
            out[n_out] = 1
            n_out += 1
            p += 1
    return n_out
