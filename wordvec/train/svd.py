"""PPMI-SVD baseline (Levy, Goldberg & Dagan 2015): positive PMI with context smoothing, truncated SVD.

``M_ij = max(0, log X_ij − log Z − log P(i) − log P_cds(j))`` over the observed off-diagonal pairs, with
``P(w) = #w/T`` (DECISIONS 1) and ``P_cds(w) ∝ #w^cds`` for the context side; vectors are ``U · S^eig``
of the rank-``dim`` truncated SVD. Output: an ``Embedding`` with ``kind="svd"``.
"""
from __future__ import annotations

import time
from typing import Any

import numpy as np
import scipy.sparse as sp

from wordvec.io.vectors import WordVectors
from wordvec.errors import InputError
from wordvec.train.targets import log_unigram, off_diagonal_total, pair_records


class PPMISVD:
    """PPMI-SVD estimator (scikit-learn style).

    Parameters: ``dim`` [128]; ``cds`` [0.75] context smoothing exponent; ``eig`` [0.5] weight of the
    singular values (vectors = U S^eig); ``seed`` [None] for the solver's start vector.
    Learned: ``embedding_``, ``singular_values_``, ``seconds_``.
    """

    def __init__(self, dim: int = 128, cds: float = 0.75, eig: float = 0.5, seed: int | None = None):
        self.dim = dim
        self.cds = cds
        self.eig = eig
        self.seed = seed

    def get_params(self) -> dict[str, Any]:
        """The hyper-parameters as given."""
        return dict(dim=self.dim, cds=self.cds, eig=self.eig, seed=self.seed)

    def fit(self, counts: Any, callback: Any = None) -> "PPMISVD":
        """Factorise the PPMI matrix of a ``Cooccurrence``-like object; returns ``self``."""
        from scipy.sparse.linalg import svds

        t0 = time.perf_counter()
        matrix = sp.csr_matrix(counts.matrix)
        n = matrix.shape[0]
        dim = int(self.dim)
        if dim < 1 or dim >= n:
            raise InputError(f"dim must be between 1 and {n - 1} for a vocabulary of {n} words (got {dim})")
        unigram = np.asarray(counts.vocab.counts, dtype=np.float64)
        total = float(getattr(counts, "total_tokens", 0) or unigram.sum())
        z = off_diagonal_total(matrix)
        rows, cols, x = pair_records(matrix, both=True)
        if len(x) == 0:
            raise InputError("no co-occurring word pairs: use a larger corpus or a lower --min-count")
        pmi = np.log(x) - np.log(z) - log_unigram(unigram, total)[rows] - log_unigram(unigram, cds=float(self.cds))[cols]
        keep = pmi > 0
        ppmi = sp.csr_matrix((pmi[keep], (rows[keep], cols[keep])), shape=(n, n))
        rng = np.random.default_rng(self.seed)
        v0 = rng.uniform(-1, 1, n)
        u, s, _ = svds(ppmi, k=dim, v0=v0)
        order = np.argsort(-s)
        u, s = u[:, order], s[order]
        vectors = (u * s ** float(self.eig)).astype(np.float32)
        self.singular_values_ = s
        self.seconds_ = time.perf_counter() - t0
        src = dict(getattr(counts, "meta", None) or {})
        meta = dict(kind="svd", total_tokens=int(total), tokenizer=src.get("tokenizer"),
                    window=getattr(counts, "window", src.get("window")), min_count=src.get("min_count"),
                    **self.get_params(), z=z, seconds=round(self.seconds_, 3))
        self.embedding_ = WordVectors(vectors, counts.vocab, meta)
        return self


__all__ = ["PPMISVD"]
