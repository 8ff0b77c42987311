"""The independence prior of the PMI trainer: every pair of distinct words, observed or not, is pulled towards
⟨v_i, v_j⟩ = 0, the PMI of two independent words (an option of ``PMIEmbedding``, ``independence_weight``).

The fit of SPEC b.2 sees only observed pairs. A word seen a few hundred times has a few hundred of them, most
seen once, so its 128 coordinates are barely constrained, and observed pairs are biased towards positive PMI
(a pair of rare words is observed only when it happened to co-occur). The prior adds, for all V(V−1)/2 pairs,

    ½ · w0 · Σ_{i<j} ⟨v_i, v_j⟩²  =  ¼ · w0 · (‖C‖_F² − Σ_i ‖v_i‖⁴),      C = Σ_j v_j v_jᵀ (d×d),

a pseudo-observation of independence with weight w0 per pair (w0 ≪ λ(x=1), so an observed pair's own PMI
dominates its term). Its gradient for v_i is w0·(C v_i − ‖v_i‖² v_i), so the whole term costs O(V·d²) per
epoch instead of O(V²·d): the Gram-matrix trick of implicit-feedback matrix factorisation (Hu, Koren & Volinsky
2008, "Collaborative Filtering for Implicit Feedback Datasets"). The diagonal is left out, as SPEC a.4 leaves
self-pairs out of the records, so ‖v_w‖² (the self-PMI reading of the norms) is not pulled to 0.

The trainer applies it ``PRIOR_STEPS_PER_EPOCH`` (4) times per epoch, after each quarter of the AdaGrad pass over
the records, with w0/4 each, as an implicit (proximal) step with a per-word step size η / √(mean_k G_ik), the
word's AdaGrad scale: the C part is solved exactly through
the eigendecomposition of C, so the step is stable for any w0; the small self term is taken explicitly.
"""
from __future__ import annotations

import numpy as np

_BLOCK = 65536  # rows per block: the float64 work arrays stay at _BLOCK × d


def gram(vectors: np.ndarray) -> np.ndarray:
    """C = Σ_w v_w v_wᵀ (d×d, float64), accumulated over row blocks."""
    dim = vectors.shape[1]
    out = np.zeros((dim, dim), dtype=np.float64)
    for start in range(0, vectors.shape[0], _BLOCK):
        block = np.asarray(vectors[start:start + _BLOCK], dtype=np.float64)
        out += block.T @ block
    return out


def independence_loss(vectors: np.ndarray, weight: float) -> float:
    """½ · weight · Σ_{i<j} ⟨v_i, v_j⟩² over all pairs of distinct words, in O(V·d²)."""
    c = gram(vectors)
    fourth = 0.0
    for start in range(0, vectors.shape[0], _BLOCK):
        block = np.asarray(vectors[start:start + _BLOCK], dtype=np.float64)
        sq = np.einsum("ij,ij->i", block, block)
        fourth += float(np.sum(sq * sq))
    return 0.25 * float(weight) * (float(np.sum(c * c)) - fourth)


def independence_step(vectors: np.ndarray, accum: np.ndarray, weight: float, lr: float) -> None:
    """One implicit step on the prior, in place: v_i ← (I + s_i C)⁻¹ (v_i + s_i ‖v_i‖² v_i).

    ``vectors``/``accum``: the trainer's ``V×d`` tables (AdaGrad accumulators are read, not changed);
    ``weight``: w0; ``lr``: AdaGrad η. s_i = η · w0 / √(mean_k accum_ik). ``C`` is taken from the vectors
    before the step (a Jacobi step: every word sees the same C).
    """
    if weight <= 0:
        return
    c = gram(vectors)
    if not np.isfinite(c).all():
        return  # diverged vectors: left as they are for the trainer's NaN/Inf check (SPEC b.3)
    eigval, eigvec = np.linalg.eigh(c)
    eigval = np.maximum(eigval, 0.0)  # C is positive semi-definite; clip round-off
    work = vectors.dtype if vectors.dtype == np.float32 else np.float64  # float32 tables: float32 products
    basis = eigvec.astype(work)
    with np.errstate(over="ignore", invalid="ignore"):  # vectors about to diverge: the trainer's check reports it
        _implicit_blocks(vectors, accum, weight, lr, eigval, basis, work)


def _implicit_blocks(vectors, accum, weight, lr, eigval, basis, work) -> None:
    """The step of ``independence_step`` for each block of rows, with C = basis·diag(eigval)·basisᵀ."""
    for start in range(0, vectors.shape[0], _BLOCK):
        block = np.asarray(vectors[start:start + _BLOCK], dtype=work)
        scale = np.asarray(accum[start:start + _BLOCK], dtype=np.float64).mean(axis=1)
        s = float(lr) * float(weight) / np.sqrt(scale + 1e-8)
        self_term = 1.0 + s * np.einsum("ij,ij->i", block, block, dtype=np.float64)  # explicit
        projected = (block * self_term[:, None].astype(work)) @ basis
        projected /= (1.0 + s[:, None] * eigval[None, :]).astype(work)
        vectors[start:start + _BLOCK] = projected @ basis.T


__all__ = ["gram", "independence_loss", "independence_step"]
