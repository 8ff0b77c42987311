"""The token cache: a tokenized corpus on disk, reused while its inputs and settings are unchanged.

A cache is a directory (DESIGN "artifacts"):

* ``vocab.tsv``: the full vocabulary, ``word<TAB>count``, frequency order, ties by word (SPEC a.2);
* ``ids.npy``: every token of the corpus as a ``uint32`` id into that vocabulary, lines back to back;
* ``line_offsets.npy``: ``int64``, one more than the number of lines; line k is ``ids[off[k]:off[k+1]]``;
* ``meta.json``: format name and version, source files (path, size, mtime), tokenizer settings, the
  reading report (bad bytes, long lines), totals and checksums.

It is written atomically and validated on load (``CorruptFileError`` naming the file). By default caches
live under ``$WORDVEC_CACHE_DIR`` (or ``~/.cache/wordvec``) in a folder named by a hash of the resolved
input paths and the settings; the input sizes and mtimes decide whether that folder is still valid.
Stdin is never cached.
"""
from __future__ import annotations

import datetime
import hashlib
import json
import os
import time
import zlib
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Sequence

import numpy as np

from wordvec.io.atomic import atomic_directory, save_json, save_npy
from wordvec.io.meta import read_artifact_meta
from wordvec.io.paths import default_cache_root
from wordvec._version import __version__
from wordvec.errors import CorruptFileError, InputError, WordvecError

from ._parallel import tokenize_files
from .reader import STDIN, ReadReport, expand_inputs
from .tokenize import TokenizerSettings, resolve
from wordvec.io.vocab import Vocabulary

FORMAT = "wordvec-token-cache"
FORMAT_VERSION = 1
FILES = ("vocab.tsv", "ids.npy", "line_offsets.npy", "meta.json")


def _crc(array: np.ndarray) -> str:
    return f"{zlib.crc32(memoryview(np.ascontiguousarray(array)).cast('B')) & 0xFFFFFFFF:08x}"


def source_stats(files: Sequence[str]) -> list[dict[str, Any]]:
    """Resolved path, size and mtime of each input file (what decides whether a cache is still valid)."""
    out = []
    for path in files:
        st = os.stat(path)
        out.append({"path": os.path.realpath(path), "size": st.st_size, "mtime": st.st_mtime, "mtime_ns": st.st_mtime_ns})
    return out


def _user_dict_stat(settings: TokenizerSettings) -> dict[str, Any] | None:
    if not settings.user_dict:
        return None
    try:
        return source_stats([settings.user_dict])[0]
    except OSError:
        raise InputError(f"user dictionary not found: {settings.user_dict}: check the user_dict path",
                         params=("user_dict",)) from None


def cache_key(files: Sequence[str], settings: TokenizerSettings) -> str:
    """Hash of the resolved input paths and the settings (with the engine and its version, e.g.
    "rjieba 0.2.2"): the cache folder's name under the cache root."""
    blob = json.dumps(
        {"format": FORMAT, "version": FORMAT_VERSION, "files": [os.path.realpath(p) for p in files],
         "tokenizer": settings.to_dict()},
        sort_keys=True, ensure_ascii=False,
    )
    from wordvec.io.paths import key_bytes

    return hashlib.sha256(key_bytes(blob)).hexdigest()[:20]  # non-UTF-8 file names hash by their bytes


