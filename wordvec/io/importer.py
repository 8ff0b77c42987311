"""Streaming import of big word-vector files into a model directory (issue 16).

``import_vectors(FILE, MODEL)`` reads word2vec text, word2vec binary or GloVe text (plain, ``.gz``,
``.bz2``, ``.xz``) in blocks and writes the rows straight into ``vectors.npy`` on disk, so the peak memory
is a block of rows plus about 16 bytes per word (offsets and hashes), not the whole table. The words go
to ``vocab.words`` and the compact hash index of ``wordvec.io.vocab_index`` (instant open) as well as the
portable ``vocab.tsv``. The directory appears complete under its final name or not at all.

Row policy: as ``wordvec.io.formats.load_vectors`` — problems are one-line ``CorruptFileError``s naming
file and line; duplicate words keep the first row and are counted; invalid UTF-8 is replaced (U+FFFD) and
counted; ``strict=True`` makes both errors. Words are kept exactly as written (phrases, ASCII, case).
"""
from __future__ import annotations

import hashlib
import lzma
import os
import time
import zlib
from dataclasses import asdict, dataclass, field
from typing import Callable

import numpy as np

from wordvec._version import __version__
from wordvec.errors import CorruptFileError, InputError, WordvecError
from wordvec.io import formats as _formats
from wordvec.io.atomic import atomic_directory, save_json
from wordvec.io.model_dir import FORMAT_NAME, FORMAT_VERSION, META_FILE, VECTORS_FILE, VOCAB_FILE
from wordvec.io.vector_stream import binary_blocks, open_stream, text_blocks
from wordvec.io.vocab_index import WORDS_FILE, hashes_of, write_compact_files

HEADER_BYTES = 128  # fixed .npy header size: the shape is filled in when the row count is known


@dataclass
class ImportReport:
    """What an import did: rows read, words kept, duplicates dropped, bad UTF-8 words, format, seconds."""

    path: str
    output: str
    format: str
    rows_read: int = 0
    words: int = 0
    dim: int = 0
    duplicates: int = 0
    duplicate_example: str | None = None
    bad_utf8: int = 0
    limited: bool = False
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)


def _npy_header(rows: int, dim: int) -> bytes:
    """A version-1.0 ``.npy`` header for a C-order little-endian float32 ``rows×dim`` array, padded to
    ``HEADER_BYTES`` so it can be written first with a placeholder and rewritten at the end."""
    text = "{'descr': '<f4', 'fortran_order': False, 'shape': (%d, %d), }" % (rows, dim)
    pad = HEADER_BYTES - 10 - len(text) - 1
    return b"\x93NUMPY\x01\x00" + (HEADER_BYTES - 10).to_bytes(2, "little") + text.encode("ascii") + b" " * pad + b"\n"


