"""Tokenizing a corpus into ids, in one process or across worker processes, with identical results.

The parent reads blocks of lines (``rawblocks.iter_worker_blocks``: mostly undecoded bytes, which the worker
decodes under the reader's text policy) and hands each block to a worker. A worker
keeps the vocabulary of all the blocks it has tokenized (``blocks.StreamVocab``) and returns the words it
had not seen before, the block's tokens as ids into its vocabulary and each line's length. The parent maps
each worker's ids to provisional global ids (first-occurrence order over the corpus, so blocks are merged
strictly in input order) and, at the end,
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
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, Sequence

import numpy as np

from wordvec.io.atomic import sigint_held
from wordvec.errors import WordvecError
from .blocks import StreamVocab, extend_index, warm_table
from .rawblocks import absorb, iter_worker_blocks
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


class _Merger:
    """Collects block results in input order from one or more streams; ``finish`` renumbers the ids to the
    frequency order. Each stream's ids map to provisional corpus ids through that stream's ``maps`` entry."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        self.maps: dict[int, np.ndarray] = {}
        self.sizes: dict[int, int] = {}
        self.seen: dict[int, np.ndarray] = {}  # per stream: tokens so far of each stream id
        self.parts: list[tuple[int, np.ndarray]] = []
        self.length_parts: list[np.ndarray] = []
        self._own = StreamVocab()

    def add_lines(self, tokenize: Callable[[str], list[str]], lines: Sequence[str]) -> None:
        """Tokenize ``lines`` in this process and add them."""
        self.add_stream(-1, *self._own.tokenize(tokenize, lines))

    def add_stream(self, stream: int, new_words: list[str], ids: np.ndarray, lengths: np.ndarray) -> None:
        """Add one block of ``stream`` (``StreamVocab.convert``'s output), in input order."""
        self.sizes.setdefault(stream, 0)
        self.maps.setdefault(stream, np.zeros(0, dtype=np.int64))
        if new_words:
            gmap, _ = extend_index(self.index, new_words)
            size, held = self.sizes[stream], self.maps[stream]
            if size + len(gmap) > len(held):
                grown = np.zeros(max(size + len(gmap), 2 * len(held), 1024), dtype=np.int64)
                grown[:size] = held[:size]
                held = self.maps[stream] = grown
            held[size:size + len(gmap)] = gmap
            self.sizes[stream] = size + len(gmap)
        # counted as the blocks come, while the workers cut the next ones, not all at the end
        counts = np.bincount(ids, minlength=self.sizes[stream])
        seen = self.seen.get(stream)
        if seen is None or len(seen) < len(counts):
            grown = np.zeros(len(self.maps[stream]), dtype=np.int64)
            if seen is not None:
                grown[:len(seen)] = seen
            seen = self.seen[stream] = grown
        seen[:len(counts)] += counts
        self.parts.append((stream, ids))
        self.length_parts.append(lengths)

    def finish(self) -> tuple[Vocabulary, np.ndarray, np.ndarray]:
        words = list(self.index)
        n = len(words)
        counts = np.zeros(n, dtype=np.int64)
        for stream, size in self.sizes.items():
            if stream in self.seen:  # a stream's words are distinct corpus words
                counts[self.maps[stream][:size]] += self.seen[stream][:size]
        # SPEC a.2: count descending, ties by word; a stable sort by count of the words in word order
        by_word = np.fromiter(sorted(range(n), key=words.__getitem__), dtype=np.int64, count=n)
        order_arr = by_word[np.argsort(-counts[by_word], kind="stable")]
        # a word can have count 0 only when a joined cut was redone line by line (blocks.StreamVocab): it
        # sorts last and is left out; no id refers to it
        order_arr = order_arr[: int(np.count_nonzero(counts))]
        perm = np.zeros(n, dtype=np.uint32)
        perm[order_arr] = np.arange(len(order_arr), dtype=np.uint32)
        final = {stream: perm[self.maps[stream][:size]] for stream, size in self.sizes.items()}
        parts, self.parts = self.parts, []
        starts = np.zeros(len(parts) + 1, dtype=np.int64)
        np.cumsum([len(part) for _, part in parts], out=starts[1:])
        ids = np.empty(int(starts[-1]), dtype=np.uint32)

        def place(k: int) -> None:
            stream, part = parts[k]
            ids[starts[k]:starts[k + 1]] = final[stream][part]
            parts[k] = None  # type: ignore[call-overload]  # free as we go

        with ThreadPoolExecutor(2) as pool:  # numpy gathers without the GIL: two cores share the work
            for _ in pool.map(place, range(len(parts))):
                pass
        lengths = np.concatenate(self.length_parts) if self.length_parts else np.zeros(0, np.int64)
        offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
        vocab = Vocabulary([words[i] for i in order_arr.tolist()], counts[order_arr])
        return vocab, ids, offsets


