"""Similarity (substitutability) queries: cosine neighbours, 3CosMul, analogies (SPEC c.2.1, c.5).

Functions take a ``WordVectors`` (an ``Embedding``) first; ``Embedding`` methods of the same names delegate here. Results are
lists of ``(word, score)`` with Python floats, best first, in the manner of gensim's ``KeyedVectors``.
"""
from __future__ import annotations

import sys
from typing import Any, Iterable, Sequence, Union

import numpy as np

from wordvec.errors import InputError
from wordvec.io.vectors import WordVectors
from wordvec.query.derived import derived

WordOrVector = Union[str, np.ndarray]

# "auto": use the numba kernel (wordvec.query._kernels) on tables of at least KERNEL_MIN_ROWS rows once numba
# is loaded or the Embedding has answered a ranking query before (a one-shot CLI query does not pay the
# numba import); "always" / "never" force the choice (benchmarks, tests).
ACCELERATE = "auto"
KERNEL_MIN_ROWS = 20_000


def as_list(items: WordOrVector | Sequence[WordOrVector] | None) -> list:
    """A single word (or vector) becomes a one-element list; ``None`` an empty one."""
    if items is None:
        return []
    if isinstance(items, (str, np.ndarray)):
        return [items]
    return list(items)


def refuse_cancelling(positive: Any, negative: Any) -> None:
    """One-line ``InputError`` when a word is both positive and negative: the query would be v − v = 0, and every
    score 0 (a ranking of nothing)."""
    words = [{w for w in as_list(side) if isinstance(w, str)} for side in (positive, negative)]
    both = sorted(words[0] & words[1])
    if both:
        raise InputError(f"{', '.join(both[:3])} is both a positive and a negative word: the two cancel out and "
                         "leave no query; drop it from one side")


def top_k(scores: np.ndarray, k: int, exclude: Iterable[int] = ()) -> list[int]:
    """Indices of the ``k`` largest ``scores`` (descending), skipping the rows in ``exclude``.

    ``np.argpartition`` selects ``k + len(exclude)`` candidates, only those are sorted; NaN scores sort last.
    """
    exclude = set(int(i) for i in exclude)
    n = scores.shape[0]
    want = min(n, k + len(exclude))
    if want <= 0:
        return []
    if want < n:
        part = np.argpartition(scores, n - want)[n - want:]
    else:
        part = np.arange(n)
    # stable order: higher score first, then lower row (more frequent word) first
    order = part[np.lexsort((part, -scores[part]))]
    return [int(i) for i in order if int(i) not in exclude][:k]


def ranked(emb: WordVectors, scores: np.ndarray, topn: int, exclude: Iterable[int] = (),
           offset: int = 0) -> list[tuple[str, float]]:
    """``(word, score)`` pairs of the ``topn`` best rows; ``offset`` maps a slice back to vocabulary rows."""
    words = emb.words
    shifted = [i - offset for i in exclude]
    return [(words[i + offset], float(scores[i])) for i in top_k(scores, topn, shifted)]


def _use_kernel(emb: WordVectors, rows: int) -> bool:
    if ACCELERATE == "never":
        return False
    if ACCELERATE != "always":
        state = derived(emb)
        seen = state.ranked_queries
        state.ranked_queries = seen + 1
        if rows < KERNEL_MIN_ROWS or (seen == 0 and "numba" not in sys.modules):
            return False
    from wordvec.io.atomic import sigint_held

    try:
        with sigint_held():  # a Ctrl-C inside numba's import would surface as an ImportError
            import wordvec.query._kernels  # noqa: F401
    except ImportError:  # pragma: no cover - numba missing
        return False
    return True


def _codes(emb: WordVectors, source: str) -> tuple[np.ndarray, np.ndarray]:
    """The int8 copy (codes, row scales) of the unit (``source="unit"``) or raw table, built once."""
    from wordvec.query._kernels import quantize_rows

    return derived(emb).codes(source, quantize_rows)


