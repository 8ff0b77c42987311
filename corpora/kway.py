"""A memory-bounded merge of counts on disk: k sorted runs, a bounded number of open files (issue 17).

Every input becomes sorted runs of integer count units (``value * scale``, keys ``(row << col_bits) | col``
over the merged vocabulary, the format of ``corpora/shards.py``): the runs of a shard directory whose
vocabulary is already the merged one are used where they lie; any other input (a counts directory, or
shards over another vocabulary) is streamed in row blocks, re-indexed and written as sorted runs into a
work folder. The runs are then merged ``fan_in`` at a time (at most ``2 * fan_in`` run files open),
level by level, and the last level streams into the CSR ``.npz`` of the output (``CsrDiskSink``). Sums
are taken in integers, so any grouping gives the same result, equal to counting everything at once; the
memory in use is about ``memory`` bytes plus 8 bytes per word of the vocabulary.
"""
from __future__ import annotations

import os
import shutil
import tempfile
import zipfile
from typing import Callable, Sequence

import numpy as np

from wordvec.errors import CorruptFileError, InputError, MismatchError
from wordvec.io.atomic import sigint_checkpoint, sigint_held
from wordvec.io.vocab import Vocabulary

from . import _kernels as K
from .shards import SHARD_FORMAT, SHARD_VERSION, CsrDiskSink, _RunFile, merge_runs

FAN_IN = 32  # runs merged at once: 2 * FAN_IN open run files (GloVe's merge opened all of them)
BYTES_PER_ENTRY = 80  # reader buffers + concatenation + sort, per entry held by ``merge_runs``
DEFAULT_MEMORY = 1 << 30


