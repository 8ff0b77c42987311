"""Reading raw text: files, folders, compression, stdin, the UTF-8 policy, CRLF/BOM, NULs and the line cap."""
from __future__ import annotations

import bz2
import gzip
import io
import lzma
import os
import sys
import tracemalloc

import pytest

from wordvec.corpora.reader import ReadReport, expand_inputs, iter_line_blocks, read_lines
from wordvec.errors import InputError

TEXT = "第一行 文本\n第二行\n\nlast line\n"


def lines_of(*inputs, **kwargs):
    report = ReadReport()
    return list(read_lines([str(p) for p in inputs], report=report, **kwargs)), report


def test_plain_lines_and_missing_final_newline(tmp_path):
    (tmp_path / "a.txt").write_text("一\n二\n三", encoding="utf-8")
    lines, report = lines_of(tmp_path / "a.txt")
    assert lines == ["一", "二", "三"]
    assert report.lines == 3 and report.files == 1 and report.bad_bytes == 0


def test_empty_file_has_no_lines(tmp_path):
    (tmp_path / "e.txt").write_bytes(b"")
    assert lines_of(tmp_path / "e.txt")[0] == []


def test_crlf_and_bom(tmp_path):
    (tmp_path / "w.txt").write_bytes(b"\xef\xbb\xbf" + "甲 乙\r\n丙\r\n\r\n丁".encode() + b"\r\n")
    lines, report = lines_of(tmp_path / "w.txt")
    assert lines == ["甲 乙", "丙", "", "丁"]
    assert report.boms == 1


@pytest.mark.parametrize("suffix,opener", [(".gz", gzip.open), (".bz2", bz2.open), (".xz", lzma.open)])
def test_compressed_by_extension(tmp_path, suffix, opener):
    path = tmp_path / ("c.txt" + suffix)
    with opener(path, "wb") as handle:
        handle.write(TEXT.encode())
    assert lines_of(path)[0] == TEXT.split("\n")[:-1]


