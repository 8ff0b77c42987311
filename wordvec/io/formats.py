"""Word-vector files: word2vec text and binary, GloVe text — writers and a robust reader.

Writers (atomic, rows in vocabulary order): ``save_word2vec_format`` (header ``V d``; text rows
``word x1 … xd`` with 9 significant digits, so float32 values survive exactly; binary rows ``word<space>``
+ d little-endian float32 + ``\\n`` as the original word2vec.c writes — gensim strips that newline on read)
and ``save_glove`` (no header). ``load_vectors`` reads all three (``format="auto"`` detects text/binary and
header/no header) and returns a ``WordVectors`` of ``kind="external"`` (counts unknown → zeros).

Reader policy (issue 7): every problem is a ``WordvecError`` naming the file (and line for text files):
header counts that disagree with the rows, ragged rows, values that are not numbers or not finite,
truncated binary data, empty or non-vector files. Duplicate words keep the first row with a
``VectorFileWarning``; words that are not valid UTF-8 are decoded with U+FFFD and a warning. With
``strict=True`` both are errors. Compressed files (``.gz``, ``.bz2``, ``.xz``) are read transparently.
"""
from __future__ import annotations

import io
import lzma
import mmap
import os
import warnings
import zlib
from typing import IO, Iterator

import numpy as np

from wordvec.io.vectors import WordVectors
from wordvec.io.vocab import Vocabulary

from wordvec.io.atomic import atomic_output
from wordvec.io.opener import is_plain_file, open_input
from wordvec.errors import CorruptFileError, InputError, WordvecError

FORMATS = ("auto", "word2vec", "word2vec-binary", "glove")
_BOM = b"\xef\xbb\xbf"
_BATCH = 20000  # text rows parsed per block


class VectorFileWarning(UserWarning):
    """A vector file was read with a repair (duplicate word dropped, bad UTF-8 replaced)."""


# --- writers ------------------------------------------------------------------------------------------
def _checked_words(emb) -> list[str]:
    words = list(emb.words)
    for word in words:
        if not word or any(ch.isspace() for ch in word):
            raise InputError(
                f"cannot export word {word!r}: word-vector formats need non-empty words without whitespace"
            )
    vectors = np.asarray(emb.vectors)
    if not np.isfinite(vectors).all():
        raise CorruptFileError("refusing to export vectors that contain NaN or Inf")
    return words


def _text_rows(words: list[str], vectors: np.ndarray) -> Iterator[str]:
    fmt = " ".join(["%.9g"] * vectors.shape[1])
    for word, row in zip(words, vectors):
        yield word + " " + (fmt % tuple(row.tolist())) + "\n"


def save_word2vec_format(emb, path: str | os.PathLike, binary: bool = False) -> None:
    """Write ``emb`` (any object with ``.words`` and ``.vectors``) in word2vec format at ``path``.

    ``binary=False`` (default): a text file, header ``V d`` then ``word x1 … xd`` per row; ``binary=True``:
    header, then per row the UTF-8 word, a space, d float32 little-endian values and ``\\n``. Rows are in
    vocabulary order. Written atomically; both variants load with gensim's ``load_word2vec_format``.
    """
    words = _checked_words(emb)
    vectors = np.asarray(emb.vectors, dtype=np.float32)
    header = f"{vectors.shape[0]} {vectors.shape[1]}\n".encode("ascii")
    with atomic_output(path, "wb") as out:
        out.write(header)
        if binary:
            little = vectors.astype("<f4", copy=False)
            for word, row in zip(words, little):
                out.write(word.encode("utf-8") + b" " + row.tobytes() + b"\n")
        else:
            writer = io.TextIOWrapper(out, encoding="utf-8", newline="\n", write_through=False)
            writer.writelines(_text_rows(words, vectors))
            writer.flush()
            writer.detach()


def save_glove(emb, path: str | os.PathLike) -> None:
    """Write ``emb`` as GloVe text at ``path``: one ``word x1 … xd`` line per row, no header (atomic)."""
    words = _checked_words(emb)
    vectors = np.asarray(emb.vectors, dtype=np.float32)
    with atomic_output(path, "w") as out:
        out.writelines(_text_rows(words, vectors))


