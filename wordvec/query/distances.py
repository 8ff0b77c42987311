"""Cosine distances, ranks and set similarities with gensim 4 ``KeyedVectors`` semantics.

``distance``, ``distances``, ``closer_than``, ``rank``, ``doesnt_match``, ``n_similarity`` and
``cosine_similarities`` compute what the gensim methods of the same names compute (in the table's own
dtype, as gensim does), so code written for gensim gives the same numbers on the same vectors
(``tests/test_gensim_api.py`` compares them). Differences, on purpose: unknown words raise
``UnknownWordError`` (gensim: ``KeyError``; ``n_similarity`` there skips them silently since gensim 4.2), an
empty word list raises ``InputError`` (gensim: ``ZeroDivisionError``/``ValueError``), and ``doesnt_match``
reports the words it ignored in a ``UserWarning`` instead of gensim's log line.
"""
from __future__ import annotations

import warnings
from typing import Sequence, Union

import numpy as np

from wordvec.errors import InputError
from wordvec.io.vectors import WordVectors

WordOrVector = Union[str, np.ndarray]


def cosine_similarities(vector: np.ndarray, vectors: np.ndarray) -> np.ndarray:
    """Cosine of ``vector`` (shape ``(d,)``) with every row of ``vectors`` (``(n, d)``), as gensim's
    ``KeyedVectors.cosine_similarities`` (rows or vector of norm 0 give NaN)."""
    vector = np.asarray(vector)
    vectors = np.asarray(vectors)
    norm = np.linalg.norm(vector)
    row_norms = np.linalg.norm(vectors, axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return (vectors @ vector) / (norm * row_norms)


def _query_vector(emb: WordVectors, word_or_vector: WordOrVector) -> np.ndarray:
    if isinstance(word_or_vector, str):
        return emb.vectors[emb.index(word_or_vector)]
    vector = np.asarray(word_or_vector)
    if vector.shape != (emb.shape[1],):
        raise InputError(f"a query vector must have shape ({emb.shape[1]},), not {vector.shape}")
    return vector.astype(emb.vectors.dtype, copy=False)


def distances(emb: WordVectors, word_or_vector: WordOrVector, other_words: Sequence[str] = ()) -> np.ndarray:
    """Cosine distances ``1 − cos`` from a word (or a vector) to each of ``other_words``, or to every
    vocabulary word in row order (itself included) when ``other_words`` is empty (default)."""
    query = _query_vector(emb, word_or_vector)
    if other_words is None or len(other_words) == 0:
        table = emb.vectors
    else:
        if isinstance(other_words, str):
            other_words = [other_words]
        table = emb.vectors[[emb.index(w) for w in other_words]]
    return 1 - cosine_similarities(query, np.asarray(table))


def distance(emb: WordVectors, a: str, b: str) -> float:
    """Cosine distance ``1 − similarity(a, b)`` of two words."""
    from wordvec.query.similarity import similarity

    return 1 - similarity(emb, a, b)


def closer_than(emb: WordVectors, a: str, b: str) -> list[str]:
    """The words closer (by cosine distance) to ``a`` than ``b`` is, in row order; ``a`` itself left out."""
    all_distances = distances(emb, a)
    row_a, row_b = emb.index(a), emb.index(b)
    rows = np.flatnonzero(all_distances < all_distances[row_b])
    words = emb.words
    return [words[int(r)] for r in rows if int(r) != row_a]


def rank(emb: WordVectors, a: str, b: str) -> int:
    """Rank of ``b`` among the neighbours of ``a`` by cosine distance: ``len(closer_than(a, b)) + 1``."""
    return len(closer_than(emb, a, b)) + 1


def rank_by_centrality(emb: WordVectors, words: Sequence[str]) -> list[tuple[float, str]]:
    """``(cosine to the centroid, word)`` for the known ``words``, most central first (gensim's method of the
    same name): the centroid is the unit mean of the unit vectors. Unknown words are left out with a
    ``UserWarning``; ``InputError`` when none is known."""
    if isinstance(words, str):
        words = [words]
    used = [w for w in words if w in emb]
    if len(used) != len(words):
        ignored = sorted(set(words) - set(used))
        warnings.warn(f"words not in the vocabulary, ignored: {', '.join(ignored)}", UserWarning, stacklevel=3)
    if not used:
        raise InputError("none of the words is in the vocabulary: give at least one known word")
    unit = emb.unit_vectors
    vectors = np.vstack([unit[emb.index(w)] for w in used]).astype(np.float32)
    mean = vectors.mean(axis=0)
    norm = np.linalg.norm(mean)
    mean = (mean / norm if norm > 0 else mean).astype(np.float32)
    scores = vectors @ mean
    return sorted(zip((float(s) for s in scores), used), reverse=True)


def doesnt_match(emb: WordVectors, words: Sequence[str]) -> str:
    """The word of ``words`` farthest from the centroid of them all (see ``rank_by_centrality``)."""
    return rank_by_centrality(emb, words)[-1][1]


def _mean_vector(emb: WordVectors, words: Sequence[str], name: str) -> np.ndarray:
    if isinstance(words, str):
        words = [words]
    if len(words) == 0:
        raise InputError(f"n_similarity needs words on both sides: {name} is empty")
    rows = [emb.index(w) for w in words]
    return np.asarray(emb.vectors[rows]).mean(axis=0)


def _unit(vector: np.ndarray) -> np.ndarray:
    norm = np.linalg.norm(vector)
    return vector / norm if norm > 0 else vector


def n_similarity(emb: WordVectors, words1: Sequence[str], words2: Sequence[str]) -> float:
    """Cosine of the mean (raw) vectors of two word lists (gensim's ``n_similarity``)."""
    mean1 = _mean_vector(emb, words1, "the first list")
    mean2 = _mean_vector(emb, words2, "the second list")
    return float(np.dot(_unit(mean1), _unit(mean2)))


__all__ = ["cosine_similarities", "distances", "distance", "closer_than", "rank", "rank_by_centrality",
           "doesnt_match", "n_similarity"]
