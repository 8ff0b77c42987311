"""Finding the input files: paths of files, folders (every non-hidden file below, recursively, in sorted path
order, leaving out wordvec's own artifacts) or ``-`` for stdin, each file read once."""
from __future__ import annotations

import os
from typing import Sequence

from wordvec.errors import InputError

STDIN = "-"


def _once(path: str, seen: dict[tuple[int, int], str]) -> None:
    """Refuse a file already among the inputs (same device and inode: also through a symlink or hard link)."""
    try:
        info = os.stat(path)
    except OSError:
        return  # reported by the access check or when it is read
    key = (info.st_dev, info.st_ino)
    if key in seen:
        from wordvec.io.paths import display

        first = seen[key]
        same = "given twice" if first == path else f"the same file as {display(first)}"
        raise InputError(f"input {display(path)} is {same}: it would be counted twice; pass each file once")
    seen[key] = path


# --- finding the input files --------------------------------------------------------------------------
def _walk(folder: str) -> list[str]:
    from wordvec.io.outputs import is_artifact_dir

    found: list[tuple[tuple[str, ...], str]] = []
    for root, dirs, files in os.walk(folder, onerror=None, followlinks=False):
        # hidden folders (our temporaries among them) and wordvec's own artifacts are not corpus text
        dirs[:] = [d for d in dirs if not d.startswith(".") and not is_artifact_dir(os.path.join(root, d))]
        for name in files:
            if name.startswith("."):
                continue
            path = os.path.join(root, name)
            if os.path.isfile(path):
                found.append((tuple(os.path.relpath(path, folder).split(os.sep)), path))
    return [path for _, path in sorted(found)]


def expand_inputs(inputs: Sequence[str | os.PathLike]) -> list[str]:
    """Resolve ``inputs`` into the ordered list of files to read (``"-"`` stays for stdin).

    Folders expand to their non-hidden files, recursively, sorted by path, leaving out folders wordvec wrote
    (models, counts, caches, checkpoints inside a corpus folder). Raises ``InputError`` for no
    input, a missing path, an unreadable file, a folder without files, ``-`` given twice, or a file that
    would be read twice (given twice, given and inside a given folder, or under two names: a link).
    """
    if isinstance(inputs, (str, os.PathLike)):
        inputs = [inputs]
    if not inputs:
        raise InputError("no input given: pass text files, folders, or - for stdin")
    out: list[str] = []
    seen: dict[tuple[int, int], str] = {}
    for item in inputs:
        path = os.fspath(item)
        if path == STDIN:
            if STDIN in out:
                raise InputError("stdin (-) given twice: it can be read only once")
            out.append(STDIN)
            continue
        if not os.path.exists(path):
            raise InputError(f"input not found: {path}: check the path")
        if os.path.isdir(path):
            files = _walk(path)
            if not files:
                raise InputError(
                    f"folder {path} has no text files (hidden files are skipped): add files or pass another input"
                )
        else:
            files = [path]
        for file in files:
            _once(file, seen)
        out.extend(files)
    for path in out:
        if path != STDIN and not os.access(path, os.R_OK):
            raise InputError(f"cannot read {path}: permission denied; fix its permissions (chmod +r) or leave it out")
    return out


__all__ = ["expand_inputs", "STDIN"]
