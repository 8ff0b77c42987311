"""A compact vocabulary for big models: the words in one UTF-8 file plus a hash table in ``.npy`` arrays.

A Python list and dict of millions of words take seconds to build and hundreds of MB; this form opens in
milliseconds (memory-mapped arrays) and builds Python strings only for the rows a query touches.

Files in a model directory (written by ``wordvec.io.importer``; ``vocab.tsv`` stays the portable form):

- ``vocab.words``: every word followed by ``\\n`` in row order. Its SHA-256 (first 16 hex digits) is the
  model's ``vocab_checksum`` (the same as ``wordvec.io.vocab.vocab_checksum`` of the word list).
- ``vocab_offsets.npy``: int64, ``V + 1`` byte offsets of the words in ``vocab.words``.
- ``vocab_hash.npy``: uint64, the 64-bit BLAKE2b hash of every word, sorted; ``vocab_hash_rows.npy``:
  int64, the row of each hash. A lookup hashes the word, finds its hash by binary search and compares
  the bytes, so hash collisions are harmless.
"""
from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from typing import Iterable, Iterator

import numpy as np

from wordvec.errors import CorruptFileError
from wordvec.io.vocab import Vocabulary

WORDS_FILE = "vocab.words"
OFFSETS_FILE = "vocab_offsets.npy"
HASH_FILE = "vocab_hash.npy"
HASH_ROWS_FILE = "vocab_hash_rows.npy"
FILES = (WORDS_FILE, OFFSETS_FILE, HASH_FILE, HASH_ROWS_FILE)


def word_hash(raw: bytes) -> int:
    """The 64-bit hash of a word's UTF-8 bytes (BLAKE2b, little-endian), as stored in ``vocab_hash.npy``."""
    return int.from_bytes(hashlib.blake2b(raw, digest_size=8).digest(), "little")


def hashes_of(raws: Iterable[bytes], count: int) -> np.ndarray:
    """``word_hash`` of each of ``count`` byte strings, as a uint64 array."""
    return np.fromiter((word_hash(r) for r in raws), dtype=np.uint64, count=count)


class _WordIndex(Mapping):
    """word → row, answered from the hash table (a read-only ``Mapping``; no dict is built)."""

    def __init__(self, vocab: "CompactVocabulary"):
        self._vocab = vocab

    def __getitem__(self, word: object) -> int:
        row = self._vocab.find(word) if isinstance(word, str) else None
        if row is None:
            raise KeyError(word)
        return row

    def get(self, word: object, default=None):
        row = self._vocab.find(word) if isinstance(word, str) else None
        return default if row is None else row

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and self._vocab.find(word) is not None

    def __len__(self) -> int:
        return len(self._vocab)

    def __iter__(self) -> Iterator[str]:
        return iter(self._vocab.words)


