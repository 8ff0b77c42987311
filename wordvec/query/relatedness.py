"""Relatedness (相关), PMI estimates and norms (SPEC c.1, c.6; DECISIONS 7).

``most_related`` ranks by raw PMI ``⟨v_x,v_y⟩`` by default, by cosine with ``normalize=True``, or by the
α-variant ``PMI(x,y) + (1−α) log P(y)`` (needs stored counts; α = 1 is plain PMI). The query word itself is **excluded** by
default for every model kind (its self-PMI is an extrapolation, SPEC a.4, and it is never news to the
user); ``include_self=True`` keeps it, which reproduces the blog's word2vec lists (SPEC c.1.3).
Context smoothing [derived]: a PMI model trained with ``cds = c ≠ 1`` (``meta["cds"]``; the trainer's
``P_c(w) ∝ #w^c`` on both sides of the target) fits ``⟨v_i,v_j⟩ ≈ PMI(i,j) + δ_i + δ_j`` with
``δ_w = log P(w) − log P_c(w)``. Every PMI-valued query (``pmi``, the α-variant of ``most_related``,
keywords, predict, raw sentence PMI) subtracts these offsets so that it returns the PMI estimate of SPEC a.4.
The default ranking of ``most_related`` does not: it ranks by ``⟨v_x,v_y⟩`` itself, which for such a model
is the PMI with both words' probabilities smoothed, ``log p(x,y) − log P_c(x) − log P_c(y)``. Plain PMI
over-rates rare partners; the smoothed one ranks relatedness better on all three corpora of
``bench/similarity.py`` (issue 12, docs/similar.md), and ``alpha=1`` gives plain PMI. Cosine queries and
``norms`` use the vectors as they are. For ``cds = 1`` (the seed) the offsets are zero.
Word2vec (hierarchical softmax) models are scored exactly by ``wordvec.query.scorers.HSScorer`` with
``log p(y|x) − α log #y``; their default α is 0.9, the blog's "slightly below 1" (SPEC c.1.2/c.1.3).
"""
from __future__ import annotations

import math

import numpy as np

from wordvec.errors import InputError
from wordvec.io.vectors import WordVectors
from wordvec.query.derived import derived
from wordvec.query.scorers import W2V_DEFAULT_ALPHA, require_pmi, scorer_for


def log_probabilities(emb: WordVectors) -> np.ndarray:
    """``log P(w) = log(#w / T)`` for every row (DECISIONS 1); see ``Derived.log_p``."""
    return derived(emb).log_p


def pmi_offsets(emb: WordVectors) -> np.ndarray | None:
    """``δ_w = log(#w/T) − log(#w^c / Σ_u #u^c)`` for a PMI model trained with ``cds = c ≠ 1``, else ``None``.

    Then ``PMI(i, j) ≈ ⟨v_i, v_j⟩ − δ_i − δ_j`` (module docstring); see ``Derived.pmi_offsets``.
    """
    return derived(emb).pmi_offsets


ALPHA_LIMIT = 1000.0  # |α| beyond this only overflows the scores; the command line has the same bound


def check_alpha(alpha: float | None) -> float | None:
    """``alpha`` as a float, or a one-line ``InputError`` naming it when it is not a finite number within ±1000."""
    if alpha is None:
        return None
    try:
        value = float(alpha)
    except (TypeError, ValueError):
        raise InputError(f"alpha must be a number, not {alpha!r}", params=("alpha",)) from None
    if not math.isfinite(value) or abs(value) > ALPHA_LIMIT:
        raise InputError(f"alpha must be a finite number within ±{ALPHA_LIMIT:g}, got {alpha}", params=("alpha",))
    return value


def related_scores(emb: WordVectors, word: str, normalize: bool = False, alpha: float | None = None) -> np.ndarray:
    """Relatedness of ``word`` to every vocabulary word (see ``most_related``), as one float array."""
    return scorer_for(emb).related_scores(emb, emb.index(word), normalize, check_alpha(alpha))


def most_related(
    emb: WordVectors,
    word: str,
    topn: int = 10,
    normalize: bool = False,
    alpha: float | None = None,
    include_self: bool = False,
) -> list[tuple[str, float]]:
    """The ``topn`` words most related to ``word`` (SPEC c.1; DECISIONS 7).

    By default PMI models rank by ``⟨v_x,v_y⟩``, the context-smoothed PMI (module docstring).
    Parameters: ``normalize`` rank by cosine instead (PMI models); ``alpha`` the α-variant
    (PMI: ``PMI(x,y) + (1−α) log P(y)``, α = 1 plain PMI; word2vec: ``log p(y|x) − α log #y``, default 0.9 there);
    ``include_self`` keep the query word in the list (default False).
    """
    row = emb.index(word)
    exclude = [] if include_self else [row]
    return scorer_for(emb).most_related(emb, row, topn, normalize, check_alpha(alpha), exclude)


def pmi(emb: WordVectors, a: str, b: str) -> float:
    """The model's PMI estimate ``⟨v_a, v_b⟩`` (SPEC b.1; minus ``δ_a + δ_b`` for cds models; PMI models only)."""
    require_pmi(emb, "pmi")
    vec = emb.vectors
    i, j = emb.index(a), emb.index(b)
    value = float(np.dot(vec[i].astype(np.float64), vec[j].astype(np.float64)))
    offsets = pmi_offsets(emb)
    return value if offsets is None else value - float(offsets[i] + offsets[j])


def norm_array(emb: WordVectors) -> np.ndarray:
    """``‖v_w‖`` for every row (``Derived.norms``)."""
    return derived(emb).norms


def norms(emb: WordVectors, topn: int | None = None, ascending: bool = True,
          corrected: bool = True) -> list[tuple[str, float]]:
    """Words with their vector norms ``‖v_w‖`` (SPEC c.6: ``‖v_w‖² ~ −log P(w)``, norm = importance).

    ``ascending`` (default) lists the smallest norms (stopwords, punctuation) first; ``topn=None`` all words.
    ``corrected`` (default True): for a model trained with ``cds ≠ 1`` use ``√max(0, ‖v_w‖² − 2δ_w)``, the square
    root of the self-PMI estimate, which is what SPEC c.6 reads as importance (equal to ``‖v_w‖`` when cds = 1).
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


def word_weight(emb: WordVectors, word: str) -> float:
    """Importance of ``word``: its vector norm ``‖v_w‖`` (SPEC c.6)."""
    return float(norm_array(emb)[emb.index(word)])


__all__ = ["pmi_offsets", "most_related", "related_scores", "pmi", "norms", "word_weight", "log_probabilities", "W2V_DEFAULT_ALPHA"]