class TokenCache:
    """A tokenized corpus: ``vocab`` (full ``Vocabulary``), ``ids`` (uint32), ``line_offsets`` (int64).

    Also ``settings`` (``TokenizerSettings``), ``meta`` (dict), ``report`` (``ReadReport``: repairs made
    while reading), ``path`` (the directory, None for an unsaved cache, e.g. from stdin) and ``reused``
    (True when ``build_token_cache`` found it valid on disk instead of tokenizing).
    """

    def __init__(self, vocab: Vocabulary, ids: np.ndarray, line_offsets: np.ndarray, settings: TokenizerSettings,
                 meta: dict[str, Any] | None = None, report: ReadReport | None = None, path: str | None = None):
        self.vocab = vocab
        self.ids = ids
        self.line_offsets = line_offsets
        self.settings = settings
        self.meta = meta if meta is not None else {}
        self.report = report if report is not None else ReadReport()
        self.path = path
        self.reused = False  # set by build_token_cache when an existing cache was loaded

    @property
    def n_lines(self) -> int:
        """Number of lines (units whose windows never mix)."""
        return len(self.line_offsets) - 1

    @property
    def n_tokens(self) -> int:
        """Number of tokens (T of the full vocabulary)."""
        return len(self.ids)

    def line(self, k: int) -> np.ndarray:
        """The ids of line ``k``."""
        return self.ids[self.line_offsets[k] : self.line_offsets[k + 1]]

    def line_tokens(self, k: int) -> list[str]:
        """The tokens of line ``k`` as strings."""
        words = self.vocab.words
        return [words[i] for i in self.line(k).tolist()]

    def __repr__(self) -> str:
        return f"TokenCache({self.n_lines} lines, {self.n_tokens} tokens, {len(self.vocab)} types, path={self.path!r})"

    # --- files --------------------------------------------------------------------------------------
    def save(self, path: str | os.PathLike) -> None:
        """Write the cache directory atomically (replacing ``path``)."""
        path = os.path.abspath(os.fspath(path))
        with atomic_directory(path) as tmp, ThreadPoolExecutor(1) as pool:
            ids_written = pool.submit(save_npy, os.path.join(tmp, "ids.npy"), self.ids)  # the big write, meanwhile
            self.vocab.save(os.path.join(tmp, "vocab.tsv"))
            save_npy(os.path.join(tmp, "line_offsets.npy"), self.line_offsets)
            save_json(os.path.join(tmp, "meta.json"), self.meta)
            ids_written.result()  # raises what the write raised
        self.path = path

    @classmethod
    def load(cls, path: str | os.PathLike, mmap: bool = False) -> "TokenCache":
        """Load and validate a cache directory; ``mmap=True`` maps ``ids.npy`` instead of reading it.

        Raises ``CorruptFileError`` naming the file when anything is missing, truncated, of another format
        version, or inconsistent (shapes, dtypes, ids out of range, offsets, checksums).
        """
        path = os.path.abspath(os.fspath(path))
        meta = read_cache_meta(path)
        hint = f"delete {path} and tokenize again"

        def bad(name: str, what: str) -> CorruptFileError:
            return CorruptFileError(f"{os.path.join(path, name)}: {what}; {hint}")

        try:
            vocab = Vocabulary.load(os.path.join(path, "vocab.tsv"))
        except InputError:
            raise bad("vocab.tsv", "missing") from None
        arrays = {}
        for name, dtype in (("ids.npy", np.uint32), ("line_offsets.npy", np.int64)):
            file = os.path.join(path, name)
            try:
                arr = np.load(file, allow_pickle=False, mmap_mode="r" if mmap and name == "ids.npy" else None)
            except FileNotFoundError:
                raise bad(name, "missing") from None
            except (ValueError, OSError, EOFError) as err:
                raise bad(name, f"unreadable or truncated ({err})") from None
            if arr.dtype != dtype or arr.ndim != 1:
                raise bad(name, f"expected a 1-d {np.dtype(dtype).name} array, found {arr.ndim}-d {arr.dtype}")
            arrays[name] = arr
        ids, offsets = arrays["ids.npy"], arrays["line_offsets.npy"]
        if vocab.checksum() != meta.get("vocab_checksum") or len(vocab) != meta.get("n_types"):
            raise bad("vocab.tsv", "does not match meta.json (vocabulary checksum)")
        if len(ids) != meta.get("n_tokens") or _crc(ids) != meta.get("ids_crc32"):
            raise bad("ids.npy", "does not match meta.json (length or checksum)")
        if len(offsets) != meta.get("n_lines", -2) + 1 or _crc(offsets) != meta.get("offsets_crc32"):
            raise bad("line_offsets.npy", "does not match meta.json (length or checksum)")
        if len(offsets) == 0 or offsets[0] != 0 or offsets[-1] != len(ids) or np.any(np.diff(offsets) < 0):
            raise bad("line_offsets.npy", "offsets are not non-decreasing from 0 to the number of tokens")
        if len(ids) and int(ids.max()) >= len(vocab):
            raise bad("ids.npy", f"ids reach {int(ids.max())} but the vocabulary has {len(vocab)} words")
        if not np.array_equal(np.bincount(ids, minlength=len(vocab)), vocab.counts):
            raise bad("vocab.tsv", "counts differ from the ids")
        try:
            settings = TokenizerSettings.from_dict(meta.get("tokenizer") or {})
        except (WordvecError, TypeError) as err:
            raise bad("meta.json", f"bad tokenizer settings ({err})") from None
        report = ReadReport.from_dict(meta.get("report") or {})
        return cls(vocab, ids, offsets, settings, meta, report, path)


def read_cache_meta(path: str | os.PathLike) -> dict[str, Any]:
    """``meta.json`` of a cache directory, checked for format and version (``CorruptFileError`` otherwise)."""
    path = os.fspath(path)
    return read_artifact_meta(path, kind=FORMAT, max_version=FORMAT_VERSION, what="token cache",
                              remedy=f"delete {path} and tokenize again",
                              foreign="pass a folder written by `wordvec tokenize`, or tokenize into another folder")


def _reusable(path: str, sources: list, user_dict: Any, settings: TokenizerSettings) -> bool:
    try:
        meta = read_cache_meta(path)
    except CorruptFileError:
        return False
    return (
        meta.get("version") == FORMAT_VERSION
        and meta.get("sources") == sources
        and meta.get("user_dict") == user_dict
        and meta.get("tokenizer") == settings.to_dict()
    )


