"""Issue 7 battery: bad input through the real CLI fails loudly and cleanly, and leaves nothing half-written.

Each case checks the exit code (1 user error, 2 usage), one ``error:`` line on stderr naming the problem,
no traceback, and no partial artifact (output absent or the previous one intact, no temporaries beside it).
Known bugs are ``xfail(strict=True)`` with the culprit in the reason.
"""
from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from _reliability_helpers import (
    assert_clean_exit,
    assert_nothing_written,
    assert_user_error,
    peak_rss_of,
    run,
    run_process,
    snapshot,
    stray_temps,
    tiny_corpus,
    train_args,
)

pytest.importorskip("wordvec.corpora.cooccur", reason="counting stage not available yet")

WS = ["--tokenizer", "whitespace", "--workers", "1"]


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    """A tiny corpus, its token cache, counts directory, model directory and word2vec export."""
    root = tmp_path_factory.mktemp("reliability")
    corpus = tiny_corpus(root / "corpus.txt")
    cache = root / "cache"
    model = root / "model"
    assert_clean_exit(run(*train_args(corpus, model, cache)), 0)
    counts = root / "counts"
    assert_clean_exit(run("count", corpus, "-o", counts, *WS, "--min-count", "1", "--window", "3",
                          "--cache-dir", cache, "-q"), 0)
    w2v = root / "model.txt"
    assert_clean_exit(run("export", model, "-o", w2v), 0)
    token_cache = root / "tokens"
    assert_clean_exit(run("tokenize", corpus, "-o", token_cache, *WS, "-q"), 0)
    return dict(root=root, corpus=corpus, cache=cache, model=model, counts=counts, w2v=w2v, tokens=token_cache)


def copy_model(base, tmp_path, name="model") -> Path:
    dest = tmp_path / name
    shutil.copytree(base["model"], dest)
    return dest


def count(tmp_path, *inputs, extra=()):
    out = tmp_path / "out"
    res = run("count", *inputs, "-o", out, *WS, "--min-count", "1", "--cache-dir", tmp_path / "cache", "-q", *extra)
    return res, out


