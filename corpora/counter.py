"""The counting engine behind ``count_cooccurrences`` (SPEC a.3): numba kernels, a memory budget, threads, shards.

How it works (GloVe-like). Ids of words outside the pruned vocabulary are dropped line by line (they never
occupy a window position). Each event (two tokens at distance d ≤ window on one line) is an unordered pair
``a <= b``. Pairs of frequent words, ``(a+1)(b+1) <= P``, are added into a dense upper-triangular block;
the others are appended to a bounded buffer that, when full, is radix-sorted and reduced into a sorted
*run*. Every thread has its own block and buffer over its own token span, so threads never share writes.
Counts are integers in units of ``1/scale`` (``scale`` = 1, or lcm(1..window) with distance weighting), so
the totals are exact and identical for any number of threads, any budget and any shard order. Runs stay in
memory while they fit the budget; beyond it they are written as shards (``corpora/shards.py``) and merged
from disk in row blocks.

Ctrl-C (issue 7). A SIGINT makes Python raise ``KeyboardInterrupt`` at the next bytecode it runs, and that
can be *inside C code that calls back into Python*: numba boxes a kernel's returned arrays by calling
``numba.core.serialize._numba_unpickle`` and does not check that call, so an interrupt raised there went on
as a ``SystemError`` (numba keeps calling the C API with the exception set, which CPython does not allow;
most likely also the cause of the SIGSEGV seen in CI); numpy's ``fromfile``/``tofile`` turned it into a
``TypeError``, and llvmlite's ctypes callbacks (a kernel being compiled or loaded) swallowed it, so the
count finished as if no Ctrl-C had come. So the counting entry points hold Ctrl-C for their whole run
(``sigint_held``) and raise it only at ``sigint_checkpoint()`` calls in our own loops (after each
buffer of counting, each merge block): never inside numba or numpy, about as soon as before (a kernel
could not be interrupted anyway), and the spill folder is removed with Ctrl-C still held.
"""
from __future__ import annotations

import errno
import os
import shutil
import tempfile
from typing import Any, Callable

import numpy as np
import scipy.sparse as sp

from wordvec.io.atomic import sigint_checkpoint, sigint_held
from wordvec.errors import InputError, ResourceError

from . import _kernels as K
from .cooccur import FORMAT, FORMAT_VERSION, Cooccurrence, counts_meta
from .shards import CsrDiskSink, CsrMemorySink, ShardWriter, merge_runs
from wordvec.io.vocab import Vocabulary

# the memory plan lives in corpora/plan.py; its names stay importable from here
from .plan import (DEFAULT_MEMORY, MIN_MEMORY, Plan, default_threads, dense_layout,  # noqa: F401
                   make_plan, weight_table)


def _read_ids(ids: Any, start: int, stop: int) -> np.ndarray:
    """ids[start:stop]; read through the file for a memory map so that mapped pages do not pile up in RSS."""
    filename = getattr(ids, "filename", None)
    if isinstance(ids, np.memmap) and filename:
        with open(filename, "rb") as handle:
            handle.seek(int(ids.offset) + start * ids.itemsize)
            out = np.fromfile(handle, dtype=ids.dtype, count=stop - start)
        if len(out) != stop - start:
            raise InputError(f"{filename}: truncated token cache; delete it and tokenize again")
        return out
    return np.asarray(ids[start:stop])


class _RunStore:
    """Sorted runs of upper-triangle pair counts: kept in memory (merged LSM-style) until they exceed
    ``limit`` bytes, then spilled to a ``ShardWriter`` (all later runs go there too)."""

    def __init__(self, limit: int, make_writer: Callable[[], ShardWriter]):
        self.limit = limit
        self.make_writer = make_writer
        self.stack: list[tuple[np.ndarray, np.ndarray]] = []
        self.writer: ShardWriter | None = None

    def entries(self) -> int:
        return sum(len(k) for k, _ in self.stack)

    def add(self, keys: np.ndarray, vals: np.ndarray) -> None:
        if self.writer is not None:
            self.writer.add_upper(keys, vals)
            return
        self.stack.append((keys, vals))
        while len(self.stack) >= 2 and len(self.stack[-2][0]) <= 2 * len(self.stack[-1][0]):
            (k2, v2), (k1, v1) = self.stack.pop(), self.stack.pop()
            self.stack.append(K.merge_two(k1, v1, k2, v2))
        if 16 * self.entries() > self.limit:
            self.spill()

    def spill(self) -> None:
        if self.writer is None:
            self.writer = self.make_writer()
        while self.stack:
            keys, vals = self.stack.pop()
            self.writer.add_upper(keys, vals)

    def merged(self) -> tuple[np.ndarray, np.ndarray]:
        keys, vals = np.empty(0, np.uint64), np.empty(0, np.uint64)
        while self.stack:
            sigint_checkpoint()
            k, v = self.stack.pop()
            keys, vals = K.merge_two(k, v, keys, vals) if len(keys) else (k, v)
        return keys, vals


