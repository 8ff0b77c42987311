"""Atomic writes: a file or a directory appears complete under its final name, or not at all.

Everything wordvec saves goes through here. Data is written under a temporary name in the same folder
and moved into place with ``os.replace``; on any error (full disk, Ctrl-C) the temporary is removed.
"""
from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import signal
import tempfile
import threading
from typing import IO, Any, Iterator

import numpy as np

from wordvec.errors import ResourceError, WordvecError


def _disk_full(err: OSError, path: str) -> bool:
    if err.errno in (errno.ENOSPC, errno.EDQUOT):
        return True
    if err.errno is None:  # numpy's tofile: "N requested and M written", no error number
        try:
            return os.statvfs(os.path.dirname(os.path.abspath(path)) or ".").f_bavail == 0
        except OSError:
            return False
    return False


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _raise_os_error(err: OSError, path: str, full: bool | None = None) -> None:
    if full if full is not None else _disk_full(err, path):
        raise ResourceError(f"disk full while writing {path}: free some space and run again") from err
    if err.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        raise WordvecError(f"cannot write {path}: permission denied; choose another output path") from err
    raise WordvecError(f"cannot write {path}: {err.strerror or err}") from err


@contextlib.contextmanager
def atomic_output(path: str | os.PathLike, mode: str = "wb", encoding: str | None = None) -> Iterator[IO]:
    """Open a temporary file beside ``path``; on normal exit move it to ``path``, else delete it.

    ``mode`` is ``"wb"`` (default) or ``"w"`` (text, ``encoding`` defaults to UTF-8).
    """
    path = os.fspath(path)
    if os.path.exists(path) and not os.path.isfile(path):
        # a named pipe, /dev/stdout, a terminal: nothing to replace, write straight into it
        if os.path.isdir(path):
            raise WordvecError(f"{path} is a directory: give a file name")
        try:
            with open(path, mode, **({} if "b" in mode else {"encoding": encoding or "utf-8", "newline": ""})) as handle:
                yield handle
        except OSError as err:
            _raise_os_error(err, path)
        return
    folder = os.path.dirname(os.path.abspath(path))
    try:
        os.makedirs(folder, exist_ok=True)
        remove_stale_temporaries(folder, os.path.basename(path))
        fd, tmp = tempfile.mkstemp(prefix=temp_prefix(os.path.basename(path)), suffix=".tmp", dir=folder)
    except OSError as err:
        _raise_os_error(err, path)
    with _removed_on_failure(tmp, path):
        if "b" in mode:
            handle = os.fdopen(fd, mode)
        else:
            handle = os.fdopen(fd, mode, encoding=encoding or "utf-8", newline="")
        with handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)


# --- temporaries of killed runs ---------------------------------------------------------------------------------
LEGACY_STALE_SECONDS = 6 * 3600  # temporaries named before names carried a pid: stale after this age
PID_STALE_SECONDS = 7 * 24 * 3600  # a pid may have been reused by now
_BESIDE = re.compile(r"(?:p(\d+)\.)?[^.]+\.(?:tmp|old)")  # after ".BASE.": [p<pid>.]<random>.tmp|old
_SHARDS = re.compile(r"\.wordvec-shards-(?:p(\d+)-)?.+")  # a counting run's spill folder


def temp_prefix(base: str) -> str:
    """The prefix of a temporary beside ``base``: ``.BASE.p<pid>.`` (the pid tells a later run whether its
    writer is gone)."""
    return f".{base}.p{os.getpid()}."


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # EPERM: it exists, owned by someone else
        return True
    return True


