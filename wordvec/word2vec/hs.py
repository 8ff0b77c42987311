"""Exact queries on a skip-gram + hierarchical-softmax word2vec model (SPEC c.1.3, c.3.1, c.7, c.8).

A ``kind="w2v"`` ``Embedding`` keeps, besides its input vectors, the extras ``syn1`` ((V−1)×d inner-node
weights), ``hs_points`` / ``hs_codes`` (V×Lmax padded Huffman paths) and ``hs_lengths`` (V).

Direction. ``log p(o|i)`` here is the probability of the Huffman path of the *output* word ``o`` computed from
the *input* vector of ``i``: ``Σ_t log σ((1 − 2c_t)·x_i·θ_{p_t})`` (SPEC c.7). gensim's skip-gram trains the
centre word's path from each context word's input vector, so with symmetric windows ``p(o|i)`` reads "the
probability that ``o`` occurs near ``i``" (dynamic windows and subsampling bias it; not corrected). The
model is normalised: ``Σ_o p(o|i) = 1`` exactly, for every ``i``.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from wordvec.word2vec._kernels import log_prob_matrix
from wordvec.errors import CorruptFileError, InputError

HS_EXTRAS = ("syn1", "hs_points", "hs_codes", "hs_lengths")


def hs_arrays(emb) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(syn1, points, codes, lengths)`` of a w2v ``Embedding``; ``InputError`` if the model has none.

    The arrays are checked once per ``Embedding`` (shapes, ranges: the kernels do not bounds-check), a
    damaged model raises ``CorruptFileError``.
    """
    missing = [name for name in HS_EXTRAS if name not in emb.extras]
    if missing:
        raise InputError(
            f"this {emb.kind!r} model has no hierarchical-softmax weights ({', '.join(missing)} missing): "
            "train with method w2v or import a gensim model saved with hs=1", params=("method",)
        )
    arrays = emb.extras["syn1"], emb.extras["hs_points"], emb.extras["hs_codes"], emb.extras["hs_lengths"]
    if getattr(emb, "_hs_checked", None) is not arrays[0]:
        _validate(emb, *arrays)
        emb._hs_checked = arrays[0]
    return arrays


def _validate(emb, syn1, points, codes, lengths) -> None:
    V, d = emb.shape
    problem = None
    if syn1.ndim != 2 or syn1.shape != (V - 1, d) or syn1.dtype.kind != "f":
        problem = f"syn1 has shape {syn1.shape}, expected {(V - 1, d)}"
    elif points.ndim != 2 or points.shape[0] != V or codes.shape != points.shape or lengths.shape != (V,):
        problem = f"Huffman arrays have shapes {points.shape}, {codes.shape}, {lengths.shape} for {V} words"
    elif points.dtype.kind not in "iu" or codes.dtype.kind not in "iub" or lengths.dtype.kind not in "iu":
        problem = "Huffman arrays are not integer arrays"
    elif V > 1 and (lengths.min() < 1 or lengths.max() > points.shape[1]):
        problem = "Huffman path lengths are out of range"
    elif points.size and (points.min() < 0 or points.max() >= max(V - 1, 1) or codes.max() > 1):
        problem = "Huffman points or codes are out of range"
    if problem:
        raise CorruptFileError(f"damaged word2vec model: {problem}; re-train or re-import it")


def _check_id(emb, word_id: int) -> int:
    word_id = int(word_id)
    if not 0 <= word_id < len(emb):
        raise InputError(f"word id {word_id} is outside the vocabulary (0..{len(emb) - 1})")
    return word_id


def hs_log_prob_all(emb, word_id: int) -> np.ndarray:
    """``log p(o|i)`` for every vocabulary word ``o`` (float64, length V), with ``i = word_id`` (SPEC c.7).

    One activation per inner node (``h = syn1·x_i``, float64 accumulation) and its two log-sigmoids, then
    a gather-add along every path (numba, one thread: faster than BLAS + threads on a shared machine).
    """
    syn1, points, codes, lengths = hs_arrays(emb)
    x = np.asarray(emb.vectors[_check_id(emb, word_id)])[None, :]
    return log_prob_matrix(x, syn1, None, points, codes, lengths)[0]  # SPEC c.7: h = syn1·x, path sums


def _log_counts(emb, alpha: float) -> np.ndarray:
    """``α·log #y`` per word (−inf terms become +inf so that unseen words rank last); 0 when α = 0."""
    if alpha == 0:
        return np.zeros(len(emb))
    counts = np.asarray(emb.counts, dtype=np.float64)
    if not (counts > 0).any():
        raise InputError("this model has no word counts, so alpha must be 0: use alpha 0", params=("alpha",))
    with np.errstate(divide="ignore"):
        return alpha * np.where(counts > 0, np.log(np.maximum(counts, 1)), np.inf)


