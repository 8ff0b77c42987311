"""Exact interning of token strings into dense ids, in compiled code (``_kernels.py``).

``TokenTable`` gives every distinct token a table id ``0, 1, 2 …`` in first-occurrence order across all the
blocks it is shown, the same ids a ``dict`` would give (``tests/test_interning.py`` checks it against one),
and every distinct word (a token that is not whitespace only) a stream id, also in first-occurrence order.
It reads a block's tokens as code points (the tokens joined by NUL, or a text plus each token's length),
not as string objects: per token it costs a hash over a few code points and one probe, about a tenth of a
``dict.setdefault`` on fresh strings, and in the same pass it drops whitespace tokens and counts the words of
each line of a joined cut (docs/benchmarks.md). Importing this package imports numba; callers import it only
for large blocks.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from . import _kernels as K

_MIN_KEYS = 1 << 12
# str.isspace() per code point below 0x3001 (U+3000 is the last whitespace character)
_SPACE = np.array([chr(c).isspace() for c in range(0x3001)], dtype=np.bool_)


class Interned(NamedTuple):
    """One block through ``TokenTable``: table ids per token (uint32), stream ids of the word tokens
    (uint32), words per line (int64, up to the ``n_lines`` asked for), the number of tokens holding a
    newline (``ends``) and the words new to the table, in stream-id order."""

    ids: np.ndarray
    kept: np.ndarray
    lines: np.ndarray
    ends: int
    words: list[str]


class TokenTable:
    """Token strings to table ids, and words to stream ids, in first-occurrence order; keys in numpy arrays.

    Parameters: ``capacity`` (distinct tokens to make room for at first, default 4096; the table grows).
    """

    def __init__(self, capacity: int = _MIN_KEYS) -> None:
        keys = max(_MIN_KEYS, int(capacity))
        self.slots = np.full(1 << (2 * keys - 1).bit_length(), -1, dtype=np.int32)
        self.kstart = np.zeros(keys, dtype=np.int64)
        self.klen = np.zeros(keys, dtype=np.int32)
        self.khash = np.zeros(keys, dtype=np.uint64)
        self.ksid = np.zeros(keys, dtype=np.int64)  # stream id of each key, -1 for whitespace
        self.knl = np.zeros(keys, dtype=np.bool_)  # the key holds a newline
        self.keybuf = np.zeros(4 * keys, dtype=np.uint32)
        self.state = np.zeros(K.N_STATE, dtype=np.int64)

    def __len__(self) -> int:
        return int(self.state[0])

    @property
    def n_words(self) -> int:
        """Stream ids given (distinct non-whitespace tokens)."""
        return int(self.state[2])

    def stream_ids(self, ids: np.ndarray) -> np.ndarray:
        """Stream ids (int64, -1 for whitespace) of table ids ``ids``."""
        return self.ksid[ids]

    def intern(self, text: str, lengths: np.ndarray, n_lines: int = 0) -> Interned:
        """Intern the tokens ``text`` is cut into by ``lengths`` (characters per token, summing to
        ``len(text)``); ``n_lines``: room for that many line counts (``Interned.lines``)."""
        lengths = np.ascontiguousarray(lengths, dtype=np.int64)
        if int(lengths.sum()) != len(text):
            raise ValueError(f"token lengths sum to {int(lengths.sum())}, the text has {len(text)} characters")
        return self._intern(_code_points(text), lengths, -1, len(lengths), n_lines)

    def intern_code_points(self, cp: np.ndarray, lengths: np.ndarray, n_lines: int = 0) -> Interned:
        """``intern`` for text already as code points (uint32)."""
        return self._intern(cp, np.ascontiguousarray(lengths, dtype=np.int64), -1, len(lengths), n_lines)

    def intern_list(self, tokens: list[str], n_lines: int = 0) -> Interned:
        """``intern`` for a list of token strings.

        The tokens are joined with NUL between them (one C-level join) and the compiled code finds where
        each ends, which costs less than asking each string for its length; when a token holds a NUL
        itself (the count of NULs says so) the lengths are taken one by one instead.
        """
        return self.intern_pieces([tokens], n_lines)

    def intern_pieces(self, pieces: list[list[str]], n_lines: int = 0) -> Interned:
        """``intern_list`` of the concatenated ``pieces`` (token lists), without concatenating them."""
        n = sum(map(len, pieces))
        cp = _code_points("\x00".join(["\x00".join(piece) for piece in pieces if piece]))
        if n and np.count_nonzero(cp == 0) == n - 1:
            return self._intern(cp, np.zeros(0, dtype=np.int64), 0, n, n_lines)
        tokens = [tok for piece in pieces for tok in piece]
        lengths = np.fromiter(map(len, tokens), dtype=np.int64, count=n)
        return self._intern(_code_points("".join(tokens)), lengths, -1, n, n_lines)

    def _intern(self, cp: np.ndarray, lengths: np.ndarray, sep: int, n: int, n_lines: int) -> Interned:
        ids = np.empty(n, dtype=np.uint32)
        kept = np.empty(n, dtype=np.uint32)
        lines = np.zeros(n_lines, dtype=np.int64)
        keys, used = int(self.state[0]), int(self.state[1])
        self.state[3:] = 0
        while True:
            need = K.intern_stream(cp, lengths, sep, _SPACE, self.state, self.slots, self.kstart, self.klen,
                                   self.khash, self.ksid, self.knl, self.keybuf, ids, kept, lines)
            if need == 0:
                break
            self._grow(int(need))
        return Interned(ids, kept[: int(self.state[5])], lines, int(self.state[6]), self._new_words(keys, used))

    def _new_words(self, keys: int, used: int) -> list[str]:
        """The word keys (not whitespace) added since the table had ``keys`` keys and ``used`` code points."""
        count = int(self.state[0])
        if count == keys:
            return []
        text = self.keybuf[used:int(self.state[1])].tobytes().decode("utf-32-le", "surrogatepass")
        ends = np.cumsum(self.klen[keys:count], dtype=np.int64).tolist()
        starts = [0] + ends[:-1]
        words = self.ksid[keys:count] >= 0
        return [text[a:b] for a, b, w in zip(starts, ends, words.tolist()) if w]

    def _grow(self, need: int) -> None:
        count, used = int(self.state[0]), int(self.state[1])
        if count >= len(self.kstart):
            size = 2 * len(self.kstart)
            for name in ("kstart", "klen", "khash", "ksid", "knl"):
                old = getattr(self, name)
                grown = np.zeros(size, dtype=old.dtype)
                grown[:count] = old[:count]
                setattr(self, name, grown)
        if used + need > len(self.keybuf):
            grown = np.zeros(max(2 * len(self.keybuf), used + need), dtype=np.uint32)
            grown[:used] = self.keybuf[:used]
            self.keybuf = grown
        if 2 * (count + 1) > len(self.slots):
            self.slots = np.full(2 * len(self.slots), -1, dtype=np.int32)
            K.rehash(self.slots, self.khash, count)


def _code_points(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


__all__ = ["TokenTable", "Interned"]
