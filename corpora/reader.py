"""Reading raw text: files, folders, compressed files and stdin, as lines (one line = one unit, SPEC a.1).

Inputs are paths of files, folders (every non-hidden file below, recursively, in sorted path order) or
``-`` for stdin; ``.gz``, ``.bz2``, ``.xz`` and ``.lzma`` files are decompressed by their extension
(``wordvec.io.opener``). Text is UTF-8:

* bad bytes are replaced by U+FFFD and counted (``ReadReport.bad_bytes``, with the first ``file:line``);
  with ``strict=True`` the first bad byte raises ``InputError`` naming the file and line;
* CRLF line ends lose their ``\\r``; a UTF-8 byte-order mark at the start of a file is dropped;
* NUL characters are treated as spaces and counted (``nul_bytes``); ``strict=True`` rejects them;
* a file whose first 64 KB are more than 1% NUL bytes or 30% undecodable bytes is rejected as binary
  (or not UTF-8, e.g. GBK) with a one-line ``InputError``;
* a line longer than ``max_line_chars`` characters is cut into pieces of at most that many characters
  (after the last whitespace or sentence punctuation in reach, else exactly at the cap; see ``split_long``),
  each a line of its own, and counted (``long_lines``, ``extra_pieces``); files are read in bounded blocks,
  so a 50 MB line never sits in memory as one string.
"""
from __future__ import annotations

import codecs
import lzma
import os
import sys
import zlib
from dataclasses import asdict, dataclass, fields
from typing import IO, Any, Callable, Iterator, Mapping, Sequence

from wordvec.errors import InputError
from wordvec.io.opener import open_input_raw

from .inputs import STDIN, expand_inputs  # noqa: F401 (finding the input files; re-exported)

BLOCK_SIZE = 1 << 19  # raw bytes read per step (and roughly the text sent to a worker as one task)
SNIFF_BYTES = 1 << 16
NEWLINE = b"\n"

_BAD_SPANS: list[tuple[int, int]] = []


def _count_bad(err: UnicodeDecodeError) -> tuple[str, int]:
    _BAD_SPANS.append((err.start, err.end))
    return "\ufffd", err.end


codecs.register_error("wordvec.count", _count_bad)


@dataclass
class ReadReport:
    """What reading found: sizes, and every repair made to the text (all counts, first location)."""

    files: int = 0
    lines: int = 0  # physical input lines
    bytes: int = 0  # uncompressed bytes read
    bad_bytes: int = 0
    first_bad: str | None = None
    nul_bytes: int = 0
    first_nul: str | None = None
    long_lines: int = 0
    extra_pieces: int = 0
    first_long: str | None = None
    boms: int = 0
    engine_note: str | None = None  # set when a jieba run had to use another engine (tokenize.resolve)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "ReadReport":
        """Inverse of ``to_dict`` (unknown keys ignored)."""
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})

    def problems(self) -> list[str]:
        """Human-readable lines about repairs made (empty when the input was clean)."""
        out = []
        if self.bad_bytes:
            out.append(f"{self.bad_bytes} invalid UTF-8 bytes replaced by U+FFFD (first at {self.first_bad})")
        if self.nul_bytes:
            out.append(f"{self.nul_bytes} NUL bytes treated as spaces (first at {self.first_nul})")
        if self.long_lines:
            out.append(
                f"{self.long_lines} lines longer than the line cap split into {self.extra_pieces} extra pieces "
                f"(first at {self.first_long})"
            )
        if self.engine_note:
            out.append(self.engine_note)
        return out


# --- opening ------------------------------------------------------------------------------------------
def _open(path: str) -> tuple[IO[bytes], IO[bytes]]:
    """(decompressed byte stream, raw file) for ``path``; the raw file's position measures progress."""
    if path == STDIN:
        stream = sys.stdin.buffer
        return stream, stream
    return open_input_raw(path, "input file")


def _read(stream: IO[bytes], size: int, name: str) -> bytes:
    try:
        return stream.read(size)
    except (EOFError, OSError, lzma.LZMAError, zlib.error) as err:
        kind = os.path.splitext(name)[1] or "compressed"
        raise InputError(f"cannot decompress {name}: {err}; the file is truncated or not really {kind}") from None


# --- decoding -----------------------------------------------------------------------------------------
# where an over-long line is preferably cut: after whitespace or sentence punctuation, so tokens stay whole
_BREAKS = (" ", "\t", "\u3000", "\xa0", "\r", "\x0b", "\x0c", "\u2028", "。", "！", "？", "；", "!", "?", ";")


