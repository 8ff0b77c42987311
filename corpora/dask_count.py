"""Counting on a Dask cluster with the same result as one machine (issue 17; needs ``pip install wordvec[dask]``).

``count_on_dask`` runs the single-machine pipeline as Dask tasks:

1. ``plan_partitions`` splits the inputs into partitions of whole lines: byte ranges of plain files cut just
   after a newline, whole files for compressed ones (``.gz``, ``.bz2``, ``.xz``).
2. Each partition is read under the text policy of ``corpora/reader.py`` and tokenized on a worker; the
   tokens stay on the workers (as Dask results, which Dask spills to the workers' disks under memory
   pressure and recomputes from the inputs if a worker dies). Per-partition word counts are added up in a
   tree of tasks, and the driver sorts them into the vocabulary exactly as one machine does (count
   descending, ties by word, SPEC a.2), then prunes it (``min_count``, ``max_vocab``).
3. Each partition's tokens are re-numbered to that vocabulary and counted on its worker by the project's
   numba counter (``count_runs_into``), into sorted runs in a part folder of a temporary job folder
   (in ``shard_dir``; ``dask_folder.py``).
   Windows never cross a line and partitions hold whole lines, so the partitions' counts add up to the
   single-machine counts exactly (integer units).
4. The shards are merged on disk (``corpora/kway.py``): first in a tree of merge tasks on the workers,
   ``fan_in`` partitions per task (``dask_merge.py``), then by the driver from at most about ``fan_in`` runs,
   straight into the output counts directory (written atomically); each merge holds at most ``2 * fan_in``
   run files open and about ``memory`` bytes.

The shard folder must be visible to the workers and to this process under the same path (the same machine
for ``local:N``; a shared file system for a remote scheduler). It is removed on success, on failure and on
Ctrl-C (which also cancels the tasks; one already running goes on, but can no longer write anything there:
``dask_folder.py``), and a later count removes the folders of killed drivers. A worker that dies mid-job
has its tasks re-run by Dask; the result does not change. An unreachable scheduler is an ``InputError``
after ``timeout`` seconds.
"""
from __future__ import annotations

import contextlib
import os
import uuid
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any, Callable, Iterator, Sequence

import numpy as np

from wordvec.errors import InputError, WordvecError
from wordvec.io.atomic import sigint_held
from wordvec.io.vocab import Vocabulary

from .dask_folder import COUNT_KEY, make_job_folder, remove_job_folder, write_part
from .dask_merge import tree_merge
from .ranges import iter_range_lines, line_starts, shift_location
from .reader import STDIN, ReadReport, expand_inputs, iter_line_blocks
from .tokenize import TokenizerSettings, make_tokenizer

PARTITION_BYTES = 64 << 20
COMPRESSED = (".gz", ".bz2", ".xz")
INSTALL = "--dask needs Dask distributed: pip install 'wordvec[dask]' (or pip install 'dask[distributed]')"
_LOCATIONS = ("first_bad", "first_nul", "first_long")


def require_dask():
    """Import ``distributed`` or raise a one-line ``InputError`` saying what to install."""
    try:
        import distributed
    except ImportError:
        raise InputError(INSTALL) from None
    return distributed


def parse_scheduler(text: str) -> tuple[str, Any]:
    """``"local"``/``"local:N"`` → ``("local", N)`` (default 2 workers); ``"tcp://host:port"`` (or any
    ``proto://`` address, or ``host:port``) → ``("address", text)``."""
    text = str(text).strip()
    if text == "local" or text.startswith("local:"):
        count = text[6:] or "2"
        if not count.isdigit() or not 1 <= int(count) <= 256:
            raise InputError(f"bad dask {text!r}: use local:N with N workers between 1 and 256, or tcp://host:port",
                             params=("dask",))
        return "local", int(count)
    if "://" in text or (":" in text and text.rsplit(":", 1)[1].isdigit()):
        return "address", text if "://" in text else "tcp://" + text
    raise InputError(f"bad dask {text!r}: use local, local:N or a scheduler address such as tcp://host:8786",
                     params=("dask",))


@dataclass(frozen=True)
class Partition:
    """Bytes [start, stop) of ``path``; ``stop`` is -1 for a whole (compressed) file."""

    path: str
    start: int
    stop: int

    @property
    def whole(self) -> bool:
        return self.stop < 0