def rank_dot(
    emb: WordVectors,
    table: np.ndarray,
    query: np.ndarray,
    topn: int,
    exclude: Iterable[int] = (),
    scale: np.ndarray | None = None,
    bias: np.ndarray | None = None,
    source: str | None = None,
) -> list[tuple[str, float]]:
    """The ``topn`` best rows by ``(table[i]·query)·scale[i] + bias[i]`` as ``(word, score)``, ``exclude`` left out.

    ``table`` is a prefix of the vocabulary's rows (all of them, or a ``restrict_vocab`` prefix) of the
    unit table (``source="unit"``) or the raw one (``"raw"``). One BLAS mat-vec + ``np.argpartition``, or on
    large tables the numba kernel, screening an int8 copy of the table first when ``source`` is given
    (exact: same results up to float rounding; see ``ACCELERATE`` and ``wordvec.query._kernels``).
    """
    exclude = [int(i) for i in exclude]
    query = np.asarray(query, dtype=table.dtype)
    n = table.shape[0]
    if _use_kernel(emb, n):
        from wordvec.query._kernels import top_k_dot, top_k_dot_screened

        empty = np.zeros(0, dtype=np.float64)
        k = min(n, topn + len(set(exclude)))
        scale64 = empty if scale is None else np.asarray(scale, np.float64)
        bias64 = empty if bias is None else np.asarray(bias, np.float64)
        table = np.ascontiguousarray(table)
        query = np.ascontiguousarray(query)
        if source is not None:
            codes, row_scale = _codes(emb, source)
            idx, val = top_k_dot_screened(codes[:n], row_scale[:n], table, query, scale64, bias64, k)
        else:
            idx, val = top_k_dot(table, query, scale64, bias64, k)
        words, skip = emb.words, set(exclude)
        return [(words[int(i)], float(v)) for i, v in zip(idx, val) if int(i) not in skip][:topn]
    scores = table @ query
    if scale is not None:
        scores = scores * scale
    if bias is not None:
        scores = scores + bias
    return ranked(emb, scores, topn, exclude)


def _resolve(emb: WordVectors, items: Sequence[WordOrVector], unit: bool) -> tuple[list[np.ndarray], list[int]]:
    """Vectors (unit rows when ``unit``) of words or given vectors, and the rows of the words."""
    vectors, rows = [], []
    table = emb.unit_vectors if unit else emb.vectors
    for item in items:
        if isinstance(item, np.ndarray):
            vec = np.asarray(item, dtype=np.float64)
            if vec.shape != (emb.shape[1],):
                raise InputError(f"a query vector must have shape ({emb.shape[1]},), not {vec.shape}")
            vectors.append(vec)
        else:
            row = emb.index(item)
            rows.append(row)
            vectors.append(np.asarray(table[row], dtype=np.float64))
    return vectors, rows


def _query_vectors(emb: WordVectors, positive: Any, negative: Any, what: str):
    """Unit vectors and rows of the ``positive`` and ``negative`` inputs of ``what`` (most_similar needs any
    input, most_similar_cosmul a positive one); one-line ``InputError`` otherwise."""
    positive, negative = as_list(positive), as_list(negative)
    if what == "most_similar_cosmul" and not positive:
        raise InputError("most_similar_cosmul needs at least one positive word")
    if not positive and not negative:
        raise InputError(f"{what} needs at least one word")
    pos, pos_rows = _resolve(emb, positive, unit=True)
    neg, neg_rows = _resolve(emb, negative, unit=True)
    return pos, pos_rows, neg, neg_rows


def _clip(emb: WordVectors, restrict_vocab: int | None) -> int:
    n = len(emb)
    return n if not restrict_vocab else max(0, min(int(restrict_vocab), n))


def most_similar(
    emb: WordVectors,
    positive: WordOrVector | Sequence[WordOrVector] = (),
    negative: WordOrVector | Sequence[WordOrVector] = (),
    topn: int = 10,
    restrict_vocab: int | None = None,
) -> list[tuple[str, float]]:
    """Cosine neighbours of the mean of the unit vectors of ``positive`` minus ``negative`` (gensim semantics).

    Parameters: ``positive``/``negative`` a word, a vector or a list of them; ``topn`` how many results
    (default 10); ``restrict_vocab`` only rank the first N (most frequent) words. Input words are excluded.
    """
    pos, pos_rows, neg, neg_rows = _query_vectors(emb, positive, negative, "most_similar")
    # SPEC c.2.1: weighted mean of unit vectors (+1 / -1), then unit length
    mean = (np.sum(pos, axis=0) if pos else 0) - (np.sum(neg, axis=0) if neg else 0)
    mean = np.asarray(mean) / (len(pos) + len(neg))
    norm = np.linalg.norm(mean)
    if norm > 0:
        mean = mean / norm
    clip = _clip(emb, restrict_vocab)
    return rank_dot(emb, emb.unit_vectors[:clip], mean, topn, pos_rows + neg_rows, source="unit")