def split_long(text: str, cap: int) -> tuple[list[str], int]:
    """Cut pieces of at most ``cap`` characters off the start of ``text`` while more than ``cap`` remain.

    Each piece ends after the last whitespace or sentence punctuation (``。！？；!?;``) inside its window,
    or at exactly ``cap`` characters when the window has none. Returns the pieces and where the rest (at most
    ``cap`` characters) starts. The cuts depend only on the line, never on how it was read in blocks.
    """
    pieces: list[str] = []
    pos, n = 0, len(text)
    while n - pos > cap:
        end = pos + cap
        best = max(text.rfind(ch, pos, end) for ch in _BREAKS)
        cut = best + 1 if best >= pos else end
        pieces.append(text[pos:cut])
        pos = cut
    return pieces, pos


class _FileReader:
    """Turns one input's bytes into lists of lines, applying the module's text policy."""

    def __init__(self, name: str, max_line_chars: int, strict: bool, report: ReadReport):
        self.name = name
        self.cap = int(max_line_chars)
        self.strict = strict
        self.report = report
        self.lineno = 0  # physical lines completed in this file
        self.at_start = True  # no text decoded yet (the BOM check)
        self.continuing = False  # the current physical line already produced pieces

    def where(self, data: bytes, pos: int) -> str:
        return f"{self.name}:{self.lineno + data.count(NEWLINE, 0, pos) + 1}"

    def decode(self, data: bytes) -> str:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as err:
            if self.strict:
                raise InputError(
                    f"{self.where(data, err.start)}: invalid UTF-8 byte 0x{data[err.start]:02x}; convert the "
                    f"file to UTF-8, or leave out strict to replace and count bad bytes", params=("strict",)
                ) from None
            _BAD_SPANS.clear()
            text = data.decode("utf-8", "wordvec.count")
            report = self.report
            report.bad_bytes += sum(end - start for start, end in _BAD_SPANS)
            if report.first_bad is None and _BAD_SPANS:
                report.first_bad = self.where(data, _BAD_SPANS[0][0])
            _BAD_SPANS.clear()
        if self.at_start and text:
            self.at_start = False
            if text[0] == "\ufeff":
                text = text[1:]
                self.report.boms += 1
        if "\x00" in text:
            pos = text.index("\x00")
            where = f"{self.name}:{self.lineno + text.count(chr(10), 0, pos) + 1}"
            if self.strict:
                raise InputError(f"{where}: NUL byte in text; remove it, or leave out strict to treat NULs as spaces",
                                 params=("strict",))
            self.report.nul_bytes += text.count("\x00")
            if self.report.first_nul is None:
                self.report.first_nul = where
            text = text.replace("\x00", " ")
        return text

    def sniff(self, data: bytes) -> None:
        sample = data[:SNIFF_BYTES]
        if not sample:
            return
        nul = sample.count(0)
        _BAD_SPANS.clear()
        sample.decode("utf-8", "wordvec.count")
        tail = len(sample) - 3  # a character cut by the sample's end is not an error
        bad = sum(end - start for start, end in _BAD_SPANS if start < tail)
        _BAD_SPANS.clear()
        if nul > 0.01 * len(sample) or bad > 0.3 * len(sample):
            share = 100.0 * (nul + bad) / len(sample)
            raise InputError(
                f"{self.name} looks binary or not UTF-8 ({share:.0f}% of its first {len(sample)} bytes are NUL or "
                f"undecodable): convert it to UTF-8 text (e.g. iconv -f GBK -t UTF-8) or leave it out"
            )

    def complete_lines(self, data: bytes) -> list[str]:
        """Lines of ``data`` (ends with a newline, or is the file's last line)."""
        text = self.decode(data)
        if "\r" in text:
            text = text.replace("\r\n", "\n")
        lines = text.split("\n")
        if lines[-1] == "":
            lines.pop()
        elif lines[-1].endswith("\r"):
            lines[-1] = lines[-1][:-1]
        n_physical = len(lines)
        cap = self.cap
        if self.continuing or (lines and max(map(len, lines)) > cap):
            lines = self._cap(lines)
        self.lineno += n_physical
        self.report.lines += n_physical
        return lines

    def _cap(self, lines: list[str]) -> list[str]:
        cap = self.cap
        out: list[str] = []
        for k, line in enumerate(lines):
            if len(line) <= cap and not (k == 0 and self.continuing):
                out.append(line)
                continue
            pieces, pos = split_long(line, cap)
            pieces.append(line[pos:])
            out.extend(pieces)
            if k == 0 and self.continuing:
                self.report.extra_pieces += len(pieces) - 1
                self.continuing = False
            else:
                self._long_line(len(pieces) - 1, self.lineno + k + 1)
        return out

    def _long_line(self, extra: int, lineno: int) -> None:
        self.report.long_lines += 1
        self.report.extra_pieces += extra
        if self.report.first_long is None:
            self.report.first_long = f"{self.name}:{lineno}"

    def partial_pieces(self, carry: bytes) -> tuple[list[str], bytes]:
        """Cut pieces (``split_long``) off a long line still in progress; return them and the rest as bytes."""
        end = len(carry)
        for back in range(1, 4):  # keep an incomplete UTF-8 sequence at the end for the next block
            if end - back < 0:
                break
            byte = carry[end - back]
            if byte >= 0xC0:
                need = 2 if byte < 0xE0 else 3 if byte < 0xF0 else 4
                if need > back:
                    end -= back
                break
            if byte < 0x80:
                break
        text = self.decode(carry[:end])
        pieces, cut = split_long(text, self.cap)  # the rest (1..cap characters) may go on in the next block
        n_full = len(pieces)
        if n_full == 0:
            return [], carry
        if self.continuing:
            self.report.extra_pieces += n_full
        else:
            self._long_line(n_full, self.lineno + 1)
            self.continuing = True
        return pieces, text[cut:].encode("utf-8") + carry[end:]


