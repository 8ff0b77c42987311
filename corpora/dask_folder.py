"""The temporary job folder of a Dask count (``dask_count.py``): created by the driver, written by the workers,
removed by the driver on success, on failure and on Ctrl-C, with nothing left behind.

Why this needs care. A cancelled Dask task that is already running cannot be stopped: its worker thread goes
on, and the scheduler forgets the task at once (``client.processing()`` no longer lists it; only the worker's
own state does, as ``cancelled(executing)``). Such a task once re-created the job folder after the driver had
removed it (``os.makedirs(..., exist_ok=True)`` in the atomic writers) and left a ``part-*`` in it. So:

- **Workers never create the job folder** (``write_part``): a part is counted into ``.part-K-<id>.tmp``,
  made with ``os.mkdir`` (which fails once the job folder is gone), holding only files, and renamed to
  ``part-K-<id>`` when complete (a unique name: a re-run after a lost worker never collides). When the job
  folder vanished, the write fails and the task returns "cancelled" instead of an error.
- **The driver renames the job folder away first** (``remove_job_folder``), so every later path-based write
  of a straggling task fails; then it waits (bounded) until no writing task of the job still runs on any worker
  (asked of the workers themselves, ``running_writers``), and removes the renamed folder, again until it
  is gone.
- The folder's name carries this host and the driver's pid (``.wordvec-dask-HOST-pPID-xxxx``), so a later
  count in the same place removes the folders of drivers that were killed (as ``.wordvec-shards-*`` spill
  folders of one-machine counts are).
"""
from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import tempfile
import time
import uuid
from typing import Any, Callable

PREFIX = ".wordvec-dask-"
COUNT_KEY = "wordvec-count-"  # the keys of the tasks that write parts: f"{COUNT_KEY}{tag}-{k}" (counts)
MERGE_KEY = "wordvec-merge-"  # and f"{MERGE_KEY}{tag}-{level}-{k}" (the tree of merges, dask_merge.py)


def _host() -> str:
    return re.sub(r"[^A-Za-z0-9_.]", "_", socket.gethostname() or "host")[:64]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # EPERM: it exists
        return True
    return True


def stale_job_folders(parent: str) -> list[str]:
    """Names in ``parent`` of job folders (or renamed ones being removed) whose driver on this host is gone."""
    pattern = re.compile(re.escape(PREFIX + _host() + "-") + r"p(\d+)-.+")
    try:
        names = os.listdir(parent)
    except OSError:
        return []
    return sorted(n for n in names if (m := pattern.fullmatch(n)) and int(m.group(1)) != os.getpid()
                  and not _alive(int(m.group(1))))


def make_job_folder(parent: str) -> str:
    """A fresh job folder in ``parent`` (created if needed); the folders of killed drivers there are removed."""
    os.makedirs(parent, exist_ok=True)
    for name in stale_job_folders(parent):
        shutil.rmtree(os.path.join(parent, name), ignore_errors=True)
    return tempfile.mkdtemp(prefix=f"{PREFIX}{_host()}-p{os.getpid()}-", dir=parent)


def write_part(base: str, write: Callable[[str], Any]) -> tuple[str | None, Any]:
    """On a worker: ``write(folder)`` into a new temporary folder beside ``base`` (``JOB/part-K``), then rename
    it to ``base-<id>``; returns ``(final folder, write's result)``, or ``(None, None)`` when the job folder
    is gone (the job was cancelled: nothing is created, and the failed write is not an error)."""
    job, name = os.path.split(base)
    unique = f"{name}-{uuid.uuid4().hex[:8]}"
    work, final = os.path.join(job, f".{unique}.tmp"), os.path.join(job, unique)
    try:
        os.mkdir(work)  # never makedirs: a vanished job folder must stay vanished
    except FileNotFoundError:
        return None, None
    try:
        result = write(work)
        os.rename(work, final)
    except Exception:
        shutil.rmtree(work, ignore_errors=True)
        if not os.path.isdir(job):
            return None, None
        raise
    return final, result


def running_writers(tag: str, dask_worker: Any = None) -> list[str]:
    """On a worker (``client.run``): the keys of this job's writing tasks (counts, merges) that still occupy
    a thread, cancelled ones included (``WorkerState.all_running_tasks``)."""
    state = getattr(dask_worker, "state", None)
    tasks = state.all_running_tasks if state is not None else ()
    return sorted(str(ts.key) for ts in tasks if str(ts.key).startswith((COUNT_KEY + tag, MERGE_KEY + tag)))


def wait_for_workers_idle(client: Any, tag: str, seconds: float = 10.0) -> bool:
    """Wait (at most ``seconds``) until no writing task of job ``tag`` runs on any worker (``""``: of any
    job); True when none does."""
    end = time.monotonic() + seconds
    while True:
        left = end - time.monotonic()
        try:
            busy = client.run(running_writers, tag, on_error="ignore", callback_timeout=max(0.5, left))
        except Exception:  # noqa: BLE001 - the scheduler is gone or too slow: the rename still protects
            return False
        if not any(busy.values()):
            return True
        if left <= 0:
            return False
        time.sleep(0.1)


def remove_job_folder(folder: str, client: Any = None, tag: str | None = None, wait: float = 10.0) -> None:
    """Remove the job folder so that nothing of it remains, even with its tasks still running (module doc):
    rename it away, wait for the job's running writing tasks (when ``client`` is given), remove, retry."""
    gone = f"{folder}-removing"
    with contextlib.suppress(OSError):  # already gone (or renamed by an earlier call): remove what is there
        os.rename(folder, gone)
    if client is not None and tag:
        wait_for_workers_idle(client, tag, wait)
    for path in (folder, gone):
        for _ in range(50):
            shutil.rmtree(path, ignore_errors=True)
            if not os.path.lexists(path):
                break
            time.sleep(0.05)


__all__ = ["make_job_folder", "write_part", "remove_job_folder", "running_writers", "wait_for_workers_idle",
           "stale_job_folders", "PREFIX", "COUNT_KEY", "MERGE_KEY"]