class CompactVocabulary(Vocabulary):
    """A ``Vocabulary`` read from the compact files of a model directory (see the module docstring).

    Parameters: ``blob`` (the bytes of ``vocab.words``, or a memory map of them), ``offsets``, ``hashes``,
    ``hash_rows`` (the arrays above) and ``counts`` (default: all zero, as for imported vectors).
    ``words`` (the full Python list) is built only when asked for; lookups and ``word_at`` are not.
    """

    def __init__(self, blob, offsets: np.ndarray, hashes: np.ndarray, hash_rows: np.ndarray,
                 counts: np.ndarray | None = None):
        self._blob = blob
        self._offsets = offsets
        self._hashes = hashes
        self._hash_rows = hash_rows
        n = len(offsets) - 1
        self.counts = np.zeros(n, dtype=np.int64) if counts is None else np.asarray(counts, dtype=np.int64)
        self._words: list[str] | None = None
        self._index = None

    # Vocabulary keeps ``words`` as an attribute; here it is computed on first use
    @property  # type: ignore[override]
    def words(self) -> list[str]:
        if self._words is None:
            self._words = bytes(self._blob).decode("utf-8").split("\n")[:-1]
        return self._words

    @property
    def index(self) -> Mapping:  # type: ignore[override]
        """word → row (a ``Mapping`` over the hash table, not a dict)."""
        if self._index is None:
            self._index = _WordIndex(self)
        return self._index

    def __len__(self) -> int:
        return len(self._offsets) - 1

    def __iter__(self) -> Iterator[str]:
        return iter(self.words)

    def word_at(self, row: int) -> str:
        """The word of ``row`` without building the word list."""
        if self._words is not None:
            return self._words[row]
        start, end = int(self._offsets[row]), int(self._offsets[row + 1]) - 1
        return bytes(self._blob[start:end]).decode("utf-8")

    def find(self, word: str) -> int | None:
        """The row of ``word``, or ``None``."""
        try:
            raw = word.encode("utf-8")
        except UnicodeEncodeError:
            return None
        h = np.uint64(word_hash(raw))
        lo = int(np.searchsorted(self._hashes, h, side="left"))
        n = len(self._hashes)
        while lo < n and self._hashes[lo] == h:
            row = int(self._hash_rows[lo])
            start, end = int(self._offsets[row]), int(self._offsets[row + 1]) - 1
            if bytes(self._blob[start:end]) == raw:
                return row
            lo += 1
        return None

    def checksum(self) -> str:
        """``vocab_checksum`` of the words, computed from the file in one pass."""
        return hashlib.sha256(self._blob).hexdigest()[:16]

    @classmethod
    def open(cls, path: str | os.PathLike, size: int, checksum: str | None = None) -> "CompactVocabulary":
        """Open the compact vocabulary files in model directory ``path`` for ``size`` words, checking their
        shapes and (if given) the ``checksum`` recorded in ``meta.json``; ``CorruptFileError`` otherwise."""
        path = os.fspath(path)
        arrays = []
        for name, dtype, length in ((OFFSETS_FILE, np.int64, size + 1), (HASH_FILE, np.uint64, size),
                                    (HASH_ROWS_FILE, np.int64, size)):
            where = os.path.join(path, name)
            try:
                arr = np.load(where, mmap_mode="r", allow_pickle=False)
            except FileNotFoundError:
                raise CorruptFileError(f"{where} is missing: the model directory is incomplete; import it again") from None
            except (ValueError, OSError, EOFError) as err:
                raise CorruptFileError(f"{where} is damaged or truncated ({err}); import the model again") from None
            if arr.dtype != dtype or arr.shape != (length,):
                raise CorruptFileError(f"{where}: expected {length} values of {np.dtype(dtype)}, found "
                                       f"{arr.dtype} {arr.shape}; import the model again")
            arrays.append(arr)
        offsets, hashes, rows = arrays
        where = os.path.join(path, WORDS_FILE)
        try:
            with open(where, "rb") as handle:
                blob = handle.read()
        except FileNotFoundError:
            raise CorruptFileError(f"{where} is missing: the model directory is incomplete; import it again") from None
        if len(blob) != int(offsets[-1]) or int(offsets[0]) != 0 or (blob and not blob.endswith(b"\n")):
            raise CorruptFileError(f"{where} does not match {OFFSETS_FILE} (sizes differ); import the model again")
        vocab = cls(blob, offsets, hashes, rows)
        if checksum is not None and vocab.checksum() != checksum:
            raise CorruptFileError(f"{where} does not match meta.json (checksum differs); import the model again")
        return vocab


def write_compact_files(path: str | os.PathLike, offsets: np.ndarray, sorted_hashes: np.ndarray,
                        sorted_rows: np.ndarray) -> None:
    """Write the three arrays next to an already written ``vocab.words`` in directory ``path``."""
    np.save(os.path.join(path, OFFSETS_FILE), np.asarray(offsets, dtype=np.int64), allow_pickle=False)
    np.save(os.path.join(path, HASH_FILE), np.asarray(sorted_hashes, dtype=np.uint64), allow_pickle=False)
    np.save(os.path.join(path, HASH_ROWS_FILE), np.asarray(sorted_rows, dtype=np.int64), allow_pickle=False)


__all__ = ["CompactVocabulary", "word_hash", "hashes_of", "write_compact_files", "FILES", "WORDS_FILE"]
