"""Shared fixtures of the bad-input battery (tests/test_bad_*.py, test_damaged_models.py, test_full_disk.py).

Each case there checks the exit code (1 user error, 2 usage), one ``error:`` line on stderr naming the problem,
no traceback, and no partial artifact (output absent or the previous one intact, no temporaries beside it).
The fixtures: a tiny corpus and every artifact built from it.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from _reliability_helpers import assert_clean_exit, run, tiny_trained




WS = ["--tokenizer", "whitespace", "--workers", "1"]


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    """A tiny corpus, its token cache, counts directory, model directory and word2vec export."""
    made = tiny_trained(tmp_path_factory.mktemp("reliability"))
    root, corpus, cache, model = made["root"], made["corpus"], made["cache"], made["model"]
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


def _bad_utf8_file(tmp_path) -> Path:
    path = tmp_path / "bad.txt"
    path.write_bytes("甲 乙 丙\n".encode() * 50 + b"\xe7\x94 \xff \xe4\xb8\x81\n" + "戊 己\n".encode() * 50)
    return path
