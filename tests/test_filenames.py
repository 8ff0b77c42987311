"""Non-UTF-8 file names (issue 19, class 2): a folder holding a file whose name is GBK bytes (as Windows
zips give), and Chinese paths under a C locale without UTF-8 mode. tokenize, count and train must work,
cache keys and meta.json must hold such names, and messages show their bytes escaped (``\\xd6``)."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from _reliability_helpers import assert_clean_exit, assert_user_error, run, stray_temps, tiny_corpus
from wordvec.io.paths import display, json_dumps, key_bytes

GBK_NAME = "中文语料.txt".encode("gbk")  # b'\xd6\xd0\xce\xc4...' is not UTF-8
C_LOCALE = {"LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0"}


def _gbk_folder(tmp_path):
    folder = tmp_path / "zip"
    folder.mkdir()
    try:
        with open(os.path.join(os.fsencode(folder), GBK_NAME), "wb") as handle:
            handle.write(tiny_corpus(tmp_path / "src.txt").read_bytes())
    except OSError:
        pytest.skip("the file system refuses non-UTF-8 names")
    return folder


def _process(args, env=None, cwd=None):
    return subprocess.run([sys.executable, "-m", "wordvec", *map(os.fsdecode, args)], capture_output=True,
                          env=dict(os.environ, **(env or {})), cwd=cwd, timeout=300)


def _text(result):
    """Decode captured bytes the way a terminal would show them."""
    result.stdout = result.stdout.decode("utf-8", "replace")
    result.stderr = result.stderr.decode("utf-8", "replace")
    return result


WHITESPACE = ["--tokenizer", "whitespace", "--workers", "1", "-q"]


@pytest.mark.parametrize("env", [None, C_LOCALE], ids=["utf8-locale", "c-locale"])
def test_tokenize_count_train_a_folder_with_a_gbk_name(tmp_path, env):
    folder = _gbk_folder(tmp_path)
    cache_dir = tmp_path / "cache"
    for command, out, extra in (
        ("tokenize", tmp_path / "tokens", []),
        ("count", tmp_path / "counts", ["--min-count", "1", "--window", "3"]),
        ("train", tmp_path / "model", ["--min-count", "1", "--window", "3", "--dim", "4", "--epochs", "1",
                                       "--threads", "1"]),
    ):
        result = _text(_process([command, folder, "-o", out, "--cache-dir", cache_dir, *WHITESPACE, *extra], env))
        assert_clean_exit(result, 0)
        meta = json.loads((out / "meta.json").read_text(encoding="utf-8"))  # valid UTF-8 JSON
        assert stray_temps(tmp_path) == []
    sources = (tmp_path / "tokens" / "meta.json").read_text(encoding="utf-8")
    assert "\\udcd6" in sources  # the GBK byte 0xD6 kept, as an escape that reads back as the same name


def test_cache_is_reused_for_a_gbk_name(tmp_path):
    folder = _gbk_folder(tmp_path)
    cache_dir = tmp_path / "cache"
    args = ["tokenize", folder, "--cache-dir", cache_dir, "--tokenizer", "whitespace", "--workers", "1"]
    first = _text(_process(args))
    second = _text(_process(args))
    assert_clean_exit(second, 0)
    assert len(os.listdir(cache_dir)) == 1, os.listdir(cache_dir)
    assert "reused" in second.stdout + second.stderr or first.stdout.splitlines()[-1] == second.stdout.splitlines()[-1]


def test_chinese_path_has_the_same_cache_key_in_both_locales(tmp_path):
    folder = tmp_path / "中文"
    folder.mkdir()
    tiny_corpus(folder / "语料.txt")
    cache_dir = tmp_path / "cache"
    for env in (None, C_LOCALE):
        result = _text(_process(["tokenize", folder, "--cache-dir", cache_dir, *WHITESPACE], env))
        assert_clean_exit(result, 0)
    assert len(os.listdir(cache_dir)) == 1, os.listdir(cache_dir)


@pytest.mark.parametrize("env", [None, C_LOCALE], ids=["utf8-locale", "c-locale"])
def test_error_message_shows_the_bytes_escaped(tmp_path, env):
    folder = _gbk_folder(tmp_path)
    bad = os.path.join(os.fsencode(folder), GBK_NAME)
    result = _text(_process(["similar", bad, "甲"], env))  # a text file, not a vector file
    line = assert_user_error(result)
    assert "\\xd6\\xd0" in line, line


def test_missing_gbk_path_in_process(tmp_path):
    missing = os.fsdecode(os.path.join(os.fsencode(tmp_path), GBK_NAME))
    line = assert_user_error(run("similar", missing, "甲"), "not found")
    assert "\\xd6" in line


def test_query_words_under_a_c_locale(tmp_path):
    folder = tmp_path / "m"
    result = run("train", tiny_corpus(tmp_path / "c.txt"), "-o", folder, "--min-count", "1", "--dim", "4",
                 "--epochs", "1", "--threads", "1", "--cache-dir", tmp_path / "cache", *WHITESPACE)
    assert_clean_exit(result, 0)
    result = _text(_process(["similar", folder, "甲", "-n", "2"], C_LOCALE))
    assert_clean_exit(result, 0)


def test_helpers_round_trip():
    name = os.fsdecode(GBK_NAME)
    assert key_bytes(name) == GBK_NAME
    assert key_bytes("中文") == "中文".encode("utf-8")
    assert json.loads(json_dumps({"p": name})) == {"p": name}
    assert json_dumps({"p": "中文"}) == '{"p": "中文"}'
    assert display(name).startswith("\\xd6\\xd0")
    assert display("中文") == "中文"
