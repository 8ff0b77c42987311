"""Content checksums of artifact files, and the ``.npy`` header checks.

Every file an artifact directory holds gets a CRC32 of its bytes in ``meta.json`` under ``checksums``
(``{"vectors.npy": "crc32:1a2b3c4d", ...}``). CRC32 (zlib) runs at about 4 GB/s here, xxhash-class speed
without a further dependency, and catches every burst error up to 32 bits, which is what a flipped bit or a
changed digit is (``bench/integrity.py`` measures it against the load). An array is checked while it is
read: for a memory-mapped load, block by block together with the finite check, so each page is touched
once; for a full load, over the bytes already in memory. The header is checked separately: C order,
a little-endian float or integer type, and a file exactly as long as the header says.
"""
from __future__ import annotations

import os
import zlib
from typing import Any

import numpy as np

from wordvec.errors import CorruptFileError

PREFIX = "crc32:"
BLOCK_BYTES = 1 << 23  # 8 MB: the unit of a memory-mapped check


def crc_text(value: int) -> str:
    """The ``crc32:xxxxxxxx`` form stored in meta."""
    return f"{PREFIX}{value & 0xFFFFFFFF:08x}"


def file_crc32(path: str | os.PathLike, chunk: int = BLOCK_BYTES) -> int:
    """CRC32 of the bytes of the file at ``path`` (read in ``chunk``-byte pieces, default 8 MB)."""
    crc = 0
    with open(path, "rb") as handle:
        while True:
            piece = handle.read(chunk)
            if not piece:
                return crc
            crc = zlib.crc32(piece, crc)


def file_checksum(path: str | os.PathLike) -> str:
    """``crc_text(file_crc32(path))``."""
    return crc_text(file_crc32(path))


def npy_header(path: str) -> tuple[bytes, tuple[int, ...], bool, np.dtype]:
    """The raw header bytes of the ``.npy`` file at ``path`` and its ``(shape, fortran_order, dtype)``.

    Raises ``CorruptFileError`` naming the file when the magic string or the header cannot be read."""
    try:
        with open(path, "rb") as handle:
            version = np.lib.format.read_magic(handle)
            if version == (1, 0):
                shape, fortran, dtype = np.lib.format.read_array_header_1_0(handle)
            elif version in ((2, 0), (3, 0)):
                shape, fortran, dtype = np.lib.format.read_array_header_2_0(handle)
            else:
                raise ValueError(f"unknown .npy version {version}")
            end = handle.tell()
            handle.seek(0)
            raw = handle.read(end)
    except FileNotFoundError:
        raise
    except (ValueError, OSError, EOFError, SyntaxError, TypeError) as err:
        raise CorruptFileError(f"{path}: not a valid .npy header ({err}); retrain or re-export") from None
    return raw, tuple(shape), bool(fortran), np.dtype(dtype)


def check_npy_header(path: str, kinds: str = "fiu", allow_fortran: bool = False) -> int:
    """Check the header of ``path``: C order (``allow_fortran``: either order, default False), little-endian (or
    byte-order-free), a dtype kind in ``kinds`` (default float/int/unsigned), no object fields, and a file size
    of exactly header + data. Returns the CRC32 of the header bytes (to continue over the data). Raises
    ``CorruptFileError`` naming the field."""
    raw, shape, fortran, dtype = npy_header(path)
    remedy = "the file is damaged; retrain or re-export"
    if fortran and not allow_fortran:
        raise CorruptFileError(f"{path}: header field fortran_order is True, but wordvec writes C order; {remedy}")
    if dtype.kind not in kinds or dtype.hasobject or dtype.byteorder == ">":
        raise CorruptFileError(f"{path}: header field descr {dtype.str!r} is not a type wordvec writes; {remedy}")
    if any(not isinstance(n, int) or n < 0 for n in shape):
        raise CorruptFileError(f"{path}: header field shape {shape!r} is not a shape; {remedy}")
    expected = len(raw) + int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    size = os.path.getsize(path)
    if size != expected:
        raise CorruptFileError(f"{path}: {size} bytes, but its header promises {expected} ({'truncated' if size < expected else 'trailing bytes'}); {remedy}")
    return zlib.crc32(raw)


def array_crc32(array: np.ndarray, crc: int = 0, rows: int | None = None, finite: bool = False,
                checksum: bool = True) -> tuple[int, bool]:
    """Continue ``crc`` over the bytes of the C-contiguous ``array`` in row blocks (memory-mapped arrays are
    read once, block by block); with ``finite=True`` also check NaN/Inf in the same pass; ``checksum=False``
    only checks (an artifact without stored checksums). Returns ``(crc, all_finite)`` (``all_finite`` is True
    when not checked)."""
    if array.ndim == 0 or array.size == 0:
        return zlib.crc32(memoryview(np.ascontiguousarray(array)).cast("B"), crc), True
    if not array.flags.c_contiguous:
        array = np.ascontiguousarray(array)
    row_bytes = max(1, array.nbytes // max(1, len(array)))
    step = rows or max(1, BLOCK_BYTES // row_bytes)
    ok = True
    for start in range(0, len(array), step):
        block = array[start:start + step]
        if checksum:
            crc = zlib.crc32(memoryview(block).cast("B"), crc)
        if finite and ok and block.dtype.kind == "f":
            ok = bool(np.isfinite(block).all())
    return crc, ok


def verify(found: int, meta: dict[str, Any], name: str, where: str, remedy: str) -> None:
    """Compare ``found`` with ``meta['checksums'][name]`` (skipped when absent: an older artifact)."""
    stored = (meta.get("checksums") or {}).get(name)
    if stored is None:
        return
    if stored != crc_text(found):
        raise CorruptFileError(f"{where}: content checksum differs from meta.json ({stored}, found "
                               f"{crc_text(found)}): the file was changed or damaged; {remedy}")


__all__ = ["crc_text", "file_crc32", "file_checksum", "npy_header", "check_npy_header", "array_crc32", "verify",
           "PREFIX"]
