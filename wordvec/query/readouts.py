"""Spectral readouts of similarity: cosine after reweighting the principal directions of the table (issue 12).

The PMI model factorises symmetrically, ``⟨v_i, v_j⟩ ≈ PMI(i, j)``, so its table is ``V ≈ U Σ^{1/2}`` with
``U Σ Uᵀ`` the (low-rank) PMI matrix. Cosine on ``V`` weights each direction by ``Σ^{1/2}``: the few large
directions, which carry topic and frequency, dominate. Levy, Goldberg & Dagan (2015) found eigenvalue weights
``U Σ^p`` with p = 0 or 0.5 better than p = 1 for similarity; Mu & Viswanath (2018) remove the mean and the top
principal components ("all-but-the-top"). A ``SpectralReadout`` does both from the table alone:

    T = (V − μ) W diag(λ^{p − 1/2}),   the columns of the ``remove`` largest λ set to 0,

with ``λ, W`` the eigenvalues/vectors of the covariance of the (centred) first ``rows`` rows. ``p = 0.5`` with
no centring and ``remove = 0`` is plain cosine; ``p = 0`` whitens (``T`` has identity covariance). The
similarity of two words is the cosine of their rows of ``T``; ``SpectralReadout.unit`` holds those unit rows.

The named readouts of ``similar --method`` / ``most_similar(method=…)`` / ``evaluate --similarity`` are in
``wordvec.query.methods``; this module only computes tables.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from wordvec.errors import InputError


@dataclass(frozen=True)
class ReadoutSettings:
    """Parameters of a spectral readout.

    ``power`` p of the eigenvalue weight (0.5: as trained, 0: whitened); ``remove`` how many top principal
    directions to drop (0); ``centre`` subtract the mean row first (True); ``rows`` estimate the mean and
    covariance from the first (most frequent) N rows (None: all rows).
    """

    power: float = 0.5
    remove: int = 0
    centre: bool = True
    rows: int | None = None

    def check(self, dim: int) -> None:
        """Raise a one-line ``InputError`` for settings that cannot apply to a ``dim``-dimensional table."""
        if not np.isfinite(self.power) or not -1.0 <= self.power <= 2.0:
            raise InputError(f"readout power must be between -1 and 2, not {self.power}")
        if not 0 <= int(self.remove) < dim:
            raise InputError(f"readout remove must be between 0 and {dim - 1} for {dim}-d vectors, not {self.remove}")
        if self.rows is not None and int(self.rows) < 2:
            raise InputError(f"readout rows must be at least 2, not {self.rows}")


def unit_rows_into(table: np.ndarray, out: np.ndarray, scale: float = 1.0) -> np.ndarray:
    """Write ``scale ×`` the unit rows of ``table`` into ``out`` (in ``out``'s dtype; a zero row stays zero)
    and return the mask of zero rows."""
    table = np.asarray(table)
    norms = np.sqrt(np.einsum("ij,ij->i", table, table, dtype=np.float64))
    zero = norms == 0
    norms[zero] = np.inf
    np.multiply(table, (scale / norms).astype(out.dtype)[:, None], out=out)
    return zero


class SpectralReadout:
    """The transform of ``ReadoutSettings`` fitted to ``vectors`` (V×d, frequency order).

    ``mean`` (d), ``matrix`` (d×d) with ``T = (V − mean) @ matrix``; ``unit`` the unit rows of ``T`` in the
    table's float dtype (float32 for float32 tables); a row of ``T`` that is 0 stays 0.
    """

    def __init__(self, vectors: np.ndarray, settings: ReadoutSettings = ReadoutSettings()):
        vectors = np.asarray(vectors)
        if vectors.ndim != 2 or vectors.shape[0] < 2:
            raise InputError("a spectral readout needs a table of at least two vectors")
        dim = vectors.shape[1]
        settings.check(dim)
        self.settings = settings
        n = vectors.shape[0] if settings.rows is None else min(int(settings.rows), vectors.shape[0])
        # float32 tables are centred and multiplied in float32 (mean accumulated in float64): no V×d float64 copy
        work = np.float32 if vectors.dtype == np.float32 else np.float64
        sample = np.asarray(vectors[:n], dtype=work)
        self.mean = sample.mean(axis=0, dtype=np.float64) if settings.centre else np.zeros(dim)
        centred = sample - self.mean.astype(work)
        cov = (centred.T @ centred).astype(np.float64) / n
        eigval, eigvec = np.linalg.eigh(cov)
        order = np.argsort(eigval)[::-1]
        eigval, eigvec = np.maximum(eigval[order], 0.0), eigvec[:, order]
        floor = max(float(eigval[0]), 1e-300) * 1e-10  # directions with (almost) no variance stay bounded
        weights = np.maximum(eigval, floor) ** (float(settings.power) - 0.5)
        weights[: int(settings.remove)] = 0.0
        self.eigenvalues = eigval
        self.matrix = eigvec * weights  # W diag(λ^{p−½}); columns in decreasing λ
        self._vectors = vectors
        self._unit: np.ndarray | None = None

    @property
    def unit(self) -> np.ndarray:
        """The unit rows of ``T`` (computed on first use, then kept)."""
        if self._unit is None:
            vectors = self._vectors
            dtype = vectors.dtype if vectors.dtype in (np.float32, np.float64) else np.dtype(np.float64)
            self._unit = np.empty(vectors.shape, dtype=dtype)
            self.unit_rows_into(self._unit)
        return self._unit

    def transform(self, vectors: np.ndarray) -> np.ndarray:
        """``(vectors − mean) @ matrix`` in float64 (one vector or a table)."""
        return (np.asarray(vectors, dtype=np.float64) - self.mean) @ self.matrix

    def unit_rows_into(self, out: np.ndarray, scale: float = 1.0, block: int = 65536) -> np.ndarray:
        """Write ``scale ×`` the unit rows of ``T`` into ``out`` (V×d, float32 or float64, computed in its
        dtype: float32 arithmetic is 3× faster) and return the mask of rows that are 0."""
        vectors, dtype = self._vectors, out.dtype
        mean, matrix = self.mean.astype(dtype), self.matrix.astype(dtype)
        zero = np.zeros(vectors.shape[0], dtype=bool)
        for start in range(0, vectors.shape[0], block):
            t = (np.asarray(vectors[start:start + block], dtype=dtype) - mean) @ matrix
            zero[start:start + block] = unit_rows_into(t, out[start:start + block], scale)
        return zero

    def unit_vector(self, vector: np.ndarray) -> np.ndarray:
        """The unit transformed vector of one raw vector (float64; 0 stays 0)."""
        t = self.transform(vector)
        norm = float(np.linalg.norm(t))
        return t / norm if norm > 0 else t


__all__ = ["ReadoutSettings", "SpectralReadout", "unit_rows_into"]
