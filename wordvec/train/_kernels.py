"""numba kernels of the PMI trainer: one AdaGrad epoch over the records (SPEC b.3, b.6).

The records are shuffled once by the caller; an epoch splits them into ``n_chunks`` contiguous slices, one
per thread, processed Hogwild (no locks) under ``prange``. With ``n_chunks=1`` the epoch is sequential and,
for a fixed input, bit-for-bit reproducible. Plain-Python twin: ``tests/test_train_kernels.py``.
"""
from __future__ import annotations

import numpy as np
import numba
from llvmlite import ir
from numba import njit, prange, types
from numba.core import cgutils
from numba.extending import intrinsic

# no "nnan"/"ninf" (the NaN/Inf guards of SPEC b.3 must stay) and no "arcp"/"afn" (exact sqrt and division);
# error_model="numpy" drops the zero-division branch so the per-coordinate loops vectorise (SIMD)
_FAST = {"nsz", "contract", "reassoc"}

# Records visit rows in random order, and the tables (2·V·d floats, 76 MB on zh_mixed) do not fit in cache: a
# record's time is mostly waiting for its four rows. Prefetching the rows of the record this many places ahead
# overlaps those waits (epoch 3.25 s → 2.41 s on zh_mixed, 2 threads; 8 and 16 ahead did no better).
PREFETCH_AHEAD = 4