def _count_into(cache: Any, plan: Plan, store: _RunStore, progress: Callable[[int, int], None] | None):
    """Count the whole corpus; sparse runs go to ``store``; returns the dense blocks (one row per thread,
    the sum in row 0)."""
    offsets = np.asarray(cache.line_offsets)
    n_lines = len(offsets) - 1
    total = int(offsets[-1]) if n_lines >= 0 else 0
    t = plan.threads
    dense = np.zeros((t, plan.dense_entries), plan.dense_dtype)
    bufs = np.empty((t, plan.buf_events), np.uint64)
    tmps = np.empty((t, plan.buf_events), np.uint64)
    out_keys = np.empty((t, plan.buf_events), np.uint64)
    out_vals = np.empty((t, plan.buf_events), np.uint64)
    out_n = np.zeros(t, np.int64)
    nbufs = np.zeros(t, np.int64)
    vb = K.col_bits(plan.vocab_size)
    K.set_threads(t)

    def flush(mask: np.ndarray) -> None:
        K.reduce_all(bufs, np.where(mask, nbufs, 0), tmps, plan.bits, plan.dbits, plan.weights, out_keys,
                     out_vals, out_n)
        for i in np.flatnonzero(mask):
            store.add(out_keys[i, :out_n[i]].copy(), out_vals[i, :out_n[i]].copy())
            nbufs[i] = 0

    line = 0
    while line < n_lines:
        start_tok = int(offsets[line])
        stop_line = int(np.searchsorted(offsets, start_tok + plan.chunk_tokens, side="right")) - 1
        stop_line = min(n_lines, max(stop_line, line + 1))
        raw = _read_ids(cache.ids, start_tok, int(offsets[stop_line]))
        local = np.ascontiguousarray(offsets[line:stop_line + 1] - start_tok)
        fids, foffs = K.filter_tokens(raw, local, plan.vocab_size, 0, stop_line - line)
        del raw, local
        edges = np.linspace(0, len(fids), t + 1).astype(np.int64)
        starts, stops = edges[:-1].copy(), edges[1:].copy()
        while np.any(starts < stops):
            K.count_parallel(fids, foffs, starts, stops, plan.window, plan.weights, plan.dbits, vb,
                             dense, plan.doff, plan.dcut, plan.rows, bufs, nbufs)
            full = starts < stops
            if full.any():
                flush(full)
            sigint_checkpoint()  # a held Ctrl-C is raised here, between kernels (module docstring)
        del fids, foffs
        line = stop_line
        if progress is not None:
            progress(int(offsets[line]), total)
    if np.any(nbufs > 0):
        flush(nbufs > 0)
    del bufs, tmps, out_keys, out_vals
    for i in range(1, t):
        dense[0] += dense[i]
    return dense


def prune_vocab(cache: Any, min_count: int, max_vocab: int) -> Vocabulary:
    """The pruned vocabulary (a prefix of ``cache.vocab``); ``InputError`` when nothing survives."""
    vocab = cache.vocab.prune(min_count, max_vocab)
    if len(vocab) == 0:
        raise InputError(f"no word occurs at least {min_count} times in the corpus: lower min_count",
                         params=("min_count",))
    return vocab


def _check(window: int, min_count: int, max_vocab: int) -> None:
    if int(window) < 1:
        raise InputError(f"window must be at least 1, got {window}")
    if int(min_count) < 1:
        raise InputError(f"min_count must be at least 1, got {min_count}")
    if int(max_vocab) < 0:
        raise InputError(f"max_vocab must be 0 (no limit) or positive, got {max_vocab}")


