"""Cosine search on big tables: exact in row blocks (bounded memory), approximate through an index, and
many queries at once (issue 16).

``most_similar`` of ``wordvec.query.similarity`` ranks against the unit table, a full copy of the vectors.
For a memory-mapped table of millions of rows that copy is gigabytes, so here the raw rows are scored in
blocks of ``BLOCK`` rows and divided by the row norms (computed once, 8 bytes a row): nothing but a block
is ever in memory. ``most_similar_batch`` answers many queries with one matrix product per block.
"""
from __future__ import annotations

import mmap
from typing import Any, Sequence

import numpy as np

from wordvec.errors import InputError
from wordvec.io.vectors import WordVectors
from wordvec.query.derived import derived

BLOCK = 65536  # rows scored at a time
BLOCKED_MIN_BYTES = 256 << 20  # memory-mapped tables from this size are searched in blocks


def wants_blocked(emb: WordVectors) -> bool:
    """True for a memory-mapped table big enough that a unit copy should be avoided (and none exists yet)."""
    return _mapped(emb.vectors) and emb.vectors.nbytes >= BLOCKED_MIN_BYTES and "unit_vectors" not in emb.__dict__


def _mapped(array: np.ndarray) -> bool:
    """True if ``array`` is (a view of) a memory map (``np.asarray`` of a ``np.memmap`` drops the subclass)."""
    for _ in range(4):
        if isinstance(array, (np.memmap, mmap.mmap)):
            return True
        array = getattr(array, "base", None)
        if array is None:
            return False
    return False


def _word_of(emb: WordVectors):
    word_at = getattr(emb.vocab, "word_at", None)
    return word_at if word_at is not None else emb.vocab.words.__getitem__


def _row_norms(emb: WordVectors) -> np.ndarray:
    norms = derived(emb).norms  # float64, one pass over the rows
    return np.where(norms == 0, 1.0, norms)


def query_vector(emb: WordVectors, positive: Any, negative: Any) -> tuple[np.ndarray, list[int]]:
    """The unit mean of the unit vectors of ``positive`` minus ``negative`` (gensim / SPEC c.2.1) and the
    rows of the words among them; reads only those rows."""
    from wordvec.query.similarity import as_list

    positive, negative = as_list(positive), as_list(negative)
    if not positive and not negative:
        raise InputError("most_similar needs at least one word")
    total = np.zeros(emb.shape[1], dtype=np.float64)
    rows: list[int] = []
    for items, sign in ((positive, 1.0), (negative, -1.0)):
        for item in items:
            if isinstance(item, np.ndarray):
                vec = np.asarray(item, dtype=np.float64)
                if vec.shape != (emb.shape[1],):
                    raise InputError(f"a query vector must have shape ({emb.shape[1]},), not {vec.shape}")
            else:
                row = emb.index(item)
                rows.append(row)
                vec = np.asarray(emb.vectors[row], dtype=np.float64)
            norm = np.linalg.norm(vec)
            total += sign * (vec / norm if norm > 0 else vec)
    total /= len(positive) + len(negative)
    norm = np.linalg.norm(total)
    return (total / norm if norm > 0 else total), rows


def _merge(best_rows: np.ndarray, best_scores: np.ndarray, rows: np.ndarray, scores: np.ndarray,
           k: int) -> tuple[np.ndarray, np.ndarray]:
    rows = np.concatenate([best_rows, rows])
    scores = np.concatenate([best_scores, scores])
    if len(scores) > k:
        part = np.argpartition(-scores, k - 1)[:k]
        rows, scores = rows[part], scores[part]
    return rows, scores