# --- text input ------------------------------------------------------------------------------------------
def test_empty_file(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    res, out = count(tmp_path, empty)
    assert_user_error(res, "empty.txt", "empty")
    assert_nothing_written(out)


def test_whitespace_only_file(tmp_path):
    blank = tmp_path / "blank.txt"
    blank.write_bytes(b"  \n\t\n\r\n   \n")
    res, out = count(tmp_path, blank)
    assert_user_error(res, "blank.txt", "no tokens")
    assert_nothing_written(out)


def test_binary_file(tmp_path):
    binary = tmp_path / "image.bin"
    binary.write_bytes(np.random.default_rng(0).integers(0, 256, 200_000, dtype=np.uint8).tobytes())
    res, out = count(tmp_path, binary)
    assert_user_error(res, "image.bin", "binary")
    assert_nothing_written(out)


def test_gbk_file_is_not_utf8(tmp_path):
    gbk = tmp_path / "gbk.txt"
    gbk.write_bytes(("中文 文本 测试 " * 3000 + "\n").encode("gbk"))
    res, out = count(tmp_path, gbk)
    assert_user_error(res, "gbk.txt", "UTF-8")
    assert_nothing_written(out)


def _bad_utf8_file(tmp_path) -> Path:
    path = tmp_path / "bad.txt"
    path.write_bytes("甲 乙 丙\n".encode() * 50 + b"\xe7\x94 \xff \xe4\xb8\x81\n" + "戊 己\n".encode() * 50)
    return path


def test_invalid_utf8_replaced_and_counted(tmp_path):
    bad = _bad_utf8_file(tmp_path)
    res = run("tokenize", bad, *WS, "--cache-dir", tmp_path / "cache", "--json")
    assert_clean_exit(res, 0)
    report = json.loads(res.stdout)["report"]
    assert report["bad_bytes"] == 3 and report["first_bad"].endswith("bad.txt:51")
    warnings = [line for line in res.stderr.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1 and "3 invalid UTF-8 bytes" in warnings[0] and "bad.txt:51" in warnings[0]
    res = run("vocab", bad, *WS, "--cache-dir", tmp_path / "cache", "--min-count", "1", "--json")
    words = {item["word"] for item in json.loads(res.stdout)}
    assert "\ufffd" in words and "丁" in words  # the bad bytes are replaced, the good text kept


@pytest.mark.parametrize("cached_first", [False, True], ids=["fresh", "after-lenient-cache"])
def test_invalid_utf8_strict_names_file_and_line(tmp_path, cached_first):
    bad = _bad_utf8_file(tmp_path)
    if cached_first:  # a lenient run cached the replaced text: --strict must still refuse it
        assert_clean_exit(run("tokenize", bad, *WS, "--cache-dir", tmp_path / "cache", "-q"), 0)
    res, out = count(tmp_path, bad, extra=["--strict"])
    assert_user_error(res, "bad.txt:51", "UTF-8")
    assert_nothing_written(out)


def _nul_file(tmp_path) -> Path:
    path = tmp_path / "nul.txt"
    path.write_bytes("甲 乙 丙\n".encode() * 100 + "丁\x00戊\n".encode() + "己 庚\n".encode() * 100)
    return path


def test_nul_bytes_are_spaces_and_counted(tmp_path):
    nul = _nul_file(tmp_path)
    res = run("tokenize", nul, *WS, "--cache-dir", tmp_path / "cache", "--json")
    assert_clean_exit(res, 0)
    report = json.loads(res.stdout)["report"]
    assert report["nul_bytes"] == 1 and report["first_nul"].endswith("nul.txt:101")
    assert any("NUL" in line for line in res.stderr.splitlines() if line.startswith("warning:"))
    res = run("vocab", nul, *WS, "--cache-dir", tmp_path / "cache", "--min-count", "1", "--json")
    words = {item["word"] for item in json.loads(res.stdout)}
    assert {"丁", "戊"} <= words and not any("\x00" in w for w in words)


def test_nul_bytes_strict(tmp_path):
    res, out = count(tmp_path, _nul_file(tmp_path), extra=["--strict"])
    assert_user_error(res, "nul.txt:101", "NUL")
    assert_nothing_written(out)


def test_crlf_equals_lf(tmp_path):
    lf = tiny_corpus(tmp_path / "lf.txt", lines=60)
    crlf = tmp_path / "crlf.txt"
    crlf.write_bytes(lf.read_bytes().replace(b"\n", b"\r\n"))
    vocabs = []
    for path in (lf, crlf):
        res = run("vocab", path, *WS, "--cache-dir", tmp_path / "cache", "--min-count", "1", "--json")
        assert_clean_exit(res, 0)
        vocabs.append(json.loads(res.stdout))
    assert vocabs[0] == vocabs[1]
    assert not any("\r" in item["word"] for item in vocabs[1])


def test_missing_input_path(tmp_path):
    missing = tmp_path / "nowhere.txt"
    res, out = count(tmp_path, missing)
    assert_user_error(res, "nowhere.txt", "not found")
    assert_nothing_written(out)
    res = run(*train_args(missing, tmp_path / "model", tmp_path / "cache"))
    assert_user_error(res, "nowhere.txt", "not found")
    assert_nothing_written(tmp_path / "model")
    assert_user_error(run("tokenize", missing, *WS, "--cache-dir", tmp_path / "cache"), "nowhere.txt")


def test_missing_model_path(tmp_path):
    for args in (["similar", tmp_path / "no_model", "甲"], ["info", tmp_path / "no_model"],
                 ["export", tmp_path / "no_model", "-o", tmp_path / "x.txt"]):
        assert_user_error(run(*args), "no_model", "not found")
    assert_nothing_written(tmp_path / "x.txt")


def test_unreadable_file(tmp_path):
    secret = tiny_corpus(tmp_path / "secret.txt", lines=20)
    secret.chmod(0)
    try:
        if os.access(secret, os.R_OK):
            pytest.skip("running as root: chmod 000 does not stop reading")
        res, out = count(tmp_path, secret)
        assert_user_error(res, "secret.txt", "permission")
        assert_nothing_written(out)
    finally:
        secret.chmod(0o644)


def test_unreadable_file_simulated(tmp_path, monkeypatch):
    """Root reads everything: simulate a file that is unreadable (access check) or becomes so (open fails)."""
    import wordvec.io.opener as opener  # opens every input file

    secret = tiny_corpus(tmp_path / "secret.txt", lines=20)
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda path, mode, *a, **k: False if os.fspath(path) == str(secret)
                        else real_access(path, mode, *a, **k))
    res, out = count(tmp_path, secret)
    assert_user_error(res, "secret.txt", "permission")
    assert_nothing_written(out)
    monkeypatch.setattr(os, "access", real_access)
    real_open = open

    def guarded_open(path, *args, **kwargs):
        if os.fspath(path) == str(secret):
            raise PermissionError(errno.EACCES, "Permission denied", str(secret))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(opener, "open", guarded_open, raising=False)
    res, out = count(tmp_path, secret)
    assert_user_error(res, "secret.txt", "permission")
    assert_nothing_written(out)


def test_unwritable_output_folder(base, tmp_path, monkeypatch):
    import tempfile

    def denied(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(tempfile, "mkdtemp", denied)
    res = run(*train_args(base["corpus"], tmp_path / "model", base["cache"], dim=4, epochs=1))
    assert_user_error(res, "model", "permission denied")
    assert_nothing_written(tmp_path / "model")


def test_folder_without_text(tmp_path):
    empty = tmp_path / "empty_folder"
    empty.mkdir()
    hidden = tmp_path / "hidden_only"
    (hidden / ".git").mkdir(parents=True)
    (hidden / ".notes.txt").write_text("甲 乙\n", encoding="utf-8")
    (hidden / ".git" / "HEAD").write_text("ref\n", encoding="utf-8")
    for folder in (empty, hidden):
        res, out = count(tmp_path, folder)
        assert_user_error(res, folder.name, "no text")
        assert_nothing_written(out)


def test_folder_with_only_empty_files(tmp_path):
    folder = tmp_path / "blank_folder"
    folder.mkdir()
    (folder / "a.txt").write_bytes(b"")
    (folder / "b.txt").write_bytes(b"\n\n")
    res, out = count(tmp_path, folder)
    assert_user_error(res, "no tokens")
    assert_nothing_written(out)


def test_line_of_50mb_is_cut_with_bounded_memory(tmp_path):
    """One 50 MB line (no newline) is read in blocks, cut at the line cap, and reported."""
    token = "".join(f"tok{i:04d}abcdefghij " for i in range(997))  # 997 distinct 18-char tokens
    size = 50 * 2**20
    long = tmp_path / "long.txt"
    with open(long, "w", encoding="utf-8") as out:
        chunk = token * 64
        for _ in range(size // len(chunk) + 1):
            out.write(chunk)
        out.write("\n甲 乙\n")
    cmd = [sys.executable, "-m", "wordvec", "tokenize", str(long), *WS, "--cache-dir", str(tmp_path / "cache"),
           "--json"]
    code, peak, stdout, stderr = peak_rss_of(cmd)
    assert code == 0 and "Traceback" not in stderr, stderr
    info = json.loads(stdout)
    report = info["report"]
    assert report["long_lines"] == 1 and report["first_long"].endswith("long.txt:1")
    chars = os.path.getsize(long) - len("\n甲 乙\n".encode())
    assert -(-chars // 1_000_000) - 1 <= report["extra_pieces"] <= -(-chars // 999_000) - 1
    assert report["lines"] == 2
    assert any("line cap" in line for line in stderr.splitlines() if line.startswith("warning:"))
    assert info["types"] == 997 + 2  # cuts fall on whitespace: no token is split
    _, base_rss, _, _ = peak_rss_of([sys.executable, "-c", "import wordvec.cli.main, numpy, scipy.sparse"])
    # the ids (4 bytes/token, ~12 MB) are the only thing proportional to the input; the 50 MB line never sits in
    # memory as one string, let alone as a list of ~2.9 M token strings (~200 MB)
    assert peak - base_rss < 150 * 2**20, f"peak RSS {peak / 2**20:.0f} MB vs baseline {base_rss / 2**20:.0f} MB"


# --- queries ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("args", [["similar", "不存在"], ["similar", "甲", "不存在"], ["related", "不存在"],
                                  ["analogy", "甲", "不存在", "乙"], ["pmi", "甲", "不存在"],
                                  ["predict", "不存在", "也不存在"]],
                         ids=["similar", "similar-two", "related", "analogy", "pmi", "predict"])
def test_all_oov_query(base, args):
    assert_user_error(run(args[0], base["model"], *args[1:]), "不存在", "vocabulary")


def test_oov_query_on_word2vec_file(base):
    assert_user_error(run("similar", base["w2v"], "不存在"), "不存在", "vocabulary")


@pytest.mark.parametrize("command", ["keywords", "sentsim"])
def test_all_oov_text_is_a_note(base, command):
    texts = ["不存在 也不存在"] * (2 if command == "sentsim" else 1)
    res = run(command, base["model"], *texts, "--json")
    err = assert_clean_exit(res, 0)
    assert [line for line in err.splitlines() if line.strip()] and all(
        line.startswith("note:") and "vocabulary" in line for line in err.splitlines() if line.strip())


@pytest.mark.parametrize("args", [["similar", ""], ["related", ""], ["similar", "  "]], ids=["similar", "related",
                                                                                            "similar-blank"])
def test_empty_query_word(base, args):
    assert_user_error(run(args[0], base["model"], *args[1:]))


def test_empty_query_text(base):
    res = run("keywords", base["model"], "", "--json")
    err = assert_clean_exit(res, 0)
    assert json.loads(res.stdout) == [] and "note:" in err
    res = run("keywords", base["model"], "--json", input="")
    assert_clean_exit(res, 0)
    assert res.stdout.strip() == ""


def test_no_query_word_is_usage_error(base):
    assert_clean_exit(run("similar", base["model"]), 2)


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


# --- full disk -------------------------------------------------------------------------------------------
def _enospc(*args, **kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")


def test_full_disk_while_saving_model_keeps_previous(base, tmp_path, monkeypatch):
    model = copy_model(base, tmp_path)
    before = snapshot(model)
    monkeypatch.setattr(np, "save", _enospc)
    res = run(*train_args(base["corpus"], model, base["cache"], dim=6, epochs=1))
    assert_user_error(res, "disk full", "model")
    assert_nothing_written(model, previous=before)


def test_full_disk_at_fsync_while_saving_model(base, tmp_path, monkeypatch):
    model = tmp_path / "model"
    monkeypatch.setattr(os, "fsync", _enospc)
    res = run(*train_args(base["corpus"], model, base["cache"], dim=6, epochs=1))
    assert_user_error(res, "disk full")
    assert_nothing_written(model)


def test_full_disk_while_exporting_keeps_previous(base, tmp_path, monkeypatch):
    out = tmp_path / "vectors.txt"
    out.write_text("previous export\n", encoding="utf-8")
    before = snapshot(out)
    monkeypatch.setattr(os, "fsync", _enospc)
    for fmt in ("word2vec", "word2vec-binary", "glove"):
        assert_user_error(run("export", base["model"], "-o", out, "--format", fmt), "disk full", "vectors.txt")
        assert_nothing_written(out, previous=before)


def test_full_disk_while_counting(base, tmp_path, monkeypatch):
    out = tmp_path / "counts"
    monkeypatch.setattr(os, "fsync", _enospc)
    res = run("count", base["corpus"], "-o", out, *WS, "--min-count", "1", "--cache-dir", base["cache"], "-q")
    assert_user_error(res, "disk full")
    assert_nothing_written(out)


@pytest.fixture
def tiny_disk(tmp_path):
    """A 64 KiB tmpfs (needs root and mount permission; skipped otherwise)."""
    disk = tmp_path / "disk"
    disk.mkdir()
    if not shutil.which("mount") or os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k,nr_inodes=64", "tmpfs", str(disk)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs: {done.stderr.strip()}")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], capture_output=True)


