"""Undetected corruption (issue 19, class 4): a flipped bit in vectors.npy or an extra array, a changed digit
of a count in vocab.tsv, a flipped flag in the .npy header, and typed meta.json fields.

Each damage must be a one-line ``CorruptFileError`` naming the file (and the field), from Python and from the
command line, for memory-mapped and full loads. Model directories written before checksums existed still
load, with the content check skipped, and ``wordvec info`` says so.
"""
from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from _reliability_helpers import assert_clean_exit, assert_user_error, run
from wordvec.errors import CorruptFileError
from wordvec.io.model_dir import content_checked
from wordvec.io.vectors import WordVectors
from wordvec.io.vocab import Vocabulary

WORDS = ["的", "中国", "经济", "发展", "北京", "上海", "a", "b"]


def _model(path, extras: bool = False):
    rng = np.random.default_rng(0)
    vocab = Vocabulary(WORDS, [900, 500, 400, 300, 200, 150, 12, 10])
    more = {"syn1": rng.standard_normal((len(WORDS) - 1, 4)).astype(np.float32)} if extras else None
    WordVectors(rng.standard_normal((len(WORDS), 4)).astype(np.float32), vocab,
                {"kind": "pmi", "total_tokens": 2477, "cds": 0.75}, more).save(path)
    return path


@pytest.fixture
def model(tmp_path):
    return _model(tmp_path / "model")


def _flip(file, offset_from_end: int = 3, bit: int = 0):
    data = bytearray(file.read_bytes())
    data[len(data) - offset_from_end] ^= 1 << bit
    file.write_bytes(bytes(data))


def _edit_meta(path, **fields):
    meta_file = path / "meta.json"
    meta = json.loads(meta_file.read_text(encoding="utf-8"))
    for key, value in fields.items():
        if value is _DELETE:
            meta.pop(key, None)
        else:
            meta[key] = value
    meta_file.write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")


_DELETE = object()


def test_checksums_are_stored(model):
    meta = json.loads((model / "meta.json").read_text(encoding="utf-8"))
    assert set(meta["checksums"]) == {"vectors.npy", "vocab.tsv"}
    assert content_checked(meta)
    WordVectors.load(model, mmap=True)  # a clean model loads


@pytest.mark.parametrize("mmap", [True, False])
@pytest.mark.parametrize("bit", [0, 7])
def test_flipped_bit_in_vectors(model, mmap, bit):
    _flip(model / "vectors.npy", bit=bit)
    with pytest.raises(CorruptFileError, match=r"vectors\.npy.*checksum"):
        WordVectors.load(model, mmap=mmap)


def test_flipped_bit_in_an_extra_array(tmp_path):
    path = _model(tmp_path / "w2v", extras=True)
    _flip(path / "extra_syn1.npy", offset_from_end=5)
    with pytest.raises(CorruptFileError, match=r"extra_syn1\.npy.*checksum"):
        WordVectors.load(path, mmap=True)


def test_changed_count_digit_keeping_the_order(model):
    vocab = model / "vocab.tsv"
    vocab.write_text(vocab.read_text(encoding="utf-8").replace("\t500\n", "\t501\n"), encoding="utf-8")
    with pytest.raises(CorruptFileError, match=r"vocab\.tsv.*checksum"):
        WordVectors.load(model)


@pytest.mark.parametrize("flag, changed, field", [
    (b"'fortran_order': False", b"'fortran_order': True ", "fortran_order"),
    (b"'descr': '<f4'", b"'descr': '>f4'", "descr"),
])
def test_flipped_header_field_is_named(model, flag, changed, field):
    file = model / "vectors.npy"
    file.write_bytes(file.read_bytes().replace(flag, changed, 1))
    with pytest.raises(CorruptFileError, match=field):
        WordVectors.load(model, mmap=True)


def test_byte_order_flag_is_named_even_without_checksums(model):
    _edit_meta(model, checksums=_DELETE)
    file = model / "vectors.npy"
    file.write_bytes(file.read_bytes().replace(b"'descr': '<f4'", b"'descr': '>f4'", 1))
    with pytest.raises(CorruptFileError, match="descr"):
        WordVectors.load(model, mmap=True)