def _raise_if_strict(report: ReadReport) -> None:
    if report.bad_bytes:
        raise InputError(f"{report.first_bad}: invalid UTF-8 ({report.bad_bytes} bad bytes in the input); convert "
                         f"the file to UTF-8, or leave out strict to replace and count bad bytes", params=("strict",))
    if report.nul_bytes:
        raise InputError(f"{report.first_nul}: NUL byte in text; remove it, or leave out strict", params=("strict",))


def build_token_cache(
    inputs: Sequence[str | os.PathLike],
    settings: TokenizerSettings | None = None,
    cache_dir: str | os.PathLike | None = None,
    workers: int | None = None,
    strict: bool = False,
    progress: Callable[[int, int], None] | None = None,
    output: str | os.PathLike | None = None,
) -> TokenCache:
    """Tokenize ``inputs`` (files, folders, ``-``) into a ``TokenCache``, or reuse a valid cached one.

    Parameters: ``settings`` (``TokenizerSettings``, default jieba with HMM off), ``cache_dir`` (root of the
    keyed caches, default ``$WORDVEC_CACHE_DIR`` or ``~/.cache/wordvec``), ``output`` (an exact directory to
    use instead of the keyed one), ``workers`` (processes, default all cores), ``strict`` (bad UTF-8 or NUL
    raises ``InputError``; default replace and count), ``progress`` (``progress(bytes_done, bytes_total)`` in
    on-disk input bytes). A cache is reused when the resolved input paths, sizes, mtimes and the settings
    are unchanged, else rebuilt. Stdin is never cached (it is saved only to an explicit ``output``).
    Raises ``InputError`` for unusable inputs, including an input without a single token.
    """
    settings = resolve(settings or TokenizerSettings())  # a user dictionary rjieba cannot follow -> jieba-py
    files = expand_inputs(inputs)
    # stdin and pipes (e.g. /dev/fd/63 from `<(zcat ...)`) have no stable size/mtime: never cached
    use_stdin = any(f == STDIN or not os.path.isfile(f) for f in files)
    user_dict = _user_dict_stat(settings)
    sources = None if use_stdin else source_stats(files)
    if output is not None:
        target: str | None = os.path.abspath(os.fspath(output))
        if os.path.exists(target) and not os.path.isdir(target):
            raise InputError(f"{target} exists and is not a folder: choose another output")
        if os.path.isdir(target) and os.listdir(target) and not os.path.isfile(os.path.join(target, "meta.json")):
            raise InputError(f"{target} exists and is not a token cache: choose another output folder")
    elif use_stdin:
        target = None
    else:
        root = os.fspath(cache_dir) if cache_dir is not None else default_cache_root()
        target = os.path.abspath(os.path.join(root, "tokens-" + cache_key(files, settings)))

    if target is not None and sources is not None and _reusable(target, sources, user_dict, settings):
        try:
            cache = TokenCache.load(target)
        except CorruptFileError:
            cache = None  # a damaged cache is rebuilt
        if cache is not None:
            if strict:
                _raise_if_strict(cache.report)
            cache.reused = True
            return cache

    start = time.perf_counter()
    vocab, ids, offsets, report, used = tokenize_files(files, settings, workers, strict, progress)
    report.engine_note = settings.fallback or None
    seconds = time.perf_counter() - start
    if len(ids) == 0:
        shown = ", ".join("<stdin>" if f == STDIN else f for f in files[:3]) + (" ..." if len(files) > 3 else "")
        raise InputError(f"no tokens in {shown}: the input is empty or only whitespace; pass text with content")
    if sources is not None:
        sources_now = source_stats(files)
        if sources_now != sources:
            raise InputError("an input file changed while it was being tokenized: run again when it is complete")
    with ThreadPoolExecutor(1) as pool:  # zlib.crc32 runs without the GIL, beside the vocabulary's checksum
        ids_crc = pool.submit(_crc, ids)
        vocab_checksum, offsets_crc = vocab.checksum(), _crc(offsets)
        ids_crc32 = ids_crc.result()
    meta = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "wordvec_version": __version__,
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "sources": sources if sources is not None else [{"path": "<stdin>"}],
        "user_dict": user_dict,
        "tokenizer": settings.to_dict(),
        "report": report.to_dict(),
        "n_lines": int(len(offsets) - 1),
        "n_tokens": int(len(ids)),
        "n_types": len(vocab),
        "vocab_checksum": vocab_checksum,
        "ids_crc32": ids_crc32,
        "offsets_crc32": offsets_crc,
        "seconds": round(seconds, 3),
        "workers": used,
    }
    cache = TokenCache(vocab, ids, offsets, settings, meta, report)
    if target is not None:
        cache.save(target)
    return cache


__all__ = ["TokenCache", "build_token_cache", "default_cache_root", "cache_key", "read_cache_meta", "FORMAT",
           "FORMAT_VERSION"]
