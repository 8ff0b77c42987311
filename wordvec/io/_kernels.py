"""numba kernel for the streaming importer: parse the numbers of a block of word-vector text rows.

``parse_rows(buf, n_rows, dim, out)`` reads ``n_rows`` lines from the bytes ``buf`` (each ``word x1 … xd``
ending in ``\\n``; spaces or tabs between fields; ``\\r`` before the newline allowed) into the float32
array ``out`` (n_rows × dim). It returns 0 when every line held exactly ``dim`` plain decimal numbers, and
1 as soon as anything is unusual — a row with too few or too many values, a token that is not a plain
number (``nan``, ``inf``, hex, ``1.5x``), more than 15 significant digits, or a decimal exponent beyond ±22
— so the caller parses that block the slow, exact way and reports the problem with its usual message.

Why it is exact where it answers 0: a mantissa of at most 15 digits is an integer below 2^53 and 10^k for
|k| ≤ 22 is exact in float64, so ``m·10^k`` (or ``m/10^k``) is the correctly rounded float64 of the decimal,
which is then rounded to float32. That second rounding can differ from a direct decimal→float32 rounding
only when the decimal lies within 2^-29 relative of a float32 rounding midpoint; files written by
float32 tools (``%.9g`` or shorter) never do. The plain-Python twin is ``tests/test_big_vectors.py``
(compared with ``np.array(tokens, dtype=np.float32)``).
"""
from __future__ import annotations

import numpy as np
from numba import njit

_POW10 = np.array([10.0 ** k for k in range(23)], dtype=np.float64)


@njit(cache=True, inline="always")
def _blank(c):  # pragma: no cover - compiled
    return c == 32 or c == 9 or c == 11 or c == 12  # space, tab, \v, \f: what bytes.split() splits on


@njit(cache=True, nogil=True)
def parse_rows(buf, n_rows, dim, out):  # pragma: no cover - compiled
    pow10 = _POW10
    size = buf.shape[0]
    pos = 0
    for i in range(n_rows):
        # the word: skip leading blanks, then everything up to the next blank
        while pos < size and _blank(buf[pos]):
            pos += 1
        while pos < size and not _blank(buf[pos]) and buf[pos] != 10 and buf[pos] != 13:
            pos += 1
        for j in range(dim):
            start = pos
            while pos < size and _blank(buf[pos]):
                pos += 1
            if pos == start or pos >= size:
                return 1
            negative = False
            c = buf[pos]
            if c == 45 or c == 43:  # '-' '+'
                negative = c == 45
                pos += 1
            mantissa = 0
            digits = 0  # significant digits kept
            scale = 0  # decimal exponent adjustment
            seen = False
            while pos < size and 48 <= buf[pos] <= 57:
                seen = True
                d = buf[pos] - 48
                if digits > 0 or d != 0:
                    mantissa = mantissa * 10 + d
                    digits += 1
                pos += 1
            if pos < size and buf[pos] == 46:  # '.'
                pos += 1
                while pos < size and 48 <= buf[pos] <= 57:
                    seen = True
                    d = buf[pos] - 48
                    if digits > 0 or d != 0:
                        mantissa = mantissa * 10 + d
                        digits += 1
                    scale -= 1
                    pos += 1
            if not seen or digits > 15:
                return 1
            if pos < size and (buf[pos] == 101 or buf[pos] == 69):  # 'e' 'E'
                pos += 1
                exp_negative = False
                if pos < size and (buf[pos] == 45 or buf[pos] == 43):
                    exp_negative = buf[pos] == 45
                    pos += 1
                exp = 0
                exp_digits = 0
                while pos < size and 48 <= buf[pos] <= 57:
                    if exp < 10000:
                        exp = exp * 10 + (buf[pos] - 48)
                    exp_digits += 1
                    pos += 1
                if exp_digits == 0:
                    return 1
                scale += -exp if exp_negative else exp
            if pos < size and not _blank(buf[pos]) and buf[pos] != 10 and buf[pos] != 13:
                return 1
            value = np.float64(mantissa)
            if mantissa != 0:
                if 0 <= scale <= 22:
                    value = value * pow10[scale]
                elif -22 <= scale < 0:
                    value = value / pow10[-scale]
                else:
                    return 1
            out[i, j] = np.float32(-value if negative else value)
        while pos < size and (_blank(buf[pos]) or buf[pos] == 13):
            pos += 1
        if pos < size and buf[pos] != 10:
            return 1  # more values than dim
        pos += 1
    return 0


__all__ = ["parse_rows"]
