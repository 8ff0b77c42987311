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
        from scipy.sparse.linalg import svds

        t0 = time.perf_counter()
        matrix = sp.csr_matrix(counts.matrix)
        n = matrix.shape[0]
        dim = int(self.dim)
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
        pmi = np.log(x) - np.log(z) - log_unigram(unigram, total)[rows] - log_unigram(unigram, cds=float(self.cds))[cols]
        keep = pmi > 0
        ppmi = sp.csr_matrix((pmi[keep], (rows[keep], cols[keep])), shape=(n, n))
        rng = np.random.default_rng(self.seed)
        v0 = rng.uniform(-1, 1, n)
        u, s, _ = svds(ppmi, k=dim, v0=v0)
        order = np.argsort(-s)
        u, s = u[:, order], s[order]
        vectors = (u * s ** float(self.eig)).astype(np.float32)
        energy = float(np.dot(ppmi.data, ppmi.data))
        self.singular_values_ = s
        self.residual_ = max(0.0, 1.0 - float(np.dot(s, s)) / energy) if energy > 0 else 0.0
        self.seconds_ = time.perf_counter() - t0
        meta = self.build_meta(counts, z=z, seconds=round(self.seconds_, 3))
        self.embedding_ = WordVectors(vectors, counts.vocab, meta)


__all__ = ["PPMISVD"]
