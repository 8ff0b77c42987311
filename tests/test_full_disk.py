"""Issue 7 battery, a full disk while saving, exporting and counting (wordvec.io.atomic).
What every case checks is said in tests/_bad_input_fixtures.py.
"""
from __future__ import annotations

import errno
import os
import shutil
import subprocess

import numpy as np
import pytest

from _reliability_helpers import (
    assert_clean_exit,
    assert_nothing_written,
    assert_user_error,
    run,
    snapshot,
    stray_temps,
    train_args,
)
from _bad_input_fixtures import WS, base, copy_model  # noqa: F401  (pytest fixtures)

pytest.importorskip("wordvec.corpora.cooccur", reason="counting stage not available yet")


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
