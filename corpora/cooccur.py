"""Co-occurrence counts (SPEC a.3) and the ``Cooccurrence`` artifact (``vocab.tsv`` + ``cooccurrence.npz`` + ``meta.json``).

``count_cooccurrences(cache, ...)`` counts a token cache (any object with ``.vocab``, ``.ids``,
``.line_offsets``) into a symmetric scipy CSR matrix over the pruned vocabulary. The work is done by the
engine in ``corpora/counter.py`` (numba kernels, a memory budget, two threads, on-disk shards).
"""
from __future__ import annotations

import os
import re
import zipfile
from typing import Any, Callable

import numpy as np
import scipy.sparse as sp

from wordvec.io.atomic import atomic_directory, save_json
from wordvec.io.integrity import checksum_files, verify_files
from wordvec.io.meta import read_artifact_meta
from wordvec._version import __version__
from wordvec.errors import CorruptFileError, InputError, MismatchError

from wordvec.io.vocab import Vocabulary

FORMAT = "wordvec-cooccurrence"
FORMAT_VERSION = 1
FILES = ("vocab.tsv", "cooccurrence.npz", "meta.json")
_UNITS = {"": 1, "B": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}


def parse_memory(text: str | int | None) -> int | None:
    """Parse a memory budget such as ``"2G"``, ``"64M"``, ``"512K"`` or ``"1000000"`` into bytes (None stays None)."""
    if text is None or isinstance(text, int):
        return text
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([KMGT]?)(?:I?B)?\s*", str(text).upper())
    if not m or float(m.group(1)) <= 0:
        raise InputError(f"bad memory size {text!r}: use a number with an optional K, M or G suffix, e.g. 2G")
    return int(float(m.group(1)) * _UNITS[m.group(2)])


def mutual_information(matrix: sp.csr_matrix, counts: np.ndarray, total: int) -> float:
    """Corpus mutual information I = Σ_{i≠j} P(i,j)·PMI(i,j) in nats (SPEC e, post 6024; P, PMI as SPEC a.4)."""
    coo = matrix.tocoo()
    off = coo.row != coo.col
    x = coo.data[off]
    z = float(x.sum())
    if z <= 0:
        return 0.0
    p = x / z
    pmi = np.log(x) - np.log(z) - np.log(counts[coo.row[off]]) - np.log(counts[coo.col[off]]) + 2 * np.log(total)
    return float(np.sum(p * pmi))


class Cooccurrence:
    """Symmetric co-occurrence counts over a pruned vocabulary.

    Attributes: ``matrix`` (scipy CSR, V×V, float64, symmetric; the diagonal holds self pairs as counted),
    ``vocab`` (pruned ``Vocabulary``), ``window``, ``distance_weighting``, ``total_tokens`` (T, SPEC a.4),
    ``z`` (Z = sum of the off-diagonal), ``meta`` (dict saved as ``meta.json``).
    """

    def __init__(self, matrix: sp.csr_matrix, vocab: Vocabulary, window: int, distance_weighting: bool,
                 meta: dict[str, Any] | None = None):
        self.matrix = matrix
        self.vocab = vocab
        self.window = int(window)
        self.distance_weighting = bool(distance_weighting)
        self.meta = dict(meta or {})
        self.meta.update(self._summary())

    def _summary(self) -> dict[str, Any]:
        diag = float(self.matrix.diagonal().sum()) if self.matrix.shape[0] else 0.0
        return {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "wordvec_version": __version__,
            "window": self.window,
            "distance_weighting": self.distance_weighting,
            "vocab_size": len(self.vocab),
            "vocab_checksum": self.vocab.checksum(),
            "total_tokens": self.vocab.total,
            "z": float(self.matrix.sum()) - diag,
            "nnz": int(self.matrix.nnz),
        }

    @property
    def total_tokens(self) -> int:
        """T: sum of the unigram counts of the pruned vocabulary (SPEC a.4)."""
        return self.vocab.total

    @property
    def z(self) -> float:
        """Z = Σ_{i≠j} X_ij (SPEC a.4)."""
        return float(self.meta["z"])

    @property
    def shape(self) -> tuple[int, int]:
        return self.matrix.shape

    def mutual_information(self) -> float:
        """Corpus mutual information in nats (see ``mutual_information``)."""
        return mutual_information(self.matrix, self.vocab.counts, self.total_tokens)

    def stats(self) -> dict[str, Any]:
        """T, V, nnz, Z and the corpus mutual information, as a dict."""
        return {"total_tokens": self.total_tokens, "vocab_size": len(self.vocab), "nnz": int(self.matrix.nnz),
                "z": self.z, "mutual_information": self.mutual_information()}

    def __repr__(self) -> str:
        return (f"Cooccurrence(V={len(self.vocab)}, nnz={self.matrix.nnz}, window={self.window}, "
                f"distance_weighting={self.distance_weighting}, T={self.total_tokens}, Z={self.z:g})")

    # --- files --------------------------------------------------------------------------------------
    def save(self, path: str | os.PathLike) -> None:
        """Write ``vocab.tsv``, ``cooccurrence.npz`` (scipy ``save_npz``) and ``meta.json`` (with the checksum of
        each file's bytes, ``checksums``) atomically."""
        with atomic_directory(path) as tmp:
            self.vocab.save(os.path.join(tmp, "vocab.tsv"))
            sp.save_npz(os.path.join(tmp, "cooccurrence.npz"), self.matrix, compressed=False)
            self.meta["checksums"] = checksum_files(tmp, ["vocab.tsv", "cooccurrence.npz"])
            save_json(os.path.join(tmp, "meta.json"), self.meta)

    @classmethod
    def load(cls, path: str | os.PathLike) -> "Cooccurrence":
        """Load and validate a counts directory (format version, file checksums, shape vs vocabulary, vocabulary
        checksum, symmetric, finite, non-negative); raises ``CorruptFileError`` / ``MismatchError`` naming the file."""
        path = os.path.abspath(os.fspath(path))
        meta = read_counts_meta(path)
        rebuild = "rebuild with `wordvec count`"
        vocab_file = os.path.join(path, "vocab.tsv")
        if not os.path.isfile(vocab_file):
            raise CorruptFileError(f"{vocab_file}: missing; {rebuild}")
        vocab = Vocabulary.load(vocab_file)
        if vocab.checksum() != meta.get("vocab_checksum") or len(vocab) != meta.get("vocab_size"):
            raise MismatchError(f"{vocab_file}: counts were built with a different vocabulary: {rebuild}")
        verify_files(path, meta, rebuild)  # same words: any other change (a count, a matrix byte) shows here
        matrix = load_npz_checked(os.path.join(path, "cooccurrence.npz"), len(vocab))
        return cls(matrix, vocab, int(meta.get("window", 0)), bool(meta.get("distance_weighting")), meta)


