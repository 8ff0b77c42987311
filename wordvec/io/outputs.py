"""What may be written where: artifact kinds, and outputs that would destroy something.

Every folder wordvec writes names its kind in ``meta.json`` (a checkpoint in ``state.json``) as ``format``:
token cache, counts, shards, model, checkpoint. ``check_output`` runs before any work starts and refuses:

- an output folder that holds an artifact of another kind (``count … -o MODEL``), unless ``force``;
- a file output inside an artifact folder (``export M -o M/vectors.npy``, or into any other model), unless
  ``force`` — and never inside one of the inputs;
- an output that is, or lies inside, one of the inputs (``train DIR -o DIR/model`` would read its own output
  on the second run), or an input that lies inside an output folder about to be replaced. ``force`` does not
  lift these.

``atomic_directory`` repeats the kind check when it swaps the new folder in (for library callers);
``replacing_allowed`` is the ``--force`` of that check.
"""
from __future__ import annotations

import contextlib
import contextvars
import json
import os
from typing import Iterator, Sequence

from wordvec.errors import InputError

KINDS = {
    "wordvec-model": "model directory",
    "wordvec-token-cache": "token cache",
    "wordvec-cooccurrence": "counts directory",
    "wordvec-cooccurrence-shards": "shard directory",
    "wordvec-checkpoint": "training checkpoint",
}
_MARKERS = ("meta.json", "state.json")
_FORCE: contextvars.ContextVar[bool] = contextvars.ContextVar("wordvec_force_replace", default=False)


def artifact_kind(path: str | os.PathLike) -> str | None:
    """The ``format`` a wordvec folder at ``path`` declares (e.g. ``"wordvec-model"``), ``"unknown"`` for a
    folder whose marker file cannot be read, None when ``path`` is not a wordvec artifact folder."""
    path = os.fspath(path)
    for marker in _MARKERS:
        file = os.path.join(path, marker)
        if not os.path.isfile(file):
            continue
        try:
            with open(file, "rb") as handle:
                data = json.loads(handle.read(1 << 20).decode("utf-8"))
        except (OSError, ValueError, RecursionError):
            return "unknown"
        found = data.get("format") if isinstance(data, dict) else None
        if isinstance(found, str) and found.startswith("wordvec-"):
            return found
        return "unknown" if marker == "meta.json" and found is None else None
    return None


def describe(kind: str | None) -> str:
    """A kind in words (``"model directory"``)."""
    return KINDS.get(kind or "", "wordvec folder of an unknown kind")


@contextlib.contextmanager
def replacing_allowed(force: bool = True) -> Iterator[None]:
    """Inside the block, ``atomic_directory`` may replace an artifact of another kind (the CLI's ``--force``)."""
    token = _FORCE.set(bool(force))
    try:
        yield
    finally:
        _FORCE.reset(token)


def force_active() -> bool:
    """True inside ``replacing_allowed()``."""
    return _FORCE.get()


def _real(path: str | os.PathLike) -> str:
    return os.path.realpath(os.path.abspath(os.fspath(path)))


def _inside(child: str, parent: str) -> bool:
    return child == parent or child.startswith(parent.rstrip(os.sep) + os.sep)


def _artifact_around(path: str) -> tuple[str, str] | None:
    """The nearest folder above ``path`` (a file path) that is a wordvec artifact, with its kind."""
    folder = os.path.dirname(path)
    while True:
        kind = artifact_kind(folder)
        if kind is not None:
            return folder, kind
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


def check_output(output: str | os.PathLike, kind: str | None, inputs: Sequence[str | os.PathLike] = (),
                 force: bool = False, flag: str = "-o") -> None:
    """Refuse an output that would replace or destroy something (see the module docstring).

    Parameters: ``output`` (the path given to ``flag``, default ``-o``), ``kind`` (the format the command
    writes there, e.g. ``"wordvec-model"``; None for a plain file such as an exported vector file),
    ``inputs`` (the command's input paths; ``"-"`` is stdin), ``force`` (allow replacing an artifact of another
    kind). Raises ``InputError`` with one line naming both paths.
    """
    shown = os.fsdecode(os.fspath(output))
    real_out = _real(output)
    for item in inputs:
        if os.fspath(item) == "-" or not os.path.exists(item):
            continue
        real_in = _real(item)
        if _inside(real_out, real_in):
            what = "is" if real_out == real_in else "is inside"
            raise InputError(f"{flag} {shown} {what} the input {os.fsdecode(os.fspath(item))}: the output would "
                             "replace or be read as input; write it somewhere else")
        if kind is not None and _inside(real_in, real_out):
            raise InputError(f"the input {os.fsdecode(os.fspath(item))} is inside {flag} {shown}, which would be "
                             "replaced; write the output somewhere else")
    if kind is None:
        if os.path.isdir(real_out):
            return  # atomic_output refuses a directory with its own message
        around = _artifact_around(real_out)
        if around is not None and not force:
            folder, found = around
            raise InputError(f"{flag} {shown} is inside the {describe(found)} {folder}, which it would damage; "
                             "write it somewhere else (or pass force)", params=("force",))
        return
    if os.path.isdir(real_out):
        found = artifact_kind(real_out)
        if found not in (None, "unknown") and found != kind and not force:  # a damaged artifact may be rebuilt
            raise InputError(f"{flag} {shown} is a {describe(found)}; refusing to replace it with a {describe(kind)}:"
                             " choose another output path or pass force", params=("force",))


def is_artifact_dir(path: str | os.PathLike) -> bool:
    """True if ``path`` is a folder wordvec wrote (its marker names a ``wordvec-`` format): input walks skip
    these, so a corpus folder that also holds our outputs is read without them."""
    return artifact_kind(path) not in (None, "unknown")


__all__ = ["KINDS", "artifact_kind", "describe", "check_output", "replacing_allowed", "force_active",
           "is_artifact_dir"]
