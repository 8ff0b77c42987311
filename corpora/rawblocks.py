"""Blocks of input for worker processes: read in the parent, decoded in the worker.

``iter_worker_blocks`` reads the inputs as ``reader.iter_line_blocks`` does, but hands most blocks on
undecoded (``RawBlock``): decoding UTF-8, splitting lines and cutting long ones happen in the worker, and
the parent only moves bytes, which pickle as a copy. The first block of each file (byte-order mark) and the
blocks next to a line too long for one block (``_FileReader.partial_pieces``) are decoded in the parent
(``TextBlock``). Either kind's ``decode()`` gives the lines joined by newlines, their number and a
``ReadReport`` of what decoding found (lines, bad bytes, NULs, long lines); absorbing those reports in block
order (``absorb``) gives the report of reading everything in one process, first locations included.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator, Sequence

import numpy as np

from .reader import BLOCK_SIZE, STDIN, ReadReport, _file_blocks, _FileReader, _open, _tell

_PER_BLOCK = ("lines", "bad_bytes", "nul_bytes", "long_lines", "extra_pieces", "boms")
_FIRSTS = ("first_bad", "first_nul", "first_long")


def absorb(report: ReadReport, block: ReadReport) -> None:
    """Add what decoding one block found (``block``) to ``report``; blocks must come in input order."""
    for name in _PER_BLOCK:
        setattr(report, name, getattr(report, name) + getattr(block, name))
    for name in _FIRSTS:
        if getattr(report, name) is None:
            setattr(report, name, getattr(block, name))


@dataclass
class TextBlock:
    """Lines decoded in the parent, joined by newlines, with what decoding them found."""

    text: str
    n_lines: int
    report: ReadReport = field(default_factory=ReadReport)

    def decode(self) -> tuple[str, int, ReadReport]:
        """``(lines joined by newlines, number of lines, report of decoding them)``."""
        return self.text, self.n_lines, self.report


@dataclass
class RawBlock:
    """Complete lines of one input as bytes, ending with a newline, not yet decoded.

    ``name`` and ``lineno`` (physical lines of the file before this block) place error messages and first
    locations as the parent would; ``cap`` and ``strict`` are the reading settings.
    """

    data: bytes
    name: str
    lineno: int
    cap: int
    strict: bool

    def decode(self) -> tuple[str, int, ReadReport]:
        """``(lines joined by newlines, number of lines, report of decoding them)``; raises ``InputError``
        in strict mode as reading in one process would."""
        report = ReadReport()
        reader = _FileReader(self.name, self.cap, self.strict, report)
        reader.lineno = self.lineno
        reader.at_start = False
        data = self.data
        if b"\r" not in data and _longest_line(data) <= self.cap:  # no line to change: no need to split
            text = reader.decode(data)
            report.lines = text.count("\n")
            return text[:-1], report.lines, report
        lines = reader.complete_lines(data)
        return "\n".join(lines), len(lines), report


def _longest_line(data: bytes) -> int:
    """Bytes in the longest line of ``data`` (newlines not counted): no line has more characters."""
    ends = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 10)
    if len(ends) == 0:
        return len(data)
    inner = int(np.diff(ends).max(initial=1)) - 1
    return max(int(ends[0]), inner, len(data) - 1 - int(ends[-1]))


def iter_worker_blocks(
    inputs: Sequence[str],
    max_line_chars: int,
    strict: bool,
    report: ReadReport,
    block_size: int = BLOCK_SIZE,
) -> Iterator[tuple[TextBlock | RawBlock, int]]:
    """Yield ``(block, raw_bytes_done)`` for already expanded ``inputs``, like ``iter_line_blocks``.

    ``report`` gets the files and bytes read here; the rest of the reading report comes with each block
    (``decode()``) and is the caller's to ``absorb`` in order.
    """
    done_before = 0
    for name in inputs:
        stream, raw = _open(name)
        label = "<stdin>" if name == STDIN else name
        reader = _FileReader(label, max_line_chars, strict, ReadReport())
        report.files += 1
        try:
            for block in _blocks(stream, reader, report, block_size):
                yield block, done_before + _tell(raw, report)
            done_before += _tell(raw, report)
        finally:
            if name != STDIN:
                stream.close()
                raw.close()


def _blocks(stream, reader: _FileReader, report: ReadReport, block_size: int) -> Iterator[TextBlock | RawBlock]:
    """``reader._file_blocks`` with undecoded blocks where nothing here needs the text."""
    reader.report = ReadReport()  # what decoding here finds, per block

    def defer(data: bytes, lineno: int) -> RawBlock:
        return RawBlock(data, reader.name, lineno, reader.cap, reader.strict)

    for item, _ in _file_blocks(stream, reader, report, block_size, True, defer):
        if isinstance(item, RawBlock):
            yield item
        else:
            yield TextBlock("\n".join(item), len(item), reader.report)
            reader.report = ReadReport()


__all__ = ["RawBlock", "TextBlock", "absorb", "iter_worker_blocks"]
