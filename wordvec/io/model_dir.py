"""The model directory: ``vectors.npy`` + ``vocab.tsv`` + ``meta.json`` (+ ``extra_<name>.npy``).

Written atomically as a whole (``atomic_directory``) and validated on load: format name and version, the
typed fields of ``meta.json`` (``wordvec.io.schema.MODEL``), the ``.npy`` headers, shapes, dtypes, the
vocabulary checksum, the checksum (XXH3-64) of every file's bytes (``meta["checksums"]``,
``wordvec.io.integrity``), the vocabulary's counts, finite values. A problem is a one-line ``CorruptFileError``
naming the file and what is wrong. Arrays load with ``allow_pickle=False``; ``mmap=True`` maps them read-only,
and the checksum is then taken block by block. Model directories written before checksums
existed load with the content check skipped (``content_checked(meta)`` is False; ``wordvec info`` says so).
"""
from __future__ import annotations

import os
import re
from typing import Any

import numpy as np

from wordvec.io.vocab import Vocabulary, vocab_checksum

from wordvec.io import integrity
from wordvec.io.atomic import atomic_directory, save_json
from wordvec.io.meta import read_artifact_meta
from wordvec._version import __version__
from wordvec.errors import CorruptFileError, InputError

FORMAT_NAME = "wordvec-model"
FORMAT_VERSION = 1
VECTORS_FILE = "vectors.npy"
VOCAB_FILE = "vocab.tsv"
META_FILE = "meta.json"
EXTRA_PREFIX = "extra_"


def save_model_dir(
    path: str | os.PathLike,
    vectors: np.ndarray,
    vocab: Vocabulary,
    meta: dict[str, Any],
    extras: dict[str, np.ndarray] | None = None,
) -> None:
    """Write a model directory atomically (replacing any previous one at ``path``).

    ``meta`` holds hyper-parameters and training facts; format fields, shape and checksum are added here.
    ``extras`` are further named arrays (e.g. the word2vec bridge's ``syn1`` and Huffman paths).
    """
    vectors = np.asarray(vectors)
    if vectors.ndim != 2 or vectors.shape[0] != len(vocab):
        raise ValueError(f"vectors shape {vectors.shape} does not match a vocabulary of {len(vocab)} words")
    if not np.isfinite(vectors).all():
        raise CorruptFileError("refusing to save vectors that contain NaN or Inf")
    extras = dict(extras or {})
    bad_name = next((name for name in extras if not re.fullmatch(r"[A-Za-z0-9_]+", str(name))), None)
    if bad_name is not None:
        raise ValueError(f"extra array name {bad_name!r}: use letters, digits and _")
    full_meta = dict(meta)
    full_meta.pop("checksums", None)
    full_meta.pop("vocab_index", None)  # the compact vocabulary files are written by wordvec.io.importer only
    full_meta.update(
        format=FORMAT_NAME,
        format_version=FORMAT_VERSION,
        wordvec_version=__version__,
        vocab_size=int(vectors.shape[0]),
        dim=int(vectors.shape[1]),
        dtype=str(vectors.dtype),
        vocab_checksum=vocab.checksum(),
        extras={name: {"shape": list(arr.shape), "dtype": str(arr.dtype)} for name, arr in extras.items()},
    )
    with atomic_directory(path) as tmp:
        # always C order (PPMI-SVD gives Fortran-ordered vectors): the load refuses a flipped order flag
        np.save(os.path.join(tmp, VECTORS_FILE), np.ascontiguousarray(vectors), allow_pickle=False)
        vocab.save(os.path.join(tmp, VOCAB_FILE))
        files = [VECTORS_FILE, VOCAB_FILE]
        for name, arr in extras.items():
            np.save(os.path.join(tmp, EXTRA_PREFIX + name + ".npy"), np.ascontiguousarray(arr), allow_pickle=False)
            files.append(EXTRA_PREFIX + name + ".npy")
        full_meta["checksums"] = {name: integrity.file_checksum(os.path.join(tmp, name)) for name in files}
        save_json(os.path.join(tmp, META_FILE), full_meta)


def _load_array(path: str, mmap: bool, kinds: str = "fiu", checked: bool = True) -> tuple[np.ndarray, bytes]:
    """The array at ``path`` (header checked first) and its raw header bytes. ``checked``: the model stores
    checksums, so it was written in C order; older models (PPMI-SVD ones) may be in Fortran order."""
    try:
        header = integrity.check_npy_header(path, kinds, allow_fortran=not checked)
        return np.load(path, mmap_mode="r" if mmap else None, allow_pickle=False), header
    except FileNotFoundError:
        raise CorruptFileError(f"{path} is missing: the model directory is incomplete; retrain or re-export") from None
    except (ValueError, OSError, EOFError) as err:
        raise CorruptFileError(f"{path} is damaged or truncated ({err}); retrain or re-export") from None