class _Writer:
    """Streams kept rows into ``vectors.npy`` and words into ``vocab.words``, deduplicating by hash."""

    def __init__(self, tmp: str, path: str, dim: int, strict: bool, report: ImportReport):
        self.path, self.dim, self.strict, self.report = path, dim, strict, report
        self.vec = open(os.path.join(tmp, VECTORS_FILE), "wb")
        self.vec.write(_npy_header(0, dim))
        self.words_path = os.path.join(tmp, WORDS_FILE)
        self.words = open(self.words_path, "w+b")  # read back on a hash hit
        self.offsets = [np.zeros(1, dtype=np.int64)]
        self.size = 0  # bytes in vocab.words
        self.count = 0  # words kept
        self.seen = np.zeros(0, dtype=np.uint64)  # sorted hashes of kept words
        self.seen_rows = np.zeros(0, dtype=np.int64)
        self._offset_index = np.zeros(1, dtype=np.int64)  # concatenated offsets, refreshed on a hash hit
        self.digest = hashlib.sha256()  # of vocab.words: the model's vocab_checksum

    def _decode(self, raw: bytes, where: str) -> bytes:
        if not raw:
            raise CorruptFileError(f"{where}: empty word; the file is damaged or not a word-vector file")
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            if self.strict:
                raise CorruptFileError(
                    f"{where}: word is not valid UTF-8 ({raw[:40]!r}); fix the file or import without strict",
                    params=("strict",)) from None
            raw = raw.decode("utf-8", errors="replace").encode("utf-8")
            self.report.bad_utf8 += 1
        if b"\t" in raw or b"\n" in raw or b"\r" in raw:
            raise CorruptFileError(f"{where}: word {raw[:40]!r} contains a tab or line break; fix the file")
        return raw

    def _stored_word(self, row: int) -> bytes:
        if len(self._offset_index) < self.count + 1:
            self._offset_index = np.concatenate(self.offsets)
        self.words.flush()
        start, end = int(self._offset_index[row]), int(self._offset_index[row + 1]) - 1
        return os.pread(self.words.fileno(), end - start, start)

    def add(self, raws: list[bytes], block: np.ndarray, wheres: Callable[[int], str]) -> None:
        """Add a block of rows (``raws[i]`` the word bytes of row ``block[i]``); ``wheres(i)`` names row i."""
        raws = [self._decode(raw, wheres(i)) for i, raw in enumerate(raws)]
        hashes = hashes_of(raws, len(raws))
        keep = np.ones(len(raws), dtype=bool)
        pos = np.searchsorted(self.seen, hashes)
        hit = (pos < len(self.seen)) & (self.seen[np.minimum(pos, max(len(self.seen) - 1, 0))] == hashes) \
            if len(self.seen) else np.zeros(len(raws), dtype=bool)
        order = np.argsort(hashes, kind="stable")
        sorted_h = hashes[order]
        inner = np.zeros(len(raws), dtype=bool)  # equal hash to an earlier row of this block
        inner[order[1:]] = sorted_h[1:] == sorted_h[:-1]
        for i in np.flatnonzero(hit | inner):
            i = int(i)
            raw = raws[i]
            dup = False
            if hit[i]:
                j = int(pos[i])
                while j < len(self.seen) and self.seen[j] == hashes[i]:
                    if self._stored_word(int(self.seen_rows[j])) == raw:
                        dup = True
                        break
                    j += 1
            if not dup and inner[i]:
                dup = any(keep[k] and raws[k] == raw for k in range(i) if hashes[k] == hashes[i])
            if dup:
                if self.strict:
                    word = raw.decode("utf-8")
                    raise CorruptFileError(f"{wheres(i)}: duplicate word {word!r}; remove the "
                                           "repeated row or import without strict", params=("strict",))
                keep[i] = False
                self.report.duplicates += 1
                if self.report.duplicate_example is None:
                    self.report.duplicate_example = raw.decode("utf-8")
        if not keep.all():
            block = block[keep]
            raws = [r for r, k in zip(raws, keep) if k]
            hashes = hashes[keep]
        n = len(raws)
        if not n:
            return
        self.vec.write(np.ascontiguousarray(block, dtype="<f4").tobytes())
        data = b"\n".join(raws) + b"\n"
        self.words.write(data)
        self.digest.update(data)
        lengths = np.fromiter((len(r) + 1 for r in raws), dtype=np.int64, count=n)
        self.offsets.append(self.size + np.cumsum(lengths))
        self.size += len(data)
        rows = np.arange(self.count, self.count + n, dtype=np.int64)
        order = np.argsort(hashes, kind="stable")
        hashes, rows = hashes[order], rows[order]
        at = np.searchsorted(self.seen, hashes, side="right")
        self.seen = np.insert(self.seen, at, hashes)
        self.seen_rows = np.insert(self.seen_rows, at, rows)
        self.count += n

    def finish(self, tmp: str, meta: dict) -> None:
        """Write the real shape into the header, the vocabulary files and ``meta.json``."""
        self.vec.seek(0)
        self.vec.write(_npy_header(self.count, self.dim))
        self.vec.close()
        self.words.close()
        offsets = np.concatenate(self.offsets)
        write_compact_files(tmp, offsets, self.seen, self.seen_rows)
        with open(self.words_path, "rb") as src, open(os.path.join(tmp, VOCAB_FILE), "wb") as out:
            tail = b""
            while True:  # vocab.tsv: word<TAB>0 per line, streamed
                chunk = src.read(1 << 22)
                if not chunk:
                    break
                head, _, tail_next = (tail + chunk).rpartition(b"\n")
                if head or _:
                    out.write((head + b"\n").replace(b"\n", b"\t0\n"))
                tail = tail_next
        digest = self.digest
        meta.update(vocab_checksum=digest.hexdigest()[:16])
        save_json(os.path.join(tmp, META_FILE), meta)

    def close(self) -> None:
        for handle in (self.vec, self.words):
            if not handle.closed:
                handle.close()


