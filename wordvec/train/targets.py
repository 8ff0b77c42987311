"""PMI training records: which pairs are trained, their PMI targets (SPEC a.4) and weights (SPEC b.2).

A record is an observed pair ``(i, j)`` with ``i != j`` and its count ``x = X_ij``. The diagonal is never a
record (SPEC a.4 "self-pairs"). ``Z`` is the sum of the off-diagonal counts (both orders), ``T`` the token
total, and ``P(w) = #w / T`` comes from the unigram counts (DECISIONS 1), not from the marginals of ``X``.

Options for the quality work (all explicit, all keeping ``target = log P(i,j) / (P(i) P(j))``):
``cds`` smooths the unigram distribution as ``P_a(w) ∝ #w^a`` on both sides of the pair (Levy et al. 2015,
"context distribution smoothing", symmetrised), ``cds=1`` is the seed's estimate. ``prior_count`` β > 0 estimates
the same PMI with a pseudo-count on both sides, ``log((x + β) / (E + β))`` with ``E = Z·P(i)·P(j)`` the count
expected under independence: a pair seen often keeps its PMI, a pair seen once among rare words (E ≪ 1, where
``log x/E`` is mostly noise) is pulled towards 0. β = 0 is the plain estimate.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp


@dataclass
class Records:
    """Training records as parallel arrays (one entry per record).

    ``rows``/``cols`` (int32 word ids), ``x`` (float64 counts), ``target`` (PMI), ``weight`` (λ). ``z`` and
    ``total`` are the Z and T used for the targets.
    """

    rows: np.ndarray
    cols: np.ndarray
    x: np.ndarray
    target: np.ndarray
    weight: np.ndarray
    z: float
    total: float

    def __len__(self) -> int:
        return int(self.rows.shape[0])

    def permute(self, order: np.ndarray) -> "Records":
        """The same records in the order ``order`` (used for the once-only shuffle, SPEC a.3)."""
        return Records(
            self.rows[order], self.cols[order], self.x[order], self.target[order], self.weight[order], self.z, self.total
        )


def _matrix_of(counts: Any) -> sp.csr_matrix:
    matrix = counts.matrix if hasattr(counts, "matrix") else counts
    if not sp.issparse(matrix):
        raise TypeError("counts must be a Cooccurrence-like object with a scipy.sparse .matrix")
    return sp.csr_matrix(matrix)


def off_diagonal_total(matrix: sp.spmatrix) -> float:
    """Z = the sum of the off-diagonal counts, both orders (SPEC a.4)."""
    matrix = sp.csr_matrix(matrix)
    return float(matrix.sum() - matrix.diagonal().sum())


def pair_records(matrix: sp.spmatrix, both: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The observed off-diagonal pairs of a symmetric count matrix as ``(rows, cols, x)``.

    ``both=False`` (default): each unordered pair once, from the upper triangle (``i < j``), in row-major order.
    ``both=True``: both orientations ``(i, j)`` and ``(j, i)``, as the seed's symmetric record file (SPEC b.2).
    Explicit zeros are dropped.
    """
    matrix = sp.csr_matrix(matrix)
    coo = matrix.tocoo() if both else sp.triu(matrix, k=1, format="coo")
    keep = (coo.row != coo.col) & (coo.data > 0)
    rows = coo.row[keep].astype(np.int32)
    cols = coo.col[keep].astype(np.int32)
    x = coo.data[keep].astype(np.float64)
    order = np.lexsort((cols, rows))
    return rows[order], cols[order], x[order]


def log_unigram(counts: np.ndarray, total: float | None = None, cds: float = 1.0) -> np.ndarray:
    """``log P(w)`` per word: ``log(#w / T)`` for ``cds=1`` (SPEC a.4), else ``log(#w^cds / Σ #w^cds)``."""
    c = np.asarray(counts, dtype=np.float64)
    if np.any(c <= 0):
        raise ValueError("unigram counts must be positive")
    if cds == 1.0:
        t = float(total) if total is not None else float(c.sum())
        return np.log(c) - np.log(t)
    powered = cds * np.log(c)
    return powered - (np.log(np.exp(powered - powered.max()).sum()) + powered.max())


def pmi_targets(
    rows: np.ndarray,
    cols: np.ndarray,
    x: np.ndarray,
    counts: np.ndarray,
    z: float,
    total: float | None = None,
    cds: float = 1.0,
    prior_count: float = 0.0,
) -> np.ndarray:
    """PMI targets ``log x − log Z − log P(i) − log P(j)`` (SPEC a.4; with ``cds=1`` this is
    ``log x − log Z − log #i − log #j + 2 log T``). ``counts`` are the unigram counts in id order, ``total`` is T
    (default: their sum), ``cds`` the context-smoothing exponent applied to both words (default 1: none),
    ``prior_count`` β the pseudo-count of the smoothed estimate ``log((x + β) / (E + β))`` (default 0: none)."""
    logp = log_unigram(counts, total, cds)
    if prior_count > 0:  # log((x + β) / (E + β)), E = Z·P(i)·P(j): the plain estimate for x, E ≫ β
        expected = np.exp(np.log(z) + logp[rows] + logp[cols])
        return np.log(np.asarray(x, dtype=np.float64) + prior_count) - np.log(expected + prior_count)
    return np.log(x) - np.log(z) - logp[rows] - logp[cols]  # SPEC a.4


def pair_weights(x: np.ndarray, x_max: float = 100.0, alpha: float = 0.75, truncate: bool = False) -> np.ndarray:
    """λ = (x / x_max)^α, capped at 1 when ``truncate`` (SPEC b.2; default untruncated, DECISIONS 3)."""
    w = np.power(np.asarray(x, dtype=np.float64) / x_max, alpha)  # SPEC b.2
    if truncate:
        np.minimum(w, 1.0, out=w)
    return w


def build_records(
    counts: Any,
    both: bool = False,
    x_max: float = 100.0,
    alpha: float = 0.75,
    truncate: bool = False,
    cds: float = 1.0,
    prior_count: float = 0.0,
) -> Records:
    """All training records of a ``Cooccurrence``-like object (``.matrix``, ``.vocab``, ``.total_tokens``).

    ``both`` trains both orientations of each pair (the seed) instead of each unordered pair once; ``x_max``,
    ``alpha``, ``truncate`` define the weights (SPEC b.2); ``cds`` smooths P(w) (1 = the seed's estimate);
    ``prior_count`` β > 0 trains on log((x + β) / (E + β)).
    """
    matrix = _matrix_of(counts)
    unigram = np.asarray(counts.vocab.counts, dtype=np.float64)
    if matrix.shape != (len(unigram), len(unigram)):
        raise ValueError(f"count matrix {matrix.shape} does not match a vocabulary of {len(unigram)} words")
    total = float(getattr(counts, "total_tokens", None) or unigram.sum())
    z = getattr(counts, "z", None)
    z = float(z) if z else off_diagonal_total(matrix)
    rows, cols, x = pair_records(matrix, both=both)
    target = pmi_targets(rows, cols, x, unigram, z, total, cds=cds, prior_count=float(prior_count))
    weight = pair_weights(x, x_max, alpha, truncate)
    return Records(rows, cols, x, target, weight, z, total)


__all__ = ["Records", "pair_records", "off_diagonal_total", "log_unigram", "pmi_targets", "pair_weights", "build_records"]
