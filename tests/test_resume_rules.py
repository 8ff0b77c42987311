"""Resume (issue 19, class 9): fewer epochs than the checkpoint holds is a clear error (one line, exit 1,
nothing written), and --resume with a method that has no checkpoints is a usage error (exit 2)."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from _reliability_helpers import (assert_clean_exit, assert_nothing_written, assert_user_error, run, snapshot,
                                        tiny_corpus, train_args, zipf_corpus)


@pytest.mark.parametrize("method", ["svd", "w2v"])
def test_resume_with_a_method_that_cannot_resume(tmp_path, method):
    corpus = tiny_corpus(tmp_path / "c.txt")
    result = run(*train_args(corpus, tmp_path / "m", tmp_path / "cache", extra=["--method", method, "--resume"]))
    err = assert_clean_exit(result, 2)
    assert "--resume" in err and method in err
    assert_nothing_written(tmp_path / "m")


def test_resume_with_fewer_epochs_than_the_checkpoint(tmp_path):
    corpus = zipf_corpus(tmp_path / "z.txt", 3000, 40000, 20)
    model, cache = tmp_path / "model", tmp_path / "cache"
    args = train_args(corpus, model, cache, dim=8, epochs=1000, extra=["--checkpoint-every", "1"])
    proc = subprocess.Popen([sys.executable, "-m", "wordvec", *[str(a) for a in args if a != "-q"]],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    state = tmp_path / "model.checkpoint" / "state.json"
    start = time.time()
    while not state.is_file() or json.loads(state.read_text())["epoch"] < 2:
        assert time.time() - start < 120 and proc.poll() is None
        time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    proc.communicate(timeout=120)
    held = json.loads(state.read_text())["epoch"]
    before = snapshot(tmp_path / "model.checkpoint")
    fewer = train_args(corpus, model, cache, dim=8, epochs=held - 1, extra=["--checkpoint-every", "1", "--resume"])
    line = assert_user_error(run(*fewer), "--epochs", str(held))
    assert "or more" in line
    assert not model.exists()
    assert snapshot(tmp_path / "model.checkpoint") == before
    same = train_args(corpus, model, cache, dim=8, epochs=held, extra=["--checkpoint-every", "1", "--resume"])
    assert_clean_exit(run(*same), 0)
    meta = json.loads((model / "meta.json").read_text(encoding="utf-8"))
    assert meta["epochs"] == held == len(meta["loss_per_epoch"])
