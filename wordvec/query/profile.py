"""Profile similarity of the PMI model: Pearson correlation of PMI profiles over the top-N words (SPEC c.2.3).

The similarity of ``w_i`` and ``w_j`` is the correlation, over the N most frequent context words ``k``, of
``(⟨v_i,v_k⟩)_k`` and ``(⟨v_j,v_k⟩)_k``. With ``V_c`` the centred top-N rows and ``C = V_cᵀV_c`` (d×d),

    sim(i, j) = v_i C v_jᵀ / (√(v_i C v_iᵀ) √(v_j C v_jᵀ))          (DECISIONS 5: no factorisation)

so N < d works too. ``ProfileTransform`` holds ``C`` and the row norms ``√diag(E C Eᵀ)`` for one N; the
``Embedding`` caches one per N. A word whose profile is constant (norm 0) has similarity 0 to everything.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from wordvec.errors import InputError, WordvecError

if TYPE_CHECKING:  # pragma: no cover
    from wordvec.query.embedding import Embedding

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
        self._inv = np.zeros(self.row_norms.shape, dtype=np.float64)  # 1/‖v‖_C, 0 for a constant profile
        self._inv[positive] = 1.0 / self.row_norms[positive].astype(np.float64)

    def scores(self, vectors: np.ndarray, query: np.ndarray) -> np.ndarray:
        """Profile similarity of the vector ``query`` to every row of ``vectors`` (one mat-vec)."""
        cq = self.scatter @ np.asarray(query, dtype=np.float64)
        qnorm = float(np.sqrt(max(float(np.dot(query, cq)), 0.0)))
        if qnorm == 0:
            return np.zeros(vectors.shape[0], dtype=self.dtype)
        out = np.asarray(vectors) @ (cq / qnorm).astype(self.dtype)
        return out * self._inv[: vectors.shape[0]].astype(self.dtype)

    def pair(self, a: np.ndarray, b: np.ndarray) -> float:
        """Profile similarity of two vectors, in float64."""
        a = np.asarray(a, np.float64)
        b = np.asarray(b, np.float64)
        ca, cb = self.scatter @ a, self.scatter @ b
        den = np.sqrt(max(float(a @ ca), 0.0)) * np.sqrt(max(float(b @ cb), 0.0))
        return float(a @ cb / den) if den > 0 else 0.0


def require_pmi(emb: "Embedding", what: str) -> None:
    """Raise a one-line error when ``emb`` is a word2vec model (``what`` names the query)."""
    if emb.kind == "w2v":
        raise WordvecError(
            f"{what} needs a PMI model (this is a word2vec model, whose vectors are not PMI); "
            "use cosine similarity ('similar --method cosine') instead"
        )


def transform_for(emb: "Embedding", context_words: int = DEFAULT_CONTEXT_WORDS) -> ProfileTransform:
    """The cached ``ProfileTransform`` of ``emb`` for N = ``context_words`` (clipped to the vocabulary)."""
    require_pmi(emb, "profile similarity")
    if context_words is None or int(context_words) < 1:
        raise InputError(f"context_words must be a positive number of words, not {context_words!r}")
    n = min(int(context_words), len(emb))
    cache = emb._profile_cache
    if n not in cache:
        cache.clear()  # one N at a time, like the reference code: C is small but the row norms are V floats
        cache[n] = ProfileTransform(emb.vectors, n)
    return cache[n]


def profile_similarity(emb: "Embedding", a: str, b: str, context_words: int = DEFAULT_CONTEXT_WORDS) -> float:
    """Pearson correlation of the PMI profiles of ``a`` and ``b`` over the top ``context_words`` words."""
    transform = transform_for(emb, context_words)
    return transform.pair(emb.vectors[emb.index(a)], emb.vectors[emb.index(b)])


__all__ = ["ProfileTransform", "profile_similarity", "transform_for", "require_pmi", "DEFAULT_CONTEXT_WORDS"]
