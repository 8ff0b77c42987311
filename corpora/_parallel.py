"""Tokenizing a corpus into ids, in one process or across worker processes, with identical results.

The parent reads blocks of lines (``reader.iter_line_blocks``) and hands each block to a worker. A worker
tokenizes its lines and returns the block's *local* vocabulary (first-occurrence order), the tokens as local
ids, each line's length and each local word's count. The parent maps local ids to provisional global ids
(first-occurrence order over the corpus, so blocks are merged strictly in input order) and, at the end,
renumbers everything to the final frequency order (count descending, ties by word, SPEC a.2) with numpy.
The parent never holds the token strings of the corpus, only its word types. Because every line is
tokenized on its own and the final order depends only on the counts, any number of workers (and any block
size) gives byte-identical ids, offsets and vocabulary. jieba's own ``enable_parallel`` is not used. Both
jieba engines (rjieba and the Python one) run the same way; with fork the workers inherit the loaded one.
"""
from __future__ import annotations

import collections
import multiprocessing
import os
import pickle
import signal
import sys
from typing import Callable, Sequence

import numpy as np

from wordvec.io.atomic import sigint_held
from wordvec.errors import WordvecError
from .reader import BLOCK_SIZE, ReadReport, input_size, iter_line_blocks
from .tokenize import TokenizerSettings, make_tokenizer
from wordvec.io.vocab import Vocabulary

ProgressFn = Callable[[int, int], None]

def default_workers() -> int:
    """All cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def tokenize_block(tokenize: Callable[[str], list[str]], lines: Sequence[str]):
    """Tokenize ``lines``: (local words, local ids uint32, line lengths int64, local counts int64)."""
    raw = getattr(tokenize, "with_whitespace", None)
    if raw is not None:
        return _tokenize_block_bulk(raw, lines, bool(getattr(tokenize, "joinable", False)))
    tokens: list[str] = []
    extend = tokens.extend
    lengths = np.empty(len(lines), dtype=np.int64)
    for k, line in enumerate(lines):
        line_tokens = tokenize(line)
        lengths[k] = len(line_tokens)
        extend(line_tokens)
    index = dict.fromkeys(tokens)  # distinct tokens in first-occurrence order (C speed)
    words = list(index)
    index.update(zip(words, range(len(words))))
    local = np.fromiter(map(index.__getitem__, tokens), dtype=np.uint32, count=len(tokens))
    counts = np.bincount(local, minlength=len(words)).astype(np.int64)
    return words, local, lengths, counts


JOIN_LINES = 100  # lines cut in one call by a joinable tokenizer


def _tokenize_block_bulk(raw: Callable[[str], list[str]], lines: Sequence[str], joinable: bool = False):
    """``tokenize_block`` for a tokenizer whose output still holds whitespace tokens: those are dropped by id,
    in numpy, instead of by a Python test on every token (the same result; tests/test_engines.py). A
    ``joinable`` tokenizer cuts ``JOIN_LINES`` lines at a time, each ended by a newline: the whitespace token
    holding that newline marks the line's end (lines themselves hold none)."""
    tokens: list[str] = []
    extend = tokens.extend
    raw_lengths = None
    if joinable:
        for start in range(0, len(lines), JOIN_LINES):
            extend(raw("\n".join(lines[start:start + JOIN_LINES]) + "\n"))
    else:
        raw_lengths = np.empty(len(lines), dtype=np.int64)
        for k, line in enumerate(lines):
            line_tokens = raw(line)
            raw_lengths[k] = len(line_tokens)
            extend(line_tokens)
    index = dict.fromkeys(tokens)
    words = list(index)
    index.update(zip(words, range(len(words))))
    local = np.fromiter(map(index.__getitem__, tokens), dtype=np.uint32, count=len(tokens))
    is_space = np.zeros(len(words), dtype=bool)
    is_space[[i for i, word in enumerate(words) if word.isspace()]] = True
    keep = ~is_space[local]
    kept = np.zeros(len(tokens) + 1, dtype=np.int64)
    np.cumsum(keep, out=kept[1:])
    if joinable:
        is_end = np.zeros(len(words), dtype=bool)
        is_end[[i for i, word in enumerate(words) if "\n" in word]] = True
        ends = np.flatnonzero(is_end[local])  # one whitespace token with a newline per line
        if len(ends) != len(lines):  # cannot happen for lines without newlines; be safe
            return _tokenize_block_bulk(raw, [line for line in lines], joinable=False)
        starts = np.concatenate(([0], ends[:-1] + 1)).astype(np.int64)
        lengths = kept[ends] - kept[starts]
    else:
        ends = np.cumsum(raw_lengths)
        lengths = kept[ends] - kept[ends - raw_lengths]
    if is_space.any():
        remap = np.cumsum(~is_space, dtype=np.int64) - 1  # new id of each kept word, first-occurrence order
        local = remap[local[keep]].astype(np.uint32)
        words = [word for word, space in zip(words, is_space.tolist()) if not space]
    counts = np.bincount(local, minlength=len(words)).astype(np.int64)
    return words, local, lengths, counts


