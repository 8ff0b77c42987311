"""PPMI-SVD baseline (Levy, Goldberg & Dagan 2015): positive PMI with context smoothing, truncated SVD.

``M_ij = max(0, log X_ij − log Z − log P(i) − log P_cds(j))`` over the observed off-diagonal pairs, with
``P(w) = #w/T`` (DECISIONS 1) and ``P_cds(w) ∝ #w^cds`` for the context side; vectors are ``U · S^eig``
of the rank-``dim`` truncated SVD. Output: ``embedding_``, a ``WordVectors`` with ``kind="svd"``.
"""
from __future__ import annotations

import time
from typing import Any

import numpy as np
import scipy.sparse as sp

from wordvec.errors import InputError
from wordvec.io.vectors import WordVectors
from wordvec.train.base import Callback, Estimator, StageProgress, integer, number, seed_rule
from wordvec.train.targets import log_unigram, off_diagonal_total, pair_records


class PPMISVD(Estimator):
    """PPMI-SVD trainer (the estimator shape of ``wordvec.train.base``).

    Parameters: ``dim`` [128]; ``cds`` [0.75] context smoothing exponent; ``eig`` [0.5] weight of the
    singular values (vectors = U S^eig); ``seed`` [None] for the solver's start vector.
    Learned: ``embedding_``, ``singular_values_``, ``residual_`` (the share of the PPMI matrix's squared
    Frobenius norm the rank-``dim`` factorisation leaves unexplained), ``seconds_``, ``stage_seconds_``.
    """

    kind = "svd"
    _RULES = dict(dim=integer(1), cds=number(0, 1, low_open=True), eig=number(), seed=seed_rule)

    def __init__(self, dim: int = 128, cds: float = 0.75, eig: float = 0.5, seed: int | None = None):
        self.dim = dim
        self.cds = cds
        self.eig = eig
        self.seed = seed

    def fit(self, corpus: Any, callback: Callback | None = None, *, progress: StageProgress | None = None,
            **options: Any) -> "PPMISVD":
        """Factorise the PPMI matrix of ``corpus``; returns ``self``.

        ``corpus`` and ``options`` as ``PMITrainer.fit`` (counts, a ``wordvec count`` folder, or text with
        reading and counting options). ``callback(1, residual, seconds)`` is called once, after the
        factorisation; ``progress(stage, done, total)`` while tokenizing and counting.
        """
        self._begin()
        counts = self.read_counts(corpus, options, progress)
        t = time.perf_counter()
        self._factorise(counts)
        self.stage_seconds_["train"] = time.perf_counter() - t
        if callback is not None:
            callback(1, float(self.residual_), float(self.seconds_))
        return self

    def _factorise(self, counts: Any) -> None:
        t0 = time.perf_counter()
        vectors, self.singular_values_, self.residual_, z = ppmi_factors(
            counts, int(self.dim), float(self.cds), float(self.eig), self.seed)
        self.seconds_ = time.perf_counter() - t0
        meta = self.build_meta(counts, z=z, seconds=round(self.seconds_, 3))
        self.embedding_ = WordVectors(vectors, counts.vocab, meta)