@pytest.fixture(scope="module")
def big_model(base):
    """14 words x 2048 dimensions: 112 KiB of vectors, more than the tiny disk holds."""
    big = base["root"] / "big"
    if not big.exists():
        assert_clean_exit(run(*train_args(base["corpus"], big, base["cache"], dim=2048, epochs=1)), 0)
    return big


def test_real_full_disk_export_keeps_previous(base, big_model, tiny_disk):
    """Real ENOSPC on a 64 KiB tmpfs while exporting: ResourceError, the old small export survives."""
    small = tiny_disk / "small.txt"
    assert_clean_exit(run("export", base["model"], "-o", small), 0)
    before = snapshot(small)
    for fmt in ("word2vec", "word2vec-binary", "glove"):
        res = run("export", big_model, "-o", small, "--format", fmt)
        assert_user_error(res, "disk full", "small.txt")
        assert_nothing_written(small, previous=before)
    assert stray_temps(tiny_disk) == []


def test_real_full_disk_model_save_is_clean(base, big_model, tiny_disk):
    """Real ENOSPC while saving a model: exit 1, the previous model intact, no temporaries."""
    model = tiny_disk / "model"
    assert_clean_exit(run(*train_args(base["corpus"], model, base["cache"], dim=4, epochs=1)), 0)
    before = snapshot(model)
    res = run(*train_args(base["corpus"], model, base["cache"], dim=2048, epochs=1))
    assert_user_error(res, "model")
    assert_nothing_written(model, previous=before)
    assert stray_temps(tiny_disk) == []