def _check_array(array: np.ndarray, header: bytes, meta: dict[str, Any], name: str, where: str,
                 finite: bool = False) -> bool:
    """Verify the stored checksum of ``name`` over header + data (when stored); ``finite``: also check NaN/Inf
    in the same pass. Returns True if finite (or not checked)."""
    algorithm = integrity.stored_algorithm(meta, name)
    hasher = integrity.new_hasher(algorithm) if algorithm else None
    if hasher is not None:
        hasher.update(header)
    ok = integrity.hash_array(array, hasher, finite=finite)
    if hasher is not None:
        integrity.verify(integrity.digest_text(hasher, algorithm), meta, name, where, "retrain or re-export the model")
    return ok


def _all_finite(array: np.ndarray, rows: int = 65536) -> bool:
    """True if no NaN/Inf; memory-mapped arrays are checked in row blocks (bounded memory)."""
    return all(np.isfinite(array[start:start + rows]).all() for start in range(0, len(array), rows))


def content_checked(meta: dict[str, Any]) -> bool:
    """True if the model's meta carries file checksums (written by a wordvec that stores them), so a load
    verified every file's bytes; False for older model directories, whose content is not verified."""
    return bool(meta.get("checksums"))


def read_meta(path: str | os.PathLike) -> dict[str, Any]:
    """Read and check ``meta.json`` of a model directory (format name and version)."""
    return read_artifact_meta(path, kind=FORMAT_NAME, max_version=FORMAT_VERSION, version_key="format_version",
                              filename=META_FILE, what="model directory", remedy="retrain the model",
                              foreign="pass a model directory written by wordvec", missing_error=InputError)


def load_model_dir(
    path: str | os.PathLike, mmap: bool = False
) -> tuple[np.ndarray, Vocabulary, dict[str, Any], dict[str, np.ndarray]]:
    """Load and validate a model directory; returns ``(vectors, vocab, meta, extras)``."""
    path = os.fspath(path)
    if not os.path.isdir(path):
        raise InputError(f"model not found: {path}")
    meta = read_meta(path)
    remedy = "retrain or re-export the model"
    where = os.path.join(path, VECTORS_FILE)
    checked = content_checked(meta)
    vectors, header = _load_array(where, mmap, kinds="f", checked=checked)
    if vectors.ndim != 2 or vectors.dtype.kind != "f":
        raise CorruptFileError(f"{where}: expected a 2-d float array, found {vectors.dtype} {vectors.shape}")
    # the finite check runs in the checksum's pass even when a checksum matches: save_model_dir refuses NaN/Inf,
    # but a directory re-sealed by hand (or by another program) may hold them, and NaN rows made the derived
    # statistics fail with a traceback (hash and check share 1 MB blocks: +3.4% load time, bench/integrity.py).
    # Big imported models (wordvec.io.importer) open their compact vocabulary index when memory-mapped; they
    # store no file checksums (hashing every byte would defeat the instant open), so they load as older models
    compact = mmap and meta.get("vocab_index") == "compact"
    sampled = bool(compact and not checked and meta.get("finite_checked"))
    finite = _check_array(vectors, header, meta, VECTORS_FILE, where, finite=not sampled)
    vocab_file = os.path.join(path, VOCAB_FILE)
    if compact:
        from wordvec.io.vocab_index import CompactVocabulary

        vocab = CompactVocabulary.open(path, int(meta.get("vocab_size", -1)), meta.get("vocab_checksum"))
    else:
        vocab, vocab_sum = Vocabulary.load_with_checksum(vocab_file, integrity.stored_algorithm(meta, VOCAB_FILE))
        if vocab_sum is not None:
            integrity.verify(vocab_sum, meta, VOCAB_FILE, vocab_file, remedy)
    if vectors.shape[0] != len(vocab):
        raise CorruptFileError(f"{where}: {vectors.shape[0]} rows but {len(vocab)} words in {VOCAB_FILE}")
    if meta.get("dim") not in (None, vectors.shape[1]) or meta.get("vocab_size") not in (None, vectors.shape[0]):
        raise CorruptFileError(f"{where}: shape {vectors.shape} disagrees with {META_FILE}")
    if not compact and meta.get("vocab_checksum") not in (None, vocab_checksum(vocab.words)):
        raise CorruptFileError(f"{vocab_file} does not match {META_FILE} (checksum differs)")
    if sampled:  # memory-mapped imports were checked row by row when written: open them without reading every row
        finite = _all_finite(vectors[:65536]) and _all_finite(vectors[-65536:])
    if not finite:
        raise CorruptFileError(f"{where} contains NaN or Inf values; retrain the model")
    extras = {}
    for name, spec in (meta.get("extras") or {}).items():
        file = os.path.join(path, EXTRA_PREFIX + name + ".npy")
        arr, header = _load_array(file, mmap, checked=checked)
        if list(arr.shape) != list(spec.get("shape", arr.shape)) or str(arr.dtype) != spec.get("dtype", str(arr.dtype)):
            raise CorruptFileError(f"{file}: shape/dtype disagree with {META_FILE}")
        if checked:
            _check_array(arr, header, meta, EXTRA_PREFIX + name + ".npy", file)
        extras[name] = arr
    return vectors, vocab, meta, extras


__all__ = ["save_model_dir", "load_model_dir", "read_meta", "content_checked", "FORMAT_VERSION"]
