"""What the queries derive from a table of vectors, computed once per table and kept in one place.

``derived(emb)`` returns the ``Derived`` object of any ``WordVectors`` (an ``Embedding`` among them),
creating it on first use. Each quantity is a named, lazily computed attribute: ``log_p`` (log P(w),
DECISIONS 1), ``pmi_offsets`` (the cds correction of ``wordvec.query.relatedness``), ``norms``, the int8
screening copies, the profile transform of the last N used, the similarity readouts (``wordvec.query.methods``)
and the scorer picked for the model kind.
"""
from __future__ import annotations

from functools import cached_property
from typing import Any, Callable

import numpy as np

from wordvec.errors import WordvecError
from wordvec.io.vectors import WordVectors


class Derived:
    """Lazily computed quantities of one table (see the module docstring). ``emb``: the ``WordVectors``."""

    def __init__(self, emb: WordVectors):
        self.emb = emb
        self.ranked_queries = 0  # ranking queries answered so far (wordvec.query.similarity decides on numba)
        self.scorer: Any = None  # set once by wordvec.query.scorers.scorer_for
        self._alpha_bias: tuple[float, np.ndarray] | None = None
        self._codes: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._profile: tuple[int, Any] | None = None
        self._readouts: dict[str, Any] = {}

    @cached_property
    def log_p(self) -> np.ndarray:
        """``log P(w) = log(#w / T)`` for every row (DECISIONS 1), float32; a count of 0 is taken as 0.5.

        Raises a one-line error when the model carries no counts (e.g. vectors loaded from a text file).
        """
        counts = np.asarray(self.emb.counts, dtype=np.float64)
        if counts.size == 0 or not np.any(counts > 0):
            raise WordvecError(
                "this model has no word counts, which the α-variant and predict need; "
                "use a model trained by wordvec (or leave alpha out)"
            )
        total = float(self.emb.total_tokens or counts.sum())
        # a zero count (a word added by hand) would give -inf and NaN scores; half a count keeps it finite
        return (np.log(np.maximum(counts, 0.5)) - np.log(total)).astype(np.float32)

    @cached_property
    def pmi_offsets(self) -> np.ndarray | None:
        """``δ_w = log(#w/T) − log(#w^c / Σ_u #u^c)`` for a PMI model trained with ``cds = c ≠ 1``, else ``None``.

        Then ``PMI(i, j) ≈ ⟨v_i, v_j⟩ − δ_i − δ_j`` (``wordvec.query.relatedness``).
        """
        emb = self.emb
        cds = emb.meta.get("cds")
        counts = np.asarray(emb.counts, dtype=np.float64)
        if emb.kind != "pmi" or cds is None or float(cds) == 1.0 or not counts.size or not np.all(counts > 0):
            return None
        c = float(cds)
        log_c = np.log(counts)
        powered = c * log_c
        log_norm = np.log(np.exp(powered - powered.max()).sum()) + powered.max()
        total = float(emb.total_tokens or counts.sum())
        return (log_c - np.log(total)) - (powered - log_norm)  # log P(w) − log P_c(w)

    @cached_property
    def norms(self) -> np.ndarray:
        """``‖v_w‖`` for every row (float64)."""
        vectors = self.emb.vectors
        return np.sqrt(np.einsum("ij,ij->i", vectors, vectors, dtype=np.float64))

    def alpha_bias(self, alpha: float) -> np.ndarray:
        """``(1 − α) log P(y)`` for every row (float64; SPEC c.1.2), kept for the last α used."""
        if self._alpha_bias is None or self._alpha_bias[0] != alpha:
            self._alpha_bias = (alpha, (1.0 - alpha) * self.log_p.astype(np.float64))
        return self._alpha_bias[1]

    def codes(self, source: str, build: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]):
        """The int8 copy ``(codes, row scales)`` of the unit (``source="unit"``) or raw table, built once
        with ``build`` (``wordvec.query._kernels.quantize_rows``)."""
        if source not in self._codes:
            table = self.emb.unit_vectors if source == "unit" else self.emb.vectors
            self._codes[source] = build(np.asarray(table))
        return self._codes[source]

    @property
    def profile_transform(self) -> Any:
        """The profile transform built last (``None`` before the first profile query)."""
        return None if self._profile is None else self._profile[1]

    def profile(self, n: int, build: Callable[[np.ndarray, int], Any]) -> Any:
        """The profile transform for N = ``n`` context words, built with ``build(vectors, n)``; one N at a
        time, like the reference code (C is small, but the row norms are V floats)."""
        if self._profile is None or self._profile[0] != n:
            self._profile = (n, build(self.emb.vectors, n))
        return self._profile[1]


    def readout(self, name: str, build: Callable[[], Any]) -> Any:
        """The similarity readout (table or transform) called ``name``, built once with ``build()``
        (``wordvec.query.methods``)."""
        if name not in self._readouts:
            self._readouts[name] = build()
        return self._readouts[name]


def derived(emb: WordVectors) -> Derived:
    """The ``Derived`` object of ``emb``, created on first use."""
    state = emb.__dict__.get("_derived")
    if state is None:
        state = emb.__dict__["_derived"] = Derived(emb)
    return state


__all__ = ["Derived", "derived"]
