"""Reading word-vector files as a stream of row blocks, for ``wordvec.io.importer`` (issue 16).

``text_blocks`` (word2vec text with a header, or GloVe without) and ``binary_blocks`` (word2vec binary) yield
``(dim, declared, first, raws, block)``: the dimension, the header's ``(count, dim)`` or ``None``, the line
(text) or vector number (binary) of the block's first row, the words' raw bytes and a float32 block of up
to ``BLOCK_ROWS`` rows. Checks and messages are those of ``wordvec.io.formats``. Text numbers go through the
numba kernel ``wordvec.io._kernels.parse_rows`` when ``ACCELERATE``; a block it hands back is parsed by
numpy, and a block numpy cannot read row by row with the reader's own messages.
"""
from __future__ import annotations

import io
import itertools
import lzma
from typing import IO, Iterator

import numpy as np

from wordvec.errors import CorruptFileError
from wordvec.io import formats as _formats

BLOCK_ROWS = 8192  # rows parsed and written at a time
ACCELERATE = True  # parse text rows with the numba kernel (wordvec.io._kernels); False: numpy only
_KERNEL: list = []


def _parse_kernel():
    """``wordvec.io._kernels.parse_rows`` (numba), or ``None`` where numba is missing or ``ACCELERATE`` is off."""
    if not ACCELERATE:
        return None
    if not _KERNEL:
        try:
            from wordvec.io._kernels import parse_rows
        except ImportError:  # pragma: no cover - numba missing
            parse_rows = None
        _KERNEL.append(parse_rows)
    return _KERNEL[0]


def text_blocks(handle: IO[bytes], path: str, has_header: bool, limit: int | None) -> Iterator:
    """Yield ``(dim, declared, first_lineno, raws, block)`` for blocks of text rows."""
    first = handle.readline()
    if first.startswith(_formats._BOM):
        first = first[len(_formats._BOM):]
    declared = None
    pending: list[bytes] = []
    lineno = 1
    if has_header:
        declared = _formats._header(first)
        if declared is None:
            raise CorruptFileError(f"{path}:1: expected a header 'VOCAB_SIZE DIM', found {first[:40]!r}; use "
                                   "format glove for files without a header", params=("format",))
        dim = declared[1]
        if dim <= 0:
            raise CorruptFileError(f"{path}:1: header declares dimension {dim}; the file is damaged")
    else:
        parts = first.split()
        if not parts:
            raise CorruptFileError(f"{path}:1: first line is empty; not a word-vector file")
        dim = len(parts) - 1
        if dim <= 0:
            raise CorruptFileError(f"{path}:1: a word without numbers; not a word-vector file")
        pending = [first]
        lineno = 0
    rows = 0
    blank_at = None
    lines: list[bytes] = []
    start = lineno + 1

    def parse(lines: list[bytes], start: int):
        raws, rests = [], []
        for raw in lines:
            parts = raw.split(None, 1)
            raws.append(parts[0])
            rests.append(parts[1] if len(parts) > 1 else b"\n")
        kernel = _parse_kernel()
        if kernel is not None:
            block = np.empty((len(lines), dim), dtype=np.float32)
            if kernel(np.frombuffer(b"".join(lines), dtype=np.uint8), len(lines), dim, block) == 0:
                _formats._check_finite(block, path, start, 0)
                return raws, block
        try:
            block = np.loadtxt(io.BytesIO(b"".join(r if r.endswith(b"\n") else r + b"\n" for r in rests)),
                               dtype=np.float32, comments=None, delimiter=None, encoding="latin1", ndmin=2,
                               quotechar=None)
            ok = block.shape == (len(lines), dim)
        except ValueError:
            ok = False
        if not ok:  # locate the bad row with the reader's own messages
            block = np.stack([_formats._parse_row(raw.split(), dim, f"{path}:{start + k}")
                              for k, raw in enumerate(lines)])
        _formats._check_finite(block, path, start, 0)
        return raws, block

    for raw in itertools.chain(pending, handle):  # (a generator's `yield from` would close the handle on break)
        lineno += 1
        if not raw.strip():
            blank_at = blank_at or lineno
            continue
        if blank_at is not None:
            raise CorruptFileError(f"{path}:{blank_at}: empty line between vectors; the file is damaged")
        if limit is not None and rows >= limit:
            break
        if declared is not None and rows >= declared[0]:
            raise CorruptFileError(f"{path}:{lineno}: more rows than the header declares ({declared[0]}); fix "
                                   "the header's first number")
        if not lines:
            start = lineno
        lines.append(raw)
        rows += 1
        if len(lines) >= BLOCK_ROWS:
            yield (dim, declared, start) + parse(lines, start)
            lines = []
    if lines:
        yield (dim, declared, start) + parse(lines, start)
    if declared is not None and rows != declared[0] and (limit is None or rows < limit):
        raise CorruptFileError(f"{path}:{lineno}: the header declares {declared[0]} vectors but the file has "
                               f"{rows}; the file is truncated or the header is wrong")
    if rows == 0:
        raise CorruptFileError(f"{path}: no vectors in the file")