def plan_partitions(files: Sequence[str], partition_bytes: int = PARTITION_BYTES) -> list[Partition]:
    """Partitions of expanded ``files`` in input order: plain files in ranges of about ``partition_bytes``
    (default 64 MiB) cut just after a newline, compressed files whole. Stdin cannot be partitioned."""
    if partition_bytes < 1:
        raise InputError(f"partition size must be positive, got {partition_bytes}")
    out: list[Partition] = []
    for path in files:
        if path == STDIN or not os.path.isfile(path):
            raise InputError(f"{'stdin' if path == STDIN else path} cannot be split for dask: pass regular files",
                             params=("dask",))
        if path.lower().endswith(COMPRESSED):
            out.append(Partition(path, 0, -1))
            continue
        size = os.path.getsize(path)
        start = 0
        with open(path, "rb") as handle:
            while start < size:
                cut = start + partition_bytes
                if cut >= size:
                    stop = size
                else:
                    handle.seek(cut - 1)
                    handle.readline()  # to just after the newline at or after byte cut - 1
                    stop = min(size, handle.tell())
                out.append(Partition(path, start, stop))
                start = stop
        if size == 0:
            out.append(Partition(path, 0, 0))
    return out


# --- tasks (run on the workers) ---------------------------------------------------------------------------
def tokenize_partition(part: Partition, settings: dict, strict: bool) -> dict:
    """Tokenize one partition: its own vocabulary (frequency order), ids, line offsets and read report."""
    from ._parallel import _Merger

    tok_settings = TokenizerSettings.from_dict(settings)
    tokenize = make_tokenizer(tok_settings)
    report = ReadReport()
    merger = _Merger()
    try:
        if part.whole:
            blocks: Iterator[list[str]] = (lines for lines, _ in
                                           iter_line_blocks([part.path], tok_settings.max_line_chars, strict, report))
        else:
            blocks = iter_range_lines(part.path, part.start, part.stop, tok_settings.max_line_chars, strict, report)
        for lines in blocks:
            merger.add_lines(tokenize, lines)
    except InputError as err:  # file:line as on one machine
        offset = line_starts(part.path, part.start) if part.start else 0
        raise InputError(shift_location(str(err), part.path, offset)) from None
    if part.start and any(getattr(report, name) for name in _LOCATIONS):
        offset = line_starts(part.path, part.start)
        for name in _LOCATIONS:
            setattr(report, name, shift_location(getattr(report, name), part.path, offset))
    vocab, ids, offsets = merger.finish()
    return {"words": vocab.words, "counts": vocab.counts, "ids": ids, "offsets": offsets,
            "report": report.to_dict()}


def word_counts(tok: dict) -> dict[str, int]:
    """A partition's word → count."""
    return dict(zip(tok["words"], tok["counts"].tolist()))


def add_counts(*parts: dict[str, int]) -> dict[str, int]:
    """Sum of word-count dicts."""
    total = dict(parts[0])
    for part in parts[1:]:
        for word, count in part.items():
            total[word] = total.get(word, 0) + count
    return total


def count_partition(tok: dict, base: str, vocab: Vocabulary, window: int, distance_weighting: bool,
                    memory: int | None) -> dict:
    """Count one partition over the global pruned ``vocab`` into sorted runs in a new folder ``base-<id>``
    of the job folder (``dask_folder.write_part``: never re-creates a vanished job folder)."""
    from .counter import count_runs_into

    index, size = vocab.index, len(vocab)
    remap = np.fromiter((index.get(w, size) for w in tok["words"]), np.uint32, count=len(tok["words"]))
    ids = remap[tok["ids"]] if len(tok["ids"]) else np.zeros(0, np.uint32)
    summary = {"lines": int(len(tok["offsets"]) - 1), "tokens": int(len(ids)), "report": tok["report"],
               "folder": None, "runs": [], "cancelled": False}
    if not np.any(ids < size):  # nothing to count
        return summary
    cache = SimpleNamespace(vocab=vocab, ids=ids, line_offsets=tok["offsets"])

    def write(folder: str) -> tuple[list[str], int]:
        _, writer, scale = count_runs_into(cache, folder, min_count=1, max_vocab=0, window=window,
                                           distance_weighting=distance_weighting, memory=memory, threads=1)
        return list(writer.names), int(scale)

    folder, result = write_part(base, write)
    if folder is None:
        summary["cancelled"] = True  # the job folder is gone: the job was cancelled
        return summary
    summary.update(folder=folder, runs=result[0], scale=result[1])
    return summary