# --- reading helpers ------------------------------------------------------------------------------------
class _Rows:
    """Collects words and vectors, applying the duplicate / UTF-8 policy."""

    def __init__(self, path: str, strict: bool):
        self.path, self.strict = path, strict
        self.words: list[str] = []
        self.seen: set[str] = set()
        self.keep: list[bool] = []
        self.duplicates: list[str] = []
        self.bad_utf8 = 0

    def word(self, raw: bytes, where: str) -> str:
        try:
            word = raw.decode("utf-8")
        except UnicodeDecodeError:
            if self.strict:
                raise CorruptFileError(
                    f"{where}: word is not valid UTF-8 ({raw[:40]!r}); fix the file or load without strict"
                ) from None
            word = raw.decode("utf-8", errors="replace")
            self.bad_utf8 += 1
        if not word:
            raise CorruptFileError(f"{where}: empty word; the file is damaged or not a word-vector file")
        if word in self.seen:
            if self.strict:
                raise CorruptFileError(f"{where}: duplicate word {word!r}; remove the repeated row")
            self.duplicates.append(word)
            self.keep.append(False)
        else:
            self.seen.add(word)
            self.words.append(word)
            self.keep.append(True)
        return word

    def finish(self, vectors: np.ndarray, fmt: str) -> WordVectors:
        keep = np.asarray(self.keep, dtype=bool)
        if not keep.all():
            vectors = vectors[keep]
        notes = []
        if self.duplicates:
            notes.append(f"{len(self.duplicates)} duplicate words dropped (first row kept), e.g. {self.duplicates[0]!r}")
        if self.bad_utf8:
            notes.append(f"{self.bad_utf8} words were not valid UTF-8 (bad bytes replaced by U+FFFD)")
        for note in notes:
            warnings.warn(f"{self.path}: {note}", VectorFileWarning, stacklevel=3)
        vocab = Vocabulary(self.words, np.zeros(len(self.words), dtype=np.int64))
        meta = {
            "kind": "external",
            "source": os.path.abspath(self.path),
            "source_format": fmt,
            "counts": "unknown (word-vector files carry no counts); all zero, rows in file order",
            "load_notes": notes,
        }
        return WordVectors(np.ascontiguousarray(vectors, dtype=np.float32), vocab, meta)


def _open_bytes(path: str) -> IO[bytes]:
    """A binary handle on ``path``, decompressing ``.gz``/``.bz2``/``.xz``/``.lzma`` by suffix."""
    return open_input(path, "vector file")


def _header(line: bytes) -> tuple[int, int] | None:
    parts = line.split()
    if len(parts) == 2 and all(p.isdigit() for p in parts):
        return int(parts[0]), int(parts[1])
    return None


def _looks_like_text_row(line: bytes) -> bool:
    """A text row is a word and at least one number; binary rows hold raw float32 bytes instead. The
    number of values is not checked here, so a wrong header dimension is reported by the text parser."""
    parts = line.split()
    if len(parts) < 2:
        return False
    try:
        np.array(parts[1:], dtype=np.float64)
    except (ValueError, TypeError, OverflowError):
        return False
    return True


def _parse_row(parts: list[bytes], dim: int, where: str) -> np.ndarray:
    if len(parts) - 1 != dim:
        raise CorruptFileError(
            f"{where}: expected a word and {dim} numbers, found {len(parts) - 1} values; the row is ragged or the "
            "header is wrong"
        )
    try:
        with np.errstate(all="ignore"):
            return np.array(parts[1:], dtype=np.float32)
    except (ValueError, TypeError, OverflowError):
        bad = next((p for p in parts[1:] if not _is_number(p)), parts[1])
        raise CorruptFileError(
            f"{where}: value {bad[:30]!r} is not a number; this is not a word-vector file or it is damaged"
        ) from None


def _is_number(token: bytes) -> bool:
    try:
        float(token)
        return True
    except (ValueError, TypeError, OverflowError):
        return False