def ppmi_factors(counts: Any, dim: int, cds: float = 0.75, eig: float = 0.5, seed: int | None = None,
                 solver: str = "arpack") -> tuple[np.ndarray, np.ndarray, float, float]:
    """The rank-``dim`` factorisation of the PPMI matrix of ``counts`` (a ``Cooccurrence``-like object).

    The matrix is ``M`` of the module docstring (context smoothing ``cds`` on the column word), factorised by
    a truncated SVD ``U S Vᵀ``; returns ``(U S^eig as float32, S, residual,
    Z)`` with ``residual`` the share of the matrix's squared Frobenius norm left unexplained and ``Z`` the
    off-diagonal total. ``seed`` fixes the solver's start vector. ``solver``: "arpack" (scipy's ``svds``, to
    solver precision) or "randomized" (``randomized_svd``: a few passes over the matrix, much faster on large
    vocabularies, leading directions to about 1e-3). Raises ``InputError`` for ``dim`` ≥ V or no pairs.
    """
    from scipy.sparse.linalg import svds

    matrix = sp.csr_matrix(counts.matrix)
    n = matrix.shape[0]
    if dim >= n:
        raise InputError(f"dim must be between 1 and {n - 1} for a vocabulary of {n} words (got {dim})",
                         params=("dim",))
    unigram = np.asarray(counts.vocab.counts, dtype=np.float64)
    total = float(getattr(counts, "total_tokens", 0) or unigram.sum())
    z = off_diagonal_total(matrix)
    rows, cols, x = pair_records(matrix, both=True)
    if len(x) == 0:
        raise InputError("no co-occurring word pairs: use a larger corpus or a lower min_count",
                         params=("min_count",))
    pmi = np.log(x) - np.log(z) - log_unigram(unigram, total)[rows] - log_unigram(unigram, cds=cds)[cols]
    keep = pmi > 0
    ppmi = sp.csr_matrix((pmi[keep], (rows[keep], cols[keep])), shape=(n, n))
    del pmi, keep, rows, cols, x
    if solver == "randomized":
        u, s = randomized_svd(ppmi, dim, seed=seed)
    else:
        v0 = np.random.default_rng(seed).uniform(-1, 1, n)
        u, s, _ = svds(ppmi, k=dim, v0=v0)
        order = np.argsort(-s)
        u, s = u[:, order], s[order]
    energy = float(np.dot(ppmi.data, ppmi.data))
    residual = max(0.0, 1.0 - float(np.dot(s, s)) / energy) if energy > 0 else 0.0
    return (u * s ** eig).astype(np.float32), s, residual, z


def _orthonormal(y: np.ndarray) -> np.ndarray:
    """An orthonormal basis of the columns of tall ``y`` by Cholesky QR, twice (CholeskyQR2: the second pass
    restores orthogonality to rounding); Householder QR when the Gram matrix is not positive definite.
    Several times faster than ``np.linalg.qr`` on a tall, thin float32 block."""
    q = np.asarray(y, dtype=np.float64)
    for _ in range(2):
        try:
            chol = np.linalg.cholesky(q.T @ q)
        except np.linalg.LinAlgError:
            return np.linalg.qr(q)[0].astype(np.float32)
        q = np.linalg.solve(chol, q.T).T  # q · L⁻ᵀ
    return q.astype(np.float32)


def randomized_svd(matrix: Any, k: int, oversample: int = 16, iterations: int = 3,
                   seed: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The top ``k`` left singular vectors and values of a sparse ``matrix`` by randomized subspace iteration
    (Halko, Martinsson & Tropp 2011, algorithms 4.4 and 5.1): a Gaussian start of ``k + oversample``
    columns, ``iterations`` power passes re-orthonormalised each time (``_orthonormal``), then an exact SVD
    of the small projected matrix. Each pass is two sparse-times-dense products in float32. Returns
    ``(U, S)``, S descending.
    """
    a = sp.csr_matrix(matrix, dtype=np.float32)
    at = a.T.tocsr()
    n_cols = a.shape[1]
    width = min(k + oversample, min(a.shape))
    rng = np.random.default_rng(seed)
    q = _orthonormal(a @ rng.standard_normal((n_cols, width), dtype=np.float32))
    for _ in range(iterations):
        q = _orthonormal(at @ q)
        q = _orthonormal(a @ q)
    small = np.asarray(at @ q, dtype=np.float64)  # Aᵀ Q, n_cols × width
    # the SVD of Qᵀ A = (Aᵀ Q)ᵀ from the eigenvectors of its width × width Gram matrix
    eigval, eigvec = np.linalg.eigh(small.T @ small)
    order = np.argsort(-eigval)[:k]
    s = np.sqrt(np.maximum(eigval[order], 0.0))
    u = q.astype(np.float64) @ eigvec[:, order]
    return u, s

__all__ = ["PPMISVD", "ppmi_factors", "randomized_svd"]