class _Job:
    """One counting run: the plan, the run store (spilling into a temporary folder), the dense blocks."""

    def __init__(self, cache, min_count, max_vocab, window, distance_weighting, memory, threads, spill_dir):
        _check(window, min_count, max_vocab)
        self.cache = cache
        self.vocab = prune_vocab(cache, min_count, max_vocab)
        self.plan = make_plan(len(self.vocab), len(cache.ids), int(window), bool(distance_weighting), memory,
                              threads)
        self.spill_dir = spill_dir
        self.tmp: str | None = None
        self.store = _RunStore(self.plan.run_bytes, self._writer)
        self.dense: np.ndarray | None = None

    def _writer(self) -> ShardWriter:
        from wordvec.io.atomic import remove_stale_temporaries

        folder = self.spill_dir or tempfile.gettempdir()
        remove_stale_temporaries(folder)  # the spill folders of killed counts
        self.tmp = tempfile.mkdtemp(prefix=f".wordvec-shards-p{os.getpid()}-", dir=folder)
        return ShardWriter(self.tmp, len(self.vocab), self.plan.block_entries)

    def count(self, progress) -> None:
        self.dense = _count_into(self.cache, self.plan, self.store, progress)

    def finish(self, sink) -> None:
        """Combine dense block and runs into the symmetric CSR, written to ``sink``."""
        plan, V = self.plan, len(self.vocab)
        dense = self.dense[0]
        nz = int(np.count_nonzero(dense))
        fits = 40 * (nz + self.store.entries()) <= 0.6 * plan.budget
        if self.store.writer is None and fits:
            keys, vals = self.store.merged()
            indptr, indices, data = K.build_symmetric(dense, plan.doff, plan.dcut, plan.rows, keys, vals, V,
                                                      K.col_bits(V), float(plan.scale))
            self.dense = dense = None
            del keys, vals
            sink.write_rows(indptr, indices, data)
            return
        self.store.spill()
        dense = self.dense[0]  # the sum over threads (all rows stay allocated: they were budgeted)
        merge_runs(self.store.writer.runs(), V, sink, plan.block_entries, (dense, plan.doff, plan.dcut, plan.rows))
        self.dense = None

    def cleanup(self) -> None:
        if self.tmp is not None:
            shutil.rmtree(self.tmp, ignore_errors=True)


def count_to_memory(cache: Any, min_count: int = 5, max_vocab: int = 0, window: int = 10,
                    distance_weighting: bool = False, memory: int | None = None, threads: int | None = None,
                    progress: Callable[[int, int], None] | None = None) -> tuple[Vocabulary, sp.csr_matrix]:
    """Count and return ``(pruned vocabulary, symmetric CSR)``; spills to a temporary shard folder."""
    job = _Job(cache, min_count, max_vocab, window, distance_weighting, memory, threads, None)
    with sigint_held():  # Ctrl-C only at sigint_checkpoint() (module docstring), held during cleanup
        try:
            job.count(progress)
            sink = CsrMemorySink(len(job.vocab), job.plan.scale)
            job.finish(sink)
            return job.vocab, sink.matrix()
        except OSError as err:  # spilling shards into the temporary folder failed
            if err.errno in (errno.ENOSPC, errno.EDQUOT):
                raise ResourceError(f"disk full while writing count shards to {tempfile.gettempdir()}: free "
                                    f"space, set TMPDIR to a larger disk or raise memory", params=("memory",)) from err
            raise
        finally:
            job.cleanup()