def binary_blocks(handle: IO[bytes], path: str, limit: int | None) -> Iterator:
    """Yield ``(dim, declared, first_row, raws, block)`` for blocks of word2vec binary rows."""
    first = handle.readline(1 << 16)
    if first.startswith(_formats._BOM):
        first = first[len(_formats._BOM):]
    declared = _formats._header(first)
    if declared is None:
        raise CorruptFileError(f"{path}:1: expected a header 'VOCAB_SIZE DIM', found {first[:40]!r}")
    count, dim = declared
    if dim <= 0 or count <= 0:
        raise CorruptFileError(f"{path}:1: header declares {count} vectors of dimension {dim}; no vectors to load")
    need = dim * 4
    want = count if limit is None else min(count, limit)
    buf = b""
    pos = 0
    row = 0
    while row < want:
        n = min(BLOCK_ROWS, want - row)
        raws: list[bytes] = []
        block = np.empty((n, dim), dtype=np.float32)
        for k in range(n):
            while True:
                if len(buf) - pos < need + 10001:
                    buf = buf[pos:] + handle.read(max(1 << 20, need * 256))
                    pos = 0
                while pos < len(buf) and buf[pos] in (10, 13):
                    pos += 1
                space = buf.find(b" ", pos, pos + 10000)
                if space >= 0 and space + 1 + need <= len(buf):
                    break
                more = handle.read(1 << 20)
                if not more:
                    raise CorruptFileError(f"{path}: truncated or damaged at vector {row + k + 1} of {count}; "
                                           "re-export the file")
                buf = buf[pos:] + more
                pos = 0
            raws.append(buf[pos:space])
            block[k] = np.frombuffer(buf, dtype="<f4", count=dim, offset=space + 1)
            pos = space + 1 + need
        _formats._check_finite(block, path, None, row)
        yield dim, declared, row + 1, raws, block
        row += n
    if limit is None or limit >= count:
        rest = (buf[pos:] + handle.read(64))[:64]
        if rest.strip():
            raise CorruptFileError(f"{path}: data after the {count} vectors the header declares; fix the header "
                                   "or the file")


def open_stream(raw: IO[bytes], path: str) -> IO[bytes]:
    """A buffered, decompressing reader over the open file ``raw`` (by suffix, as ``formats``)."""
    import bz2
    import gzip

    lower = path.lower()
    if lower.endswith(".gz"):
        return io.BufferedReader(gzip.GzipFile(fileobj=raw, mode="rb"), 1 << 20)
    if lower.endswith(".bz2"):
        return io.BufferedReader(bz2.BZ2File(raw, "rb"), 1 << 20)
    if lower.endswith((".xz", ".lzma")):
        return io.BufferedReader(lzma.LZMAFile(raw, "rb"), 1 << 20)
    return io.BufferedReader(raw, 1 << 20)


__all__ = ["text_blocks", "binary_blocks", "open_stream", "BLOCK_ROWS", "ACCELERATE"]
