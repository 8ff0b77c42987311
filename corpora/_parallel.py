"""Tokenizing a corpus into ids, in one process or across worker processes, with identical results.

The parent reads blocks of lines (``reader.iter_line_blocks``) and hands each block to a worker. A worker
tokenizes its lines and returns the block's *local* vocabulary (first-occurrence order), the tokens as local
ids, each line's length and each local word's count. The parent maps local ids to provisional global ids
(first-occurrence order over the corpus, so blocks are merged strictly in input order) and, at the end,
renumbers everything to the final frequency order (count descending, ties by word, SPEC a.2) with numpy.
The parent never holds the token strings of the corpus, only its word types. Because every line is
tokenized on its own and the final order depends only on the counts, any number of workers (and any block
size) gives byte-identical ids, offsets and vocabulary. jieba's own ``enable_parallel`` is not used.
"""
from __future__ import annotations

import collections
import multiprocessing
import os
import signal
import sys
from typing import Callable, Sequence

import numpy as np

from .reader import BLOCK_SIZE, ReadReport, input_size, iter_line_blocks
from .tokenize import TokenizerSettings, get_jieba, make_tokenizer
from .vocab import Vocabulary

ProgressFn = Callable[[int, int], None]

_WORKER_TOKENIZE: Callable[[str], list[str]] | None = None


def default_workers() -> int:
    """All cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def _init_worker(settings: dict) -> None:
    global _WORKER_TOKENIZE
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    _WORKER_TOKENIZE = make_tokenizer(TokenizerSettings.from_dict(settings))


def tokenize_block(tokenize: Callable[[str], list[str]], lines: Sequence[str]):
    """Tokenize ``lines``: (local words, local ids uint32, line lengths int64, local counts int64)."""
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


def _worker_block(lines: Sequence[str]):
    assert _WORKER_TOKENIZE is not None
    return tokenize_block(_WORKER_TOKENIZE, lines)


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
    (called as ``progress(bytes_done, bytes_total)`` in on-disk bytes of the inputs; total is 0 for stdin).
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
                progress(done, total or 0)
    else:
        ctx = _context()
        if settings.mode == "jieba" and ctx.get_start_method() == "fork":
            get_jieba(settings.user_dict)  # load once here; the forked workers share it
        pool = ctx.Pool(workers, initializer=_init_worker, initargs=(settings.to_dict(),))
        try:
            pending: collections.deque = collections.deque()
            for lines, done in blocks:
                pending.append((pool.apply_async(_worker_block, (lines,)), done))
                while pending and (len(pending) > 2 * workers or pending[0][0].ready()):
                    result, where = pending.popleft()
                    merger.add(*result.get())
                    if progress is not None:
                        progress(where, total or 0)
            while pending:
                result, where = pending.popleft()
                merger.add(*result.get())
                if progress is not None:
                    progress(where, total or 0)
            pool.close()
            pool.join()
        except BaseException:
            pool.terminate()
            pool.join()
            raise
    vocab, ids, offsets = merger.finish()
    return vocab, ids, offsets, report, workers


__all__ = ["tokenize_files", "tokenize_block", "default_workers"]
