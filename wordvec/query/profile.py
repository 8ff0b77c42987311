"""Profile similarity of the PMI model: Pearson correlation of PMI profiles over the top-N words (SPEC c.2.3).

The similarity of ``w_i`` and ``w_j`` is the correlation, over the N most frequent context words ``k``, of
``(⟨v_i,v_k⟩)_k`` and ``(⟨v_j,v_k⟩)_k``. With ``V_c`` the centred top-N rows and ``C = V_cᵀV_c`` (d×d),

    sim(i, j) = v_i C v_jᵀ / (√(v_i C v_iᵀ) √(v_j C v_jᵀ))          (DECISIONS 5: no factorisation)

so N < d works too. ``ProfileTransform`` holds ``C`` and the row norms ``√diag(E C Eᵀ)`` for one N; the
``Derived`` state of a table keeps the one of the last N used. A word whose profile is constant (norm 0) has similarity 0 to everything.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from wordvec.errors import InputError
from wordvec.io.vectors import WordVectors
from wordvec.query.derived import derived
from wordvec.query.scorers import require_pmi
from wordvec.query.similarity import as_list, rank_dot, ranked

DEFAULT_CONTEXT_WORDS = 10_000  # DECISIONS 5


class ProfileTransform:
    """``C`` and the row norms for profile similarity over the first ``n_context`` rows of ``vectors``.

    Parameters: ``vectors`` the V×d table (frequency order); ``n_context`` the number N of context words
    (clipped to V). ``dtype`` of the work arrays: float64 (exact tests) or float32 (fast, the default for
    float32 tables).
    """

    def __init__(self, vectors: np.ndarray, n_context: int, dtype: np.dtype | None = None):
        if n_context < 1:
            raise InputError(f"context_words must be at least 1, not {n_context}")
        self.n_context = min(int(n_context), vectors.shape[0])
        self.dtype = np.dtype(dtype or (np.float64 if vectors.dtype == np.float64 else np.float32))
        ctx = np.asarray(vectors[: self.n_context], dtype=np.float64)
        centred = ctx - ctx.mean(axis=0)
        self.scatter = centred.T @ centred  # SPEC c.2.3: C = V_cᵀ V_c (d×d)
        table = np.asarray(vectors, dtype=self.dtype)
        projected = table @ self.scatter.astype(self.dtype)  # E C
        sq = np.einsum("ij,ij->i", projected, table, dtype=np.float64)
        self.row_norms = np.sqrt(np.maximum(sq, 0.0)).astype(self.dtype)  # √diag(E C Eᵀ)
        positive = self.row_norms > 0
        self.inverse_norms = np.zeros(self.row_norms.shape, dtype=np.float64)  # 1/‖v‖_C, 0 for a constant profile
        self.inverse_norms[positive] = 1.0 / self.row_norms[positive].astype(np.float64)

    def scores(self, vectors: np.ndarray, query: np.ndarray) -> np.ndarray:
        """Profile similarity of the vector ``query`` to every row of ``vectors`` (one mat-vec)."""
        cq = self.scatter @ np.asarray(query, dtype=np.float64)
        qnorm = float(np.sqrt(max(float(np.dot(query, cq)), 0.0)))
        if qnorm == 0:
            return np.zeros(vectors.shape[0], dtype=self.dtype)
        out = np.asarray(vectors) @ (cq / qnorm).astype(self.dtype)
        return out * self.inverse_norms[: vectors.shape[0]].astype(self.dtype)

    def pair(self, a: np.ndarray, b: np.ndarray) -> float:
        """Profile similarity of two vectors, in float64."""
        a = np.asarray(a, np.float64)
        b = np.asarray(b, np.float64)
        ca, cb = self.scatter @ a, self.scatter @ b
        den = np.sqrt(max(float(a @ ca), 0.0)) * np.sqrt(max(float(b @ cb), 0.0))
        return float(a @ cb / den) if den > 0 else 0.0


def transform_for(emb: WordVectors, context_words: int = DEFAULT_CONTEXT_WORDS) -> ProfileTransform:
    """The cached ``ProfileTransform`` of ``emb`` for N = ``context_words`` (clipped to the vocabulary)."""
    require_pmi(emb, "profile similarity")
    if context_words is None or int(context_words) < 1:
        raise InputError(f"context_words must be a positive number of words, not {context_words!r}")
    return derived(emb).profile(min(int(context_words), len(emb)), ProfileTransform)


def profile_similarity(emb: WordVectors, a: str, b: str, context_words: int = DEFAULT_CONTEXT_WORDS) -> float:
    """Pearson correlation of the PMI profiles of ``a`` and ``b`` over the top ``context_words`` words."""
    transform = transform_for(emb, context_words)
    return transform.pair(emb.vectors[emb.index(a)], emb.vectors[emb.index(b)])


def most_similar_profile(
    emb: WordVectors,
    positive: Any = (),
    negative: Any = (),
    topn: int = 10,
    restrict_vocab: int | None = None,
    context_words: int = DEFAULT_CONTEXT_WORDS,
) -> list[tuple[str, float]]:
    """Words whose PMI profiles correlate best with the query's (SPEC c.2.3), gensim ``most_similar`` style.

    ``positive``/``negative``: a word, a vector or a list of them; each is scaled to unit profile norm
    before they are added (``+``) or subtracted (``−``). ``restrict_vocab``: rank only the first N words;
    ``context_words``: N of the profiles (default 10,000, DECISIONS 5). Input words are excluded.
    """
    transform = transform_for(emb, context_words)
    pos, neg = as_list(positive), as_list(negative)
    if not pos and not neg:
        raise InputError("most_similar needs at least one word")
    query = np.zeros(emb.shape[1], dtype=np.float64)
    rows = []
    for sign, items in ((1.0, pos), (-1.0, neg)):
        for item in items:
            if isinstance(item, np.ndarray):
                vec = np.asarray(item, dtype=np.float64)
            else:
                rows.append(emb.index(item))
                vec = np.asarray(emb.vectors[rows[-1]], dtype=np.float64)
            cnorm = np.sqrt(max(float(vec @ transform.scatter @ vec), 0.0))
            query += sign * (vec / cnorm if cnorm > 0 else vec)
    clip = len(emb) if not restrict_vocab else max(0, min(int(restrict_vocab), len(emb)))
    cq = transform.scatter @ query  # SPEC c.2.3: v C q / (‖v‖_C ‖q‖_C), ‖v‖_C precomputed
    qnorm = float(np.sqrt(max(float(query @ cq), 0.0)))
    if qnorm == 0:
        return ranked(emb, np.zeros(clip), topn, rows)
    return rank_dot(emb, emb.vectors[:clip], cq / qnorm, topn, rows, scale=transform.inverse_norms[:clip],
                    source="raw")


__all__ = ["ProfileTransform", "profile_similarity", "most_similar_profile", "transform_for", "require_pmi",
           "DEFAULT_CONTEXT_WORDS"]
