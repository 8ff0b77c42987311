"""The memory plan of a count (``make_plan``): how a budget is split between dense blocks, event buffers,
in-memory runs, token chunks and merge blocks, each capped at what the corpus needs.

The budget bounds what grows with the corpus and the vocabulary. The event buffers and merge blocks also have
a floor (``MIN_BUFFER_EVENTS``, ``MIN_BLOCK_ENTRIES``: about 0.5 MB in all), because below it the per-batch
overhead dominates: ``--window 50 --memory 64K`` took 36 s where an unbounded count took 1 s (issue 19,
class 8); with the floors it takes about as long as the unbounded count. A budget under the floors is thus
exceeded by at most that much, which is small beside the interpreter itself (about 150 MB with numpy and numba).
"""
from __future__ import annotations

import math
import os
from dataclasses import dataclass
from typing import Any

import numpy as np

from wordvec.errors import InputError, ResourceError

from . import _kernels as K

DEFAULT_MEMORY = 2 << 30
MIN_MEMORY = 1 << 16
PARALLEL_MIN_EVENTS = 1 << 15  # smaller per-thread buffers count with one thread
DENSE_FRACTION = 0.35  # share of the budget for the dense blocks (tests vary it)
MIN_BUFFER_EVENTS = 1 << 13  # per-thread event buffer floor (4 arrays of 8 bytes: 256 KB); tests may lower it
MIN_BLOCK_ENTRIES = 1 << 13  # merge/compaction block floor (16 bytes an entry: 128 KB); tests may lower it


def default_threads() -> int:
    """All cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - non-Linux
        return max(1, os.cpu_count() or 1)


def weight_table(window: int, distance_weighting: bool) -> tuple[int, np.ndarray]:
    """``(scale, weights)``: the integer weight of distance d is ``weights[d]``; X = sum / scale (SPEC a.3)."""
    if not distance_weighting:
        return 1, np.ones(window + 1, np.int64)
    scale = math.lcm(*range(1, window + 1)) if window <= 20 else 1 << 32  # exact 1/d up to window 20
    weights = np.array([0] + [round(scale / d) for d in range(1, window + 1)], np.int64)
    return scale, weights


def dense_layout(vocab_size: int, entries: int) -> tuple[int, np.ndarray, np.ndarray, int]:
    """Largest product bound P whose dense block ``{a <= b: (a+1)(b+1) <= P}`` has at most ``entries`` cells.

    Returns ``(rows, doff, dcut, total)``: row a covers columns [a, dcut[a]) at ``doff[a]``.
    """
    def layout(p: int):
        n = min(vocab_size, math.isqrt(max(p, 0)))
        a = np.arange(n, dtype=np.int64)
        cut = np.minimum(vocab_size, p // (a + 1))
        rows = int(np.count_nonzero(cut > a))
        cut = cut[:rows]
        doff = np.zeros(rows + 1, np.int64)
        doff[1:] = np.cumsum(cut - a[:rows])
        return rows, doff, cut, int(doff[-1])

    lo, hi = 0, vocab_size * vocab_size
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if layout(mid)[3] <= entries:
            lo = mid
        else:
            hi = mid - 1
    return layout(lo)


@dataclass
class Plan:
    """How a count is laid out in memory (see ``make_plan``)."""

    vocab_size: int
    window: int
    scale: int
    weights: np.ndarray
    dbits: int
    bits: int
    threads: int
    chunk_tokens: int
    buf_events: int
    rows: int
    doff: np.ndarray
    dcut: np.ndarray
    dense_entries: int
    dense_dtype: Any
    run_bytes: int
    block_entries: int
    budget: int


def make_plan(vocab_size: int, n_tokens: int, window: int, distance_weighting: bool, memory: int | None,
              threads: int | None) -> Plan:
    """Split the memory budget (bytes, default 2 GiB): 35% dense blocks (one per thread), 15% event buffers,
    8% in-memory runs before they spill to shards, 8% token chunks; the final merge's row blocks use 55%
    (buffers, chunks and runs are freed by then), each capped at what the corpus needs (``n_tokens·window``
    events), so a large budget on a small corpus allocates little. Budgets too small for 32k-event buffers per
    thread count with one thread. Event buffers and merge blocks have a floor (``MIN_BUFFER_EVENTS``,
    ``MIN_BLOCK_ENTRIES``; module docstring), so budgets under about 1 MB are exceeded by that much."""
    budget = DEFAULT_MEMORY if memory is None else int(memory)
    if budget < MIN_MEMORY:
        raise InputError(f"memory budget {budget} bytes is too small: give at least {MIN_MEMORY // 1024}K")
    threads = max(1, int(threads or default_threads()))
    if int(budget * 0.15) // (threads * 32) < PARALLEL_MIN_EVENTS:
        threads = 1  # tiny buffers: waking threads for each small batch costs more than it saves
    scale, weights = weight_table(window, distance_weighting)
    dbits = (window.bit_length()) if distance_weighting else 0
    bits = 2 * K.col_bits(vocab_size) + dbits
    if bits > 64:
        raise ResourceError(f"vocabulary of {vocab_size} words is too large to count: lower max_vocab",
                            params=("max_vocab",))
    if n_tokens * window * 2 * scale >= 2 ** 63:
        raise ResourceError("corpus too large for exact distance-weighted counts: count it in parts and merge")
    itemsize = 4 if n_tokens * window < 2 ** 32 - 1 and not distance_weighting else 8
    dense_budget = int(budget * DENSE_FRACTION) // (threads * itemsize)
    rows, doff, dcut, entries = dense_layout(vocab_size, dense_budget)
    # buffers are sized from min(budget, need): a corpus makes at most n_tokens·window pair events (issue 19:
    # --memory 1T on a small corpus allocated terabyte buffers and failed with "out of memory")
    events_needed = max(1, n_tokens) * window + window + 1
    buf_events = max(window + 1, min(max(int(budget * 0.15) // (threads * 32), MIN_BUFFER_EVENTS), events_needed))
    chunk_tokens = max(window + 1, min(1 << 22, int(budget * 0.08) // 12))  # <= 4M: progress granularity
    run_bytes = int(budget * 0.08)
    block_entries = max(256, min(max(int(budget * 0.55) // 64, MIN_BLOCK_ENTRIES), 2 * events_needed))
    return Plan(vocab_size, window, scale, weights, dbits, bits, threads, chunk_tokens, buf_events, rows, doff,
                dcut, entries, np.uint32 if itemsize == 4 else np.uint64, run_bytes, block_entries, budget)


__all__ = ["Plan", "make_plan", "weight_table", "dense_layout", "default_threads", "DEFAULT_MEMORY", "MIN_MEMORY",
           "PARALLEL_MIN_EVENTS", "DENSE_FRACTION", "MIN_BUFFER_EVENTS", "MIN_BLOCK_ENTRIES"]