def iter_line_blocks(
    inputs: Sequence[str],
    max_line_chars: int,
    strict: bool,
    report: ReadReport,
    block_size: int = BLOCK_SIZE,
) -> Iterator[tuple[list[str], int]]:
    """Yield ``(lines, raw_bytes_done)`` for already expanded ``inputs`` (see ``expand_inputs``).

    Each list holds the lines decoded from about ``block_size`` bytes; ``raw_bytes_done`` counts the bytes
    of the input files (compressed size) consumed so far, for progress. ``report`` is updated as it goes.
    """
    done_before = 0
    for name in inputs:
        stream, raw = _open(name)
        label = "<stdin>" if name == STDIN else name
        reader = _FileReader(label, max_line_chars, strict, report)
        report.files += 1
        try:
            for lines, done in _file_blocks(stream, reader, report, block_size, True):
                yield lines, done_before + (_tell(raw, report) if done is None else done)
            done_before += _tell(raw, report)
        finally:
            if name != STDIN:
                stream.close()
                raw.close()


def _file_blocks(stream, reader: "_FileReader", report: ReadReport, block_size: int, sniff: bool,
                 defer: Callable[[bytes, int], Any] | None = None):
    """Yield ``(lines, None)`` per block of one input stream (the caller measures progress).

    ``defer(data, lineno)``: called instead of decoding a block of complete lines that nothing here needs
    the text of (not a file's first, no long line in progress, nothing in ``reader.report``); its result is
    yielded in place of the lines (``rawblocks``, which decodes such blocks in a worker)."""
    label = reader.name
    limit = 4 * reader.cap + 8  # more bytes than this without a newline hold more than `cap` characters
    carry = b""
    first = sniff
    while True:
        data = _read(stream, block_size, label)
        if not data:
            break
        report.bytes += len(data)
        if first:
            reader.sniff(data)
            first = False
        buf = carry + data if carry else data
        cut = buf.rfind(b"\n") + 1
        if cut == 0:
            carry = buf
            if len(carry) > limit:
                pieces, carry = reader.partial_pieces(carry)
                if pieces:
                    yield pieces, None
            continue
        carry = buf[cut:]
        if (defer is not None and not reader.at_start and not reader.continuing and len(carry) <= limit
                and reader.report == ReadReport()):
            yield defer(buf[:cut], reader.lineno), None
            reader.lineno += buf.count(NEWLINE, 0, cut)
            continue
        lines = reader.complete_lines(buf[:cut])
        while len(carry) > limit:  # a long line starts after the last newline
            pieces, rest = reader.partial_pieces(carry)
            if not pieces:
                break
            lines.extend(pieces)
            carry = rest
        yield lines, None
    if carry:
        yield reader.complete_lines(carry), None


def _tell(raw: IO[bytes], report: ReadReport) -> int:
    try:
        return raw.tell()
    except (OSError, ValueError):
        return report.bytes


def read_lines(
    inputs: Sequence[str | os.PathLike],
    max_line_chars: int = 1_000_000,
    strict: bool = False,
    report: ReadReport | None = None,
) -> Iterator[str]:
    """Every line of ``inputs`` (files, folders, ``-``) under the module's text policy; see the module doc.

    ``report`` (a ``ReadReport``, optional) receives the counts of repairs made.
    """
    report = report if report is not None else ReadReport()
    for lines, _ in iter_line_blocks(expand_inputs(inputs), max_line_chars, strict, report):
        yield from lines


def input_size(inputs: Sequence[str]) -> int | None:
    """Total on-disk size of expanded ``inputs`` (None when stdin or a pipe is among them)."""
    if any(path == STDIN or not os.path.isfile(path) for path in inputs):
        return None
    return sum(os.path.getsize(path) for path in inputs)


__all__ = ["ReadReport", "expand_inputs", "iter_line_blocks", "read_lines", "input_size", "STDIN", "BLOCK_SIZE"]