def budget_entries(memory: int | None) -> int:
    """Entries ``merge_runs`` may hold for a budget of ``memory`` bytes (default 1 GiB)."""
    return max(1 << 12, int(memory or DEFAULT_MEMORY) // BYTES_PER_ENTRY)


def merge_sorted_runs(prefixes: Sequence[str], vocab_size: int, emit: Callable[[np.ndarray, np.ndarray], None],
                      memory: int | None, workdir: str, fan_in: int = FAN_IN,
                      keep: Sequence[str] = ()) -> None:
    """Stream the sum of the sorted runs ``prefixes`` to ``emit`` with at most ``fan_in`` runs open at once.

    Parameters: ``vocab_size`` (of the runs' key space), ``memory`` (bytes, default 1 GiB), ``workdir``
    (folder for intermediate runs, removed as soon as they are merged), ``fan_in`` (default 32, at least 2),
    ``keep`` (runs never deleted: the user's own shard files; the runs in ``prefixes`` that are not in
    ``keep`` are deleted once merged).
    """
    fan_in = max(2, int(fan_in))
    entries = budget_entries(memory)
    keep_set = set(keep)
    level = list(prefixes)
    serial = 0
    while len(level) > fan_in:
        nxt = []
        for start in range(0, len(level), fan_in):
            group = level[start:start + fan_in]
            if len(group) == 1:
                nxt.append(group[0])
                continue
            prefix = os.path.join(workdir, f"merge-{serial:06d}")
            serial += 1
            out = _RunFile(prefix)
            try:
                merge_runs(group, vocab_size, out, entries)
            finally:
                out.close()
            _remove_runs([p for p in group if p not in keep_set])
            nxt.append(prefix)
        level = nxt
    merge_runs(level, vocab_size, emit, entries)
    _remove_runs([p for p in level if p not in keep_set])


def _remove_runs(prefixes: Sequence[str]) -> None:
    for prefix in prefixes:
        for suffix in (".keys.npy", ".values.npy"):
            try:
                os.remove(prefix + suffix)
            except FileNotFoundError:
                pass


class _Resorter:
    """Takes entries in any order (keys of the merged vocabulary), writes them as sorted runs of at most
    ``block`` entries into ``workdir``."""

    def __init__(self, workdir: str, name: str, block: int):
        self.workdir, self.name, self.block = workdir, name, max(1, block)
        self.keys: list[np.ndarray] = []
        self.vals: list[np.ndarray] = []
        self.held = 0
        self.prefixes: list[str] = []

    def __call__(self, keys: np.ndarray, vals: np.ndarray) -> None:
        if self.held and self.held + len(keys) > self.block:
            self.flush()
        self.keys.append(keys)
        self.vals.append(vals)
        self.held += len(keys)
        if self.held >= self.block:
            self.flush()

    def flush(self) -> None:
        if not self.held:
            return
        keys, vals = np.concatenate(self.keys), np.concatenate(self.vals)
        self.keys, self.vals, self.held = [], [], 0
        order = np.argsort(keys, kind="stable")
        prefix = os.path.join(self.workdir, f"{self.name}-{len(self.prefixes):06d}")
        out = _RunFile(prefix)
        try:
            out(keys[order], vals[order])
        finally:
            out.close()
        self.prefixes.append(prefix)


def _remapper(own: Vocabulary, index: dict, target: Callable, target_bits: int):
    """``emit`` for entries keyed in ``own``'s id space: re-keys them to the merged vocabulary."""
    remap = np.fromiter((index[w] for w in own.words), np.uint64, count=len(own))
    vb = np.uint64(K.col_bits(len(own)))
    mask = (np.uint64(1) << vb) - np.uint64(1)
    shift = np.uint64(target_bits)

    def emit(keys: np.ndarray, vals: np.ndarray) -> None:
        rows, cols = remap[(keys >> vb).astype(np.int64)], remap[(keys & mask).astype(np.int64)]
        target((rows << shift) | cols, vals)

    return emit


def _npy_stream(zf: zipfile.ZipFile, name: str, where: str):
    try:
        handle = zf.open(name)
        version = np.lib.format.read_magic(handle)
        reader = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
        shape, fortran, dtype = reader(handle)
    except (KeyError, ValueError, OSError, zipfile.BadZipFile) as err:
        raise CorruptFileError(f"{where}: unreadable member {name} ({err}); rebuild with `wordvec count`") from None
    if fortran or len(shape) != 1 or dtype.hasobject:
        raise CorruptFileError(f"{where}: unexpected layout of {name}; rebuild with `wordvec count`")
    return handle, int(shape[0]), dtype


def _read_exact(handle, dtype: np.dtype, count: int, where: str) -> np.ndarray:
    raw = handle.read(count * dtype.itemsize)
    if len(raw) != count * dtype.itemsize:
        raise CorruptFileError(f"{where}: truncated matrix; rebuild with `wordvec count`")
    return np.frombuffer(raw, dtype)


def stream_counts_npz(path: str, n: int, scale: int, emit: Callable, block: int) -> None:
    """Stream the CSR ``cooccurrence.npz`` at ``path`` (n×n) in row blocks of about ``block`` entries to
    ``emit(keys, units)``, keys in its own id space, values as integer units (value × ``scale``)."""
    vb = K.col_bits(n)
    with zipfile.ZipFile(path) as zf:
        ihandle, ip_n, ip_dtype = _npy_stream(zf, "indptr.npy", path)
        indptr = _read_exact(ihandle, ip_dtype, ip_n, path).astype(np.int64)
        ihandle.close()
        if ip_n != n + 1 or indptr[0] != 0 or np.any(np.diff(indptr) < 0):
            raise MismatchError(f"{path}: matrix rows do not match the {n}-word vocabulary; recount it")
        cols_h, nnz, cols_dtype = _npy_stream(zf, "indices.npy", path)
        data_h, nnz2, data_dtype = _npy_stream(zf, "data.npy", path)
        if nnz != nnz2 or nnz != indptr[-1] or data_dtype != np.float64:
            raise CorruptFileError(f"{path}: inconsistent sparse structure; rebuild with `wordvec count`")
        row = 0
        while row < n:
            sigint_checkpoint()
            stop = max(row + 1, int(np.searchsorted(indptr, indptr[row] + block, side="right")) - 1)
            stop = min(stop, n)
            count = int(indptr[stop] - indptr[row])
            cols = _read_exact(cols_h, cols_dtype, count, path).astype(np.uint64)
            vals = _read_exact(data_h, data_dtype, count, path)
            if count and (int(cols.max()) >= n or not np.all(np.isfinite(vals)) or vals.min() < 0):
                raise CorruptFileError(f"{path}: bad column or value in the matrix; rebuild with `wordvec count`")
            units = np.rint(vals * scale)
            if not np.array_equal(units / scale, vals):
                raise InputError(f"{path}: values are not counts on the grid 1/{scale}: merge only counts written "
                                 "by `wordvec count`")
            rows = np.repeat(np.arange(row, stop, dtype=np.uint64), np.diff(indptr[row:stop + 1]))
            emit((rows << np.uint64(vb)) | cols, units.astype(np.uint64))
            row = stop
        cols_h.close()
        data_h.close()


def _describe(path: str):
    """``(kind, vocab, meta, run prefixes)`` of a counts or shard directory (the checks of ``load_counts_any``)."""
    from wordvec.io.integrity import verify_files
    from wordvec.io.meta import check_meta_format

    from .cooccur import FORMAT, read_counts_meta
    from .merge import _PASS_COUNTS, counts_dir_meta

    path, meta = counts_dir_meta(path)
    if meta.get("format") == FORMAT:
        meta = read_counts_meta(path)
        vocab = Vocabulary.load(os.path.join(path, "vocab.tsv"))
        if vocab.checksum() != meta.get("vocab_checksum") or len(vocab) != meta.get("vocab_size"):
            raise MismatchError(f"{path}: vocab.tsv does not match meta.json; recount it")
        verify_files(path, meta, "recount it")
        return "counts", vocab, meta, []
    check_meta_format(meta, os.path.join(path, "meta.json"), kind=SHARD_FORMAT, max_version=SHARD_VERSION,
                      what="shard directory", remedy="recount it", foreign=_PASS_COUNTS)
    vocab_file = os.path.join(path, "vocab.tsv")
    vocab = Vocabulary.load(vocab_file)
    if vocab.checksum() != meta.get("vocab_checksum") or meta.get("col_bits") != K.col_bits(len(vocab)):
        raise MismatchError(f"{vocab_file}: shards were built with a different vocabulary: recount them")
    verify_files(path, meta, "recount it")
    prefixes = [os.path.join(path, name) for name in meta.get("runs", [])]
    for prefix in prefixes:
        for suffix in (".keys.npy", ".values.npy"):
            if not os.path.isfile(prefix + suffix):
                raise CorruptFileError(f"{prefix + suffix}: missing; recount the shard")
    return "shards", vocab, meta, prefixes


def write_counts(prefixes: Sequence[str], vocab: Vocabulary, folder: str, scale: int, memory: int | None,
                 workdir: str, fan_in: int = FAN_IN, keep: Sequence[str] = ()) -> dict:
    """Merge runs over ``vocab`` into ``folder``/cooccurrence.npz and write ``vocab.tsv``; returns
    ``{"nnz", "z"}``. ``folder`` is a fresh (temporary) directory; other parameters as ``merge_sorted_runs``."""
    sink = CsrDiskSink(os.path.join(folder, "cooccurrence.npz"), len(vocab), folder, scale)
    merge_sorted_runs(prefixes, len(vocab), sink, memory, workdir, fan_in, keep)
    info = sink.close()
    vocab.save(os.path.join(folder, "vocab.tsv"))
    return info


def merge_to_directory(paths: Sequence[str], output: str, memory: int | None = None, fan_in: int = FAN_IN,
                       tmp_dir: str | None = None) -> dict:
    """Add up counts/shard directories ``paths`` into the counts directory ``output`` on disk, in bounded
    memory (``memory`` bytes, default 1 GiB) with at most ``2 * fan_in`` run files open (default 32).

    Same rules and same result as ``merge_counts`` (window and weighting must agree; different vocabularies
    are re-indexed to their union, frequency order, ties by word). Intermediate runs go to a temporary folder
    in ``tmp_dir`` (default: beside ``output``), removed on success and on failure. Returns the written meta.
    """
    from wordvec._version import __version__
    from wordvec.io.atomic import atomic_directory, save_json
    from wordvec.io.integrity import checksum_files

    from .cooccur import FORMAT, FORMAT_VERSION
    from .counter import weight_table

    if not paths:
        raise InputError("nothing to merge: pass at least one counts or shard directory")
    inputs = [_describe(p) for p in paths]
    first = inputs[0][2]
    for path, (_, _, meta, _) in zip(paths[1:], inputs[1:]):
        for key in ("window", "distance_weighting"):
            if meta.get(key) != first.get(key):
                raise MismatchError(f"{path}: {key} {meta.get(key)!r} differs from {paths[0]}'s "
                                    f"{first.get(key)!r}: merge only counts made with the same settings")
    window, weighting = int(first.get("window", 0)), bool(first.get("distance_weighting"))
    scale = weight_table(max(1, window), weighting)[0]
    for path, (kind, _, meta, _) in zip(paths, inputs):
        if kind == "shards" and int(meta.get("scale", 1)) != scale:
            raise MismatchError(f"{path}: count scale {meta.get('scale')} differs from {scale}: recount it")
    union: dict[str, int] = {}
    for _, v, _, _ in inputs:
        for w, c in zip(v.words, v.counts.tolist()):
            union[w] = union.get(w, 0) + c
    vocab = Vocabulary.from_counts(union)
    index, bits = vocab.index, K.col_bits(len(vocab))
    block = max(1 << 10, budget_entries(memory) // 4)  # re-keying holds ~4x more per entry than merging (sort, copies)
    output = os.path.abspath(os.fspath(output))
    parent = os.fspath(tmp_dir) if tmp_dir is not None else os.path.dirname(output)
    os.makedirs(parent, exist_ok=True)
    with atomic_directory(output) as tmp, sigint_held():
        work = tempfile.mkdtemp(prefix=".wordvec-merge-", dir=parent)
        try:
            prefixes, keep = [], []
            for k, (path, (kind, own, meta, runs)) in enumerate(zip(paths, inputs)):
                if kind == "shards" and own.words == vocab.words:
                    prefixes.extend(runs)
                    keep.extend(runs)
                    continue
                sorter = _Resorter(work, f"input-{k:04d}", block)
                emit = _remapper(own, index, sorter, bits)
                if kind == "shards":
                    merge_sorted_runs(runs, len(own), emit, memory, work, fan_in, keep=runs)
                else:
                    stream_counts_npz(os.path.join(os.path.abspath(path), "cooccurrence.npz"), len(own), scale,
                                      emit, block)
                sorter.flush()
                prefixes.extend(sorter.prefixes)
            info = write_counts(prefixes, vocab, tmp, scale, memory, work, fan_in, keep)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        mins = {m.get("min_count") for _, _, m, _ in inputs}
        meta = {"min_count": mins.pop() if len(mins) == 1 else None, "max_vocab": first.get("max_vocab"),
                "tokenizer": first.get("tokenizer"), "merged_from": [os.path.abspath(p) for p in paths],
                "sources": [s for _, _, m, _ in inputs for s in (m.get("sources") or [])],
                "format": FORMAT, "version": FORMAT_VERSION, "wordvec_version": __version__, "window": window,
                "distance_weighting": weighting, "vocab_size": len(vocab), "vocab_checksum": vocab.checksum(),
                "total_tokens": vocab.total, "z": info["z"], "nnz": info["nnz"], "checksums": checksum_files(tmp)}
        save_json(os.path.join(tmp, "meta.json"), meta)
    return meta


__all__ = ["merge_to_directory", "merge_sorted_runs", "write_counts", "stream_counts_npz", "budget_entries",
           "FAN_IN"]
