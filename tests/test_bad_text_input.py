"""Issue 7 battery, text input through the real CLI (corpora: reader, tokenizers).
What every case checks is said in tests/_bad_input_fixtures.py.
"""
from __future__ import annotations

import errno
import json
import os
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
    tiny_corpus,
    train_args,
)
from _bad_input_fixtures import WS, _bad_utf8_file, base, count  # noqa: F401  (pytest fixtures)

pytest.importorskip("wordvec.corpora.cooccur", reason="counting stage not available yet")


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
