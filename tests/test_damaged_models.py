"""Issue 7 battery, damaged model directories and word2vec/GloVe files (wordvec.io).
What every case checks is said in tests/_bad_input_fixtures.py.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from _reliability_helpers import (
    assert_clean_exit,
    assert_nothing_written,
    assert_user_error,
    run,
    run_process,
)
from _bad_input_fixtures import base, copy_model  # noqa: F401  (pytest fixtures)

pytest.importorskip("wordvec.corpora.cooccur", reason="counting stage not available yet")


# --- damaged model directories ---------------------------------------------------------------------------
@pytest.mark.parametrize("args", [["similar", "甲"], ["info"], ["norms"], ["export", "-o", "{tmp}/out.txt"]],
                         ids=["similar", "info", "norms", "export"])
def test_truncated_vectors_npy(base, tmp_path, args):
    model = copy_model(base, tmp_path)
    data = (model / "vectors.npy").read_bytes()
    (model / "vectors.npy").write_bytes(data[: len(data) // 2])
    res = run(args[0], model, *[a.format(tmp=tmp_path) for a in args[1:]])
    assert_user_error(res, "vectors.npy", "truncated")
    assert_nothing_written(tmp_path / "out.txt")


def test_vectors_npy_header_only(base, tmp_path):
    model = copy_model(base, tmp_path)
    (model / "vectors.npy").write_bytes((model / "vectors.npy").read_bytes()[:100])
    assert_user_error(run("similar", model, "甲"), "vectors.npy")


def test_vectors_npy_not_numpy(base, tmp_path):
    model = copy_model(base, tmp_path)
    (model / "vectors.npy").write_bytes(b"this is not an array\n" * 10)
    assert_user_error(run("info", model), "vectors.npy")


def test_vectors_npy_wrong_rows(base, tmp_path):
    model = copy_model(base, tmp_path)
    vectors = np.load(model / "vectors.npy")
    np.save(model / "vectors.npy", vectors[:-1])
    assert_user_error(run("similar", model, "甲"), "vectors.npy")


def test_vocab_tsv_swapped(base, tmp_path):
    model = copy_model(base, tmp_path)
    lines = (model / "vocab.tsv").read_text(encoding="utf-8").splitlines()
    lines[0], lines[1] = lines[1], lines[0]
    (model / "vocab.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert_user_error(run("similar", model, "甲"), "vocab.tsv")


def test_meta_json_from_future_version(base, tmp_path):
    model = copy_model(base, tmp_path)
    meta = json.loads((model / "meta.json").read_text(encoding="utf-8"))
    meta["format_version"] = 99
    (model / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    for args in (["similar", model, "甲"], ["info", model], ["export", model, "-o", tmp_path / "out.txt"]):
        assert_user_error(run(*args), "meta.json", "version", "upgrade")
    assert_nothing_written(tmp_path / "out.txt")


@pytest.mark.parametrize("content", [b"", b"{not json", b"[1, 2]", "{\"format\": \"其他\"}".encode()],
                         ids=["empty", "garbage", "list", "other-format"])
def test_meta_json_damaged(base, tmp_path, content):
    model = copy_model(base, tmp_path)
    (model / "meta.json").write_bytes(content)
    assert_user_error(run("info", model), "meta.json")


def test_model_dir_without_meta(base, tmp_path):
    model = copy_model(base, tmp_path)
    (model / "meta.json").unlink()
    assert_user_error(run("similar", model, "甲"), "meta.json")


def _nan_model(base, tmp_path) -> Path:
    model = copy_model(base, tmp_path)
    vectors = np.load(model / "vectors.npy")
    vectors[3, 2] = np.nan
    np.save(model / "vectors.npy", vectors)
    return model


def test_nan_in_model_dir_refused_by_export(base, tmp_path):
    res = run("export", _nan_model(base, tmp_path), "-o", tmp_path / "out.txt")
    assert_user_error(res, "NaN")
    assert_nothing_written(tmp_path / "out.txt")


@pytest.mark.parametrize("args", [["similar", "甲"], ["info"], ["norms"], ["evaluate", "{tmp}/pairs.txt"]],
                         ids=["similar", "info", "norms", "evaluate"])
def test_nan_in_model_dir_refused_by_queries(base, tmp_path, args):
    model = _nan_model(base, tmp_path)
    (tmp_path / "pairs.txt").write_text("甲\t乙\t5.0\n丙\t丁\t4.0\n甲\t子\t1.0\n", encoding="utf-8")
    res = run(args[0], model, *[a.format(tmp=tmp_path) for a in args[1:]])
    assert_user_error(res, "vectors.npy", "NaN")



# --- word2vec / GloVe files ------------------------------------------------------------------------------
W2V_ROWS = "甲 0.1 0.2 0.3\n乙 0.2 0.1 0.3\n丙 -0.3 0.1 0.2\n"


@pytest.mark.parametrize("header", ["5 3", "2 3", "3 4", "3 2", "3 x", "3", "0 3", "-1 3"])
def test_word2vec_wrong_header(tmp_path, header):
    path = tmp_path / "vectors.txt"
    path.write_text(f"{header}\n{W2V_ROWS}", encoding="utf-8")
    assert_user_error(run("similar", path, "甲"), "vectors.txt")
    out = tmp_path / "out.bin"
    assert_user_error(run("export", path, "-o", out, "--format", "word2vec-binary"), "vectors.txt")
    assert_nothing_written(out)


def test_word2vec_header_counts_named(tmp_path):
    path = tmp_path / "vectors.txt"
    path.write_text(f"5 3\n{W2V_ROWS}", encoding="utf-8")
    assert_user_error(run("info", path), "vectors.txt", "header", "5")
    path.write_text(f"2 3\n{W2V_ROWS}", encoding="utf-8")
    assert_user_error(run("info", path), "vectors.txt:4", "header")


def test_word2vec_wrong_header_dimension_message(tmp_path):
    path = tmp_path / "vectors.txt"
    path.write_text(f"3 4\n{W2V_ROWS}", encoding="utf-8")
    assert_user_error(run("info", path), "vectors.txt:2")


def test_word2vec_ragged_row(tmp_path):
    path = tmp_path / "vectors.txt"
    path.write_text("3 3\n甲 0.1 0.2 0.3\n乙 0.2 0.1\n丙 -0.3 0.1 0.2\n", encoding="utf-8")
    assert_user_error(run("info", path), "vectors.txt:3")


@pytest.mark.parametrize("value", ["nan", "NaN", "inf", "-inf", "1e999"])
def test_nan_in_word2vec_text(tmp_path, value):
    path = tmp_path / "vectors.txt"
    path.write_text(f"3 3\n甲 0.1 0.2 0.3\n乙 0.2 {value} 0.3\n丙 -0.3 0.1 0.2\n", encoding="utf-8")
    assert_user_error(run("similar", path, "甲"), "vectors.txt:3", "NaN")
    out = tmp_path / "out.txt"
    assert_user_error(run("export", path, "-o", out), "vectors.txt:3")
    assert_nothing_written(out)


def test_nan_in_glove_text(tmp_path):
    path = tmp_path / "glove.txt"
    path.write_text("甲 0.1 0.2 0.3\n乙 0.2 nan 0.3\n丙 -0.3 0.1 0.2\n", encoding="utf-8")
    assert_user_error(run("info", path), "glove.txt:2", "NaN")


def test_nan_in_word2vec_binary(tmp_path):
    rows = np.array([[0.1, 0.2, 0.3], [0.2, np.nan, 0.3]], dtype="<f4")
    data = b"2 3\n" + b"".join(w.encode() + b" " + r.tobytes() + b"\n" for w, r in zip(["甲", "乙"], rows))
    path = tmp_path / "vectors.bin"
    path.write_bytes(data)
    assert_user_error(run("info", path), "vectors.bin", "NaN")


def test_truncated_word2vec_binary(base, tmp_path):
    out = tmp_path / "model.bin"
    assert_clean_exit(run("export", base["model"], "-o", out, "--format", "word2vec-binary"), 0)
    data = out.read_bytes()
    out.write_bytes(data[: len(data) - 40])
    assert_user_error(run("info", out), "model.bin", "truncated")


def test_empty_vector_file(tmp_path):
    path = tmp_path / "empty.vec"
    path.write_bytes(b"")
    assert_user_error(run("info", path), "empty.vec", "empty")


def test_invalid_utf8_word_in_vectors(tmp_path):
    path = tmp_path / "vectors.txt"
    path.write_bytes(b"2 3\n\xff\xfe 0.1 0.2 0.3\n\xe4\xb9\x99 0.2 0.1 0.3\n")
    res = run("export", path, "-o", tmp_path / "lenient.txt")
    err = assert_clean_exit(res, 0)
    assert any(line.startswith("warning:") and "UTF-8" in line for line in err.splitlines()), err
    assert_user_error(run("export", path, "-o", tmp_path / "out.txt", "--strict"), "vectors.txt:2", "UTF-8")
    assert_nothing_written(tmp_path / "out.txt")


@pytest.mark.parametrize("content", [b"2 3\n\xff\xfe 0.1 0.2 0.3\n\xe4\xb9\x99 0.2 0.1 0.3\n",
                                     b"3 3\na 0.1 0.2 0.3\na 0.1 0.2 0.4\nb 0.4 0.5 0.6\n"], ids=["utf8", "duplicate"])
def test_vector_file_repairs_are_one_line_warnings_in_queries(tmp_path, content):
    path = tmp_path / "vectors.txt"
    path.write_bytes(content)
    res = run_process("info", path)
    err = assert_clean_exit(res, 0)
    lines = [line for line in err.splitlines() if line.strip()]
    assert lines and all(line.startswith("warning:") for line in lines), err
