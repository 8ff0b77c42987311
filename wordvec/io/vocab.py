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
        text = "".join(map("{}\t{}\n".format, self.words, self.counts.tolist()))
        with atomic_output(path, "w") as handle:
            handle.write(text)

    @classmethod
    def load(cls, path: str | os.PathLike) -> "Vocabulary":
        """Read a ``vocab.tsv``; raises ``CorruptFileError`` naming the file and line on bad content."""
        return cls.load_with_checksum(path)[0]

    @classmethod
    def load_with_checksum(cls, path: str | os.PathLike,
                           algorithm: str | None = None) -> tuple["Vocabulary", str | None]:
        """``load``, also returning the checksum (``algorithm:hex``, see ``wordvec.io.integrity``) of the file's
        bytes, to check against the artifact's meta; ``algorithm`` None: no checksum (None returned).

        Counts must be plain decimal digits within int64, in non-increasing order (the order the format
        promises); anything else is a ``CorruptFileError`` naming the file and line."""
        path = os.fspath(path)
        shown = os.fsdecode(path)
        try:
            with open(path, "rb") as handle:
                data = handle.read()
        except FileNotFoundError:
            raise InputError(f"vocabulary file not found: {shown}") from None
        except IsADirectoryError:
            raise CorruptFileError(f"{shown}: a directory, not a vocabulary file; rebuild the vocabulary") from None
        except OSError as err:
            raise CorruptFileError(f"{shown}: unreadable ({err.strerror or err}); rebuild the vocabulary") from None
        if algorithm is not None:
            from wordvec.io.integrity import bytes_checksum

            checksum = bytes_checksum(data, algorithm)
        else:
            checksum = None
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as err:
            raise CorruptFileError(f"{shown}: not UTF-8 ({err.reason}); rebuild the vocabulary") from None
        del data
        fast = _load_plain(text)
        if fast is not None:
            return cls(*fast), checksum
        words: list[str] = []
        counts: list[int] = []
        previous = _INT64_MAX
        for lineno, line in enumerate(text.split("\n"), 1):
            line = line.rstrip("\r")
            if not line:
                continue
            word, sep, count = line.rpartition("\t")
            if not sep or not word:
                raise CorruptFileError(f"{shown}:{lineno}: expected 'word<TAB>count'; rebuild the vocabulary")
            if not (count.isascii() and count.isdigit()):
                raise CorruptFileError(f"{shown}:{lineno}: count {_cut(count)!r} is not a non-negative integer; "
                                       "rebuild the vocabulary")
            value = int(count) if len(count) < 20 else _INT64_MAX + 1
            if value > _INT64_MAX:
                raise CorruptFileError(f"{shown}:{lineno}: count {_cut(count)} exceeds the int64 range; "
                                       "rebuild the vocabulary")
            if value > previous:
                raise CorruptFileError(f"{shown}:{lineno}: count {value} is larger than the count above it "
                                       f"({previous}), but the file is in frequency order; rebuild the vocabulary")
            previous = value
            counts.append(value)
            words.append(word)
        if len(set(words)) != len(words):
            raise CorruptFileError(f"{shown}: duplicate words; rebuild the vocabulary")
        return cls(words, counts), checksum


_INT64_MAX = 2**63 - 1


def _cut(text: str, limit: int = 30) -> str:
    return text if len(text) <= limit else text[:limit] + "..."


def _load_plain(text: str) -> tuple[list[str], np.ndarray] | None:
    """Words and counts of a well-formed ``vocab.tsv`` text read in bulk (what ``Vocabulary.save`` writes: no
    blank lines, no CR, one tab a line, ASCII-digit counts within int64 in non-increasing order, distinct
    words); None for anything else, which the line-by-line reader then reads or reports. A 74k-word vocabulary
    loads in a few milliseconds this way.
    """
    if not text.endswith("\n") or "\r" in text or "\n\n" in text or "\n\t" in text or text.startswith("\t"):
        return None
    if "\t\n" in text:  # an empty count
        return None
    lines = text.count("\n")
    if text.count("\t") != lines:
        return None
    items = text[:-1].replace("\n", "\t").split("\t")
    words = items[0::2]
    digits = items[1::2]
    joined = "".join(digits)
    if not (joined.isascii() and joined.isdigit()) or max(map(len, digits), default=0) > 19:
        return None
    try:
        counts = np.array(list(map(int, digits)), dtype=np.int64)
    except (ValueError, OverflowError):
        return None
    if len(words) != lines or len(set(words)) != len(words):
        return None
    if counts.size > 1 and bool(np.any(counts[1:] > counts[:-1])):
        return None
    return words, counts


__all__ = ["Vocabulary", "vocab_checksum"]