class _Merger:
    """Collects per-block results in input order; ``finish`` renumbers to frequency order."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        self.counts = np.zeros(1 << 16, dtype=np.int64)
        self.id_parts: list[np.ndarray] = []
        self.length_parts: list[np.ndarray] = []

    def add(self, words: list[str], local: np.ndarray, lengths: np.ndarray, counts: np.ndarray) -> None:
        index = self.index
        start = len(index)
        new = [w for w in words if w not in index]  # words are distinct within a block
        index.update(zip(new, range(start, start + len(new))))
        gmap = np.fromiter(map(index.__getitem__, words), dtype=np.int64, count=len(words))
        if len(index) > len(self.counts):
            grown = np.zeros(max(len(index), 2 * len(self.counts)), dtype=np.int64)
            grown[: len(self.counts)] = self.counts
            self.counts = grown
        self.counts[gmap] += counts  # words are distinct within a block
        self.id_parts.append(gmap.astype(np.uint32)[local])
        self.length_parts.append(lengths)

    def finish(self) -> tuple[Vocabulary, np.ndarray, np.ndarray]:
        words = list(self.index)
        n = len(words)
        counts = self.counts[:n]
        count_list = counts.tolist()
        order = sorted(range(n), key=lambda i: (-count_list[i], words[i]))  # SPEC a.2
        order_arr = np.asarray(order, dtype=np.int64)
        perm = np.empty(n, dtype=np.uint32)
        perm[order_arr] = np.arange(n, dtype=np.uint32)
        total = sum(len(p) for p in self.id_parts)
        ids = np.empty(total, dtype=np.uint32)
        pos = 0
        parts, self.id_parts = self.id_parts, []
        for k in range(len(parts)):
            part = parts[k]
            ids[pos : pos + len(part)] = perm[part]
            pos += len(part)
            parts[k] = None  # type: ignore[call-overload]  # free as we go
        lengths = np.concatenate(self.length_parts) if self.length_parts else np.zeros(0, np.int64)
        offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
        vocab = Vocabulary([words[i] for i in order], counts[order_arr])
        return vocab, ids, offsets


def _context():
    # fork: workers inherit the already loaded jieba dictionary; spawn where fork does not exist
    methods = multiprocessing.get_all_start_methods()
    if sys.platform.startswith("linux") and "fork" in methods:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def _worker_main(conn, settings: dict) -> None:
    """A worker process: tokenize each block received on ``conn`` and send back the result, until ``None``.

    An exception is sent back in place of the result, for the parent to raise.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # so is SIGTERM (the parent kills its workers)
    tokenize = failure = None
    try:
        tokenize = make_tokenizer(TokenizerSettings.from_dict(settings))
    except Exception as err:  # noqa: BLE001 - reported with the first block
        failure = err
    while True:
        try:
            lines = conn.recv()
        except (EOFError, OSError):  # the parent is gone
            return
        if lines is None:
            return
        try:
            if failure is not None:
                raise failure
            result = tokenize_block(tokenize, lines)
        except Exception as err:  # noqa: BLE001
            result = err
        try:
            conn.send(result)
        except (pickle.PicklingError, TypeError, AttributeError):  # an exception that does not pickle
            conn.send(RuntimeError(f"{type(result).__name__}: {result}"))