def exact_top(emb: WordVectors, queries: np.ndarray, k: int, clip: int | None = None,
              block: int = BLOCK) -> list[tuple[np.ndarray, np.ndarray]]:
    """For each unit query (rows of ``queries``, q×d), the ``k`` best rows by cosine over the first
    ``clip`` rows (default all): ``[(rows, scores)]`` best first, ties to the lower row. Scores the table
    in blocks of ``block`` rows, so memory is ``block × q`` floats plus one block of rows."""
    queries = np.atleast_2d(np.asarray(queries, dtype=np.float32))
    vectors = emb.vectors
    n = vectors.shape[0] if clip is None else min(int(clip), vectors.shape[0])
    norms = _row_norms(emb)
    q = queries.shape[0]
    best = [(np.zeros(0, np.int64), np.zeros(0, np.float64)) for _ in range(q)]
    k = max(0, min(k, n))
    for start in range(0, n, block):
        stop = min(n, start + block)
        scores = np.asarray(vectors[start:stop], dtype=np.float32) @ queries.T  # block×q
        scores = scores.astype(np.float64) / norms[start:stop, None]
        take = min(k, stop - start)
        if take <= 0:
            continue
        part = np.argpartition(-scores, take - 1, axis=0)[:take] if take < stop - start else \
            np.repeat(np.arange(stop - start)[:, None], q, axis=1)
        for j in range(q):
            rows = part[:, j]
            best[j] = _merge(*best[j], rows + start, scores[rows, j], k)
    out = []
    for rows, scores in best:
        order = np.lexsort((rows, -scores))
        out.append((rows[order], scores[order]))
    return out


def most_similar_big(
    emb: WordVectors,
    positive: Any = (),
    negative: Any = (),
    topn: int = 10,
    restrict_vocab: int | None = None,
    approximate: bool = False,
    indexer: Any = None,
) -> list[tuple[str, float]]:
    """``most_similar`` without a unit copy of the table: exact in blocks, or approximate through
    ``indexer`` (anything with gensim's ``most_similar(vector, num_neighbors)``; a ``wordvec.query.ann``
    ``AnnIndex`` is also restricted to ``restrict_vocab`` and rescored here). Input words are excluded;
    approximate scores are exact cosines of the words found."""
    vector, rows = query_vector(emb, positive, negative)
    skip = set(rows)
    clip = None if not restrict_vocab else max(0, min(int(restrict_vocab), len(emb)))
    if approximate and indexer is None:
        raise InputError("approximate=True needs the model's index: pass indexer= (wordvec.query.ann.index_for)")
    if indexer is not None:
        want = topn + len(skip)
        if hasattr(indexer, "candidates") and hasattr(indexer, "rescore"):  # wordvec.query.ann.AnnIndex
            found = indexer.candidates(vector, max(50, 4 * want))
            if clip is not None:
                found = found[found < clip]
            cand, scores = indexer.rescore(vector, found)
            word = _word_of(emb)
            pairs = [(word(int(r)), float(s)) for r, s in zip(cand, scores) if int(r) not in skip]
            return pairs[:topn]
        words_skip = {_word_of(emb)(r) for r in skip}
        pairs = indexer.most_similar(vector, want)
        return [(w, float(s)) for w, s in pairs if w not in words_skip][:topn]
    (found, scores), = exact_top(emb, vector[None, :], topn + len(skip), clip)
    word = _word_of(emb)
    return [(word(int(r)), float(s)) for r, s in zip(found, scores) if int(r) not in skip][:topn]


def most_similar_batch(emb: WordVectors, words: Sequence[str], topn: int = 10, block: int = BLOCK,
                       queries_per_pass: int = 256) -> list[list[tuple[str, float]]]:
    """Cosine neighbours of each of ``words`` (each word excluded from its own list), one matrix product
    per block of ``block`` rows for up to ``queries_per_pass`` words at a time (bounded memory:
    ``block × queries_per_pass`` floats). Same results as ``most_similar`` word by word."""
    word = _word_of(emb)
    out: list[list[tuple[str, float]]] = []
    for first in range(0, len(words), queries_per_pass):
        chunk = list(words[first:first + queries_per_pass])
        vecs, rows = zip(*(query_vector(emb, w, ()) for w in chunk)) if chunk else ((), ())
        tops = exact_top(emb, np.stack(vecs), topn + 1, block=block)
        for (found, scores), own in zip(tops, rows):
            out.append([(word(int(r)), float(s)) for r, s in zip(found, scores) if int(r) not in own][:topn])
    return out


__all__ = ["most_similar_big", "most_similar_batch", "exact_top", "query_vector", "wants_blocked"]