def test_real_full_disk_model_save_says_disk_full(base, big_model, tiny_disk):
    res = run(*train_args(base["corpus"], tiny_disk / "model", base["cache"], dim=2048, epochs=1))
    assert_user_error(res, "disk full")
    assert_nothing_written(tiny_disk / "model")


# --- stage mismatches and corrupt intermediate files -----------------------------------------------------
def test_counts_with_a_different_vocabulary(base, tmp_path):
    counts = tmp_path / "counts"
    shutil.copytree(base["counts"], counts)
    other = tmp_path / "other.txt"
    other.write_text("子 丑 寅\n卯 辰 巳\n" * 20, encoding="utf-8")
    assert_clean_exit(run("vocab", other, *WS, "--min-count", "1", "-o", tmp_path / "other_vocab.tsv",
                          "--cache-dir", tmp_path / "cache", "-q"), 0)
    shutil.copy(tmp_path / "other_vocab.tsv", counts / "vocab.tsv")
    model = tmp_path / "model"
    res = run("train", counts, "-o", model, "--dim", "4", "--epochs", "1", "-q")
    assert_user_error(res, "vocab.tsv", "different vocabulary")
    assert_nothing_written(model)


def test_resume_from_checkpoint_of_other_counts(base, tmp_path, monkeypatch):
    """A checkpoint made on corpus A must not be resumed on corpus B's counts."""
    import wordvec.train.checkpoint as checkpoint

    model = tmp_path / "model"
    real_save = checkpoint.save_checkpoint

    def save_then_interrupt(*args, **kwargs):
        real_save(*args, **kwargs)
        raise KeyboardInterrupt

    monkeypatch.setattr(checkpoint, "save_checkpoint", save_then_interrupt)
    res = run(*train_args(base["corpus"], model, base["cache"], dim=4, epochs=5, extra=["--checkpoint-every", "1"]))
    err = assert_clean_exit(res, 130)
    assert "--resume" in err
    assert_nothing_written(model)
    ckpt = checkpoint.default_checkpoint_dir(model)
    assert os.path.isdir(ckpt)
    monkeypatch.setattr(checkpoint, "save_checkpoint", real_save)
    other = tiny_corpus(tmp_path / "other.txt", lines=200, seed=5)
    res = run(*train_args(other, model, tmp_path / "cache", dim=4, epochs=5, extra=["--checkpoint-every", "1",
                                                                                   "--resume"]))
    assert_user_error(res, "checkpoint", "other counts")
    assert_nothing_written(model)
    res = run(*train_args(base["corpus"], model, base["cache"], dim=6, epochs=5, extra=["--resume"]))
    assert_user_error(res, "checkpoint", "dim")
    assert os.path.isdir(ckpt)