@intrinsic
def prefetch_row(typingctx, table, row):  # pragma: no cover - compiled
    """Ask the CPU to load every cache line of row ``row`` of the C-contiguous 2-D ``table`` (no effect on
    results: LLVM's ``llvm.prefetch``, read, high locality, data cache)."""
    sig = types.void(table, row)

    def codegen(context, builder, signature, args):
        table_type, row_type = signature.args
        array = context.make_array(table_type)(context, builder, args[0])
        index = context.cast(builder, args[1], row_type, types.intp)
        zero = context.get_constant(types.intp, 0)
        start = cgutils.get_item_pointer(context, builder, table_type, array, [index, zero], wraparound=False)
        byte_ptr = ir.IntType(8).as_pointer()
        base = builder.bitcast(start, byte_ptr)
        i32 = ir.IntType(32)
        signature_ir = ir.FunctionType(ir.VoidType(), [byte_ptr, i32, i32, i32])
        prefetch = cgutils.get_or_insert_function(builder.module, signature_ir, "llvm.prefetch.p0i8")
        width = cgutils.unpack_tuple(builder, array.shape, 2)[1]
        row_bytes = builder.mul(width, context.get_constant(types.intp, table_type.dtype.bitwidth // 8))
        step = context.get_constant(types.intp, 64)  # a cache line
        with cgutils.for_range_slice(builder, zero, row_bytes, step) as (offset, _):
            builder.call(prefetch, [builder.gep(base, [offset]), i32(0), i32(3), i32(1)])
        return context.get_dummy_value()

    return sig, codegen


@njit(fastmath=_FAST, nogil=True, cache=True, error_model="numpy", inline="always")
def _adagrad_steps(delta, vi, vj, ai, aj, eta, eps, step_i, step_j):  # pragma: no cover - compiled
    """The AdaGrad steps of one pair (SPEC b.7, DECISIONS 2) into ``step_i``/``step_j``, accumulators updated;
    returns the sum of the steps (non-finite: the caller skips the pair)."""
    total = step_i.dtype.type(0.0)
    for k in range(vi.shape[0]):
        gi = delta * vj[k]  # gradients from the pre-update vectors
        gj = delta * vi[k]
        a1 = ai[k] + gi * gi  # accumulate g² first, G starts at 1
        a2 = aj[k] + gj * gj
        ai[k] = a1
        aj[k] = a2
        s1 = eta * gi / np.sqrt(a1 + eps)
        s2 = eta * gj / np.sqrt(a2 + eps)
        step_i[k] = s1
        step_j[k] = s2
        total += s1 + s2
    return total


@njit(fastmath=_FAST, nogil=True, cache=True, error_model="numpy")
def _sgd_slice(vectors, accum, rows, cols, target, weight, lr, start, stop):  # pragma: no cover - compiled
    d = vectors.shape[1]
    ft = vectors.dtype.type
    eta = ft(lr)
    eps = ft(1e-8)
    step_i = np.empty(d, dtype=vectors.dtype)
    step_j = np.empty(d, dtype=vectors.dtype)
    cost = 0.0
    skipped = 0
    for r in range(start, stop):
        if r + PREFETCH_AHEAD < stop:
            ahead = r + PREFETCH_AHEAD
            prefetch_row(vectors, rows[ahead])
            prefetch_row(vectors, cols[ahead])
            prefetch_row(accum, rows[ahead])
            prefetch_row(accum, cols[ahead])
        vi = vectors[rows[r]]
        vj = vectors[cols[r]]
        ai = accum[rows[r]]
        aj = accum[cols[r]]
        dot = ft(0.0)
        for k in range(d):
            dot += vi[k] * vj[k]
        e = dot - target[r]  # SPEC b.3
        delta = weight[r] * e
        if not (np.isfinite(e) and np.isfinite(delta)):
            skipped += 1
            continue
        cost += 0.5 * float(delta) * float(e)  # SPEC b.2: ½ λ e²
        total = _adagrad_steps(delta, vi, vj, ai, aj, eta, eps, step_i, step_j)
        if not np.isfinite(total):
            skipped += 1
            continue
        for k in range(d):
            vi[k] -= step_i[k]
            vj[k] -= step_j[k]
    return cost, skipped


@njit(parallel=True, nogil=True, cache=True)
def adagrad_epoch(vectors, accum, rows, cols, target, weight, lr, n_chunks):  # pragma: no cover - compiled
    """One epoch over all records; returns ``(cost, skipped)``: the summed cost Σ ½λe² (divide by the record
    count for SPEC b.2) and the number of records skipped by the NaN/Inf guards (SPEC b.3).

    ``vectors``/``accum``: ``V×d`` (same float dtype), updated in place. ``rows``/``cols``: int32 ids;
    ``target``/``weight``: per record. ``lr``: η. ``n_chunks``: contiguous slices processed in parallel.
    """
    n = rows.shape[0]
    costs = np.zeros(n_chunks, dtype=np.float64)
    skips = np.zeros(n_chunks, dtype=np.int64)
    for c in prange(n_chunks):
        start = (n * c) // n_chunks
        stop = (n * (c + 1)) // n_chunks
        cost, skipped = _sgd_slice(vectors, accum, rows, cols, target, weight, lr, start, stop)
        costs[c] = cost
        skips[c] = skipped
    return costs.sum(), skips.sum()


@njit(parallel=True, nogil=True, cache=True)
def pair_dots(vectors, rows, cols):  # pragma: no cover - compiled
    """⟨v_rows[r], v_cols[r]⟩ for every r, in float64."""
    n = rows.shape[0]
    out = np.empty(n, dtype=np.float64)
    d = vectors.shape[1]
    for r in prange(n):
        s = 0.0
        for k in range(d):
            s += vectors[rows[r], k] * vectors[cols[r], k]
        out[r] = s
    return out





@njit(nogil=True, cache=True)
def _xorshift(state):  # pragma: no cover - compiled
    """xorshift64*: returns (new state, 53-bit uniform in [0, 1))."""
    state ^= (state >> np.uint64(12))
    state ^= (state << np.uint64(25))
    state ^= (state >> np.uint64(27))
    out = state * np.uint64(2685821657736338717)
    return state, float(out >> np.uint64(11)) / 9007199254740992.0


@njit(nogil=True, cache=True)
def is_observed(indptr, indices, i, j):  # pragma: no cover - compiled
    """Whether column ``j`` is stored in CSR row ``i`` (indices sorted within rows)."""
    lo = indptr[i]
    hi = indptr[i + 1]
    while lo < hi:
        mid = (lo + hi) // 2
        if indices[mid] < j:
            lo = mid + 1
        else:
            hi = mid
    return lo < indptr[i + 1] and indices[lo] == j


@njit(fastmath=_FAST, nogil=True, cache=True, error_model="numpy")
def _negative_slice(vectors, accum, indptr, indices, cum, bound_i, bound_c, weight, lr, n, seed):  # pragma: no cover
    d = vectors.shape[1]
    ft = vectors.dtype.type
    eta = ft(lr)
    eps = ft(1e-8)
    step_i = np.empty(d, dtype=vectors.dtype)
    step_j = np.empty(d, dtype=vectors.dtype)
    state = np.uint64(seed) * np.uint64(6364136223846793005) + np.uint64(1442695040888963407)
    cost = 0.0
    for _ in range(n):
        state, u1 = _xorshift(state)
        state, u2 = _xorshift(state)
        i = np.searchsorted(cum, u1 * cum[-1], side="right")
        j = np.searchsorted(cum, u2 * cum[-1], side="right")
        if i == j or i >= vectors.shape[0] or j >= vectors.shape[0] or is_observed(indptr, indices, i, j):
            continue
        vi = vectors[i]
        vj = vectors[j]
        ai = accum[i]
        aj = accum[j]
        dot = ft(0.0)
        for k in range(d):
            dot += vi[k] * vj[k]
        e = dot - (bound_i[i] + bound_c[j])  # above the PMI a single count would give: push down
        if not e > 0:
            continue
        delta = ft(weight) * e
        cost += 0.5 * float(delta) * float(e)
        total = _adagrad_steps(delta, vi, vj, ai, aj, eta, eps, step_i, step_j)
        if not np.isfinite(total):
            continue
        for k in range(d):
            vi[k] -= step_i[k]
            vj[k] -= step_j[k]
    return cost


@njit(parallel=True, nogil=True, cache=True)
def negative_epoch(vectors, accum, indptr, indices, cum, bound_i, bound_c, weight, lr, n_samples, seed,
                   n_chunks):  # pragma: no cover - compiled
    """Swivel-style penalty for unobserved pairs (an option, DECISIONS 13): draw ``n_samples`` pairs
    (i, j) with i, j ∝ ``cum`` (cumulative sampling weights), skip observed ones (CSR ``indptr``/``indices``)
    and push ⟨v_i, v_j⟩ down to the bound ``bound_i[i] + bound_c[j]`` (the PMI of a single co-occurrence)
    with the squared hinge ½·weight·max(0, ⟨v_i,v_j⟩ − bound)², same AdaGrad step as ``adagrad_epoch``.
    Returns the summed penalty. Deterministic for ``n_chunks=1`` and a given ``seed``."""
    costs = np.zeros(n_chunks, dtype=np.float64)
    for c in prange(n_chunks):
        start = (n_samples * c) // n_chunks
        stop = (n_samples * (c + 1)) // n_chunks
        costs[c] = _negative_slice(vectors, accum, indptr, indices, cum, bound_i, bound_c, weight, lr,
                                   stop - start, seed * 1000003 + c)
    return costs.sum()
__all__ = ["adagrad_epoch", "pair_dots", "negative_epoch", "is_observed", "max_threads", "set_threads"]


def max_threads() -> int:
    """The most threads numba's parallel kernels can use (``NUMBA_NUM_THREADS``)."""
    return int(numba.config.NUMBA_NUM_THREADS)


def set_threads(threads: int) -> int:
    """Set the threads of numba's parallel kernels; returns the previous number."""
    previous = numba.get_num_threads()
    numba.set_num_threads(int(threads))
    return previous