def import_vectors(
    path: str | os.PathLike,
    output: str | os.PathLike,
    format: str = "auto",
    limit: int | None = None,
    strict: bool = False,
    progress: Callable[[float, float | None], None] | None = None,
) -> ImportReport:
    """Convert a word2vec text/binary or GloVe file into a model directory at ``output``, streaming.

    Parameters: ``path`` (plain, ``.gz``, ``.bz2`` or ``.xz``); ``format`` ``"auto"`` (default, detected),
    ``"word2vec"``, ``"word2vec-binary"`` or ``"glove"``; ``limit`` read only the first N rows (default:
    all); ``strict`` (default False) makes duplicate words and invalid UTF-8 errors instead of repairs;
    ``progress(done_bytes, total_bytes)`` is called as the (compressed) input is consumed.
    Returns an ``ImportReport``. The model opens with ``Embedding.load(output, mmap=True)``.
    """
    path = os.fspath(path)
    output = os.fspath(output)
    if format not in _formats.FORMATS:
        raise InputError(f"unknown vector format {format!r}: use one of {', '.join(_formats.FORMATS)}")
    if limit is not None and limit <= 0:
        raise InputError(f"limit must be a positive number of words, not {limit}", params=("limit",))
    if not os.path.exists(path):
        raise InputError(f"vector file not found: {path}")
    if os.path.isdir(path):
        raise InputError(f"{path} is a directory; expected a word2vec or GloVe vector file")
    if os.path.abspath(path) == os.path.abspath(output):
        raise InputError("the output model directory must not be the input file")
    started = time.perf_counter()
    try:
        fmt = _formats._detect(path) if format == "auto" else format
        report = ImportReport(path=os.path.abspath(path), output=os.path.abspath(output), format=fmt)
        total = os.path.getsize(path)
        raw_file = open(path, "rb")
        with raw_file, atomic_directory(output) as tmp:
            handle = open_stream(raw_file, path)
            blocks = (binary_blocks(handle, path, limit) if fmt == "word2vec-binary"
                      else text_blocks(handle, path, fmt == "word2vec", limit))
            writer = None
            try:
                declared = None
                for dim, declared, first, raws, block in blocks:
                    if writer is None:
                        writer = _Writer(tmp, path, dim, strict, report)
                    if fmt == "word2vec-binary":
                        wheres = (lambda i, f=first: f"{path}: vector {f + i}")
                    else:
                        wheres = (lambda i, f=first: f"{path}:{f + i}")
                    writer.add(raws, block, wheres)
                    report.rows_read += len(raws)
                    if progress is not None:
                        progress(raw_file.tell(), total)
                if writer is None:
                    raise CorruptFileError(f"{path}: no vectors in the file")
                report.words, report.dim = writer.count, writer.dim
                declared_rows = declared[0] if declared else None
                report.limited = limit is not None and (declared_rows is None or limit < declared_rows) \
                    and report.rows_read >= limit
                report.seconds = time.perf_counter() - started
                report.notes = _notes(report)
                writer.finish(tmp, _meta(report))
            finally:
                if writer is not None:
                    writer.close()
    except WordvecError:
        raise
    except PermissionError:
        raise InputError(f"cannot read {path}: permission denied") from None
    except (OSError, EOFError, lzma.LZMAError, zlib.error, ValueError) as err:
        raise CorruptFileError(f"{path}: cannot be read as a vector file ({type(err).__name__}: {err})"
                               .split("\n")[0]) from None
    if progress is not None:
        progress(total, total)
    return report


def _notes(report: ImportReport) -> list[str]:
    notes = []
    if report.duplicates:
        notes.append(f"{report.duplicates} duplicate words dropped (first row kept), e.g. {report.duplicate_example!r}")
    if report.bad_utf8:
        notes.append(f"{report.bad_utf8} words were not valid UTF-8 (bad bytes replaced by U+FFFD)")
    return notes


def _meta(report: ImportReport) -> dict:
    return {
        "kind": "external",
        "source": report.path,
        "source_format": report.format,
        "counts": "unknown (word-vector files carry no counts); all zero, rows in file order",
        "load_notes": report.notes,
        "import": {k: v for k, v in asdict(report).items() if k not in ("output", "notes")},
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "wordvec_version": __version__,
        "vocab_size": report.words,
        "dim": report.dim,
        "dtype": "float32",
        "extras": {},
        "vocab_index": "compact",
        "finite_checked": True,
    }


__all__ = ["import_vectors", "ImportReport"]