def test_resume_without_checkpoint(base, tmp_path):
    res = run(*train_args(base["corpus"], tmp_path / "model", base["cache"], extra=["--resume"]))
    assert_user_error(res, "checkpoint", "--resume")
    assert_nothing_written(tmp_path / "model")


@pytest.mark.parametrize("damage", ["truncate", "garbage", "delete"])
def test_corrupt_checkpoint(base, tmp_path, monkeypatch, damage):
    import wordvec.train.checkpoint as checkpoint

    model = tmp_path / "model"
    real_save = checkpoint.save_checkpoint

    def save_then_interrupt(*args, **kwargs):
        real_save(*args, **kwargs)
        raise KeyboardInterrupt

    monkeypatch.setattr(checkpoint, "save_checkpoint", save_then_interrupt)
    args = train_args(base["corpus"], model, base["cache"], dim=4, epochs=3, extra=["--checkpoint-every", "1"])
    assert_clean_exit(run(*args), 130)
    monkeypatch.setattr(checkpoint, "save_checkpoint", real_save)
    vectors = Path(checkpoint.default_checkpoint_dir(model)) / "accum.npy"
    if damage == "truncate":
        vectors.write_bytes(vectors.read_bytes()[:90])
    elif damage == "garbage":
        vectors.write_bytes(b"\x00" * 300)
    else:
        vectors.unlink()
    assert_user_error(run(*args, "--resume"), "checkpoint")
    assert_nothing_written(model)