# --- the driver -------------------------------------------------------------------------------------------
@contextlib.contextmanager
def dask_client(scheduler: str, timeout: float = 10.0, on_dashboard: Callable[[str], None] | None = None):
    """A ``distributed.Client`` for ``scheduler`` (``parse_scheduler``); a ``local:N`` cluster (N worker
    processes, one thread each) lives as long as the block. ``on_dashboard`` receives the dashboard address."""
    distributed = require_dask()
    import logging

    kind, value = parse_scheduler(scheduler)
    cluster = None
    if kind == "local":
        try:
            import bokeh  # noqa: F401 - the dashboard needs it
            dashboard = True
        except ImportError:
            dashboard = False
        cluster = distributed.LocalCluster(n_workers=value, threads_per_worker=1, processes=True,
                                           dashboard_address="127.0.0.1:0", silence_logs=logging.CRITICAL)
        client = distributed.Client(cluster)
    else:
        try:
            client = distributed.Client(value, timeout=f"{max(0.1, float(timeout))}s")
        except (OSError, TimeoutError, ValueError) as err:
            raise InputError(f"cannot reach the Dask scheduler at {value} within {timeout:g}s ({type(err).__name__}): "
                             "check dask, or start a Dask scheduler first", params=("dask",)) from None
    try:
        try:
            services = client.scheduler_info().get("services", {})
            link = client.dashboard_link if "dashboard" in services else None
        except Exception:  # noqa: BLE001 - no dashboard
            link = None
        if on_dashboard is not None and link and (cluster is None or dashboard):
            on_dashboard(link)
        yield client
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _tree_sum(client, futures: list, tag: str, track: list, fan: int = 8):
    level, depth = list(futures), 0
    while len(level) > 1:
        depth += 1
        level = [client.submit(add_counts, *level[k:k + fan], key=f"wordvec-sum-{tag}-{depth}-{k}")
                 if len(level[k:k + fan]) > 1 else level[k] for k in range(0, len(level), fan)]
        track.extend(level)
    return level[0]


def _merge_reports(reports: list[dict], files: int) -> ReadReport:
    total = ReadReport(files=files)
    for rep in reports:
        part = ReadReport.from_dict(rep)
        for name in ("lines", "bytes", "bad_bytes", "nul_bytes", "long_lines", "extra_pieces", "boms"):
            setattr(total, name, getattr(total, name) + getattr(part, name))
        for name in _LOCATIONS:
            if getattr(total, name) is None:
                setattr(total, name, getattr(part, name))
    return total


def count_on_dask(inputs: Sequence[str], output: str, scheduler: str, settings: TokenizerSettings | None = None,
                  min_count: int = 5, max_vocab: int = 0, window: int = 10, distance_weighting: bool = False,
                  memory: int | None = None, partition_bytes: int = PARTITION_BYTES, shard_dir: str | None = None,
                  strict: bool = False, timeout: float = 10.0, fan_in: int | None = None,
                  progress: Callable[[int, int], None] | None = None,
                  on_dashboard: Callable[[str], None] | None = None) -> dict:
    """Count ``inputs`` on Dask into the counts directory ``output``; returns its meta (module docstring).

    Parameters: ``scheduler`` (``local``, ``local:N`` or ``tcp://host:port``), ``settings`` (default jieba,
    HMM off), ``min_count`` (5), ``max_vocab`` (0: no limit), ``window`` (10), ``distance_weighting``
    (False), ``memory`` (bytes, default 1 GiB: the budget of each partition's count and of the merge),
    ``partition_bytes`` (64 MiB), ``shard_dir`` (parent of the temporary shard folder, default beside
    ``output``), ``strict`` (bad UTF-8 is an error), ``timeout`` (seconds to reach a scheduler, 10),
    ``fan_in`` (runs merged at once, default 32), ``progress`` (``progress(tasks_done, tasks_total)``: one
    tokenize and one count task per partition), ``on_dashboard`` (receives the dashboard address).
    """
    from .cache import source_stats
    from .counter import _check

    _check(window, min_count, max_vocab)
    distributed = require_dask()
    settings = settings or TokenizerSettings()
    files = expand_inputs(inputs)
    parts = plan_partitions(files, partition_bytes)
    sources = source_stats(files)
    output = os.path.abspath(os.fspath(output))
    if os.path.exists(output) and not os.path.isdir(output):
        raise InputError(f"{output} exists and is not a folder: choose another output", params=("output",))
    parent = os.path.abspath(shard_dir) if shard_dir else os.path.dirname(output)
    tag = uuid.uuid4().hex[:8]
    memory = int(memory) if memory else 1 << 30
    tmp = make_job_folder(parent)
    try:
        with dask_client(scheduler, timeout, on_dashboard) as client:
            return _run(client, distributed, parts, files, sources, settings, tmp, tag, output, scheduler, min_count,
                        max_vocab, window, distance_weighting, memory, strict, fan_in, progress)
    finally:  # on success no task runs any more; on failure _run already removed it (a no-op then)
        with sigint_held():
            remove_job_folder(tmp)


