"""Reading a byte range of a plain file as whole lines, exactly as ``corpora/reader.py`` reads them (for
partitions of ``--dask``, issue 17), and turning range-relative line numbers into file line numbers."""
from __future__ import annotations

from typing import IO, Iterator

from wordvec.errors import InputError

from .reader import BLOCK_SIZE, NEWLINE, ReadReport, _file_blocks, _FileReader


class _Range:
    """Reads bytes [start, stop) of an open binary file (``read`` only)."""

    def __init__(self, handle: IO[bytes], start: int, stop: int):
        self.handle = handle
        handle.seek(start)
        self.left = max(0, stop - start)

    def read(self, size: int) -> bytes:
        data = self.handle.read(min(size, self.left)) if self.left else b""
        self.left -= len(data)
        return data


def iter_range_lines(path: str, start: int, stop: int, max_line_chars: int, strict: bool, report: ReadReport,
                     block_size: int = BLOCK_SIZE) -> Iterator[list[str]]:
    """Yield blocks of lines of bytes [start, stop) of the plain file ``path`` (``start`` and ``stop`` must
    be 0, the file size, or just after a newline), exactly as ``iter_line_blocks`` reads those lines.

    The byte-order mark and the binary sniff apply only when ``start`` is 0; line numbers in messages and in
    ``report`` count from the range's first line (``shift_location`` makes them file line numbers).
    """
    try:
        handle = open(path, "rb")
    except OSError as err:
        raise InputError(f"cannot open {path}: {err.strerror or err}") from None
    reader = _FileReader(path, max_line_chars, strict, report)
    reader.at_start = start == 0
    try:
        for lines, _ in _file_blocks(_Range(handle, start, stop), reader, report, block_size, start == 0):
            yield lines
    finally:
        handle.close()


def line_starts(path: str, offset: int) -> int:
    """Number of newlines in the first ``offset`` bytes of the plain file ``path``."""
    count = 0
    with open(path, "rb") as handle:
        while offset > 0:
            data = handle.read(min(offset, 1 << 22))
            if not data:
                break
            count += data.count(NEWLINE)
            offset -= len(data)
    return count


def shift_location(text: str | None, label: str, lines: int) -> str | None:
    """``text`` with a leading ``label:N`` turned into ``label:N+lines`` (other text unchanged)."""
    if not text or not lines or not text.startswith(label + ":"):
        return text
    rest = text[len(label) + 1:]
    digits = len(rest) - len(rest.lstrip("0123456789"))
    if digits == 0:
        return text
    return f"{label}:{int(rest[:digits]) + lines}{rest[digits:]}"


__all__ = ["iter_range_lines", "line_starts", "shift_location"]