def hs_related(emb, word_id: int, alpha: float = 0.9) -> np.ndarray:
    """Relatedness ``log p(y|x) − α·log #y`` for every word ``y`` (float64, length V) (SPEC c.1.3).

    ``alpha``: 0.9 by default (1 gives the PMI up to a constant; 0 gives the plain ``log p(y|x)``). The
    query word is not excluded. Words with count 0 (only in imported models without counts) get −inf
    when ``alpha > 0``.
    """
    alpha = float(alpha)
    if not np.isfinite(alpha):
        raise InputError(f"alpha must be a finite number, got {alpha}", params=("alpha",))
    log_prob = hs_log_prob_all(emb, word_id)
    penalty = _log_counts(emb, alpha)
    if alpha > 0:
        return np.where(np.isinf(penalty), -np.inf, log_prob - penalty)
    return log_prob - penalty


def _in_vocab_ids(emb, token_ids: Sequence[int]) -> np.ndarray:
    ids = np.asarray(list(token_ids) if not isinstance(token_ids, np.ndarray) else token_ids, dtype=np.int64)
    return ids[(ids >= 0) & (ids < len(emb))]


def hs_keywords(
    emb, token_ids: Sequence[int], include_self: bool = True, unique: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """Keywords of a text: ``score(w) = Σ_{u∈s} log p(u|w)`` per distinct in-vocab word ``w`` (SPEC c.3.1).

    ``token_ids``: the text as vocabulary ids in order (ids outside ``0..V−1``, e.g. −1 for unknown
    words, are dropped first). By default (DECISIONS 6) the sum runs over all tokens with repetitions and
    including ``u = w``; ``include_self=False`` drops the ``u = w`` terms, ``unique=True`` counts every word
    once. Returns ``(candidate_ids, scores)`` sorted by score descending (ties: first occurrence first).
    One activation per candidate, restricted to the union of the sentence words' path nodes (SPEC c.7).
    """
    syn1, points, codes, lengths = hs_arrays(emb)
    ids = _in_vocab_ids(emb, token_ids)
    if ids.size == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
    cands, first, mult = np.unique(ids, return_index=True, return_counts=True)
    order = np.argsort(first, kind="stable")
    cands, mult = cands[order], mult[order].astype(np.float64)
    if unique:
        mult = np.ones_like(mult)
    # union of the path nodes of the sentence words, and the paths re-indexed into it
    sub_lengths = np.asarray(lengths[cands], dtype=np.int32)
    sub_points = np.asarray(points[cands])
    lmax = int(sub_lengths.max()) if sub_lengths.size else 0
    sub_points = sub_points[:, : max(lmax, 1)]
    sub_codes = np.asarray(codes[cands])[:, : max(lmax, 1)]
    valid = np.arange(sub_points.shape[1])[None, :] < sub_lengths[:, None]
    nodes = np.unique(sub_points[valid])
    local = np.searchsorted(nodes, sub_points).astype(np.int32)
    local[~valid] = 0
    # logp[r, k] = log p(cand_k | cand_r), activations only for the path nodes of the sentence words
    logp = log_prob_matrix(np.asarray(emb.vectors[cands]), syn1, nodes, local, sub_codes, sub_lengths)
    if not include_self:
        np.fill_diagonal(logp, 0.0)
    scores = logp @ mult
    rank = np.argsort(-scores, kind="stable")
    return cands[rank], scores[rank]


def hs_predict(emb, context_ids: Sequence[int], topn: int = 10) -> tuple[np.ndarray, np.ndarray]:
    """Words most likely among the given context words: ``Σ_i log p(w|c_i) − (n−1)·log p(w)`` (SPEC c.8).

    ``p(w|c)`` is the path of ``w`` from the input vector of ``c``, which is exactly the direction gensim's
    skip-gram trains (centre word from context word). ``p(w) = #w/T``. ``context_ids``: vocabulary ids
    (others dropped); ``topn``: how many to return (0: all). Returns ``(ids, scores)`` best first; context
    words themselves are not excluded.
    """
    syn1, points, codes, lengths = hs_arrays(emb)
    ids = _in_vocab_ids(emb, context_ids)
    if ids.size == 0:
        raise InputError("no context word is in the vocabulary; give at least one known word")
    scores = log_prob_matrix(np.asarray(emb.vectors[ids]), syn1, None, points, codes, lengths).sum(axis=0)
    if ids.size > 1:
        counts = np.asarray(emb.counts, dtype=np.float64)
        if not (counts > 0).any():
            raise InputError("this model has no word counts, so several context words cannot be combined")
        with np.errstate(divide="ignore"):
            log_p = np.where(counts > 0, np.log(np.maximum(counts, 1)) - np.log(counts.sum()), np.inf)
        scores = np.where(np.isinf(log_p), -np.inf, scores - (ids.size - 1) * log_p)
    topn = len(scores) if not topn or topn <= 0 else min(int(topn), len(scores))
    best = np.argpartition(-scores, topn - 1)[:topn] if topn < len(scores) else np.arange(len(scores))
    best = best[np.argsort(-scores[best], kind="stable")]
    return best, scores[best]


__all__ = ["hs_arrays", "hs_log_prob_all", "hs_related", "hs_keywords", "hs_predict", "HS_EXTRAS"]
