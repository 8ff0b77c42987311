"""``WordVectors``: one table of vectors with its vocabulary, counts and metadata — what trainers produce,
what files hold, and what ``wordvec.Embedding`` answers queries on.

Dict-like in the manner of gensim's ``KeyedVectors`` and spaCy's ``Vectors`` (``in``, ``[]``, ``len``,
iteration, ``index_to_key``, ``key_to_index``, ``vector_size``, ``get_vector``), saved and loaded as a
model directory (``wordvec.io.model_dir``). It holds no query logic: that lives in ``wordvec.query``.
"""
from __future__ import annotations

import os
import re
from functools import cached_property
from typing import Any, Iterator, Sequence

import numpy as np

from wordvec.errors import InputError, UnknownWordError
from wordvec.io.model_dir import load_model_dir, save_model_dir
from wordvec.io.vocab import Vocabulary


def as_vocabulary(vocab: Any) -> Vocabulary:
    """A ``Vocabulary`` as it is, or one built from a sequence of words (counts unknown: zeros)."""
    if isinstance(vocab, Vocabulary):
        return vocab
    if isinstance(vocab, (str, bytes)) or not hasattr(vocab, "__iter__"):
        raise InputError("vocab must be a Vocabulary or a sequence of words (e.g. gensim's index_to_key)")
    words = [str(w) for w in vocab]
    if len(set(words)) != len(words):
        raise InputError("the word list repeats a word: every row needs its own word")
    return Vocabulary(words, np.zeros(len(words), dtype=np.int64))


