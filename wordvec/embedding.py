"""``Embedding``: trained vectors + vocabulary with counts + metadata, and the queries on them.

Loadable without the trainer (``Embedding.load``), dict-like (``in``, ``[]``, ``len``, iteration) in the
manner of gensim's ``KeyedVectors`` and spaCy's ``Vectors``.
"""
from __future__ import annotations

import os
from typing import Any, Iterator, Sequence

import numpy as np

from wordvec.corpora.vocab import Vocabulary

from .errors import UnknownWordError
from .model_dir import load_model_dir, save_model_dir


class Embedding:
    """Word vectors with their vocabulary (frequency order), unigram counts and metadata.

    Parameters:
        vectors: ``V×d`` float array, row ``i`` is the vector of ``vocab.words[i]``.
        vocab: the ``Vocabulary`` (words and counts; counts may be all zero when unknown).
        meta: hyper-parameters and facts (``kind``: ``"pmi"``, ``"svd"``, ``"w2v"`` or ``"external"``;
            ``total_tokens``; ``tokenizer`` settings; …). Default: empty.
        extras: further named arrays (the word2vec bridge keeps ``syn1`` and Huffman paths here).
    """

    def __init__(
        self,
        vectors: np.ndarray,
        vocab: Vocabulary,
        meta: dict[str, Any] | None = None,
        extras: dict[str, np.ndarray] | None = None,
    ):
        vectors = np.asarray(vectors)
        if vectors.ndim != 2 or vectors.shape[0] != len(vocab):
            raise ValueError(f"vectors shape {vectors.shape} does not match {len(vocab)} words")
        self.vectors = vectors
        self.vocab = vocab
        self.meta: dict[str, Any] = dict(meta or {})
        self.extras: dict[str, np.ndarray] = dict(extras or {})
        self._unit: np.ndarray | None = None

    # --- properties -------------------------------------------------------------------------------
    @property
    def words(self) -> list[str]:
        """The words in row order (frequency order)."""
        return self.vocab.words

    @property
    def counts(self) -> np.ndarray:
        """Unigram counts ``#w`` in row order."""
        return self.vocab.counts

    @property
    def shape(self) -> tuple[int, int]:
        """``(V, d)``."""
        return tuple(self.vectors.shape)  # type: ignore[return-value]

    @property
    def kind(self) -> str:
        """Which model produced the vectors: ``pmi``, ``svd``, ``w2v`` or ``external``."""
        return str(self.meta.get("kind", "external"))

    @property
    def total_tokens(self) -> int:
        """T: the token total behind the counts (``meta['total_tokens']``, else the sum of counts)."""
        return int(self.meta.get("total_tokens") or self.vocab.total)

    @property
    def unit_vectors(self) -> np.ndarray:
        """Rows scaled to unit length (zero rows stay zero); computed once and cached."""
        if self._unit is None:
            norms = np.linalg.norm(self.vectors, axis=1, keepdims=True)
            norms[norms == 0] = 1
            self._unit = (self.vectors / norms).astype(self.vectors.dtype, copy=False)
        return self._unit

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
        return f"Embedding(kind={self.kind!r}, words={len(self)}, dim={self.shape[1]})"

    def index(self, word: str) -> int:
        """Row of ``word``; ``UnknownWordError`` with up to 5 close vocabulary entries if absent."""
        row = self.vocab.index.get(word)
        if row is None:
            raise UnknownWordError(word, self.suggest(word))
        return row

    def suggest(self, word: str, limit: int = 5) -> list[str]:
        """Up to ``limit`` vocabulary words close to ``word``: sharing most characters, then most frequent."""
        chars = set(word)
        if not chars:
            return []
        scored = []
        for row, candidate in enumerate(self.vocab.words):
            shared = len(chars.intersection(candidate))
            if shared:
                # more shared characters first, then closer length, then frequency (row order)
                scored.append((-shared, abs(len(candidate) - len(word)), row, candidate))
        scored.sort()
        return [candidate for *_, candidate in scored[:limit]]

    # --- files ----------------------------------------------------------------------------------------
    def save(self, path: str | os.PathLike) -> None:
        """Write the model directory at ``path`` atomically (see ``wordvec.model_dir``)."""
        save_model_dir(path, self.vectors, self.vocab, self.meta, self.extras)

    @classmethod
    def load(cls, path: str | os.PathLike, mmap: bool = False) -> "Embedding":
        """Load a model directory written by ``save`` (``mmap=True``: arrays memory-mapped read-only)."""
        vectors, vocab, meta, extras = load_model_dir(path, mmap=mmap)
        return cls(vectors, vocab, meta, extras)


__all__ = ["Embedding"]
