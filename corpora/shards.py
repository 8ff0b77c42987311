"""Co-occurrence shards: sorted runs of counts on disk, and their merge into one symmetric CSR matrix.

On-disk format of a **shard directory** (format ``wordvec-cooccurrence-shards``, version 1)::

    meta.json                 format, version, vocab_size, vocab_checksum, window, distance_weighting,
                              scale, total_tokens (T), min_count, max_vocab, tokenizer, sources, runs
    vocab.tsv                 word<TAB>count, the pruned vocabulary (frequency order) the ids refer to
    run-000000.keys.npy       uint64, strictly increasing: key = (row << b) | col, b = col_bits in meta
                              (max(1, bit length of vocab_size - 1))
    run-000000.values.npy     uint64, same length: the count of that cell in units of 1/scale
    run-000001.keys.npy ...

Every run is a sorted sparse piece of the *symmetric* matrix X·scale (both (i,j) and (j,i) present, the
diagonal holding 2 per self-pair event, SPEC a.3); X is the sum of all runs divided by ``scale`` (1 without
distance weighting; lcm(1..window) with it, so 1/d sums stay exact integers). Runs of different jobs over
the same vocabulary (other machines, other parts of a corpus) are merged by adding them: ``merge_runs`` does
a streaming k-way merge in row order with bounded memory. ``wordvec merge`` also accepts counts directories.
"""
from __future__ import annotations

import os
import struct
import zipfile
from typing import Callable, Sequence

import numpy as np
import scipy.sparse as sp

from wordvec.io.atomic import sigint_checkpoint

from . import _kernels as K

SHARD_FORMAT = "wordvec-cooccurrence-shards"
SHARD_VERSION = 1
_COPY = 1 << 20
# entries read from a run at a time, whatever the budget (16 bytes each: 64 KB a run): smaller reads made
# merging under --memory 64K thirty times slower (corpora/plan.py); tests may lower it
MIN_READ_ENTRIES = 1 << 12


def _npy_data_offset(path: str) -> tuple[int, int, np.dtype]:
    """(byte offset of the data, length, dtype) of a 1-d ``.npy`` file, read from its header."""
    with open(path, "rb") as handle:
        version = np.lib.format.read_magic(handle)
        if version == (1, 0):
            shape, _, dtype = np.lib.format.read_array_header_1_0(handle)
        else:
            shape, _, dtype = np.lib.format.read_array_header_2_0(handle)
        return handle.tell(), int(shape[0]) if shape else 0, dtype


class _RunFile:
    """Appends to one run (``prefix.keys.npy`` + ``prefix.values.npy``); headers are written on ``close``."""

    HEADER = 128

    def __init__(self, prefix: str):
        self.prefix = prefix
        self.handles = [open(prefix + ".keys.npy", "wb"), open(prefix + ".values.npy", "wb")]
        for handle in self.handles:
            handle.write(b"\0" * self.HEADER)
        self.n = 0

    def __call__(self, keys: np.ndarray, vals: np.ndarray) -> None:
        self.handles[0].write(np.ascontiguousarray(keys, np.uint64).tobytes())
        self.handles[1].write(np.ascontiguousarray(vals, np.uint64).tobytes())
        self.n += len(keys)

    def close(self) -> None:
        import io

        header = io.BytesIO()
        np.lib.format.write_array_header_1_0(header, {"descr": "<u8", "fortran_order": False, "shape": (self.n,)})
        raw = header.getvalue()
        if len(raw) > self.HEADER:  # pragma: no cover - needs > 10**40 entries
            raise ValueError("run too long")
        raw = raw[:-1].ljust(self.HEADER - 1, b" ") + b"\n"  # keep the header's 16-byte alignment rule
        for handle in self.handles:
            handle.seek(0)
            handle.write(raw[:8] + struct.pack('<H', self.HEADER - 10) + raw[10:])
            handle.close()