class WordVectors:
    """Word vectors with their vocabulary (frequency order), unigram counts and metadata.

    Parameters:
        vectors: ``V×d`` float array, row ``i`` is the vector of ``vocab.words[i]``.
        vocab: the ``Vocabulary`` (words and counts; counts may be all zero when unknown), or a plain
            sequence of words such as gensim's ``kv.index_to_key`` (counts then unknown).
        meta: hyper-parameters and facts (``kind``: ``"pmi"``, ``"svd"``, ``"w2v"`` or ``"external"``;
            ``total_tokens``; ``tokenizer`` settings; …). Default: empty.
        extras: further named arrays (the word2vec bridge keeps ``syn1`` and Huffman paths here).
    """

    def __init__(
        self,
        vectors: np.ndarray,
        vocab: Vocabulary | Sequence[str],
        meta: dict[str, Any] | None = None,
        extras: dict[str, np.ndarray] | None = None,
    ):
        vocab = as_vocabulary(vocab)
        vectors = np.asarray(vectors)
        if vectors.ndim != 2 or vectors.shape[0] != len(vocab):
            raise InputError(f"vectors of shape {vectors.shape} do not match {len(vocab)} words: "
                             "give one row per word")
        self.vectors = vectors
        self.vocab = vocab
        self.meta: dict[str, Any] = dict(meta or {})
        self.extras: dict[str, np.ndarray] = dict(extras or {})

    # --- properties -------------------------------------------------------------------------------
    @property
    def words(self) -> list[str]:
        """The words in row order (frequency order)."""
        return self.vocab.words

    @property
    def index_to_key(self) -> list[str]:
        """The words in row order (gensim's name for ``words``)."""
        return self.vocab.words

    @property
    def key_to_index(self) -> dict[str, int]:
        """word → row (gensim's name)."""
        return self.vocab.index

    @property
    def counts(self) -> np.ndarray:
        """Unigram counts ``#w`` in row order."""
        return self.vocab.counts

    @property
    def shape(self) -> tuple[int, int]:
        """``(V, d)``."""
        return tuple(self.vectors.shape)  # type: ignore[return-value]

    @property
    def vector_size(self) -> int:
        """The dimension ``d`` (gensim's name)."""
        return int(self.vectors.shape[1])

    @property
    def kind(self) -> str:
        """Which model produced the vectors: ``pmi``, ``svd``, ``w2v`` or ``external``."""
        return str(self.meta.get("kind", "external"))

    @property
    def total_tokens(self) -> int:
        """T: the token total behind the counts (``meta['total_tokens']``, else the sum of counts)."""
        return int(self.meta.get("total_tokens") or self.vocab.total)

    @cached_property
    def unit_vectors(self) -> np.ndarray:
        """Rows scaled to unit length (zero rows stay zero); computed once."""
        norms = np.linalg.norm(self.vectors, axis=1, keepdims=True)
        norms[norms == 0] = 1
        return (self.vectors / norms).astype(self.vectors.dtype, copy=False)

    # --- dict-like ----------------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.vocab)

    def __contains__(self, word: object) -> bool:
        return word in self.vocab

    def __iter__(self) -> Iterator[str]:
        return iter(self.vocab.words)

    def __getitem__(self, words: str | Sequence[str]) -> np.ndarray:
        """The vector of a word, or a ``k×d`` array for a list of words; unknown words raise."""
        if isinstance(words, str):
            return self.vectors[self.index(words)]
        return self.vectors[[self.index(w) for w in words]]

    def __repr__(self) -> str:
        return f"{type(self).__name__}(kind={self.kind!r}, words={len(self)}, dim={self.shape[1]})"

    def index(self, word: str) -> int:
        """Row of ``word``; ``UnknownWordError`` with up to 5 close vocabulary entries if absent."""
        row = self.vocab.index.get(word)
        if row is None:
            raise UnknownWordError(word, self.suggest(word))
        return row

    def get_index(self, word: str, default: int | None = None) -> int:
        """Row of ``word`` (gensim's name for ``index``); ``default`` (when given) instead of raising for an
        unknown word."""
        if default is not None and word not in self.vocab:
            return default
        return self.index(word)

    def get_vector(self, word: str, norm: bool = False) -> np.ndarray:
        """The vector of ``word``; ``norm=True`` scaled to unit length (gensim semantics)."""
        row = self.index(word)
        return (self.unit_vectors if norm else self.vectors)[row]

    @cached_property
    def _suggest_index(self) -> tuple[str, np.ndarray]:
        """All words in one string and the start offset of every word (for ``suggest``)."""
        words = self.vocab.words
        text = "\n".join(words)
        starts = np.zeros(len(words), dtype=np.int64)
        starts[1:] = np.cumsum(np.fromiter((len(w) + 1 for w in words[:-1]), dtype=np.int64,
                                           count=max(0, len(words) - 1)))
        return text, starts

    def suggest(self, word: str, limit: int = 5) -> list[str]:
        """Up to ``limit`` vocabulary words close to ``word``: sharing most characters, then closer length,
        then string similarity (difflib ratio), then most frequent. A few ms per character on 100k words."""
        chars = sorted(set(word))
        if not chars or limit <= 0:
            return []
        words = self.vocab.words
        text, starts = self._suggest_index
        shared = np.zeros(len(words), dtype=np.int64)
        for ch in chars:  # regex scanning in C: a few ms per character on 100k words
            found = np.fromiter((m.start() for m in re.finditer(re.escape(ch), text)), dtype=np.int64)
            if found.size:
                shared[np.unique(np.searchsorted(starts, found, side="right") - 1)] += 1
        rows = np.flatnonzero(shared)
        if not rows.size:
            return []
        lengths = np.fromiter((len(words[r]) for r in rows), dtype=np.int64, count=rows.size)
        # shortlist: more shared characters first, then closer length, then frequency (row order) ...
        order = np.lexsort((rows, np.abs(lengths - len(word)), -shared[rows]))[: max(200, limit)]
        shortlist = [(int(rows[i]), words[int(rows[i])], int(shared[rows[i]])) for i in order]
        # ... then by shared characters, string similarity (order and repeats count), frequency
        from difflib import SequenceMatcher

        matcher = SequenceMatcher(None, autojunk=False)
        matcher.set_seq2(word)  # the matcher caches its second sequence

        def closeness(item: tuple[int, str, int]) -> tuple[int, float, int]:
            matcher.set_seq1(item[1])
            return (-item[2], -matcher.ratio(), item[0])

        shortlist.sort(key=closeness)
        return [candidate for _, candidate, _ in shortlist[:limit]]

    # --- files ----------------------------------------------------------------------------------------
    def save(self, path: str | os.PathLike) -> None:
        """Write the model directory at ``path`` atomically (see ``wordvec.io.model_dir``)."""
        save_model_dir(path, self.vectors, self.vocab, self.meta, self.extras)

    @classmethod
    def load(cls, path: str | os.PathLike, mmap: bool = False) -> "WordVectors":
        """Load a model directory written by ``save`` (``mmap=True``: arrays memory-mapped read-only).
        Word2vec and GloVe files are read by ``wordvec.io.formats.load_vectors`` (or ``Embedding.load``)."""
        vectors, vocab, meta, extras = load_model_dir(path, mmap=mmap)
        return cls(vectors, vocab, meta, extras)


__all__ = ["WordVectors", "as_vocabulary"]