def _check_finite(block: np.ndarray, path: str, first_line: int | None, first_row: int) -> None:
    bad = ~np.isfinite(block).all(axis=1)
    if bad.any():
        k = int(np.argmax(bad))
        where = f"{path}:{first_line + k}" if first_line is not None else f"{path}: vector {first_row + k + 1}"
        raise CorruptFileError(f"{where}: NaN or Inf value; the vectors are broken, retrain or re-export them")


# --- text ----------------------------------------------------------------------------------------------
def _read_text(path: str, handle: IO[bytes], has_header: bool, strict: bool, fmt: str):
    first = handle.readline()
    if first.startswith(_BOM):
        first = first[len(_BOM):]
    lineno = 1
    declared = None
    if has_header:
        declared = _header(first)
        if declared is None:
            raise CorruptFileError(
                f"{path}:1: expected a header 'VOCAB_SIZE DIM', found {first[:40]!r}; use format='glove' "
                "for files without a header"
            )
        pending: list[bytes] = []
        dim = declared[1]
        if dim <= 0:
            raise CorruptFileError(f"{path}:1: header declares dimension {dim}; the file is damaged")
    else:
        pending = [first]
        lineno = 0
        parts = first.split()
        if not parts:
            raise CorruptFileError(f"{path}:1: first line is empty; not a word-vector file")
        dim = len(parts) - 1
        if dim <= 0:
            raise CorruptFileError(f"{path}:1: a word without numbers; not a word-vector file")
    rows = _Rows(path, strict)
    blocks: list[np.ndarray] = []
    batch: list[np.ndarray] = []
    batch_start = None

    def flush():
        nonlocal batch, batch_start
        if batch:
            block = np.stack(batch)
            _check_finite(block, path, batch_start, 0)
            blocks.append(block)
            batch, batch_start = [], None

    def lines():
        yield from pending
        yield from handle

    blank_after_data = None
    for raw in lines():
        lineno += 1
        parts = raw.split()
        if not parts:
            blank_after_data = blank_after_data or lineno
            continue
        if blank_after_data is not None:
            raise CorruptFileError(f"{path}:{blank_after_data}: empty line between vectors; the file is damaged")
        where = f"{path}:{lineno}"
        if declared is not None and len(rows.keep) >= declared[0]:
            raise CorruptFileError(
                f"{where}: more rows than the header declares ({declared[0]}); fix the header's first number"
            )
        vec = _parse_row(parts, dim, where)
        rows.word(parts[0], where)
        if batch_start is None:
            batch_start = lineno
        batch.append(vec)
        if len(batch) >= _BATCH:
            flush()
    flush()
    n = len(rows.keep)
    if declared is not None and n != declared[0]:
        raise CorruptFileError(
            f"{path}:{lineno}: the header declares {declared[0]} vectors but the file has {n}; the file is "
            "truncated or the header is wrong"
        )
    if n == 0:
        raise CorruptFileError(f"{path}: no vectors in the file")
    vectors = np.concatenate(blocks) if blocks else np.zeros((0, dim), np.float32)
    return rows.finish(vectors, fmt)


# --- binary --------------------------------------------------------------------------------------------
def _read_binary(path: str, data, strict: bool):
    end = data.find(b"\n")
    if end < 0:
        raise CorruptFileError(f"{path}: no header line; not a word2vec binary file")
    first = bytes(data[:end])
    if first.startswith(_BOM):
        first = first[len(_BOM):]
    declared = _header(first)
    if declared is None:
        raise CorruptFileError(f"{path}:1: expected a header 'VOCAB_SIZE DIM', found {first[:40]!r}")
    count, dim = declared
    if dim <= 0 or count <= 0:
        raise CorruptFileError(f"{path}:1: header declares {count} vectors of dimension {dim}; no vectors to load")
    size = len(data)
    need = dim * 4
    if count * (need + 2) > size - end:
        raise CorruptFileError(
            f"{path}: truncated: the header declares {count} vectors of dimension {dim}, which need more than "
            f"the file's {size} bytes; re-export the file"
        )
    vectors = np.empty((count, dim), dtype=np.float32)
    rows = _Rows(path, strict)
    pos = end + 1
    for k in range(count):
        while pos < size and data[pos:pos + 1] in (b"\n", b"\r"):
            pos += 1
        space = data.find(b" ", pos, pos + 10000)
        if space < 0 or space + 1 + need > size:
            raise CorruptFileError(
                f"{path}: truncated or damaged at vector {k + 1} of {count} (byte {pos}); re-export the file"
            )
        rows.word(bytes(data[pos:space]), f"{path}: vector {k + 1}")
        vectors[k] = np.frombuffer(data, dtype="<f4", count=dim, offset=space + 1)
        pos = space + 1 + need
    rest = bytes(data[pos:pos + 64])
    if rest.strip():
        raise CorruptFileError(
            f"{path}: data after the {count} vectors the header declares; fix the header or the file"
        )
    _check_finite(vectors, path, None, 0)
    return rows.finish(vectors, "word2vec-binary")


