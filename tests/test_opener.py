"""One input opener (wordvec.io.opener) for text corpora, vector files and evaluation files: every
compression through every reader, damaged compressed files, and one-line open errors."""
from __future__ import annotations

import bz2
import gzip
import lzma
import os

import numpy as np
import pytest

from wordvec.corpora.reader import ReadReport, read_lines
from wordvec.errors import CompressedFileError, CorruptFileError, InputError
from wordvec.io.formats import load_vectors
from wordvec.io.opener import COMPRESSIONS, compression, is_plain_file, open_input, open_input_raw
from wordvec.query.evaluate import read_analogies, read_word_pairs

WRITERS = {
    ".gz": gzip.compress,
    ".bz2": bz2.compress,
    ".xz": lzma.compress,
    ".lzma": lambda data: lzma.compress(data, format=lzma.FORMAT_ALONE),
}
CORPUS = "第一行 文本\n第二行\n\nlast line\n".encode()
VECTORS = "2 3\n甲 1 2 3\n乙 4 5 6\n".encode()
PAIRS = "word1\tword2\tscore\n甲\t乙\t7.5\n丙\t丁\t1\n".encode()
ANALOGIES = ": capitals\n北京 中国 东京 日本\n".encode()


def _corpus_lines(path) -> list[str]:
    return list(read_lines([str(path)], report=ReadReport()))


def _binary_vectors() -> bytes:
    rows = b"".join(word.encode() + b" " + np.array(vec, dtype="<f4").tobytes() + b"\n"
                    for word, vec in (("甲", [1, 2, 3]), ("乙", [4, 5, 6])))
    return b"2 3\n" + rows


def test_the_table_and_the_writers_agree():
    assert set(WRITERS) == set(COMPRESSIONS)


@pytest.mark.parametrize("suffix", sorted(WRITERS))
def test_every_reader_reads_every_compression(tmp_path, suffix):
    pack = WRITERS[suffix]
    corpus = tmp_path / ("corpus.txt" + suffix)
    corpus.write_bytes(pack(CORPUS))
    assert _corpus_lines(corpus) == ["第一行 文本", "第二行", "", "last line"]

    text_vectors = tmp_path / ("v.txt" + suffix)
    text_vectors.write_bytes(pack(VECTORS))
    binary_vectors = tmp_path / ("v.bin" + suffix)
    binary_vectors.write_bytes(pack(_binary_vectors()))
    for path in (text_vectors, binary_vectors):
        vectors = load_vectors(str(path))
        assert list(vectors.index_to_key) == ["甲", "乙"]
        np.testing.assert_array_equal(vectors.vectors, [[1, 2, 3], [4, 5, 6]])

    pairs = tmp_path / ("pairs.tsv" + suffix)
    pairs.write_bytes(pack(PAIRS))
    assert read_word_pairs(str(pairs)) == [("甲", "乙", 7.5), ("丙", "丁", 1.0)]
    analogies = tmp_path / ("questions.txt" + suffix)
    analogies.write_bytes(pack(ANALOGIES))
    assert read_analogies(str(analogies)) == [("capitals", [("北京", "中国", "东京", "日本")])]


def test_suffix_case_is_ignored_and_other_suffixes_are_plain(tmp_path):
    path = tmp_path / "CORPUS.TXT.GZ"
    path.write_bytes(gzip.compress(CORPUS))
    assert compression(path) == ".gz" and _corpus_lines(path)[0] == "第一行 文本"
    plain = tmp_path / "corpus.gzip"
    plain.write_bytes(CORPUS)
    assert compression(plain) is None and _corpus_lines(plain)[0] == "第一行 文本"


