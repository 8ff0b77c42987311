"""Byte-range reading (corpora/ranges.py, issue 17): the lines of a file's partitions, read one by one,
are exactly the lines of the whole file, with the same repairs and the same file:line locations."""
from __future__ import annotations

import pytest

from wordvec.corpora.dask_count import plan_partitions
from wordvec.corpora.ranges import iter_range_lines, line_starts, shift_location
from wordvec.corpora.reader import ReadReport, read_lines
from wordvec.errors import InputError

CAP = 50


def sample(tmp_path):
    rows = []
    for k in range(400):
        if k % 37 == 5:
            rows.append(("长句子。" * 40).encode())  # longer than the cap: cut into pieces
        elif k % 53 == 7:
            rows.append(b"bad \xff byte " + str(k).encode())
        elif k % 41 == 3:
            rows.append(b"")
        else:
            rows.append(f"第{k}行 文字 和 词\r".encode())  # CRLF
    path = tmp_path / "t.txt"
    path.write_bytes(b"\xef\xbb\xbf" + b"\n".join(rows) + b"\n" + "尾行 无换行".encode())
    return str(path)


@pytest.mark.parametrize("part", [1, 7, 64, 300, 5000, 10 ** 6])
def test_partitions_read_like_the_whole_file(tmp_path, part):
    path = sample(tmp_path)
    whole_report = ReadReport()
    whole = list(read_lines([path], max_line_chars=CAP, report=whole_report))
    parts = plan_partitions([path], part)
    got, reports = [], []
    for p in parts:
        report = ReadReport()
        for lines in iter_range_lines(p.path, p.start, p.stop, CAP, False, report, block_size=97):
            got.extend(lines)
        if p.start:
            for name in ("first_bad", "first_nul", "first_long"):
                setattr(report, name, shift_location(getattr(report, name), path, line_starts(path, p.start)))
        reports.append(report)
    assert got == whole
    for name in ("lines", "bytes", "bad_bytes", "long_lines", "extra_pieces", "boms"):
        assert sum(getattr(r, name) for r in reports) == getattr(whole_report, name), name
    for name in ("first_bad", "first_long"):
        assert next(getattr(r, name) for r in reports if getattr(r, name)) == getattr(whole_report, name)


def test_strict_error_names_the_file_line(tmp_path):
    path = sample(tmp_path)
    with pytest.raises(InputError) as whole:
        list(read_lines([path], max_line_chars=CAP, strict=True))
    first_bad = int(str(whole.value).split(":")[1])
    parts = plan_partitions([path], 200)
    p = next(p for p in parts if p.start and line_starts(path, p.start) < first_bad <= line_starts(path, p.stop))
    with pytest.raises(InputError) as part:
        list(iter_range_lines(p.path, p.start, p.stop, CAP, True, ReadReport()))
    assert shift_location(str(part.value), path, line_starts(path, p.start)) == str(whole.value)


def test_shift_location_only_touches_a_leading_label():
    assert shift_location("a.txt:3: bad", "a.txt", 10) == "a.txt:13: bad"
    assert shift_location("other:3: bad", "a.txt", 10) == "other:3: bad"
    assert shift_location(None, "a.txt", 10) is None