def _read_all(path: str) -> bytes | mmap.mmap:
    handle = _open_bytes(path)
    with handle:
        if is_plain_file(handle):
            if os.fstat(handle.fileno()).st_size == 0:
                return b""
            return mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        return handle.read()


# --- the public reader ------------------------------------------------------------------------------------
def _detect(path: str) -> str:
    handle = _open_bytes(path)
    with handle:
        first = handle.readline(1 << 20)
        if not first.strip():
            if not first:
                raise InputError(f"{path} is empty; expected a word2vec or GloVe vector file")
            raise CorruptFileError(f"{path}:1: first line is empty; not a word-vector file")
        if first.startswith(_BOM):
            first = first[len(_BOM):]
        declared = _header(first)
        if declared is None:
            return "glove"
        probe = handle.read(declared[1] * 4 + 4096)
    line = probe.split(b"\n", 1)[0]
    return "word2vec" if _looks_like_text_row(line) or not probe.strip() else "word2vec-binary"


def load_vectors(path: str | os.PathLike, format: str = "auto", strict: bool = False):
    """Read a word2vec (text or binary) or GloVe text file into a ``WordVectors`` (``kind="external"``).

    ``format``: ``"auto"`` (default: header ``V d`` or not, text or binary, detected from the content),
    ``"word2vec"`` (text with header), ``"word2vec-binary"`` or ``"glove"`` (text without header). Rows keep
    the file's order; counts are unknown (zeros). ``strict=False`` (default) drops duplicate words after
    the first and replaces invalid UTF-8 with warnings; ``strict=True`` makes both errors. Any problem is a
    ``WordvecError`` with a one-line message naming the file (and line).
    """
    path = os.fspath(path)
    if format not in FORMATS:
        raise InputError(f"unknown vector format {format!r}: use one of {', '.join(FORMATS)}")
    if not os.path.exists(path):
        raise InputError(f"vector file not found: {path}")
    if os.path.isdir(path):
        raise InputError(f"{path} is a directory; expected a word2vec or GloVe vector file")
    try:
        fmt = _detect(path) if format == "auto" else format
        if fmt == "word2vec-binary":
            data = _read_all(path)
            if len(data) == 0:
                raise InputError(f"{path} is empty; expected a word2vec binary file")
            try:
                return _read_binary(path, data, strict)
            finally:
                if isinstance(data, mmap.mmap):
                    data.close()
        handle = _open_bytes(path)
        with handle:
            return _read_text(path, handle, fmt == "word2vec", strict, fmt)
    except WordvecError:
        raise
    except PermissionError:
        raise InputError(f"cannot read {path}: permission denied") from None
    except (OSError, EOFError, lzma.LZMAError, zlib.error, ValueError) as err:
        raise CorruptFileError(f"{path}: cannot be read as a vector file ({type(err).__name__}: {err})".split("\n")[0]) from None
    except MemoryError:
        raise CorruptFileError(f"{path}: declared sizes are too large to load; the header is probably damaged") from None


__all__ = ["save_word2vec_format", "save_glove", "load_vectors", "VectorFileWarning", "FORMATS"]