def test_truncated_gzip_is_one_line_error(tmp_path):
    path = tmp_path / "t.txt.gz"
    blob = gzip.compress(os.urandom(20000).hex().encode())
    path.write_bytes(blob[: len(blob) // 2])
    with pytest.raises(InputError, match="cannot decompress"):
        lines_of(path)


def test_folder_recursive_sorted_hidden_skipped(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / ".git").mkdir()
    (tmp_path / "b" / "2.txt").write_text("b2\n")
    (tmp_path / "b" / "10.txt").write_text("b10\n")
    (tmp_path / "a.txt").write_text("a\n")
    (tmp_path / "c.txt").write_text("c\n")
    (tmp_path / ".hidden.txt").write_text("hidden\n")
    (tmp_path / ".git" / "x.txt").write_text("git\n")
    files = expand_inputs([str(tmp_path)])
    assert [os.path.relpath(f, tmp_path) for f in files] == ["a.txt", "b/10.txt", "b/2.txt", "c.txt"]
    assert lines_of(tmp_path)[0] == ["a", "b10", "b2", "c"]


def test_folder_without_text_files(tmp_path):
    (tmp_path / ".only_hidden").write_text("x\n")
    with pytest.raises(InputError, match="has no text files"):
        expand_inputs([str(tmp_path)])


def test_missing_path_and_no_input():
    with pytest.raises(InputError, match="input not found: /no/such/file.txt"):
        expand_inputs(["/no/such/file.txt"])
    with pytest.raises(InputError, match="no input"):
        expand_inputs([])


def test_unreadable_file(tmp_path):
    path = tmp_path / "secret.txt"
    path.write_text("x\n")
    path.chmod(0)
    try:
        if os.access(path, os.R_OK):
            pytest.skip("running as root: chmod 000 does not stop reading")
        with pytest.raises(InputError, match="permission denied"):
            expand_inputs([str(path)])
    finally:
        path.chmod(0o644)


def test_stdin(monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO("标准 输入\r\n第二\n".encode())))
    lines, report = lines_of("-")
    assert lines == ["标准 输入", "第二"]
    with pytest.raises(InputError, match="given twice"):
        expand_inputs(["-", "-"])


def test_bad_bytes_replaced_and_counted(tmp_path):
    data = ("好" * 100 + "\n").encode() * 3 + b"ab\xffcd\xfe\xfe\n" + "尾\n".encode()
    (tmp_path / "bad.txt").write_bytes(data)
    lines, report = lines_of(tmp_path / "bad.txt")
    assert lines[3] == "ab\ufffdcd\ufffd\ufffd" and lines[4] == "尾"
    assert report.bad_bytes == 3
    assert report.first_bad == f"{tmp_path / 'bad.txt'}:4"
    assert "3 invalid UTF-8 bytes" in report.problems()[0]


def test_bad_bytes_strict_names_file_and_line(tmp_path):
    (tmp_path / "bad.txt").write_bytes(("好" * 100 + "\n").encode() * 2 + b"ab\xffcd\n")
    with pytest.raises(InputError, match=r"bad\.txt:3: invalid UTF-8 byte 0xff"):
        lines_of(tmp_path / "bad.txt", strict=True)


def test_bad_bytes_line_numbers_across_blocks(tmp_path):
    path = tmp_path / "many.txt"
    path.write_bytes(b"line\n" * 5000 + b"\xff\n")
    report = ReadReport()
    lines = [l for block, _ in iter_line_blocks([str(path)], 1000, False, report, block_size=1000) for l in block]
    assert len(lines) == 5001 and report.first_bad == f"{path}:5001"


def test_stray_nul_bytes_counted_or_strict(tmp_path):
    path = tmp_path / "nul.txt"
    path.write_bytes(("正常文本 " * 2000 + "\n").encode() + b"a\x00b\n")
    lines, report = lines_of(path)
    assert lines[-1] == "a b" and report.nul_bytes == 1 and report.first_nul == f"{path}:2"
    with pytest.raises(InputError, match=r"nul\.txt:2: NUL byte"):
        lines_of(path, strict=True)


@pytest.mark.parametrize("data", [
    bytes(range(256)) * 64,  # binary-looking bytes with NULs
    b"\x89PNG\r\n\x1a\n" + os.urandom(4000),  # random image-like bytes
    "中文文本".encode("gbk") * 100,  # another encoding
    "ab\n".encode("utf-16"),  # UTF-16: NUL bytes
])
def test_binary_or_not_utf8_rejected(tmp_path, data):
    path = tmp_path / "blob.bin"
    path.write_bytes(data)
    with pytest.raises(InputError, match="looks binary or not UTF-8") as err:
        lines_of(path)
    assert "\n" not in str(err.value)


def test_line_cap_splits_and_counts(tmp_path):
    path = tmp_path / "long.txt"
    path.write_text("短\n" + "长" * 25 + "\n" + "x" * 10 + "\n", encoding="utf-8")
    lines, report = lines_of(path, max_line_chars=10)
    assert lines == ["短", "长" * 10, "长" * 10, "长" * 5, "x" * 10]
    assert report.long_lines == 1 and report.extra_pieces == 2 and report.first_long == f"{path}:2"
    assert report.lines == 3


@pytest.mark.parametrize("block_size", [7, 64, 1000])
def test_line_cap_same_for_any_block_size(tmp_path, block_size):
    """A long line that streams through many blocks is cut on the same character grid."""
    text = "头\n" + "".join(chr(0x4E00 + i % 500) for i in range(337)) + "\n尾" + "é" * 40
    path = tmp_path / "s.txt"
    path.write_text(text, encoding="utf-8")
    report = ReadReport()
    got = [l for block, _ in iter_line_blocks([str(path)], 25, False, report, block_size=block_size) for l in block]
    expect = ["头"] + [text.split("\n")[1][i : i + 25] for i in range(0, 337, 25)]
    last = text.split("\n")[2]
    expect += [last[i : i + 25] for i in range(0, len(last), 25)]
    assert got == expect
    assert report.long_lines == 2 and report.extra_pieces == 13 + 1


def test_line_cap_prefers_whitespace_and_punctuation(tmp_path):
    path = tmp_path / "cut.txt"
    path.write_text("aaaa bbbb cccc dddd eeee\n" + "我们来了。你们好！很好\n", encoding="utf-8")
    lines, report = lines_of(path, max_line_chars=7)
    assert lines == ["aaaa ", "bbbb ", "cccc ", "dddd ", "eeee", "我们来了。", "你们好！很好"]
    assert report.long_lines == 2 and report.extra_pieces == 5


@pytest.mark.parametrize("block_size", [5, 64, 333])
def test_line_cap_with_breaks_same_for_any_block_size(tmp_path, block_size):
    words = ["词" * (1 + i % 7) + ("。" if i % 5 == 0 else " ") for i in range(300)]
    text = "".join(words) + "x" * 60 + "\n短\n"
    path = tmp_path / "w.txt"
    path.write_text(text, encoding="utf-8")
    whole = [l for block, _ in iter_line_blocks([str(path)], 20, False, ReadReport(), block_size=1 << 20) for l in block]
    report = ReadReport()
    got = [l for block, _ in iter_line_blocks([str(path)], 20, False, report, block_size=block_size) for l in block]
    assert got == whole and "".join(got[:-1]) == text.split("\n")[0] and got[-1] == "短"
    assert all(len(piece) <= 20 for piece in got) and report.extra_pieces == len(got) - 2


def test_fifty_megabyte_line_bounded_memory(tmp_path):
    """One 50 MB line (no newline) is read in pieces: peak Python memory stays far below the file size."""
    path = tmp_path / "huge.txt"
    chunk = ("汉字 word " * 1000).encode()
    with open(path, "wb") as handle:
        for _ in range(50 * 1024 * 1024 // len(chunk) + 1):
            handle.write(chunk)
    size = path.stat().st_size
    assert size >= 50 * 1024 * 1024
    report = ReadReport()
    tracemalloc.start()
    try:
        longest = n = 0
        for line in read_lines([str(path)], report=report):
            longest = max(longest, len(line))
            n += 1
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert 999_000 < longest <= 1_000_000 and n == report.extra_pieces + 1 and report.long_lines == 1
    assert report.bytes == size
    assert peak < 40 * 1024 * 1024, peak