def test_old_fortran_ordered_model_still_loads(tmp_path):
    """PPMI-SVD models written before checksums existed hold Fortran-ordered vectors: they must load."""
    vectors = np.asfortranarray(np.random.default_rng(1).standard_normal((len(WORDS), 3)).astype(np.float32))
    path = tmp_path / "svd"
    WordVectors(vectors, Vocabulary(WORDS, [8, 7, 6, 5, 4, 3, 2, 1]), {"kind": "svd"}).save(path)
    np.save(path / "vectors.npy", vectors)  # as the old writer did
    assert b"'fortran_order': True" in (path / "vectors.npy").read_bytes()
    _edit_meta(path, checksums=_DELETE)
    np.testing.assert_array_equal(WordVectors.load(path, mmap=True).vectors, vectors)


def test_fortran_ordered_vectors_are_saved_in_c_order(tmp_path):
    vectors = np.asfortranarray(np.random.default_rng(1).standard_normal((len(WORDS), 3)).astype(np.float32))
    WordVectors(vectors, Vocabulary(WORDS, [8, 7, 6, 5, 4, 3, 2, 1]), {"kind": "svd"}).save(tmp_path / "svd")
    np.testing.assert_array_equal(WordVectors.load(tmp_path / "svd").vectors, vectors)


@pytest.mark.parametrize("change, what", [(lambda d: d + b"\0" * 16, "trailing"), (lambda d: d[:-16], "truncated")])
def test_file_length_must_match_the_header(model, change, what):
    file = model / "vectors.npy"
    file.write_bytes(change(file.read_bytes()))
    with pytest.raises(CorruptFileError, match=what):
        WordVectors.load(model, mmap=True)


@pytest.mark.parametrize("line, what", [
    ("的\t99999999999999999999999", "int64"),
    ("的\t9223372036854775808", "int64"),
    ("的\t-5", "non-negative"),
    ("的\t+900", "non-negative"),
    ("的\t٣٣", "non-negative"),  # Arabic-Indic digits: int() would accept them
    ("的\t1_000", "non-negative"),
])
def test_bad_counts_without_checksums(model, line, what):
    _edit_meta(model, checksums=_DELETE)
    vocab = model / "vocab.tsv"
    lines = vocab.read_text(encoding="utf-8").splitlines()
    vocab.write_text("\n".join([line] + lines[1:]) + "\n", encoding="utf-8")
    with pytest.raises(CorruptFileError, match=what) as info:
        WordVectors.load(model)
    assert "vocab.tsv:1" in str(info.value)


def test_counts_out_of_frequency_order(model):
    _edit_meta(model, checksums=_DELETE)
    vocab = model / "vocab.tsv"
    vocab.write_text(vocab.read_text(encoding="utf-8").replace("\t400\n", "\t4000\n"), encoding="utf-8")
    with pytest.raises(CorruptFileError, match=r"vocab\.tsv:3.*frequency order"):
        WordVectors.load(model)


@pytest.mark.parametrize("fields, name", [
    ({"cds": "0.75"}, "cds"),
    ({"cds": -1}, "cds"),
    ({"total_tokens": "2477"}, "total_tokens"),
    ({"total_tokens": -1}, "total_tokens"),
    ({"total_tokens": 2.5}, "total_tokens"),
    ({"total_tokens": True}, "total_tokens"),
    ({"total_tokens": 2**64}, "total_tokens"),
    ({"loss_per_epoch": [0.1, "x"]}, "loss_per_epoch[1]"),
    ({"seconds_per_epoch": [0.1, -2]}, "seconds_per_epoch[1]"),
    ({"tokenizer": {"mode": "jieba", "hmm": "yes"}}, "tokenizer.hmm"),
    ({"tokenizer": ["jieba"]}, "tokenizer"),
    ({"tokenizer": {"max_line_chars": 0}}, "tokenizer.max_line_chars"),
    ({"extras": {"../../x": {"shape": [1], "dtype": "float32"}}}, "extras"),
    ({"extras": {"syn1": {"shape": ["a"], "dtype": "float32"}}}, "extras.syn1.shape[0]"),
    ({"extras": []}, "extras"),
    ({"checksums": {"vectors.npy": 5}}, "checksums.vectors.npy"),
    ({"dim": "4"}, "dim"),
    ({"kind": 3}, "kind"),
    ({"counts_available": "no"}, "counts_available"),
])
def test_meta_fields_of_the_wrong_type(model, fields, name):
    _edit_meta(model, **fields)
    with pytest.raises(CorruptFileError) as info:
        WordVectors.load(model, mmap=True)
    message = str(info.value)
    assert "meta.json" in message and f"field {name}" in message and "\n" not in message