def _run(client, distributed, parts, files, sources, settings, tmp, tag, output, scheduler, min_count, max_vocab,
         window, distance_weighting, memory, strict, fan_in, progress) -> dict:
    from .counter import weight_table
    from .kway import FAN_IN, write_counts

    total_tasks, done = 2 * len(parts), 0
    futures: list = []
    try:
        toks = client.map(tokenize_partition, parts, settings=settings.to_dict(), strict=strict,
                          key=[f"wordvec-tokenize-{tag}-{k}" for k in range(len(parts))])
        futures.extend(toks)
        for _ in distributed.as_completed(toks):
            done += 1
            if progress is not None:
                progress(done, total_tasks)
        distributed.wait(toks)
        for fut in toks:
            if fut.status == "error":
                fut.result()  # raises the partition's error (file:line)
        counted = client.map(word_counts, toks, key=[f"wordvec-words-{tag}-{k}" for k in range(len(parts))])
        futures.extend(counted)
        totals = _tree_sum(client, counted, tag, futures)
        union = totals.result()
        if not union:
            raise InputError(f"no tokens in {', '.join(files[:3])}{' ...' if len(files) > 3 else ''}: the input "
                             "is empty or only whitespace; pass text with content")
        vocab = Vocabulary.from_counts(union).prune(min_count, max_vocab)
        if len(vocab) == 0:
            raise InputError(f"no word occurs at least {min_count} times in the corpus: lower min_count",
                             params=("min_count",))
        del union, counted, totals
        vocab_f = client.scatter(vocab, broadcast=True)
        futures.append(vocab_f)
        folders = [os.path.join(tmp, f"part-{k:06d}") for k in range(len(parts))]  # + "-<id>" (dask_folder)
        results = client.map(count_partition, toks, folders, vocab=vocab_f, window=int(window),
                             distance_weighting=bool(distance_weighting), memory=memory,
                             key=[f"{COUNT_KEY}{tag}-{k}" for k in range(len(parts))])
        futures.extend(results)
        for _ in distributed.as_completed(results):
            done += 1
            if progress is not None:
                progress(done, total_tasks)
        summaries = client.gather(results)
        if any(s["cancelled"] for s in summaries):  # not cancelled by us: someone removed the folder
            raise WordvecError(f"the temporary shard folder {tmp} disappeared while counting: keep it in place "
                               "until the count ends, or choose another shard_dir", params=("shard_dir",))
        client.cancel(futures)  # frees the tokens on the workers
        futures = []
        fan_in = fan_in or FAN_IN
        prefixes, levels = tree_merge(client, summaries, tmp, tag, len(vocab), memory, fan_in, futures)
        scale = weight_table(int(window), bool(distance_weighting))[0]
        report = _merge_reports([s["report"] for s in summaries], len(files))
        from wordvec._version import __version__
        from wordvec.io.atomic import atomic_directory, save_json
        from wordvec.io.integrity import checksum_files

        from .cooccur import FORMAT, FORMAT_VERSION

        with atomic_directory(output) as out:
            info = write_counts(prefixes, vocab, out, scale, memory, tmp, fan_in)
            meta = {"min_count": int(min_count), "max_vocab": int(max_vocab), "tokenizer": settings.to_dict(),
                    "sources": sources, "token_cache": None,
                    "n_lines": sum(s["lines"] for s in summaries),
                    "n_tokens_all": sum(s["tokens"] for s in summaries), "report": report.to_dict(),
                    "dask": {"scheduler": str(scheduler), "partitions": len(parts), "merge_levels": levels},
                    "format": FORMAT, "version": FORMAT_VERSION, "wordvec_version": __version__,
                    "window": int(window), "distance_weighting": bool(distance_weighting),
                    "vocab_size": len(vocab), "vocab_checksum": vocab.checksum(), "total_tokens": vocab.total,
                    "z": info["z"], "nnz": info["nnz"], "checksums": checksum_files(out)}
            save_json(os.path.join(out, "meta.json"), meta)
        return meta
    except BaseException:
        with sigint_held():  # a second Ctrl-C does not cut the cleanup short (it is raised after it)
            if futures:
                with contextlib.suppress(Exception):
                    client.cancel(futures, force=True)
            # tasks already running go on (Dask cannot stop them): nothing of theirs may remain (dask_folder)
            remove_job_folder(tmp, client, tag)
        raise


__all__ = ["count_on_dask", "plan_partitions", "parse_scheduler", "dask_client", "require_dask", "Partition",
           "PARTITION_BYTES", "INSTALL"]
