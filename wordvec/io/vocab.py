"""The vocabulary: words in frequency order with their unigram counts (SPEC a.2).

Words are sorted by count, descending, ties broken by the word (code-point order, which equals the byte
order of UTF-8, as GloVe's ``vocab_count`` does). Word ids are 0-based positions in that order, so "the
first N words" are the N most frequent. Saved as ``vocab.tsv``: one ``word<TAB>count`` line per word.
"""
from __future__ import annotations

import hashlib
import os
from typing import Iterable, Iterator, Mapping

import numpy as np

from wordvec.io.atomic import atomic_output
from wordvec.errors import CorruptFileError, InputError, UnknownWordError


def vocab_checksum(words: Iterable[str]) -> str:
    """A short, stable fingerprint of a word list (order matters); stored in every artifact's meta."""
    words = list(words)
    blob = ("\n".join(words) + "\n").encode("utf-8") if words else b""  # each word, then a newline
    return hashlib.sha256(blob).hexdigest()[:16]


class Vocabulary:
    """Words in frequency order and their counts.

    Parameters: ``words`` (sequence of distinct strings, already in frequency order) and ``counts`` (the same
    length, non-increasing). Use ``Vocabulary.from_counts`` to build one from unsorted counts.
    """

    def __init__(self, words: Iterable[str], counts: Iterable[int] | np.ndarray):
        self.words: list[str] = list(words)
        self.counts: np.ndarray = np.asarray(counts, dtype=np.int64).reshape(-1)
        if len(self.words) != len(self.counts):
            raise ValueError("words and counts differ in length")
        self._index: dict[str, int] | None = None

    @classmethod
    def from_counts(cls, counts: Mapping[str, int]) -> "Vocabulary":
        """Sort a word→count mapping into frequency order (ties by word)."""
        items = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
        return cls([w for w, _ in items], [c for _, c in items])

    # --- dict-like access -------------------------------------------------------------------------
    @property
    def index(self) -> dict[str, int]:
        """word → id mapping (built on first use)."""
        if self._index is None:
            self._index = dict(zip(self.words, range(len(self.words))))
        return self._index

    def __len__(self) -> int:
        return len(self.words)

    def __contains__(self, word: object) -> bool:
        return word in self.index

    def __iter__(self) -> Iterator[str]:
        return iter(self.words)

    def __getitem__(self, word: str) -> int:
        """The id of ``word``; raises ``UnknownWordError``."""
        try:
            return self.index[word]
        except KeyError:
            raise UnknownWordError(word) from None

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Vocabulary)
            and self.words == other.words
            and np.array_equal(self.counts, other.counts)
        )

    def __repr__(self) -> str:
        return f"Vocabulary({len(self)} words, {self.total} tokens)"

    @property
    def total(self) -> int:
        """T: the number of tokens of these words (sum of counts)."""
        return int(self.counts.sum())

    def checksum(self) -> str:
        """Fingerprint of the word order (see ``vocab_checksum``)."""
        return vocab_checksum(self.words)

    def prune(self, min_count: int = 1, max_vocab: int = 0) -> "Vocabulary":
        """Keep words with count >= ``min_count`` (default 1), then at most ``max_vocab`` (0: no limit)."""
        keep = int(np.searchsorted(-self.counts, -min_count, side="right"))
        if max_vocab and max_vocab > 0:
            keep = min(keep, max_vocab)
        return Vocabulary(self.words[:keep], self.counts[:keep])

    # --- files --------------------------------------------------------------------------------------
    def save(self, path: str | os.PathLike) -> None:
        """Write ``word<TAB>count`` lines atomically."""
        joined = "\n".join(self.words)
        if self.words and ("\t" in joined or "\r" in joined or "" in self.index
                           or joined.count("\n") != len(self.words) - 1):
            bad = next(w for w in self.words if not w or any(ch in w for ch in "\t\n\r"))
            raise InputError(f"cannot save vocabulary: word {bad!r} is empty or contains a tab/newline")
        text = "".join(f"{word}\t{count}\n" for word, count in zip(self.words, self.counts.tolist()))
        with atomic_output(path, "w") as handle:
            handle.write(text)

    @classmethod
    def load(cls, path: str | os.PathLike) -> "Vocabulary":
        """Read a ``vocab.tsv``; raises ``CorruptFileError`` naming the file and line on bad content."""
        path = os.fspath(path)
        fast = _load_plain(path)
        if fast is not None:
            return cls(*fast)
        words: list[str] = []
        counts: list[int] = []
        try:
            with open(path, "r", encoding="utf-8", newline="\n") as handle:
                for lineno, line in enumerate(handle, 1):
                    line = line.rstrip("\n").rstrip("\r")
                    if not line:
                        continue
                    word, sep, count = line.rpartition("\t")
                    if not sep or not word:
                        raise CorruptFileError(f"{path}:{lineno}: expected 'word<TAB>count'; rebuild the vocabulary")
                    try:
                        counts.append(int(count))
                    except ValueError:
                        raise CorruptFileError(f"{path}:{lineno}: count {count!r} is not an integer") from None
                    words.append(word)
        except FileNotFoundError:
            raise InputError(f"vocabulary file not found: {path}") from None
        except UnicodeDecodeError as err:
            raise CorruptFileError(f"{path}: not UTF-8 ({err.reason}); rebuild the vocabulary") from None
        if len(set(words)) != len(words):
            raise CorruptFileError(f"{path}: duplicate words; rebuild the vocabulary")
        return cls(words, counts)


def _load_plain(path: str) -> tuple[list[str], np.ndarray] | None:
    """Words and counts of a well-formed ``vocab.tsv`` read in bulk (what ``Vocabulary.save`` writes: no
    blank lines, no CR, one tab a line, integer counts, distinct words); None for anything else, which the
    line-by-line reader then reads or reports. A 74k-word vocabulary loads in a few milliseconds this way.
    """
    try:
        with open(path, "rb") as handle:
            text = handle.read().decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    if not text.endswith("\n") or "\r" in text or "\n\n" in text or "\n\t" in text or text.startswith("\t"):
        return None
    lines = text.count("\n")
    if text.count("\t") != lines:
        return None
    items = text[:-1].replace("\n", "\t").split("\t")
    words = items[0::2]
    try:
        counts = np.array(list(map(int, items[1::2])), dtype=np.int64)
    except (ValueError, OverflowError):
        return None
    if len(words) != lines or len(set(words)) != len(words):
        return None
    return words, counts


__all__ = ["Vocabulary", "vocab_checksum"]