@pytest.mark.parametrize("text, what", [
    ('{"kind": "pmi", "cds": NaN}', "NaN"),
    ('{"kind": "pmi", "cds": Infinity}', "Infinity"),
    ('{"kind": "pmi", "x": ' + "[" * 100_000 + "]" * 100_000 + "}", "nested"),
    ('{"kind": "pmi", "x": ' + "[" * 200 + "]" * 200 + "}", "nested"),
    ('{"total_tokens": 1' + "0" * 5000 + "}", "JSON"),
])
def test_meta_json_that_python_would_accept_or_choke_on(model, text, what):
    (model / "meta.json").write_text(text, encoding="utf-8")
    with pytest.raises(CorruptFileError, match=what):
        WordVectors.load(model)


def test_old_model_without_checksums_loads_and_info_says_so(model):
    _edit_meta(model, checksums=_DELETE)
    loaded = WordVectors.load(model, mmap=True)
    assert not content_checked(loaded.meta)
    result = run("info", model, "--json")
    assert_clean_exit(result, 0)
    assert "skipped" in json.loads(result.stdout)["content_check"]
    fresh = model.parent / "fresh"
    _model(fresh)
    result = run("info", fresh, "--json")
    assert "verified" in json.loads(result.stdout)["content_check"]


def test_resaving_an_old_model_adds_checksums(model, tmp_path):
    _edit_meta(model, checksums=_DELETE)
    WordVectors.load(model).save(tmp_path / "again")
    assert content_checked(WordVectors.load(tmp_path / "again").meta)


@pytest.mark.parametrize("damage", ["vectors", "vocab", "header", "meta"])
def test_cli_reports_corruption_in_one_line(model, damage):
    if damage == "vectors":
        _flip(model / "vectors.npy")
    elif damage == "vocab":
        vocab = model / "vocab.tsv"
        vocab.write_text(vocab.read_text(encoding="utf-8").replace("\t500\n", "\t501\n"), encoding="utf-8")
    elif damage == "header":
        file = model / "vectors.npy"
        file.write_bytes(file.read_bytes().replace(b"'fortran_order': False", b"'fortran_order': True ", 1))
    else:
        _edit_meta(model, total_tokens="lots")
    name = {"vectors": "vectors.npy", "vocab": "vocab.tsv", "header": "fortran_order", "meta": "total_tokens"}[damage]
    assert_user_error(run("similar", model, "中国"), name)


def test_copies_are_identical_after_reload(model, tmp_path):
    """The checksum is of the bytes: a byte-for-byte copy verifies, save → load → save is stable."""
    copy = tmp_path / "copy"
    shutil.copytree(model, copy)
    first = WordVectors.load(copy)
    first.save(tmp_path / "second")
    assert (tmp_path / "second" / "vectors.npy").read_bytes() == (model / "vectors.npy").read_bytes()


def test_crc32_checksums_are_verified_too(model):
    """Checksums are XXH3-64 (xxhash) and CRC32 where xxhash is missing: both algorithms verify on load."""
    from wordvec.io.integrity import file_checksum

    meta = json.loads((model / "meta.json").read_text(encoding="utf-8"))
    assert meta["checksums"]["vectors.npy"].startswith("xxh3-64:")
    crc = {name: file_checksum(model / name, "crc32") for name in meta["checksums"]}
    _edit_meta(model, checksums=crc)
    WordVectors.load(model, mmap=True)
    _flip(model / "vectors.npy")
    with pytest.raises(CorruptFileError, match="crc32"):
        WordVectors.load(model, mmap=True)
