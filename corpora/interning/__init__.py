"""Exact interning of token strings into dense ids, in compiled code (``_kernels.py``).

``TokenTable`` gives every distinct token an id ``0, 1, 2 …`` in first-occurrence order across all the
blocks it is shown, the same ids a ``dict`` would give (``tests/test_interning.py`` checks it against one).
It reads a block's tokens as code points (the text plus each token's length, or the tokens joined by NUL),
not as string objects: per token it costs a hash over a few code points and one probe, about a tenth of a
``dict.setdefault`` on fresh strings (docs/benchmarks.md). Importing this package imports numba; callers import it only for large blocks.
"""
from __future__ import annotations

import numpy as np

from . import _kernels as K

_MIN_KEYS = 1 << 12


class TokenTable:
    """Token strings to ids in first-occurrence order; the keys live in numpy arrays.

    Parameters: ``capacity`` (distinct tokens to make room for at first, default 4096; the table grows).
    """

    def __init__(self, capacity: int = _MIN_KEYS) -> None:
        keys = max(_MIN_KEYS, int(capacity))
        self.slots = np.full(1 << (2 * keys - 1).bit_length(), -1, dtype=np.int32)
        self.kstart = np.zeros(keys, dtype=np.int64)
        self.klen = np.zeros(keys, dtype=np.int32)
        self.khash = np.zeros(keys, dtype=np.uint64)
        self.keybuf = np.zeros(4 * keys, dtype=np.uint32)
        self.state = np.zeros(3, dtype=np.int64)  # ids given, keybuf used, ids before the current call

    def __len__(self) -> int:
        return int(self.state[0])

    def intern(self, text: str, lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Ids of the tokens that ``text`` is cut into by ``lengths`` (characters per token, summing to
        ``len(text)``): ``(ids uint32 per token, index of the first token of each new id, int64)``.
        The new ids are ``len(table before) … len(table after) - 1``, in that order.
        """
        lengths = np.ascontiguousarray(lengths, dtype=np.int64)
        if int(lengths.sum()) != len(text):
            raise ValueError(f"token lengths sum to {int(lengths.sum())}, the text has {len(text)} characters")
        return self._intern(_code_points(text), lengths, 0)

    def intern_list(self, tokens: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """``intern`` for a list of token strings.

        The tokens are joined with NUL between them (one C-level join) and the compiled code finds their
        lengths, which costs less than asking each string for its length; when a token holds a NUL itself
        (the count of runs says so) the lengths are taken one by one instead.
        """
        cp = _code_points("\x00".join(tokens))
        lengths = K.separated_lengths(cp, 0)
        if len(lengths) == len(tokens):
            return self._intern(cp, lengths, 1)
        lengths = np.fromiter(map(len, tokens), dtype=np.int64, count=len(tokens))
        return self._intern(_code_points("".join(tokens)), lengths, 0)

    def _intern(self, cp: np.ndarray, lengths: np.ndarray, gap: int) -> tuple[np.ndarray, np.ndarray]:
        n = len(lengths)
        out = np.empty(n, dtype=np.uint32)
        first = np.empty(n, dtype=np.int64)
        self.state[2] = self.state[0]
        start, pos = 0, 0
        while True:
            start, pos = K.intern_tokens(cp, lengths, gap, start, pos, self.slots, self.kstart, self.klen,
                                         self.khash, self.keybuf, self.state, out, first)
            if start == n:
                return out, first[: int(self.state[0] - self.state[2])]
            self._grow(int(lengths[start]))

    def _grow(self, need: int) -> None:
        count, used = int(self.state[0]), int(self.state[1])
        if count >= len(self.kstart):
            size = 2 * len(self.kstart)
            for name in ("kstart", "klen", "khash"):
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


__all__ = ["TokenTable"]