class ShardWriter:
    """Writes runs into the folder ``path`` (which must exist); ``add_upper`` takes an upper-triangle run.

    Runs are compacted LSM-style: whenever ``fan_in`` runs of one level exist they are merged (streaming,
    about ``budget_entries`` entries in memory) into one run of the next level, so a long count ends with
    few runs to merge.
    """

    def __init__(self, path: str, vocab_size: int, budget_entries: int = 1 << 20, fan_in: int = 16):
        self.path = path
        self.vocab_size = vocab_size
        self.budget_entries = budget_entries
        self.fan_in = fan_in
        self.levels: dict[str, int] = {}
        self.serial = 0

    @property
    def names(self) -> list[str]:
        return list(self.levels)

    def _name(self) -> str:
        self.serial += 1
        return f"run-{self.serial - 1:06d}"

    def add_sorted(self, keys: np.ndarray, vals: np.ndarray, level: int = 0) -> None:
        """Write one sorted run of the symmetric matrix (keys ``(row << col_bits) | col``, integer values)."""
        if len(keys) == 0:
            return
        name = self._name()
        np.save(os.path.join(self.path, name + ".keys.npy"), np.ascontiguousarray(keys, np.uint64))
        np.save(os.path.join(self.path, name + ".values.npy"), np.ascontiguousarray(vals, np.uint64))
        self.levels[name] = level
        self._compact(level)

    def _compact(self, level: int) -> None:
        same = [n for n, lv in self.levels.items() if lv == level]
        if len(same) < self.fan_in:
            return
        name = self._name()
        out = _RunFile(os.path.join(self.path, name))
        merge_runs([os.path.join(self.path, n) for n in same], self.vocab_size, out, self.budget_entries)
        out.close()
        for n in same:
            del self.levels[n]
            for suffix in (".keys.npy", ".values.npy"):
                os.remove(os.path.join(self.path, n + suffix))
        self.levels[name] = level + 1
        self._compact(level + 1)

    def add_upper(self, keys: np.ndarray, vals: np.ndarray) -> None:
        """Write an upper-triangle run (keys ``a<<b | b``, a <= b) as its upper and transposed halves."""
        up_vals, lk, lv = K.split_upper(keys, vals, K.col_bits(self.vocab_size))
        self.add_sorted(keys, up_vals)
        del up_vals
        self.add_sorted(lk, lv)

    def runs(self) -> list[str]:
        """Path prefixes of the runs written so far."""
        return [os.path.join(self.path, name) for name in self.levels]


class _RunReader:
    """Buffered reader of one run: ``keys``/``vals`` hold the next unread entries (at most ``chunk``)."""

    def __init__(self, prefix: str, chunk: int):
        self.kpath, self.vpath = prefix + ".keys.npy", prefix + ".values.npy"
        self.koff, self.n, _ = _npy_data_offset(self.kpath)
        self.voff, nv, _ = _npy_data_offset(self.vpath)
        if nv != self.n:
            from wordvec.errors import CorruptFileError

            raise CorruptFileError(f"{self.vpath}: length differs from {self.kpath}; recount the shard")
        self.chunk = max(1, chunk)
        self.kfile = open(self.kpath, "rb")
        self.vfile = open(self.vpath, "rb")
        self.kfile.seek(self.koff)
        self.vfile.seek(self.voff)
        self.pos = 0  # entries consumed from the file into the buffer
        self.keys = np.empty(0, np.uint64)
        self.vals = np.empty(0, np.uint64)
        self.fill()

    @property
    def done(self) -> bool:
        return self.pos >= self.n

    def fill(self) -> None:
        """Top the buffer up to ``chunk`` entries once it has run below half of that."""
        want = self.chunk - len(self.keys)
        if want < (self.chunk + 1) // 2 or self.done:
            return
        count = min(want, self.n - self.pos)
        k = np.fromfile(self.kfile, np.uint64, count)
        v = np.fromfile(self.vfile, np.uint64, count)
        if len(k) != count or len(v) != count:
            from wordvec.errors import CorruptFileError

            raise CorruptFileError(f"{self.kpath}: truncated run; recount the shard")
        self.pos += count
        self.keys = np.concatenate([self.keys, k]) if len(self.keys) else k
        self.vals = np.concatenate([self.vals, v]) if len(self.vals) else v

    def close(self) -> None:
        self.kfile.close()
        self.vfile.close()

    def take(self, bound: int) -> tuple[np.ndarray, np.ndarray]:
        """Remove and return the buffered entries with key < ``bound``."""
        cut = int(np.searchsorted(self.keys, np.uint64(bound), side="left"))
        k, v = self.keys[:cut], self.vals[:cut]
        self.keys, self.vals = self.keys[cut:].copy(), self.vals[cut:].copy()
        return k, v


