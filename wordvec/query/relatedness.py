"""Relatedness (相关), PMI estimates and norms (SPEC c.1, c.6; DECISIONS 7).

``most_related`` ranks by raw PMI ``⟨v_x,v_y⟩`` by default, by cosine with ``normalize=True``, or by the
α-variant ``⟨v_x,v_y⟩ + (1−α) log P(y)`` (needs stored counts). The query word itself is **excluded** by
default for every model kind (its self-PMI is an extrapolation, SPEC a.4, and it is never news to the
user); ``include_self=True`` keeps it, which reproduces the blog's word2vec lists (SPEC c.1.3).
Context smoothing [derived]: a PMI model trained with ``cds = c ≠ 1`` (``meta["cds"]``; the trainer's
``P_c(w) ∝ #w^c`` on both sides of the target) fits ``⟨v_i,v_j⟩ ≈ PMI(i,j) + δ_i + δ_j`` with
``δ_w = log P(w) − log P_c(w)``. Every PMI-valued query (``pmi``, raw ``most_related``, keywords, predict,
raw sentence PMI) subtracts these offsets so that it returns the PMI estimate of SPEC a.4; cosine queries
and ``norms`` use the vectors as they are. For ``cds = 1`` (the seed) the offsets are zero.
Word2vec (hierarchical softmax) models are scored exactly by ``wordvec.word2vec.bridge.hs_related`` with
``log p(y|x) − α log #y``; their default α is 0.9, the blog's "slightly below 1" (SPEC c.1.2/c.1.3).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from wordvec.errors import InputError, WordvecError
from wordvec.query.profile import require_pmi
from wordvec.query.similarity import rank_dot, ranked

if TYPE_CHECKING:  # pragma: no cover
    from wordvec.query.embedding import Embedding

W2V_DEFAULT_ALPHA = 0.9  # SPEC c.1.2: "a constant slightly below 1"


def log_probabilities(emb: "Embedding") -> np.ndarray:
    """``log P(w) = log(#w / T)`` for every row (DECISIONS 1), cached; a count of 0 is taken as 0.5.

    Raises a one-line error when the model carries no counts (e.g. vectors loaded from a text file).
    """
    cached = emb._cache.get("log_p")
    if cached is None:
        counts = np.asarray(emb.counts, dtype=np.float64)
        if counts.size == 0 or not np.any(counts > 0):
            raise WordvecError(
                "this model has no word counts, which the α-variant and predict need; "
                "use a model trained by wordvec (or drop --alpha)"
            )
        total = float(emb.total_tokens or counts.sum())
        # a zero count (a word added by hand) would give -inf and NaN scores; half a count keeps it finite
        cached = (np.log(np.maximum(counts, 0.5)) - np.log(total)).astype(np.float32)
        emb._cache["log_p"] = cached
    return cached


def pmi_offsets(emb: "Embedding") -> np.ndarray | None:
    """``δ_w = log(#w/T) − log(#w^c / Σ_u #u^c)`` for a PMI model trained with ``cds = c ≠ 1``, else ``None``.

    Then ``PMI(i, j) ≈ ⟨v_i, v_j⟩ − δ_i − δ_j`` (module docstring). Cached.
    """
    if "pmi_offsets" not in emb._cache:
        offsets = None
        cds = emb.meta.get("cds")
        counts = np.asarray(emb.counts, dtype=np.float64)
        if emb.kind == "pmi" and cds is not None and float(cds) != 1.0 and counts.size and np.all(counts > 0):
            c = float(cds)
            log_c = np.log(counts)
            powered = c * log_c
            log_norm = np.log(np.exp(powered - powered.max()).sum()) + powered.max()
            total = float(emb.total_tokens or counts.sum())
            offsets = (log_c - np.log(total)) - (powered - log_norm)  # log P(w) − log P_c(w)
        emb._cache["pmi_offsets"] = offsets
    return emb._cache["pmi_offsets"]


def _alpha_bias(emb: "Embedding", alpha: float) -> np.ndarray:
    """``(1 − α) log P(y)`` for every row (float64), cached for the last α used."""
    key = ("alpha_bias", alpha)
    cached = emb._cache.get("alpha_bias")
    if cached is None or cached[0] != key:
        cached = (key, (1.0 - alpha) * log_probabilities(emb).astype(np.float64))
        emb._cache["alpha_bias"] = cached
    return cached[1]


def _related_bias(emb: "Embedding", row: int, alpha: float | None) -> np.ndarray | None:
    """Per-row additive term of raw relatedness: ``−δ_x − δ_y`` (cds models) ``+ (1 − α) log P(y)`` (α given)."""
    offsets = pmi_offsets(emb)
    bias = None if alpha is None else _alpha_bias(emb, float(alpha))  # SPEC c.1.2
    if offsets is not None:
        bias = (0.0 if bias is None else bias) - offsets - offsets[row]
    return bias


def related_scores(emb: "Embedding", word: str, normalize: bool = False, alpha: float | None = None) -> np.ndarray:
    """Relatedness of ``word`` to every vocabulary word (see ``most_related``), as one float array."""
    row = emb.index(word)
    if emb.kind == "w2v":
        if normalize:
            raise InputError("normalize applies to PMI models; for word2vec use cosine 'similar' instead")
        from wordvec.word2vec.bridge import hs_related  # lazy: gensim/numba only when needed

        return np.asarray(hs_related(emb, row, W2V_DEFAULT_ALPHA if alpha is None else float(alpha)))
    if normalize:
        if alpha is not None:
            raise InputError("choose either normalize (cosine) or alpha, not both")
        unit = emb.unit_vectors
        return unit @ unit[row]  # SPEC c.1.1 eq. 30
    vec = emb.vectors
    scores = vec @ vec[row]  # SPEC c.1.1: PMI(x, y) ≈ ⟨v_x, v_y⟩
    bias = _related_bias(emb, row, alpha)
    return scores if bias is None else scores + bias


def most_related(
    emb: "Embedding",
    word: str,
    topn: int = 10,
    normalize: bool = False,
    alpha: float | None = None,
    include_self: bool = False,
) -> list[tuple[str, float]]:
    """The ``topn`` words most related to ``word`` (SPEC c.1; DECISIONS 7).

    Parameters: ``normalize`` rank by cosine instead of raw PMI (PMI models); ``alpha`` the α-variant
    (PMI: ``⟨v_x,v_y⟩ + (1−α) log P(y)``; word2vec: ``log p(y|x) − α log #y``, default 0.9 there);
    ``include_self`` keep the query word in the list (default False).
    """
    row = emb.index(word)
    exclude = [] if include_self else [row]
    if emb.kind != "w2v" and not (normalize and alpha is not None):
        # one fused pass: SPEC c.1.1 (raw or cosine) and c.1.2 (bias (1 − α) log P(y))
        table = emb.unit_vectors if normalize else emb.vectors
        bias = None if normalize else _related_bias(emb, row, alpha)
        return rank_dot(emb, table, table[row], topn, exclude, bias=bias, source="unit" if normalize else "raw")
    scores = related_scores(emb, word, normalize=normalize, alpha=alpha)
    return ranked(emb, scores, topn, exclude)


def pmi(emb: "Embedding", a: str, b: str) -> float:
    """The model's PMI estimate ``⟨v_a, v_b⟩`` (SPEC b.1; minus ``δ_a + δ_b`` for cds models; PMI models only)."""
    require_pmi(emb, "pmi")
    vec = emb.vectors
    i, j = emb.index(a), emb.index(b)
    value = float(np.dot(vec[i].astype(np.float64), vec[j].astype(np.float64)))
    offsets = pmi_offsets(emb)
    return value if offsets is None else value - float(offsets[i] + offsets[j])


def norm_array(emb: "Embedding") -> np.ndarray:
    """``‖v_w‖`` for every row, cached."""
    cached = emb._cache.get("norms")
    if cached is None:
        cached = np.sqrt(np.einsum("ij,ij->i", emb.vectors, emb.vectors, dtype=np.float64))
        emb._cache["norms"] = cached
    return cached


def norms(emb: "Embedding", topn: int | None = None, ascending: bool = True,
          corrected: bool = False) -> list[tuple[str, float]]:
    """Words with their vector norms ``‖v_w‖`` (SPEC c.6: ``‖v_w‖² ~ −log P(w)``, norm = importance).

    ``ascending`` (default) lists the smallest norms (stopwords, punctuation) first; ``topn=None`` all words.
    ``corrected``: for a model trained with ``cds ≠ 1`` use ``√max(0, ‖v_w‖² − 2δ_w)``, the square root of
    the self-PMI estimate, which is what SPEC c.6 reads as importance (equal to ``‖v_w‖`` when cds = 1).
    Ties keep vocabulary (frequency) order.
    """
    values = norm_array(emb)
    offsets = pmi_offsets(emb) if corrected else None
    if offsets is not None:
        values = np.sqrt(np.maximum(values**2 - 2 * offsets, 0.0))
    order = np.argsort(values if ascending else -values, kind="stable")
    if topn is not None:
        order = order[: max(0, int(topn))]
    words = emb.words
    return [(words[i], float(values[i])) for i in order]


def word_weight(emb: "Embedding", word: str) -> float:
    """Importance of ``word``: its vector norm ``‖v_w‖`` (SPEC c.6)."""
    return float(norm_array(emb)[emb.index(word)])


__all__ = ["pmi_offsets", "most_related", "related_scores", "pmi", "norms", "word_weight", "log_probabilities", "W2V_DEFAULT_ALPHA"]
