"""The model directory: ``vectors.npy`` + ``vocab.tsv`` + ``meta.json`` (+ ``extra_<name>.npy``).

Written atomically as a whole (``atomic_directory``) and validated on load: format name and version,
shapes, dtypes, the vocabulary checksum, finite values. A problem is a one-line ``CorruptFileError`` naming
the file and what is wrong. Arrays load with ``allow_pickle=False``; ``mmap=True`` maps them read-only.
"""
from __future__ import annotations

import os
from typing import Any

import numpy as np

from wordvec.io.vocab import Vocabulary, vocab_checksum

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
    full_meta = dict(meta)
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
        np.save(os.path.join(tmp, VECTORS_FILE), vectors, allow_pickle=False)
        vocab.save(os.path.join(tmp, VOCAB_FILE))
        for name, arr in extras.items():
            np.save(os.path.join(tmp, EXTRA_PREFIX + name + ".npy"), np.asarray(arr), allow_pickle=False)
        save_json(os.path.join(tmp, META_FILE), full_meta)


def _load_array(path: str, mmap: bool) -> np.ndarray:
    try:
        return np.load(path, mmap_mode="r" if mmap else None, allow_pickle=False)
    except FileNotFoundError:
        raise CorruptFileError(f"{path} is missing: the model directory is incomplete; retrain or re-export") from None
    except (ValueError, OSError, EOFError) as err:
        raise CorruptFileError(f"{path} is damaged or truncated ({err}); retrain or re-export") from None


def _all_finite(array: np.ndarray, rows: int = 65536) -> bool:
    """True if no NaN/Inf; memory-mapped arrays are checked in row blocks (bounded memory)."""
    return all(np.isfinite(array[start:start + rows]).all() for start in range(0, len(array), rows))


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
    vectors = _load_array(os.path.join(path, VECTORS_FILE), mmap)
    compact = mmap and meta.get("vocab_index") == "compact"  # big imported models (wordvec.io.importer)
    if compact:
        from wordvec.io.vocab_index import CompactVocabulary

        vocab = CompactVocabulary.open(path, int(meta.get("vocab_size", -1)), meta.get("vocab_checksum"))
    else:
        vocab = Vocabulary.load(os.path.join(path, VOCAB_FILE))
    where = os.path.join(path, VECTORS_FILE)
    if vectors.ndim != 2 or vectors.dtype.kind != "f":
        raise CorruptFileError(f"{where}: expected a 2-d float array, found {vectors.dtype} {vectors.shape}")
    if vectors.shape[0] != len(vocab):
        raise CorruptFileError(f"{where}: {vectors.shape[0]} rows but {len(vocab)} words in {VOCAB_FILE}")
    if meta.get("dim") not in (None, vectors.shape[1]) or meta.get("vocab_size") not in (None, vectors.shape[0]):
        raise CorruptFileError(f"{where}: shape {vectors.shape} disagrees with {META_FILE}")
    if not compact and meta.get("vocab_checksum") not in (None, vocab_checksum(vocab.words)):
        raise CorruptFileError(f"{os.path.join(path, VOCAB_FILE)} does not match {META_FILE} (checksum differs)")
    # memory-mapped imports were checked row by row when written: open them without reading every row
    sample = vectors[:65536] if compact and meta.get("finite_checked") else vectors
    if not _all_finite(sample) or (sample is not vectors and not _all_finite(vectors[-65536:])):
        raise CorruptFileError(f"{where} contains NaN or Inf values; retrain the model")
    extras = {}
    for name, spec in (meta.get("extras") or {}).items():
        arr = _load_array(os.path.join(path, EXTRA_PREFIX + name + ".npy"), mmap)
        if list(arr.shape) != list(spec.get("shape", arr.shape)) or str(arr.dtype) != spec.get("dtype", str(arr.dtype)):
            raise CorruptFileError(f"{os.path.join(path, EXTRA_PREFIX + name + '.npy')}: shape/dtype disagree with {META_FILE}")
        extras[name] = arr
    return vectors, vocab, meta, extras


__all__ = ["save_model_dir", "load_model_dir", "read_meta", "FORMAT_VERSION"]
