"""numba kernels of the token table (``wordvec.corpora.interning``): exact interning of token strings.

A key is a run of code points stored back to back in ``keybuf`` (``kstart``, ``klen`` per id) with its
64-bit FNV-1a hash (``khash``); ``slots`` is an open-addressing table (linear probing, power-of-two size,
-1 = empty) of ids. Two tokens get the same id only when their code points are equal, so hash collisions
never merge words. Each function has a plain-Python twin in ``tests/test_interning.py``.
"""
from __future__ import annotations

import numpy as np
from numba import njit

FNV_OFFSET = np.uint64(14695981039346656037)
FNV_PRIME = np.uint64(1099511628211)


@njit(cache=True)
def intern_tokens(cp, lens, gap, start, pos, slots, kstart, klen, khash, keybuf, state, out, first):
    """Give each token from index ``start`` (beginning at code point ``pos``) its id in ``out``.

    Token ``t`` is ``cp[pos_t : pos_t + lens[t]]``, and ``gap`` code points (a separator) follow each token. A new key gets the next id ``state[0]``, its code points
    are appended to ``keybuf`` at ``state[1]``, and ``first[id - ids before the call]`` records ``t``.
    Returns ``(t, pos_t)`` of the first token not done: ``t == len(lens)`` when all are done, else one of
    ``kstart``/``keybuf`` is full or ``slots`` would pass half full (the caller grows them and calls again).
    """
    mask = len(slots) - 1
    nk = state[0]
    used = state[1]
    base = state[2]
    for t in range(start, len(lens)):
        n = lens[t]
        h = FNV_OFFSET
        for k in range(pos, pos + n):
            h = (h ^ np.uint64(cp[k])) * FNV_PRIME
        s = np.int64(h & np.uint64(mask))
        while True:
            kid = slots[s]
            if kid < 0:
                if nk >= len(kstart) or used + n > len(keybuf) or 2 * (nk + 1) > len(slots):
                    state[0] = nk
                    state[1] = used
                    return t, pos
                slots[s] = nk
                kstart[nk] = used
                klen[nk] = n
                khash[nk] = h
                for k in range(n):
                    keybuf[used + k] = cp[pos + k]
                used += n
                out[t] = nk
                first[nk - base] = t
                nk += 1
                break
            if khash[kid] == h and klen[kid] == n:
                b = kstart[kid]
                same = True
                for k in range(n):
                    if keybuf[b + k] != cp[pos + k]:
                        same = False
                        break
                if same:
                    out[t] = kid
                    break
            s = (s + 1) & mask
        pos += n + gap
    state[0] = nk
    state[1] = used
    return len(lens), pos


@njit(cache=True)
def rehash(slots, khash, count):
    """Fill the empty table ``slots`` (all -1) with ids ``0 … count-1`` by their stored hashes."""
    mask = len(slots) - 1
    for kid in range(count):
        s = np.int64(khash[kid] & np.uint64(mask))
        while slots[s] >= 0:
            s = (s + 1) & mask
        slots[s] = kid


@njit(cache=True)
def separated_lengths(cp, sep):
    """The lengths of the runs of ``cp`` between code points equal to ``sep`` (one more run than separators)."""
    count = 1
    for c in cp:
        if c == sep:
            count += 1
    lens = np.empty(count, dtype=np.int64)
    run = 0
    k = 0
    for c in cp:
        if c == sep:
            lens[k] = run
            k += 1
            run = 0
        else:
            run += 1
    lens[k] = run
    return lens
