"""Reading the JSON description every wordvec artifact directory carries (``meta.json``, a checkpoint's ``state.json``).

One place for the shape the artifact readers share: open the file, parse it, insist on a JSON object, check the
format name and the format version. Every problem is a one-line ``WordvecError`` naming the file, what is wrong
and what to do; the wording is the same for every artifact, only ``what`` (the artifact's name) and the advice
differ. Checks that belong to one artifact (shapes, checksums, settings) stay with its reader.
"""
from __future__ import annotations

import json
import os
from typing import Any

from wordvec.errors import CorruptFileError, WordvecError


def _short(value: Any, limit: int = 60) -> str:
    """``repr(value)`` cut to ``limit`` characters (a stray value must not blow up a one-line message)."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def read_meta_file(
    path: str | os.PathLike,
    *,
    what: str,
    remedy: str,
    foreign: str | None = None,
    filename: str = "meta.json",
    missing_error: type[WordvecError] = CorruptFileError,
) -> dict[str, Any]:
    """Read ``path/filename`` as a JSON object, without checking its format name or version.

    Parameters: ``path`` (the artifact directory), ``what`` (its name in messages, e.g. ``"token cache"``),
    ``remedy`` (what to do about a damaged one, e.g. ``"rebuild with `wordvec count`"``), ``foreign`` (what to
    do when the folder is not such an artifact at all; default ``remedy``), ``filename`` (default
    ``meta.json``), ``missing_error`` (the class raised when the file is absent; default ``CorruptFileError``).
    Unreadable, invalid or non-object JSON raises ``CorruptFileError``.
    """
    path = os.fsdecode(os.fspath(path))
    file = os.path.join(path, filename)
    try:
        with open(file, encoding="utf-8") as handle:
            meta = json.load(handle, parse_constant=_no_constant)
    except FileNotFoundError:
        raise missing_error(f"{file}: missing, so {path} is not a wordvec {what}; {foreign or remedy}") from None
    except ValueError as err:  # JSONDecodeError, UnicodeDecodeError, NaN/Infinity, ints of > 4300 digits
        raise CorruptFileError(f"{file}: not valid JSON ({str(err)[:100]}); {remedy}") from None
    except RecursionError:
        raise CorruptFileError(f"{file}: JSON nested too deeply; {remedy}") from None
    except OSError as err:
        raise CorruptFileError(f"{file}: unreadable ({err.strerror or err}); {remedy}") from None
    if not isinstance(meta, dict):
        raise CorruptFileError(f"{file}: not a JSON object; {remedy}")
    from wordvec.io.schema import MAX_DEPTH, walk_depth

    if not walk_depth(meta):
        raise CorruptFileError(f"{file}: JSON nested deeper than {MAX_DEPTH} levels; {remedy}")
    return meta


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def check_meta_format(
    meta: dict[str, Any],
    file: str,
    *,
    kind: str,
    max_version: int,
    what: str,
    remedy: str,
    foreign: str | None = None,
    version_key: str = "version",
    min_version: int = 1,
) -> None:
    """Check that ``meta`` (read from ``file``) names the format ``kind`` at a version this wordvec reads, and
    that its fields have the types and ranges of ``wordvec.io.schema.BY_FORMAT[kind]``.

    Parameters: ``kind`` (the expected ``meta["format"]``), ``max_version`` (the newest version read; a newer
    one asks to upgrade wordvec), ``min_version`` (the oldest one read, default 1), ``version_key`` (default
    ``"version"``; model directories and checkpoints use ``"format_version"``); ``what``, ``remedy``,
    ``foreign`` as in ``read_meta_file``. Raises ``CorruptFileError``.
    """
    found = meta.get("format")
    if found != kind:
        raise CorruptFileError(f"{file}: not a wordvec {what} (format {_short(found)}); {foreign or remedy}")
    version = meta.get(version_key)
    whole = isinstance(version, int) and not isinstance(version, bool)
    if whole and version > max_version:
        raise CorruptFileError(f"{file}: {what} format version {version} is newer than this wordvec reads "
                               f"({max_version}); upgrade wordvec or {remedy}")
    if not whole or version < min_version:
        reads = f"version {max_version}" if min_version == max_version else f"versions {min_version} to {max_version}"
        raise CorruptFileError(f"{file}: {what} format version {_short(version)} is not supported (this wordvec "
                               f"reads {reads}); {remedy}")
    from wordvec.io.schema import BY_FORMAT, check

    if kind in BY_FORMAT:  # the typed fields of this format (types, ranges, finite numbers)
        check(meta, BY_FORMAT[kind], file, remedy)


def read_artifact_meta(
    path: str | os.PathLike,
    *,
    kind: str,
    max_version: int,
    what: str,
    remedy: str,
    foreign: str | None = None,
    filename: str = "meta.json",
    version_key: str = "version",
    min_version: int = 1,
    missing_error: type[WordvecError] = CorruptFileError,
) -> dict[str, Any]:
    """Read ``path/filename`` and check its format name and version; returns the dict.

    ``read_meta_file`` followed by ``check_meta_format`` (see both for the parameters). Raises
    ``missing_error`` when the file is absent and ``CorruptFileError`` for anything else.
    """
    meta = read_meta_file(path, what=what, remedy=remedy, foreign=foreign, filename=filename,
                          missing_error=missing_error)
    check_meta_format(meta, os.path.join(os.fspath(path), filename), kind=kind, max_version=max_version, what=what,
                      remedy=remedy, foreign=foreign, version_key=version_key, min_version=min_version)
    return meta


__all__ = ["read_artifact_meta", "read_meta_file", "check_meta_format"]
