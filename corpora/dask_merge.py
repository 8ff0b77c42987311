"""The tree of merge tasks of a Dask count (issue 17): the workers merge the partitions' runs, at most
``fan_in`` partitions per task (and at least one task per worker thread), level by level, so that the
driver's final pass (``kway.write_counts``) reads at most about ``fan_in`` runs instead of merging all the
partitions' runs alone.

Each task merges sorted runs with ``kway.merge_sorted_runs`` into one run in a new part folder of the job
folder (``dask_folder.write_part``: never re-creates a vanished job folder), under the same memory budget as
the counts. It does not delete its inputs, so a task re-run after a lost worker finds them; the driver
removes a task's input folders once it holds the task's result, so the shard folder holds the shards plus
the merges in flight. Counts are integer units, so any grouping gives the same sums: the result is
identical to merging everything on the driver.
"""
from __future__ import annotations

import os
import shutil
from typing import Any

from wordvec.errors import WordvecError

from .dask_folder import MERGE_KEY, write_part


def merge_parts(prefixes: list[str], base: str, vocab_size: int, memory: int, fan_in: int) -> dict:
    """On a worker: the sum of the runs ``prefixes`` as one run in a new folder ``base-<id>``; returns
    ``{"folder", "runs", "cancelled"}`` (``cancelled``: the job folder is gone)."""
    from .kway import merge_sorted_runs
    from .shards import _RunFile

    def write(folder: str) -> int:
        out = _RunFile(os.path.join(folder, "run-000000"))
        try:
            merge_sorted_runs(prefixes, vocab_size, out, memory, folder, fan_in, keep=prefixes)
        finally:
            out.close()
        return out.n

    folder, _ = write_part(base, write)
    return {"folder": folder, "runs": ["run-000000"] if folder else [], "cancelled": folder is None}


def _threads(client: Any) -> int:
    try:
        return max(1, sum(client.nthreads().values()))
    except Exception:  # noqa: BLE001 - no count: no parallelism assumed
        return 1


def _groups(level: list, fan_in: int, threads: int) -> list[list]:
    """``level`` in consecutive groups: at most ``fan_in`` per group, and as many groups as worker threads
    (up to ``fan_in``) so that they merge in parallel. Each group becomes one run, and ``fan_in`` is below
    the runs left (the tree's loop condition), so every level leaves fewer runs: the tree ends."""
    n = len(level)
    count = max(-(-n // fan_in), min(threads, fan_in, n))
    size = -(-n // count)
    return [level[k:k + size] for k in range(0, n, size)]


def tree_merge(client: Any, summaries: list[dict], job: str, tag: str, vocab_size: int, memory: int, fan_in: int,
               track: list) -> tuple[list[str], int]:
    """Merge the count ``summaries``' runs on the workers until at most ``fan_in`` runs (or one folder) are
    left; returns ``(run prefixes for the driver's final merge, levels run)``. The futures go to ``track``
    (cancelled on failure)."""
    from distributed import as_completed

    level = [s for s in summaries if s["folder"]]
    depth, threads = 0, _threads(client)
    while len(level) > 1 and sum(len(s["runs"]) for s in level) > fan_in:
        depth += 1
        groups = _groups(level, fan_in, threads)
        inputs = [[os.path.join(s["folder"], name) for s in group for name in s["runs"]] for group in groups]
        futures = client.map(merge_parts, inputs, [os.path.join(job, f"merge-{depth}-{k:06d}") for k in
                                                   range(len(groups))],
                             vocab_size=int(vocab_size), memory=int(memory), fan_in=int(fan_in),
                             key=[f"{MERGE_KEY}{tag}-{depth}-{k}" for k in range(len(groups))])
        track.extend(futures)
        which = {future.key: k for k, future in enumerate(futures)}
        merged: list = [None] * len(groups)
        for future in as_completed(futures):
            k = which[future.key]
            merged[k] = future.result()
            if merged[k]["cancelled"]:
                raise WordvecError(f"the temporary shard folder {job} disappeared while merging: keep it in "
                                   "place until the count ends, or choose another shard_dir", params=("shard_dir",))
            for s in groups[k]:  # its result is here: no re-run of that task needs its inputs any more
                shutil.rmtree(s["folder"], ignore_errors=True)
        level = merged
    return [os.path.join(s["folder"], name) for s in level for name in s["runs"]], depth


__all__ = ["merge_parts", "tree_merge"]