def merge_runs(prefixes: Sequence[str], vocab_size: int, emit: Callable[[np.ndarray, np.ndarray], None],
               budget_entries: int, dense: tuple | None = None) -> None:
    """Stream the sum of sorted runs (and optionally a dense block ``(dense, doff, dcut, rows)``) to
    ``emit(keys, values)`` in key order, holding about ``budget_entries`` entries at a time."""
    V = vocab_size
    vb = K.col_bits(V)
    bits = 2 * vb
    per_run = max(MIN_READ_ENTRIES, budget_entries // max(1, 2 * len(prefixes)))
    readers = [_RunReader(p, per_run) for p in prefixes]
    try:
        _merge_loop(readers, V, vb, bits, emit, budget_entries, dense)
    finally:
        for r in readers:
            r.close()


def _merge_loop(readers, V, vb, bits, emit, budget_entries, dense) -> None:
    if dense is not None:
        dcount = K.dense_sym_count(dense[1], dense[2], dense[3], V)
        dcum = np.concatenate([[0], np.cumsum(dcount)])
    lo = 0  # every key below lo has been emitted
    end = V << vb
    while lo < end:
        sigint_checkpoint()  # where a Ctrl-C held by the caller is raised (corpora/counter.py docstring)
        bound = end
        for r in readers:
            if not r.done and len(r.keys):
                bound = min(bound, int(r.keys[-1]) + 1)
            elif not r.done:
                r.fill()
                bound = min(bound, int(r.keys[-1]) + 1)
        row_lo = lo >> vb
        if dense is not None:
            limit = dcum[row_lo] + max(budget_entries // 2, 1)
            row_hi = max(row_lo, int(np.searchsorted(dcum, limit, side="right")) - 2)
            bound = min(bound, (row_hi + 1) << vb)
        bound = max(bound, lo + 1)
        parts_k, parts_v = [], []
        for r in readers:
            k, v = r.take(bound)
            if len(k):
                parts_k.append(k)
                parts_v.append(v)
        if dense is not None:
            dk, dv = K.dense_sym_keys(dense[0], dense[1], dense[2], dense[3], V, vb, row_lo, (bound - 1) >> vb,
                                      lo, bound)
            if len(dk):
                parts_k.append(dk)
                parts_v.append(dv)
        if parts_k:
            keys = np.concatenate(parts_k)
            vals = np.concatenate(parts_v)
            del parts_k, parts_v
            keys, vals = K.sort_reduce_pairs(keys, vals, bits)
            emit(keys, vals)
            del keys, vals
        for r in readers:
            r.fill()
        lo = bound


class CsrMemorySink:
    """Collects merged entries into an in-memory CSR matrix (float64 = integer counts / scale)."""

    def __init__(self, vocab_size: int, scale: int = 1):
        self.V = vocab_size
        self.scale = float(scale)
        self.row_nnz = np.zeros(vocab_size, np.int64)
        self.indices: list[np.ndarray] = []
        self.data: list[np.ndarray] = []
        self.full: sp.csr_matrix | None = None

    def write_rows(self, indptr: np.ndarray, indices: np.ndarray, data: np.ndarray) -> None:
        """Take a complete CSR (all rows) at once."""
        self.full = sp.csr_matrix((data, indices, indptr), shape=(self.V, self.V))

    def __call__(self, keys: np.ndarray, vals: np.ndarray) -> None:
        vb = np.uint64(K.col_bits(self.V))
        rows = (keys >> vb).astype(np.int64)
        self.row_nnz += np.bincount(rows, minlength=self.V)
        self.indices.append((keys & ((np.uint64(1) << vb) - np.uint64(1))).astype(np.int32))
        self.data.append(vals.astype(np.float64) / self.scale)

    def matrix(self) -> sp.csr_matrix:
        if self.full is not None:
            return self.full
        indptr = np.zeros(self.V + 1, np.int64)
        np.cumsum(self.row_nnz, out=indptr[1:])
        indices = np.concatenate(self.indices) if self.indices else np.empty(0, np.int32)
        data = np.concatenate(self.data) if self.data else np.empty(0, np.float64)
        self.indices, self.data = [], []
        return sp.csr_matrix((data, indices, indptr), shape=(self.V, self.V))


class CsrDiskSink:
    """Streams merged entries into a scipy-readable ``.npz`` (CSR) without holding the matrix in memory.

    Also tracks Z (off-diagonal sum, SPEC a.4) exactly in integer units. ``close()`` writes the file and
    returns ``{"nnz", "z"}``.
    """

    def __init__(self, path: str, vocab_size: int, workdir: str, scale: int = 1):
        self.path = path
        self.V = vocab_size
        self.scale = scale
        self.row_nnz = np.zeros(vocab_size, np.int64)
        self.ipath = os.path.join(workdir, ".indices.raw")
        self.dpath = os.path.join(workdir, ".data.raw")
        self.ihandle = open(self.ipath, "wb")
        self.dhandle = open(self.dpath, "wb")
        self.nnz = 0
        self.z_units = 0
        self.full: tuple | None = None

    def write_rows(self, indptr: np.ndarray, indices: np.ndarray, data: np.ndarray) -> None:
        """Take a complete CSR (all rows) at once; it is written from memory by ``close``."""
        self.full = (indptr, indices, data)
        self.nnz = int(indptr[-1])
        diag = sp.csr_matrix((data, indices, indptr), shape=(self.V, self.V)).diagonal().sum()
        self.z_float = float(data.sum() - diag)

    def __call__(self, keys: np.ndarray, vals: np.ndarray) -> None:
        vb = np.uint64(K.col_bits(self.V))
        rows = keys >> vb
        cols = keys & ((np.uint64(1) << vb) - np.uint64(1))
        self.row_nnz += np.bincount(rows.astype(np.int64), minlength=self.V)
        self.ihandle.write(cols.astype(np.int32).tobytes())
        self.dhandle.write((vals.astype(np.float64) / float(self.scale)).tobytes())
        self.nnz += len(keys)
        self.z_units += int(vals[rows != cols].sum(dtype=np.uint64))

    def close(self) -> dict:
        self.ihandle.close()
        self.dhandle.close()
        if self.full is not None:
            indptr, indices, data = self.full
            self.full = None
            sp.save_npz(self.path, sp.csr_matrix((data, indices, indptr), shape=(self.V, self.V)),
                        compressed=False)
            os.remove(self.ipath)
            os.remove(self.dpath)
            return {"nnz": self.nnz, "z": self.z_float}
        big = self.nnz >= 2 ** 31
        indptr = np.zeros(self.V + 1, np.int64 if big else np.int32)
        np.cumsum(self.row_nnz, out=indptr[1:])
        with zipfile.ZipFile(self.path, "w", zipfile.ZIP_STORED, allowZip64=True) as zf:
            self._member(zf, "indices.npy", self.ipath, np.dtype(np.int64 if big else np.int32), self.nnz, big)
            with zf.open("indptr.npy", "w", force_zip64=True) as out:
                np.lib.format.write_array(out, indptr, allow_pickle=False)
            with zf.open("format.npy", "w") as out:
                np.lib.format.write_array(out, np.array(b"csr"), allow_pickle=False)
            with zf.open("shape.npy", "w") as out:
                np.lib.format.write_array(out, np.array([self.V, self.V], np.int64), allow_pickle=False)
            self._member(zf, "data.npy", self.dpath, np.dtype(np.float64), self.nnz, False)
        os.remove(self.ipath)
        os.remove(self.dpath)
        z = getattr(self, "z_float", None)
        return {"nnz": self.nnz, "z": z if z is not None else self.z_units / self.scale}

    @staticmethod
    def _member(zf: zipfile.ZipFile, name: str, raw: str, dtype: np.dtype, n: int, widen: bool) -> None:
        with zf.open(name, "w", force_zip64=True) as out, open(raw, "rb") as src:
            header = {"descr": np.lib.format.dtype_to_descr(dtype), "fortran_order": False, "shape": (n,)}
            np.lib.format.write_array_header_1_0(out, header)
            while True:
                sigint_checkpoint()
                block = src.read(_COPY)
                if not block:
                    break
                out.write(np.frombuffer(block, np.int32).astype(np.int64).tobytes() if widen else block)

