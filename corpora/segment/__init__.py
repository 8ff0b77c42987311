"""jieba's precise cut with the HMM off, compiled (``_kernels.py``): token lengths from code points.

``DagCut`` runs jieba's own algorithm (``jieba.Tokenizer.cut`` with ``HMM=False``: han blocks by
``re_han_default``, the DAG of the prefix dictionary, the route of highest log frequency with ties to the
longer word, runs of single ASCII letters and digits joined; one token per character elsewhere, CR LF as
one) over the dictionary jieba itself loads, in numba. It returns how long each token is instead of Python
strings, which is most of what the Rust engine's cut costs us per token. The tokens are those of the Python
engine, proven line by line on zh_small in ``tests/test_segment.py`` and on zh_mixed by
``bench/tokenize_speed.py --full-identity``.

Only the default dictionary is compiled; ``default_cut()`` builds it from jieba's ``FREQ`` once and keeps the
arrays in the cache folder (``.npy``, no pickle), so later processes load them in milliseconds.
"""
from __future__ import annotations

import json
import math
import os
import zlib

import numpy as np

from wordvec.errors import WordvecError

from . import _kernels as K

FORMAT_VERSION = 1
_ARRAYS = {"keys": np.uint32, "kstart": np.int64, "klen": np.int64, "logf": np.float64, "hasf": np.bool_}


class DagCut:
    """A compiled prefix dictionary: ``DagCut.from_freq(FREQ, total)`` or ``default_cut()``."""

    def __init__(self, keys: np.ndarray, kstart: np.ndarray, klen: np.ndarray, logf: np.ndarray,
                 hasf: np.ndarray, total: int) -> None:
        self.keys, self.kstart, self.klen, self.logf, self.hasf = keys, kstart, klen, logf, hasf
        self.total = int(total)
        self.logtotal = math.log(self.total)
        self.khash = np.zeros(len(klen), dtype=np.uint64)
        K.hash_keys(keys, kstart, klen, self.khash)
        self.slots = np.full(1 << (2 * max(1, len(klen))).bit_length(), -1, dtype=np.int32)
        K.rehash(self.slots, self.khash, len(klen))

    @classmethod
    def from_freq(cls, freq: dict[str, int], total: int) -> "DagCut":
        """From jieba's prefix dictionary (word or prefix -> frequency, 0 for a prefix only) and its total."""
        words = list(freq)
        klen = np.fromiter(map(len, words), dtype=np.int64, count=len(words))
        kstart = np.zeros(len(words), dtype=np.int64)
        np.cumsum(klen[:-1], out=kstart[1:])
        keys = _code_points("".join(words))
        logf = np.array([math.log(freq[w] or 1) for w in words], dtype=np.float64)  # as jieba's calc takes it
        hasf = np.array([bool(freq[w]) for w in words], dtype=np.bool_)
        return cls(keys, kstart, klen, logf, hasf, total)

    def lengths(self, cp: np.ndarray) -> np.ndarray:
        """Token lengths (int64, summing to ``len(cp)``) of the code points ``cp`` (uint32)."""
        out = np.empty(len(cp), dtype=np.int64)
        scratch_v = np.empty(len(cp) + 1, dtype=np.float64)
        scratch_x = np.empty(len(cp) + 1, dtype=np.int64)
        count = K.cut_text(cp, self.slots, self.keys, self.kstart, self.klen, self.khash, self.logf, self.hasf,
                           self.logtotal, out, scratch_v, scratch_x)
        return out[:count]

    def cut(self, text: str) -> list[str]:
        """The tokens of ``text`` as strings (whitespace tokens included), like ``jieba.lcut(text, HMM=False)``."""
        ends = np.cumsum(self.lengths(_code_points(text))).tolist()
        return [text[a:b] for a, b in zip([0] + ends[:-1], ends)]

    # --- the on-disk copy ---------------------------------------------------------------------------
    def save(self, folder: str, key: dict) -> None:
        """Write the arrays and ``key`` (what they were built from) to ``folder``, atomically."""
        from wordvec.io.atomic import atomic_directory, save_json, save_npy

        with atomic_directory(folder) as tmp:
            for name in _ARRAYS:
                save_npy(os.path.join(tmp, name + ".npy"), getattr(self, name))
            save_json(os.path.join(tmp, "meta.json"), {**key, "total": self.total, "crc32": self._checksums()})

    @classmethod
    def load(cls, folder: str, key: dict) -> "DagCut | None":
        """The arrays saved for ``key`` in ``folder``, or None when absent, for another key, or damaged."""
        try:
            with open(os.path.join(folder, "meta.json"), encoding="utf-8") as handle:
                meta = json.load(handle)
            if not isinstance(meta, dict) or {k: meta.get(k) for k in key} != key:
                return None
            arrays = {name: np.load(os.path.join(folder, name + ".npy"), allow_pickle=False) for name in _ARRAYS}
            total = int(meta["total"])
        except (OSError, ValueError, KeyError, TypeError):
            return None
        n = len(arrays["klen"])
        if (any(a.dtype != dtype or a.ndim != 1 for a, dtype in ((arrays[k], t) for k, t in _ARRAYS.items()))
                or any(len(arrays[k]) != n for k in ("kstart", "logf", "hasf")) or total < 1
                or (n and (int(arrays["klen"].min()) < 1
                           or int(arrays["kstart"][-1] + arrays["klen"][-1]) != len(arrays["keys"])
                           or not np.array_equal(arrays["kstart"][1:], np.cumsum(arrays["klen"])[:-1])
                           or not np.isfinite(arrays["logf"]).all()))):
            return None
        cut = cls(arrays["keys"], arrays["kstart"], arrays["klen"], arrays["logf"], arrays["hasf"], total)
        return cut if meta.get("crc32") == cut._checksums() else None  # an edited copy is not used

    def _checksums(self) -> dict[str, int]:
        return {name: zlib.crc32(np.ascontiguousarray(getattr(self, name)).tobytes()) for name in _ARRAYS}


_DEFAULT: list[DagCut] = []


def default_cut() -> DagCut:
    """The compiled default dictionary of the installed jieba: from the cache folder, else built from
    ``jieba.Tokenizer().FREQ`` (about 2 s once) and saved there."""
    if _DEFAULT:
        return _DEFAULT[0]
    from importlib.metadata import version
    from importlib.util import find_spec

    from wordvec.io.paths import default_cache_root

    spec = find_spec("jieba")  # found, not imported: jieba loads only when the arrays must be built
    if spec is None or spec.origin is None:
        raise ImportError("jieba is not installed")
    jieba_version = version("jieba")
    stat = os.stat(os.path.join(os.path.dirname(spec.origin), "dict.txt"))
    key = {"format": "wordvec-dagcut", "version": FORMAT_VERSION, "jieba": jieba_version,
           "dict_size": stat.st_size, "dict_mtime_ns": stat.st_mtime_ns}
    folder = os.path.join(default_cache_root(), f"dagcut-{jieba_version}-{stat.st_size}")
    cut = DagCut.load(folder, key)
    if cut is None:
        from ..engines import get_jieba_py

        tokenizer = get_jieba_py(None)
        cut = DagCut.from_freq(tokenizer.FREQ, tokenizer.total)
        try:
            cut.save(folder, key)
        except (OSError, WordvecError):
            pass  # an unwritable cache folder: build again next time
    cut.lengths(_code_points("中a"))  # load the compiled cut now (before a fork, workers inherit it)
    _DEFAULT.append(cut)
    return cut


def _code_points(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


__all__ = ["DagCut", "default_cut"]