def most_similar_cosmul(
    emb: WordVectors,
    positive: WordOrVector | Sequence[WordOrVector] = (),
    negative: WordOrVector | Sequence[WordOrVector] = (),
    topn: int = 10,
    restrict_vocab: int | None = None,
) -> list[tuple[str, float]]:
    """3CosMul (Levy & Goldberg 2014, eq. 4 with cosines shifted to [0, 1]), as gensim's ``most_similar_cosmul``.

    Score ``Π_pos (1+cos)/2 / (Π_neg (1+cos)/2 + 1e-6)``; input words excluded; arguments as ``most_similar``.
    """
    pos, pos_rows, neg, neg_rows = _query_vectors(emb, positive, negative, "most_similar_cosmul")
    clip = _clip(emb, restrict_vocab)
    unit = emb.unit_vectors[:clip]
    dtype = unit.dtype

    def shifted(vec: np.ndarray) -> np.ndarray:
        n = np.linalg.norm(vec)
        return (1 + unit @ (vec / (n if n > 0 else 1)).astype(dtype)) / 2

    num = np.prod([shifted(v) for v in pos], axis=0)
    den = np.prod([shifted(v) for v in neg], axis=0) if neg else np.ones(clip, dtype)
    scores = num / (den + 0.000001)
    return ranked(emb, scores, topn, pos_rows + neg_rows)


def similarity(emb: WordVectors, a: str, b: str) -> float:
    """Cosine similarity of two words (SPEC c.2.1)."""
    unit = emb.unit_vectors
    return float(np.dot(unit[emb.index(a)].astype(np.float64), unit[emb.index(b)].astype(np.float64)))


def analogy(
    emb: WordVectors,
    a: str,
    b: str,
    c: str | None = None,
    topn: int = 10,
    method: str = "add",
    exclude_inputs: bool = True,
) -> list[tuple[str, float]]:
    """Words ``x`` with ``x − b ≈ a − c``, i.e. "c is to a as b is to x" (SPEC c.5).

    ``method="add"``: cosine with ``q = v_a + v_b − v_c`` (raw vectors, as the reference code; ``c=None``
    gives ``v_a + v_b``). ``method="mul"``: 3CosMul with positives ``a, b`` and negative ``c``.
    ``exclude_inputs`` (default True) drops a, b, c from the result; the reference code keeps them.
    """
    if method not in ("add", "mul"):
        raise InputError(f"unknown analogy method {method!r}: use 'add' or 'mul'")
    rows = [emb.index(a), emb.index(b)] + ([emb.index(c)] if c is not None else [])
    excluded = rows if exclude_inputs else []
    if method == "mul":
        negative = [c] if c is not None else []
        positive = [a, b]
        pos, _ = _resolve(emb, positive, unit=True)
        neg, _ = _resolve(emb, negative, unit=True)
        unit = emb.unit_vectors
        num = np.prod([(1 + unit @ v.astype(unit.dtype)) / 2 for v in pos], axis=0)
        den = np.prod([(1 + unit @ v.astype(unit.dtype)) / 2 for v in neg], axis=0) if neg else 1.0
        return ranked(emb, num / (den + 0.000001), topn, excluded)
    vec = emb.vectors
    # SPEC c.5: q = v_A + v_B − v_C, normalised, against unit rows
    q = vec[rows[0]].astype(np.float64) + vec[rows[1]].astype(np.float64)
    if c is not None:
        q = q - vec[rows[2]].astype(np.float64)
    norm = np.linalg.norm(q)
    if norm > 0:
        q = q / norm
    return rank_dot(emb, emb.unit_vectors, q, topn, excluded, source="unit")


__all__ = ["most_similar", "most_similar_cosmul", "similarity", "analogy", "top_k", "ranked", "rank_dot", "as_list"]