def _truncated_gz(path, data: bytes) -> str:
    blob = gzip.compress(data)
    path.write_bytes(blob[: len(blob) // 2])
    return str(path)


def _damaged(tmp_path) -> dict[str, str]:
    """One damaged compressed file per reader: a truncated .gz, and plain text under compressed names."""
    big = os.urandom(30000).hex().encode()
    return {
        "corpus-cut": _truncated_gz(tmp_path / "cut.txt.gz", CORPUS * 2000 + big),
        "vectors-cut": _truncated_gz(tmp_path / "cut.vec.gz", VECTORS + big),
        "pairs-cut": _truncated_gz(tmp_path / "cut.tsv.gz", PAIRS + big),
        "corpus-fake": _plain(tmp_path / "fake.txt.xz", CORPUS),
        "vectors-fake": _plain(tmp_path / "fake.vec.bz2", VECTORS),
        "pairs-fake": _plain(tmp_path / "fake.tsv.lzma", PAIRS),
    }


def _plain(path, data: bytes) -> str:
    path.write_bytes(data)
    return str(path)


READERS = {"corpus": _corpus_lines, "vectors": load_vectors, "pairs": read_word_pairs}


@pytest.mark.parametrize("case", ["corpus-cut", "vectors-cut", "pairs-cut", "corpus-fake", "vectors-fake",
                                  "pairs-fake"])
def test_damaged_compressed_file_is_one_line_error(tmp_path, case):
    path = _damaged(tmp_path)[case]
    with pytest.raises(CompressedFileError) as err:
        READERS[case.split("-")[0]](path)
    message = str(err.value)
    assert "\n" not in message and message.startswith(f"cannot decompress {path}: ")
    assert message.endswith(f"the file is truncated or not really {compression(path)}")
    assert isinstance(err.value, InputError) and isinstance(err.value, CorruptFileError)


def test_open_errors_name_the_file_and_kind(tmp_path):
    with pytest.raises(InputError, match=r"^evaluation file not found: .*nowhere\.tsv: check the path$"):
        open_input(tmp_path / "nowhere.tsv", "evaluation file")
    with pytest.raises(InputError, match=r"is a directory, not a file: give the path of the vector file$"):
        open_input(tmp_path, "vector file")
    with pytest.raises(InputError, match="is a directory"):
        read_word_pairs(str(tmp_path))
    secret = tmp_path / "secret.txt"
    secret.write_bytes(CORPUS)
    secret.chmod(0)
    try:
        if os.access(secret, os.R_OK):
            pytest.skip("running as root: chmod 000 does not stop reading")
        with pytest.raises(InputError, match="permission denied"):
            open_input(secret)
    finally:
        secret.chmod(0o644)


def test_closing_the_stream_closes_the_raw_file(tmp_path):
    path = tmp_path / "c.txt.bz2"
    path.write_bytes(bz2.compress(CORPUS))
    stream, raw = open_input_raw(path)
    assert stream.read() == CORPUS and raw.tell() == path.stat().st_size
    assert not is_plain_file(stream)
    stream.close()
    assert raw.closed
    plain = tmp_path / "c.txt"
    plain.write_bytes(CORPUS)
    with open_input(plain) as handle:
        assert is_plain_file(handle) and handle.read() == CORPUS


def _gz_damage(tmp_path) -> dict[str, str]:
    """gzip files damaged in the ways a download or a disk damages them."""
    blob = gzip.compress(CORPUS * 3000 + os.urandom(20000).hex().encode())
    middle = bytearray(blob)
    for k in range(len(blob) // 2, len(blob) // 2 + 64):
        middle[k] ^= 0xA5
    crc = blob[:-8] + bytes(4) + blob[-4:]
    cases = {"cut": blob[: len(blob) // 2], "middle": bytes(middle), "crc": crc, "trailing": blob + b"junk",
             "header": b"\x1f\x8b" + bytes(30)}
    out = {}
    for name, data in cases.items():
        (tmp_path / f"{name}.txt.gz").write_bytes(data)
        out[name] = str(tmp_path / f"{name}.txt.gz")
    return out


@pytest.mark.parametrize("case", ["cut", "middle", "crc", "trailing", "header"])
@pytest.mark.parametrize("engine", ["isal", "stdlib"])
def test_gzip_damage_is_one_line_error_with_either_decompressor(tmp_path, monkeypatch, case, engine):
    if engine == "stdlib":
        monkeypatch.setitem(COMPRESSIONS, ".gz", lambda raw: gzip.GzipFile(fileobj=raw, mode="rb"))
    else:
        pytest.importorskip("isal")
    path = _gz_damage(tmp_path)[case]
    with pytest.raises(CompressedFileError) as err:
        _corpus_lines(path)
    assert "\n" not in str(err.value) and str(err.value).startswith(f"cannot decompress {path}: ")


def test_isal_and_stdlib_gzip_give_the_same_bytes(tmp_path):
    pytest.importorskip("isal")
    data = CORPUS * 5000 + os.urandom(50000)
    path = tmp_path / "two.gz"
    path.write_bytes(gzip.compress(data[:40000]) + gzip.compress(data[40000:]))  # two members, as `cat a.gz b.gz`
    stream, raw = open_input_raw(path)
    with stream:
        assert stream.read() == data
    with open(path, "rb") as handle:
        assert "IGzipFile" in type(COMPRESSIONS[".gz"](handle)).__name__