@pytest.mark.parametrize("damage", ["truncate-ids", "garbage-offsets", "meta-version", "vocab-edit"])
def test_corrupt_token_cache_as_input(base, tmp_path, damage):
    tokens = tmp_path / "tokens"
    shutil.copytree(base["tokens"], tokens)
    if damage == "truncate-ids":
        data = (tokens / "ids.npy").read_bytes()
        (tokens / "ids.npy").write_bytes(data[: len(data) - 16])
        named = "ids.npy"
    elif damage == "garbage-offsets":
        (tokens / "line_offsets.npy").write_bytes(b"garbage" * 20)
        named = "line_offsets.npy"
    elif damage == "meta-version":
        meta = json.loads((tokens / "meta.json").read_text(encoding="utf-8"))
        meta["version"] = 99
        (tokens / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
        named = "meta.json"
    else:
        text = (tokens / "vocab.tsv").read_text(encoding="utf-8")
        (tokens / "vocab.tsv").write_text(text.replace("\t", "x\t", 1), encoding="utf-8")
        named = "vocab.tsv"
    res, out = count(tmp_path, tokens)
    assert_user_error(res, named)
    assert_nothing_written(out)
    assert_user_error(run("vocab", tokens, "-q"), named)


def test_corrupt_keyed_token_cache_is_rebuilt(tmp_path):
    """A damaged cache under --cache-dir is rebuilt from the text, giving the same counts as a clean run."""
    corpus = tiny_corpus(tmp_path / "c.txt", lines=80)
    cache = tmp_path / "cache"
    first = run("vocab", corpus, *WS, "--min-count", "1", "--cache-dir", cache, "--json")
    assert_clean_exit(first, 0)
    (folder,) = [p for p in cache.iterdir() if p.name.startswith("tokens-")]
    (folder / "ids.npy").write_bytes((folder / "ids.npy").read_bytes()[:-12])
    again = run("vocab", corpus, *WS, "--min-count", "1", "--cache-dir", cache, "--json")
    assert_clean_exit(again, 0)
    assert json.loads(again.stdout) == json.loads(first.stdout)
    assert stray_temps(cache) == []


@pytest.mark.parametrize("damage", ["truncate", "garbage", "empty", "asymmetric", "nan"])
def test_corrupt_cooccurrence_npz(base, tmp_path, damage):
    import scipy.sparse as sp

    counts = tmp_path / "counts"
    shutil.copytree(base["counts"], counts)
    npz = counts / "cooccurrence.npz"
    if damage == "truncate":
        npz.write_bytes(npz.read_bytes()[: npz.stat().st_size // 2])
    elif damage == "garbage":
        npz.write_bytes(b"PK\x03\x04" + b"\x00" * 200)
    elif damage == "empty":
        npz.write_bytes(b"")
    else:
        matrix = sp.load_npz(npz).tocsr()
        matrix.data = matrix.data.copy()
        coo = matrix.tocoo()
        k = int(np.flatnonzero(coo.row != coo.col)[0])  # an off-diagonal cell
        where = matrix.indptr[coo.row[k]] + np.flatnonzero(matrix.indices[matrix.indptr[coo.row[k]]:
                                                                          matrix.indptr[coo.row[k] + 1]] == coo.col[k])[0]
        matrix.data[where] = np.nan if damage == "nan" else matrix.data[where] + 7
        sp.save_npz(npz, matrix)
    model = tmp_path / "model"
    res = run("train", counts, "-o", model, "--dim", "4", "--epochs", "1", "--threads", "1", "-q")
    assert_user_error(res, "cooccurrence.npz")
    assert_nothing_written(model)


def test_merge_of_incompatible_counts(base, tmp_path):
    other = tmp_path / "counts5"
    assert_clean_exit(run("count", base["corpus"], "-o", other, *WS, "--min-count", "1", "--window", "5",
                          "--cache-dir", base["cache"], "-q"), 0)
    out = tmp_path / "merged"
    assert_user_error(run("merge", base["counts"], other, "-o", out), "window")
    assert_nothing_written(out)


# --- other guards ----------------------------------------------------------------------------------------
def test_divergence_saves_nothing(base, tmp_path):
    model = tmp_path / "model"
    res = run(*train_args(base["corpus"], model, base["cache"], epochs=3, extra=["--lr", "1e30"]))
    assert_user_error(res, "diverged", "--lr")
    assert_nothing_written(model)


def test_output_is_an_existing_file(base, tmp_path):
    target = tmp_path / "taken"
    target.write_text("keep me\n", encoding="utf-8")
    before = snapshot(target)
    assert_user_error(run(*train_args(base["corpus"], target, base["cache"])), "taken")
    res, _ = count(tmp_path, base["corpus"], extra=["-o", str(target)])
    assert_user_error(res, "taken")
    assert_nothing_written(target, previous=before)


def test_failed_train_keeps_previous_model(base, tmp_path):
    model = copy_model(base, tmp_path)
    before = snapshot(model)
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    assert_user_error(run(*train_args(empty, model, tmp_path / "cache")), "empty")
    assert_nothing_written(model, previous=before)


def test_bad_option_values_are_usage_errors(base, tmp_path):
    for extra in (["--dim", "0"], ["--epochs", "-1"], ["--memory", "lots"]):
        res = run(*train_args(base["corpus"], tmp_path / "model", base["cache"]), *extra)
        assert_clean_exit(res, 2)
    assert_nothing_written(tmp_path / "model")


def test_bad_memory_is_a_usage_error_in_count(base, tmp_path):
    assert_clean_exit(run("count", base["corpus"], "-o", tmp_path / "c", "--memory", "lots"), 2)


def test_artifacts_honour_umask(base):
    old = os.umask(0o022)
    os.umask(old)
    model = base["model"]
    assert (model.stat().st_mode & 0o777) == 0o777 & ~old
    for name in ("vectors.npy", "vocab.tsv", "meta.json"):
        assert ((model / name).stat().st_mode & 0o777) == 0o666 & ~old, name
    assert (base["w2v"].stat().st_mode & 0o777) == 0o666 & ~old


def test_training_that_cannot_fit_in_memory_is_refused(base, tmp_path):
    model = tmp_path / "model"
    res = run(*train_args(base["corpus"], model, base["cache"], dim=4_000_000_000, epochs=1))
    assert "--dim" in assert_clean_exit(res, 2)  # beyond the option's range (issue 19): a usage error
    assert_nothing_written(model)


@pytest.mark.parametrize("name", ["cut.txt.gz", "fake.txt.xz", "fake.txt.bz2"])
def test_broken_compressed_input(tmp_path, name):
    import gzip

    path = tmp_path / name
    if name.endswith(".gz"):
        data = gzip.compress(("甲 乙 丙 丁\n" * 20000).encode())
        path.write_bytes(data[: len(data) // 2])
    else:
        path.write_text("甲 乙 丙 丁\n" * 100, encoding="utf-8")  # plain text under a compressed name
    res, out = count(tmp_path, path)
    assert_user_error(res, name)
    assert_nothing_written(out)


def test_missing_user_dict(base, tmp_path):
    res, out = count(tmp_path, base["corpus"], extra=["--tokenizer", "jieba", "--user-dict",
                                                             str(tmp_path / "nodict.txt")])
    assert_user_error(res, "nodict.txt")
    assert_nothing_written(out)


def test_empty_stdin(tmp_path):
    out = tmp_path / "out"
    res = run("count", "-", "-o", out, *WS, "--min-count", "1", "-q", input="")
    assert_user_error(res, "stdin", "empty")
    assert_nothing_written(out)


@pytest.mark.parametrize("content", [None, b"", b"\x00\xff" * 500, "甲\t乙\t很多\n".encode()],
                         ids=["missing", "empty", "binary", "not-a-number"])
def test_bad_evaluation_dataset(base, tmp_path, content):
    path = tmp_path / "pairs.txt"
    if content is not None:
        path.write_bytes(content)
    assert_user_error(run("evaluate", base["model"], path), "pairs.txt")


def test_export_onto_a_directory(base, tmp_path):
    (tmp_path / "folder").mkdir()
    assert_clean_exit(run("export", base["model"], "-o", tmp_path / "folder"), 2)  # click: a file was asked
    assert list((tmp_path / "folder").iterdir()) == []


@pytest.mark.parametrize("command", ["train", "count", "merge", "train-dot"])
def test_output_folder_with_user_files_is_not_deleted(base, tmp_path, monkeypatch, command):
    data = tmp_path / "data"
    data.mkdir()
    corpus = data / "corpus.txt"
    corpus.write_bytes(base["corpus"].read_bytes())
    (data / "notes.txt").write_text("precious\n", encoding="utf-8")
    before = snapshot(data)
    if command == "train":
        res = run(*train_args(corpus, data, tmp_path / "cache", dim=4, epochs=1))
    elif command == "train-dot":
        monkeypatch.chdir(data)
        res = run(*train_args("corpus.txt", ".", tmp_path / "cache", dim=4, epochs=1))
    elif command == "count":
        res = run("count", corpus, "-o", data, *WS, "--min-count", "1", "--cache-dir", tmp_path / "cache", "-q")
    else:
        res = run("merge", base["counts"], "-o", data, "-q")
    assert_user_error(res, "data" if command != "train-dot" else "")
    assert snapshot(data) == before


def test_keywords_stdin_invalid_utf8(base):
    done = subprocess.run([sys.executable, "-m", "wordvec", "keywords", str(base["model"])],
                          input="甲 乙\n".encode() + b"\xff\xfe \xe4\xb8\x99\n", capture_output=True, timeout=120)
    err = done.stderr.decode("utf-8", "replace")
    assert "Traceback" not in err, err
    assert done.returncode in (0, 1)
    lines = [line for line in err.splitlines() if line.strip()]
    assert lines and all(line.startswith(("error:", "warning:", "note:")) for line in lines), err


def test_invalid_utf8_in_evaluation_file(base, tmp_path):
    path = tmp_path / "pairs.txt"
    path.write_bytes("甲\t乙\t5\n".encode() + b"\xff\t\xe4\xb8\x99\t3\n")
    assert_user_error(run("evaluate", base["model"], path), "pairs.txt:2", "UTF-8")


def test_line_cap_keeps_whitespace_tokens_whole(tmp_path):
    path = tmp_path / "cut.txt"
    path.write_text("aaaa bbbb cccc dddd eeee\n", encoding="utf-8")
    res = run("vocab", path, *WS, "--max-line-chars", "7", "--min-count", "1", "--cache-dir", tmp_path / "c", "--json")
    assert_clean_exit(res, 0)
    assert sorted(item["word"] for item in json.loads(res.stdout)) == ["aaaa", "bbbb", "cccc", "dddd", "eeee"]


def test_export_to_a_named_pipe(base, tmp_path):
    import stat

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        res = run("export", base["model"], "-o", fifo)
        data = b""
        while True:
            try:
                chunk = os.read(reader, 1 << 16)
            except BlockingIOError:
                break
            if not chunk:
                break
            data += chunk
    finally:
        os.close(reader)
    assert stat.S_ISFIFO(os.stat(fifo).st_mode), "the named pipe was replaced by a regular file"
    assert_clean_exit(res, 0)
    assert data == base["w2v"].read_bytes()


@pytest.mark.slow  # importing gensim alone takes ~6 s on the loaded CI machine
@pytest.mark.parametrize("content", [b"garbage\n", b"", bytes(range(256)) * 8], ids=["text", "empty", "binary"])
def test_import_gensim_of_a_non_gensim_file(tmp_path, content):
    path = tmp_path / "not.model"
    path.write_bytes(content)
    out = tmp_path / "imported"
    assert_user_error(run("import-gensim", path, "-o", out), "not.model")
    assert_nothing_written(out)


def test_duplicate_words_in_vector_file(tmp_path):
    path = tmp_path / "dup.txt"
    path.write_text("3 3\n甲 0.1 0.2 0.3\n甲 0.1 0.2 0.4\n乙 0.4 0.5 0.6\n", encoding="utf-8")
    out = tmp_path / "out.txt"
    assert_user_error(run("export", path, "-o", out, "--strict"), "dup.txt:3", "duplicate")
    assert_nothing_written(out)
    err = assert_clean_exit(run("export", path, "-o", out), 0)
    assert any(line.startswith("warning:") and "duplicate" in line for line in err.splitlines()), err
    assert out.read_text(encoding="utf-8").splitlines()[0] == "2 3"


@pytest.mark.parametrize("command", ["count", "train"])
def test_invalid_utf8_is_reported_by_count_and_train(tmp_path, command):
    bad = _bad_utf8_file(tmp_path)
    if command == "count":
        res, _ = count(tmp_path, bad)
    else:
        res = run(*train_args(bad, tmp_path / "model", tmp_path / "cache", dim=4, epochs=1))
    err = assert_clean_exit(res, 0)
    assert any(line.startswith("warning:") and "UTF-8" in line and "bad.txt:51" in line for line in err.splitlines())


def test_train_strict_refuses_invalid_utf8(tmp_path):
    bad = _bad_utf8_file(tmp_path)
    res = run(*train_args(bad, tmp_path / "model", tmp_path / "cache", dim=4, epochs=1), "--strict")
    assert_user_error(res, "bad.txt:51", "UTF-8")
    assert_nothing_written(tmp_path / "model")


def test_train_on_counts_with_conflicting_window(base, tmp_path):
    model = tmp_path / "model"
    res = run("train", base["counts"], "-o", model, "--window", "7", "--dim", "4", "--epochs", "1", "-q")
    _, _, err = res.exit_code, res.stdout, res.stderr
    assert res.exit_code in (1, 2) and "--window" in err, err
    assert_nothing_written(model)
