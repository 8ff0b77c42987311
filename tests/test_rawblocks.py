"""Blocks decoded in the workers (corpora/rawblocks.py) give the lines, ids and reading report of reading in
one process, on messy input split into many small blocks."""
from __future__ import annotations

import gzip

import numpy as np
import pytest

from wordvec.corpora._parallel import tokenize_files
from wordvec.corpora.rawblocks import absorb, iter_worker_blocks
from wordvec.corpora.reader import ReadReport, iter_line_blocks
from wordvec.corpora.tokenize import TokenizerSettings
from wordvec.errors import InputError


def _messy(tmp_path):
    """Three inputs: BOM, CRLF, bad bytes and NULs in middle blocks, a long line across blocks, no final newline."""
    a = tmp_path / "a.txt"
    body = "".join(f"第{k}行 我爱 北京 word{k % 7}\n" for k in range(400)).encode()
    a.write_bytes(b"\xef\xbb\xbf" + body[:3000] + b"bad \xff\xfe here\r\n" + body[3000:6000] + "中\x00文\n".encode()
                  + ("长" * 900).encode() + b"\n" + body[6000:] + "最后一行".encode())
    b = tmp_path / "b.txt.gz"
    b.write_bytes(gzip.compress(b"\xef\xbb\xbf" + body + b"tail \xc3\n"))
    c = tmp_path / "c.txt"
    c.write_bytes(b"")
    return [str(a), str(b), str(c)]


def _bad_line(path: str) -> str:
    with open(path, "rb") as handle:
        data = handle.read()
    line = data[:data.index(b"\xff")].count(b"\n") + 1
    return f"{path}:{line}"


@pytest.mark.parametrize("block_size", [64, 1000, 1 << 16])
def test_worker_blocks_decode_to_the_same_lines_and_report(tmp_path, block_size):
    files = _messy(tmp_path)
    here = ReadReport()
    want = [line for lines, _ in iter_line_blocks(files, 100, False, here, block_size) for line in lines]
    there = ReadReport()
    got, kinds = [], set()
    for block, _ in iter_worker_blocks(files, 100, False, there, block_size):
        text, n_lines, report = block.decode()
        got += text.split("\n") if n_lines else []
        assert len(got) == len(want[:len(got)])
        absorb(there, report)
        kinds.add(type(block).__name__)
    assert got == want and there == here
    assert here.bad_bytes and here.nul_bytes and here.long_lines and here.boms == 2
    if block_size == 1000:
        assert kinds == {"RawBlock", "TextBlock"}


@pytest.mark.parametrize("mode", ["whitespace", "jieba"])
def test_two_workers_equal_one_process_on_messy_input(tmp_path, mode):
    files = _messy(tmp_path)
    settings = TokenizerSettings(mode=mode, max_line_chars=100)
    one = tokenize_files(files, settings, workers=1, block_size=1000)
    two = tokenize_files(files, settings, workers=2, block_size=1000)
    assert one[0] == two[0] and np.array_equal(one[1], two[1]) and np.array_equal(one[2], two[2])
    assert one[3] == two[3] and one[3].first_bad == _bad_line(files[0])


def test_strict_error_in_a_worker_names_the_same_line(tmp_path):
    files = _messy(tmp_path)
    settings = TokenizerSettings(mode="whitespace", max_line_chars=100)
    messages = []
    for workers in (1, 2):
        with pytest.raises(InputError) as err:
            tokenize_files(files, settings, workers=workers, strict=True, block_size=1000)
        messages.append(str(err.value))
    assert messages[0] == messages[1] and _bad_line(files[0]) in messages[0]


def test_longest_line_in_bytes():
    from wordvec.corpora.rawblocks import _longest_line

    assert _longest_line(b"ab\n") == 2 and _longest_line(b"\n") == 0 and _longest_line(b"a\nbcd\ne\n") == 3
    assert _longest_line(b"abc") == 3 and _longest_line(b"\n\nabcd\n") == 4 and _longest_line(b"abcde\nx\n") == 5