def read_counts_meta(path: str) -> dict[str, Any]:
    """Read and check ``meta.json`` of a counts directory (format name and version)."""
    if not os.path.isdir(path):
        raise InputError(f"counts directory not found: {path}: run `wordvec count` first")
    return read_artifact_meta(path, kind=FORMAT, max_version=FORMAT_VERSION, what="counts directory",
                              remedy="rebuild with `wordvec count`")


def load_npz_checked(file: str, n: int) -> sp.csr_matrix:
    """Load a CSR ``.npz`` without pickle and check shape n×n, finite, non-negative and symmetric values."""
    rebuild = "rebuild with `wordvec count`"
    try:
        with np.load(file, allow_pickle=False) as data:
            fmt = data["format"].item()
            fmt = fmt.decode("ascii") if isinstance(fmt, bytes) else str(fmt)
            shape = tuple(int(s) for s in data["shape"])
            arrays = (data["data"], data["indices"], data["indptr"])
    except FileNotFoundError:
        raise CorruptFileError(f"{file}: missing; {rebuild}") from None
    except (ValueError, OSError, EOFError, KeyError, zipfile.BadZipFile) as err:
        raise CorruptFileError(f"{file}: unreadable or truncated ({err}); {rebuild}") from None
    if fmt != "csr":
        raise CorruptFileError(f"{file}: expected a CSR matrix, found {fmt!r}; {rebuild}")
    if shape != (n, n):
        raise MismatchError(f"{file}: matrix shape {shape} does not match the {n}-word vocabulary; "
                            f"counts were built with a different vocabulary: {rebuild}")
    data, indices, indptr = arrays
    try:
        matrix = sp.csr_matrix((data, indices, indptr), shape=shape)
        matrix.check_format(full_check=False)
        if len(indptr) != n + 1 or indptr[0] != 0 or np.any(np.diff(indptr) < 0):
            raise ValueError("bad row pointers")
    except ValueError as err:
        raise CorruptFileError(f"{file}: inconsistent sparse structure ({err}); {rebuild}") from None
    if matrix.dtype != np.float64:
        raise CorruptFileError(f"{file}: values are {matrix.dtype}, expected float64; {rebuild}")
    if not np.all(np.isfinite(matrix.data)):
        raise CorruptFileError(f"{file}: counts contain NaN or Inf; {rebuild}")
    if matrix.nnz and matrix.data.min() < 0:
        raise CorruptFileError(f"{file}: counts contain negative values; {rebuild}")
    from ._kernels import check_symmetric_csr

    code = check_symmetric_csr(matrix.indptr, matrix.indices, matrix.data, n)
    if code in (1, 2):
        what = "unsorted or duplicate columns" if code == 1 else "column ids out of range"
        raise CorruptFileError(f"{file}: inconsistent sparse structure ({what}); {rebuild}")
    if code == 3:
        raise CorruptFileError(f"{file}: counts are not symmetric; {rebuild}")
    matrix.has_sorted_indices = True
    return matrix


def counts_meta(cache: Any, min_count: int, max_vocab: int) -> dict[str, Any]:
    """The settings part of a counts ``meta.json`` (min_count, max_vocab, tokenizer and source from the cache)."""
    cmeta = getattr(cache, "meta", None) or {}
    return {
        "min_count": int(min_count),
        "max_vocab": int(max_vocab),
        "tokenizer": cmeta.get("tokenizer"),
        "sources": cmeta.get("sources"),
        "token_cache": getattr(cache, "path", None),
        "n_lines": int(len(cache.line_offsets) - 1),
        "n_tokens_all": int(len(cache.ids)),
    }


__all__ = ["Cooccurrence", "counts_meta", "parse_memory", "mutual_information", "read_counts_meta",
           "load_npz_checked"]