def stale_temporaries(folder: str, base: str | None = None, now: float | None = None) -> list[str]:
    """Names in ``folder`` of wordvec temporaries whose writer is gone: the pid in the name no longer runs,
    or the name carries no pid (older wordvec) and is older than 6 hours, or it is older than 7 days.
    ``base``: the temporaries beside that output (``.BASE.p<pid>.xxxx.tmp``/``.old``); None: the spill
    folders of counting runs (``.wordvec-shards-p<pid>-xxxx``)."""
    import time

    now = time.time() if now is None else now
    try:
        names = os.listdir(folder)
    except OSError:
        return []
    found = []
    for name in names:
        if base is None:
            match = _SHARDS.fullmatch(name)
        else:
            prefix = f".{base}."
            match = _BESIDE.fullmatch(name[len(prefix):]) if name.startswith(prefix) else None
        if match is None:
            continue
        try:
            age = now - os.lstat(os.path.join(folder, name)).st_mtime
        except OSError:
            continue
        pid = int(match.group(1)) if match.group(1) else None
        if (pid is not None and not _alive(pid)) or (pid is None and age > LEGACY_STALE_SECONDS) \
                or age > PID_STALE_SECONDS:
            found.append(name)
    return sorted(found)


def remove_stale_temporaries(folder: str, base: str | None = None) -> list[str]:
    """Remove ``stale_temporaries(folder, base)``; returns the names removed (those that could be)."""
    removed = []
    for name in stale_temporaries(folder, base):
        target = os.path.join(folder, name)
        _remove_quietly(target)
        if not os.path.lexists(target):
            removed.append(name)
    return removed


@contextlib.contextmanager
def _removed_on_failure(tmp: str, path: str) -> Iterator[None]:
    """Remove the temporary ``tmp`` (file or folder) when the block fails; an ``OSError`` becomes the
    one-line error about ``path`` (disk full told apart before the removal frees the space)."""
    try:
        yield
    except OSError as err:
        full = _disk_full(err, path)
        _remove_quietly(tmp)
        _raise_os_error(err, path, full)
    except BaseException:
        _remove_quietly(tmp)
        raise


def _remove_quietly(path: str) -> None:
    with contextlib.suppress(OSError):
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path)
        else:
            os.remove(path)


def save_npy(path: str | os.PathLike, array: np.ndarray) -> None:
    """Save one array as ``.npy`` atomically (never pickled)."""
    with atomic_output(path, "wb") as handle:
        np.save(handle, np.asarray(array), allow_pickle=False)


def save_json(path: str | os.PathLike, obj: Any) -> None:
    """Save ``obj`` as pretty UTF-8 JSON atomically (strings with undecodable file-name bytes included)."""
    from wordvec.io.paths import json_dumps

    text = json_dumps(obj, indent=2, sort_keys=False) + "\n"  # non-UTF-8 file names as \udcXX escapes
    with atomic_output(path, "w") as handle:
        handle.write(text)


def save_text(path: str | os.PathLike, text: str) -> None:
    """Save a UTF-8 string atomically."""
    with atomic_output(path, "w") as handle:
        handle.write(text)


@contextlib.contextmanager
def atomic_directory(path: str | os.PathLike, markers: tuple[str, ...] = ("meta.json", "state.json")) -> Iterator[str]:
    """Yield a fresh temporary directory beside ``path``; on normal exit it replaces ``path``.

    An existing directory at ``path`` is replaced only if it is empty or a wordvec artifact (holds one of
    ``markers``: ``meta.json``, or a checkpoint's ``state.json``), so ``-o`` can never delete a folder of the user's own files. The old
    artifact is swapped out and removed only after the new one is in place (and only if it is of the same kind,
    its ``format``, unless ``wordvec.io.outputs.replacing_allowed``), with Ctrl-C held off during the
    swap, so an interrupted save leaves the old artifact intact. Files inside need not be atomic themselves.
    """
    path = os.path.abspath(os.fspath(path))
    parent = os.path.dirname(path)
    if os.path.exists(path):
        if not os.path.isdir(path):
            raise WordvecError(f"{path} exists and is not a directory: choose another output path")
        if os.listdir(path) and not any(os.path.exists(os.path.join(path, m)) for m in markers):
            raise WordvecError(
                f"{path} is a folder that wordvec did not write (no {markers[0]}); refusing to replace it: "
                "choose another output path"
            )
    try:
        os.makedirs(parent, exist_ok=True)
        remove_stale_temporaries(parent, os.path.basename(path))
        tmp = tempfile.mkdtemp(prefix=temp_prefix(os.path.basename(path)), suffix=".tmp", dir=parent)
        os.chmod(tmp, 0o777 & ~_umask())
    except OSError as err:
        _raise_os_error(err, path)
    with _removed_on_failure(tmp, path):
        yield tmp
        _check_kind(path, tmp)
        with sigint_held():
            old = None
            if os.path.exists(path):
                old = tempfile.mkdtemp(prefix=temp_prefix(os.path.basename(path)), suffix=".old", dir=parent)
                os.rmdir(old)
                os.rename(path, old)
            try:
                os.rename(tmp, path)
            except BaseException:
                if old is not None:
                    os.rename(old, path)
                raise
            if old is not None:
                _remove_quietly(old)