def _context():
    # fork: workers inherit the already loaded jieba dictionary; spawn where fork does not exist
    methods = multiprocessing.get_all_start_methods()
    if sys.platform.startswith("linux") and "fork" in methods:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def _worker_main(conn, settings: dict) -> None:
    """A worker process: decode and tokenize each block received on ``conn`` (a ``rawblocks`` block) and
    send back the result with the block's reading report, until ``None``.

    An exception is sent back in place of the result, for the parent to raise.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # so is SIGTERM (the parent kills its workers)
    tokenize = failure = None
    vocab = StreamVocab()
    try:
        tokenize = make_tokenizer(TokenizerSettings.from_dict(settings))
        if hasattr(tokenize, "with_whitespace"):  # load the token table's kernel while the parent reads
            warm_table()
    except Exception as err:  # noqa: BLE001 - reported with the first block
        failure = err
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):  # the parent is gone
            return
        if task is None:
            return
        try:
            if failure is not None:
                raise failure
            text, n_lines, report = task.decode()
            result = (vocab.tokenize_text(tokenize, text, n_lines), report)
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
        """Yield ``(position, (worker, result))`` for each ``(block, position)`` of ``blocks`` (``rawblocks``
        blocks), in input order."""
        in_flight: collections.deque = collections.deque()  # (worker, position), oldest first
        free = collections.deque(range(len(self.processes)))
        for task, where in blocks:
            if not free:
                worker, done = in_flight.popleft()
                result = self._receive(worker)
                self.conns[worker].send(task)  # the worker starts on the next block before we merge
                in_flight.append((worker, where))
                yield done, (worker, result)
            else:
                worker = free.popleft()
                self.conns[worker].send(task)
                in_flight.append((worker, where))
        while in_flight:
            worker, done = in_flight.popleft()
            yield done, (worker, self._receive(worker))

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


MAX_BLOCK = 1 << 23  # 8 MB of text per task at most


def pool_block(total: int | None, workers: int) -> int:
    """Text bytes per task: about a quarter of each worker's share of the input, between ``BLOCK_SIZE`` and
    ``MAX_BLOCK``. Fewer, larger tasks cost less per token (each task's words are looked up once in the
    worker's vocabulary): on zh_mixed with 2 workers, 8 MB tasks took 6.5 s against 8.0 s for 512 KB tasks;
    four tasks per worker keep the last ones short enough for the workers to finish together."""
    if total is None:
        return BLOCK_SIZE
    return int(min(MAX_BLOCK, max(BLOCK_SIZE, total // (4 * max(1, workers)))))


def tokenize_files(
    files: Sequence[str],
    settings: TokenizerSettings,
    workers: int | None = None,
    strict: bool = False,
    progress: ProgressFn | None = None,
    report: ReadReport | None = None,
    block_size: int | None = None,
) -> tuple[Vocabulary, np.ndarray, np.ndarray, ReadReport, int]:
    """Tokenize expanded ``files`` into (vocabulary, ids, line offsets, report, workers used).

    ``workers`` (default: all cores; 1 = in this process), ``strict`` (bad UTF-8 raises), ``progress``
    (called as ``progress(bytes_done, bytes_total)`` in on-disk bytes of the inputs; total is 0 for stdin;
    a callback with a ``rate_count`` attribute, such as the command line's bar, also gets the decompressed
    text bytes read so far there, so that its speed is in text bytes for compressed inputs too).
    ``block_size``: text bytes per task (default ``pool_block(input size, workers)``).
    """
    report = report if report is not None else ReadReport()
    workers = default_workers() if workers is None or workers <= 0 else int(workers)
    total = input_size(files)
    if block_size is None:
        block_size = pool_block(total, workers)
    if total is not None and total <= block_size:
        workers = 1  # one block: a pool only adds start-up time
    merger = _Merger()
    if workers == 1:
        tokenize = make_tokenizer(settings)
        for lines, done in iter_line_blocks(files, settings.max_line_chars, strict, report, block_size):
            merger.add_lines(tokenize, lines)
            if progress is not None:
                _report_text(progress, report)
                progress(done, total or 0)
    else:
        if _context().get_start_method() == "fork":
            tokenize = make_tokenizer(settings)  # load the dictionary once here; the forked workers share it
            if hasattr(tokenize, "compiled_cut"):
                tokenize.compiled_cut()  # and the compiled one
        blocks = iter_worker_blocks(files, settings.max_line_chars, strict, report, block_size)
        with _Workers(workers, settings) as pool:
            for where, (worker, (result, block_report)) in pool.run(blocks):
                absorb(report, block_report)
                merger.add_stream(worker, *result)
                if progress is not None:
                    _report_text(progress, report)
                    progress(where, total or 0)
    vocab, ids, offsets = merger.finish()
    return vocab, ids, offsets, report, workers


__all__ = ["tokenize_files", "default_workers"]