def count_to_directory(cache: Any, path: str | os.PathLike, meta: dict[str, Any], min_count: int = 5,
                       max_vocab: int = 0, window: int = 10, distance_weighting: bool = False,
                       memory: int | None = None, threads: int | None = None,
                       progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    """Count straight into a counts directory (as ``Cooccurrence.save`` writes it) with bounded memory.

    Same parameters as ``count_cooccurrences`` plus ``path`` and ``meta`` (extra meta entries); returns the
    written meta. Working memory stays near the budget whatever the size of the result.
    """
    from wordvec.io.atomic import atomic_directory, save_json
    from wordvec.io.integrity import checksum_files
    from wordvec._version import __version__

    path = os.path.abspath(os.fspath(path))
    with atomic_directory(path) as tmp, sigint_held():  # Ctrl-C only at sigint_checkpoint() (module doc)
        job = _Job(cache, min_count, max_vocab, window, distance_weighting, memory, threads, tmp)
        try:
            job.count(progress)
            sink = CsrDiskSink(os.path.join(tmp, "cooccurrence.npz"), len(job.vocab), tmp, job.plan.scale)
            job.finish(sink)
            info = sink.close()
        finally:
            job.cleanup()
        job.vocab.save(os.path.join(tmp, "vocab.tsv"))
        full = dict(meta)
        full.update({"format": FORMAT, "version": FORMAT_VERSION, "wordvec_version": __version__,
                     "window": int(window), "distance_weighting": bool(distance_weighting),
                     "vocab_size": len(job.vocab), "vocab_checksum": job.vocab.checksum(),
                     "total_tokens": job.vocab.total, "z": info["z"], "nnz": info["nnz"],
                     "checksums": checksum_files(tmp)})
        save_json(os.path.join(tmp, "meta.json"), full)
    return full


def count_runs_into(cache: Any, folder: str, min_count: int = 5, max_vocab: int = 0, window: int = 10,
                    distance_weighting: bool = False, memory: int | None = None, threads: int | None = None,
                    progress: Callable[[int, int], None] | None = None) -> tuple[Vocabulary, ShardWriter, int]:
    """Count into sorted runs (``corpora/shards.py``) in the existing folder ``folder``, without ``meta.json``
    or ``vocab.tsv``; returns ``(pruned vocabulary, writer, scale)``. Only files directly in ``folder`` are
    created, never a folder (a Dask task whose job folder is gone fails instead of re-creating it)."""
    job = _Job(cache, min_count, max_vocab, window, distance_weighting, memory, threads, None)
    job.store.writer = ShardWriter(folder, len(job.vocab), job.plan.block_entries)
    job.count(progress)
    plan, V = job.plan, len(job.vocab)
    vb = K.col_bits(V)
    dense = job.dense[0]
    counts = K.dense_sym_count(plan.doff, plan.dcut, plan.rows, V)
    row, last = 0, (int(plan.dcut.max()) if plan.rows else 0)
    while row < last:  # dense cells as sorted runs, in row blocks
        sigint_checkpoint()
        stop = row + 1
        acc = int(counts[row])
        while stop < last and acc + counts[stop] <= plan.block_entries:
            acc += int(counts[stop])
            stop += 1
        keys, vals = K.dense_sym_keys(dense, plan.doff, plan.dcut, plan.rows, V, vb, row, stop - 1, 0, V << vb)
        job.store.writer.add_sorted(keys, vals)
        row = stop
    return job.vocab, job.store.writer, plan.scale


def count_to_shards(cache: Any, path: str | os.PathLike, meta: dict[str, Any], min_count: int = 5,
                    max_vocab: int = 0, window: int = 10, distance_weighting: bool = False,
                    memory: int | None = None, threads: int | None = None,
                    progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    """Count into a shard directory (format in ``corpora/shards.py``) for a later ``wordvec merge``.

    Same parameters as ``count_to_directory``; returns the written meta.
    """
    from wordvec.io.atomic import atomic_directory

    from .merge import write_shard_meta

    path = os.path.abspath(os.fspath(path))
    with atomic_directory(path) as tmp, sigint_held():  # Ctrl-C only at sigint_checkpoint() (module doc)
        vocab, writer, scale = count_runs_into(cache, tmp, min_count, max_vocab, window, distance_weighting, memory,
                                               threads, progress)
        full = dict(meta)
        full.update({"window": int(window), "distance_weighting": bool(distance_weighting)})
        return write_shard_meta(tmp, vocab, writer, scale, full)


def count_cooccurrences(cache: Any, min_count: int = 5, max_vocab: int = 0, window: int = 10,
                        distance_weighting: bool = False, memory: int | None = None, threads: int | None = None,
                        progress: Callable[[int, int], None] | None = None) -> Cooccurrence:
    """Count symmetric co-occurrences of a token cache (SPEC a.3) into a ``Cooccurrence``.

    Parameters: ``cache`` (a ``TokenCache`` or any object with ``.vocab``, ``.ids``, ``.line_offsets``),
    ``min_count`` (default 5) and ``max_vocab`` (0: no limit) prune the vocabulary (SPEC a.2; pruned tokens
    never occupy a window position), ``window`` (default 10 tokens each side, never across a line),
    ``distance_weighting`` (add 1/d instead of 1, default False), ``memory`` (working-memory budget in bytes,
    default 2 GiB; beyond it the counts go through on-disk shards and are identical for any budget),
    ``threads`` (default: all cores), ``progress`` (``progress(tokens_done, tokens_total)``).
    """
    vocab, matrix = count_to_memory(cache, min_count=min_count, max_vocab=max_vocab, window=window,
                                    distance_weighting=distance_weighting, memory=memory, threads=threads,
                                    progress=progress)
    return Cooccurrence(matrix, vocab, window, distance_weighting,
                        counts_meta(cache, min_count, max_vocab))