def _check_kind(path: str, tmp: str) -> None:
    """Refuse to replace an artifact of another kind (a model by counts, say) unless ``replacing_allowed``."""
    from wordvec.io.outputs import artifact_kind, describe, force_active

    if not os.path.isdir(path) or force_active():
        return
    old, new = artifact_kind(path), artifact_kind(tmp)
    if old not in (None, "unknown") and new is not None and old != new:  # a damaged one may be rebuilt
        raise WordvecError(f"{path} is a {describe(old)}; refusing to replace it with a {describe(new)}: "
                           "choose another output path or pass force", params=("force",))


class Terminated(KeyboardInterrupt):
    """SIGTERM arrived (``kill``, ``timeout``, a service manager): handled everywhere like Ctrl-C — the same
    cleanup, the previous artifact left intact — and reported with exit status 143."""


def _on_sigterm(signum, frame) -> None:
    raise Terminated


def install_sigterm() -> None:
    """Make SIGTERM raise ``Terminated`` in the main thread (the command line does this at start); a process
    that ignores SIGTERM, or handles it itself, is left alone."""
    if (threading.current_thread() is threading.main_thread()
            and signal.getsignal(signal.SIGTERM) is signal.SIG_DFL):
        signal.signal(signal.SIGTERM, _on_sigterm)


def _interrupt_for(received: list[object]) -> KeyboardInterrupt:
    return Terminated() if signal.SIGTERM in received else KeyboardInterrupt()


_HELD: list[list[object]] = []  # the Ctrl-Cs held by each open sigint_held block, innermost last


@contextlib.contextmanager
def sigint_held() -> Iterator[None]:
    """Hold Ctrl-C (and SIGTERM, when ``install_sigterm`` made it an interrupt) until the block ends, or until
    ``sigint_checkpoint()`` is called inside it (main thread only; elsewhere a no-op). Only Python's own
    handlers are replaced: a process that ignores SIGINT (a background job) keeps ignoring it, and an
    enclosing block keeps holding it."""
    if (threading.current_thread() is not threading.main_thread()
            or signal.getsignal(signal.SIGINT) is not signal.default_int_handler):
        yield
        return
    received: list[object] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: received.append(signum))
    previous_term = None
    if signal.getsignal(signal.SIGTERM) is _on_sigterm:
        previous_term = signal.signal(signal.SIGTERM, lambda signum, frame: received.append(signum))
    _HELD.append(received)
    try:
        yield
    finally:
        _HELD.pop()  # blocks nest: this one is innermost
        signal.signal(signal.SIGINT, previous)
        if previous_term is not None:
            signal.signal(signal.SIGTERM, previous_term)
    if received:
        raise _interrupt_for(received)


def sigint_checkpoint() -> None:
    """Inside a ``sigint_held`` block: raise the held Ctrl-C now, as ``KeyboardInterrupt``, if one came.

    Long work that calls C code which calls back into Python (numba's result boxing, numpy) holds Ctrl-C
    for its whole duration and calls this between such calls, so the interrupt is raised only in our own
    code. A no-op outside such a block and off the main thread.
    """
    if _HELD and _HELD[-1] and threading.current_thread() is threading.main_thread():
        interrupt = _interrupt_for(_HELD[-1])
        _HELD[-1].clear()
        raise interrupt


__all__ = ["atomic_output", "atomic_directory", "save_npy", "save_json", "save_text", "sigint_held",
           "sigint_checkpoint", "Terminated", "install_sigterm", "temp_prefix", "stale_temporaries",
           "remove_stale_temporaries"]
