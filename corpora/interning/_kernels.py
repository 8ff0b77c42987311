"""numba kernels of the token table (``wordvec.corpora.interning``): exact interning of token strings.

A key is a run of code points stored back to back in ``keybuf`` (``kstart``, ``klen`` per id) with its
64-bit FNV-1a hash (``khash``); ``slots`` is an open-addressing table (linear probing, power-of-two size,
-1 = empty) of ids. Two tokens get the same id only when their code points are equal, so hash collisions
never merge words. Each key also gets a stream id (``ksid``: the next one for a word, -1 for a token of
whitespace only) and a flag for holding a newline (``knl``, a line end in a joined cut). Each function has a
plain-Python twin in ``tests/test_interning.py``.
"""
from __future__ import annotations

import numpy as np
from numba import njit

FNV_OFFSET = np.uint64(14695981039346656037)
FNV_PRIME = np.uint64(1099511628211)
NEWLINE = 10

# state: 0 keys, 1 keybuf used, 2 stream ids given, 3 next token, 4 its first code point, 5 kept tokens
# written, 6 line ends seen, 7 kept tokens in the current line
N_STATE = 8


@njit(cache=True)
def intern_stream(cp, lens, sep, space, state, slots, kstart, klen, khash, ksid, knl, keybuf,
                  ids, kept, lines):
    """Intern tokens ``state[3] …`` (the first at code point ``state[4]``) of ``cp``.

    With ``sep < 0`` token ``t`` is the next ``lens[t]`` code points; else it runs to the next code point
    equal to ``sep``, which is skipped (the caller made sure there are ``len(ids) - 1`` of them). Writes the
    table id of each token to ``ids``, the stream id of each word token (not whitespace) to ``kept``, and
    for each token holding a newline the number of word tokens since the previous one to ``lines`` (while
    there is room; ``state[6]`` counts them all). ``space[c]`` tells whether code point ``c < len(space)`` is
    whitespace. Returns 0 when all tokens are done, else the length of the token that did not fit (a key
    array, ``keybuf`` or half of ``slots`` is full: the caller grows them and calls again).
    """
    mask = len(slots) - 1
    nk, used, nsid = state[0], state[1], state[2]
    pos, k, nl, run = state[4], state[5], state[6], state[7]
    for t in range(state[3], len(ids)):
        h = FNV_OFFSET
        if sep < 0:
            n = lens[t]
            for q in range(pos, pos + n):
                h = (h ^ np.uint64(cp[q])) * FNV_PRIME
        else:
            q = pos
            while q < len(cp) and cp[q] != sep:
                h = (h ^ np.uint64(cp[q])) * FNV_PRIME
                q += 1
            n = q - pos
        s = np.int64(h & np.uint64(mask))
        while True:
            kid = slots[s]
            if kid < 0:
                if nk >= len(kstart) or used + n > len(keybuf) or 2 * (nk + 1) > len(slots):
                    state[0], state[1], state[2] = nk, used, nsid
                    state[3], state[4], state[5], state[6], state[7] = t, pos, k, nl, run
                    return max(n, 1)
                slots[s] = nk
                kstart[nk] = used
                klen[nk] = n
                khash[nk] = h
                blank = n > 0
                newline = False
                for q in range(n):
                    c = cp[pos + q]
                    keybuf[used + q] = c
                    if c >= len(space) or not space[c]:
                        blank = False
                    if c == NEWLINE:
                        newline = True
                used += n
                knl[nk] = newline
                if blank:
                    ksid[nk] = -1
                else:
                    ksid[nk] = nsid
                    nsid += 1
                kid = nk
                nk += 1
                break
            if khash[kid] == h and klen[kid] == n:
                b = kstart[kid]
                same = True
                for q in range(n):
                    if keybuf[b + q] != cp[pos + q]:
                        same = False
                        break
                if same:
                    break
            s = (s + 1) & mask
        ids[t] = kid
        word = ksid[kid]
        if word >= 0:
            kept[k] = word
            k += 1
            run += 1
        if knl[kid]:
            if nl < len(lines):
                lines[nl] = run
            nl += 1
            run = 0
        pos += n if sep < 0 else n + 1
    state[0], state[1], state[2] = nk, used, nsid
    state[3], state[4], state[5], state[6], state[7] = len(ids), pos, k, nl, run
    return 0


@njit(cache=True)
def rehash(slots, khash, count):
    """Fill the empty table ``slots`` (all -1) with ids ``0 … count-1`` by their stored hashes."""
    mask = len(slots) - 1
    for kid in range(count):
        s = np.int64(khash[kid] & np.uint64(mask))
        while slots[s] >= 0:
            s = (s + 1) & mask
        slots[s] = kid