class _Workers:
    """Worker processes, each with its own pipe and at most one block in flight, results in input order.

    multiprocessing.Pool is not used: its ``terminate`` can deadlock when Ctrl-C arrives while its helper
    threads are blocked on full pipes (seen in this project's CI). Here nothing runs in the parent but the
    caller's thread, and stopping is killing the processes. With one block in flight per worker, a worker
    blocked sending its result is never waiting for the parent to read a task from it, so no deadlock.
    """

    def __init__(self, count: int, settings: TokenizerSettings) -> None:
        ctx = _context()
        self.processes: list = []
        self.conns: list = []
        try:
            for _ in range(count):
                mine, theirs = ctx.Pipe(duplex=True)
                process = ctx.Process(target=_worker_main, args=(theirs, settings.to_dict()), daemon=True)
                self.processes.append(process)
                self.conns.append(mine)
                with sigint_held():  # a Ctrl-C during the fork is only noted, in the child as in this process
                    process.start()
                theirs.close()
        except BaseException:  # Ctrl-C (raised when the held block ends) or a failed fork: stop those started
            self.kill()
            raise

    def __enter__(self) -> "_Workers":
        return self

    def __exit__(self, kind, value, trace) -> None:
        if kind is None:
            self.close()
        else:
            self.kill()

    def run(self, blocks):
        """Yield ``(position, result)`` for each ``(lines, position)`` of ``blocks``, in input order."""
        in_flight: collections.deque = collections.deque()  # (worker, position), oldest first
        free = collections.deque(range(len(self.processes)))
        for lines, where in blocks:
            if not free:
                worker, done = in_flight.popleft()
                result = self._receive(worker)
                self.conns[worker].send(lines)  # the worker starts on the next block before we merge
                in_flight.append((worker, where))
                yield done, result
            else:
                worker = free.popleft()
                self.conns[worker].send(lines)
                in_flight.append((worker, where))
        while in_flight:
            worker, done = in_flight.popleft()
            yield done, self._receive(worker)

    def _receive(self, worker: int):
        try:
            result = self.conns[worker].recv()
        except (EOFError, OSError):
            process = self.processes[worker]
            process.join(timeout=1.0)
            raise WordvecError(f"a tokenizer worker process died (exit code {process.exitcode}); rerun with "
                               "workers=1, or free memory if the system killed it", params=("workers",)) from None
        if isinstance(result, BaseException):
            raise result
        return result

    def close(self) -> None:
        """Ask every worker to finish and wait for it."""
        for conn in self.conns:
            try:
                conn.send(None)
            except OSError:
                pass
        for process in self.processes:
            process.join(timeout=10.0)
        self.kill()

    def kill(self) -> None:
        """Stop every worker now (nothing of theirs needs cleaning up) and close the pipes."""
        started = [process for process in self.processes if process.pid is not None]
        for process in started:
            if process.exitcode is None:
                process.kill()
        for process in started:
            process.join(timeout=10.0)
        for conn in self.conns:
            conn.close()


def _report_text(progress: ProgressFn, report: ReadReport) -> None:
    if hasattr(progress, "rate_count"):
        progress.rate_count = report.bytes  # type: ignore[attr-defined]


def tokenize_files(
    files: Sequence[str],
    settings: TokenizerSettings,
    workers: int | None = None,
    strict: bool = False,
    progress: ProgressFn | None = None,
    report: ReadReport | None = None,
    block_size: int = BLOCK_SIZE,
) -> tuple[Vocabulary, np.ndarray, np.ndarray, ReadReport, int]:
    """Tokenize expanded ``files`` into (vocabulary, ids, line offsets, report, workers used).

    ``workers`` (default: all cores; 1 = in this process), ``strict`` (bad UTF-8 raises), ``progress``
    (called as ``progress(bytes_done, bytes_total)`` in on-disk bytes of the inputs; total is 0 for stdin;
    a callback with a ``rate_count`` attribute, such as the command line's bar, also gets the decompressed
    text bytes read so far there, so that its speed is in text bytes for compressed inputs too).
    """
    report = report if report is not None else ReadReport()
    workers = default_workers() if workers is None or workers <= 0 else int(workers)
    total = input_size(files)
    if total is not None and total <= block_size:
        workers = 1  # one block: a pool only adds start-up time
    blocks = iter_line_blocks(files, settings.max_line_chars, strict, report, block_size)
    merger = _Merger()
    if workers == 1:
        tokenize = make_tokenizer(settings)
        for lines, done in blocks:
            merger.add(*tokenize_block(tokenize, lines))
            if progress is not None:
                _report_text(progress, report)
                progress(done, total or 0)
    else:
        if _context().get_start_method() == "fork":
            make_tokenizer(settings)  # load the dictionary once here; the forked workers share it
        with _Workers(workers, settings) as pool:
            for where, result in pool.run(blocks):
                merger.add(*result)
                if progress is not None:
                    _report_text(progress, report)
                    progress(where, total or 0)
    vocab, ids, offsets = merger.finish()
    return vocab, ids, offsets, report, workers


__all__ = ["tokenize_files", "tokenize_block", "default_workers"]
