"""Leftovers (issue 19, class 5): SIGTERM is handled like Ctrl-C (clean up, previous artifact intact, exit
143), and temporaries of killed runs (kill -9) are removed by the next run, which says so in one line.

Temporaries carry their writer's pid (``.MODEL.p<pid>.xxxx.tmp``, ``.wordvec-shards-p<pid>-xxxx``); a later run
removes those whose pid is gone, those without a pid (older wordvec) after 6 hours, and any after 7 days.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from _reliability_helpers import (assert_clean_exit, run, snapshot, stray_temps, tiny_corpus, train_args,
                                        zipf_corpus)
from wordvec.io.atomic import Terminated, install_sigterm, sigint_held, stale_temporaries, temp_prefix


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def _fake_temp(folder, base, pid=None, kind="tmp", directory=True, tag="abcd1234"):
    name = f".{base}.{'p%d.' % pid if pid is not None else ''}{tag}.{kind}"
    path = folder / name
    if directory:
        path.mkdir()
        (path / "vectors.npy").write_bytes(b"half written")
    else:
        path.write_bytes(b"half written")
    return path


@pytest.fixture(scope="module")
def zipf(tmp_path_factory):
    return zipf_corpus(tmp_path_factory.mktemp("leftovers") / "z.txt", 3000, 40000, 20)


def _popen(args, env=None):
    return subprocess.Popen([sys.executable, "-m", "wordvec", *map(str, args)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=dict(os.environ, **(env or {})))


def _wait_for(predicate, timeout=120.0):
    start = time.time()
    while not predicate():
        if time.time() - start > timeout:
            raise AssertionError("timed out waiting")
        time.sleep(0.05)


def test_sigterm_mid_training_keeps_previous_model_then_resume_cleans_up(zipf, tmp_path):
    model = tmp_path / "model"
    cache = tmp_path / "cache"
    assert_clean_exit(run(*train_args(zipf, model, cache, dim=8, epochs=1)), 0)
    before = snapshot(model)
    args = train_args(zipf, model, cache, dim=8, epochs=1000, extra=["--checkpoint-every", "1"])
    proc = _popen([a for a in args if a != "-q"])
    _wait_for(lambda: (tmp_path / "model.checkpoint").is_dir())
    time.sleep(0.5)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 143, err
    last = err.strip().splitlines()[-1]
    assert "Traceback" not in err and last.startswith("terminated; the last complete checkpoint is in"), err
    assert "terminated" not in err.strip().splitlines()[:-1], err  # one line, not a second bare "terminated"
    assert snapshot(model) == before
    assert stray_temps(tmp_path) == []
    # --resume cleans the temporaries of the run it resumes (here: one a kill -9 would have left)
    import json

    epoch = json.loads((tmp_path / "model.checkpoint" / "state.json").read_text())["epoch"]
    leftover = _fake_temp(tmp_path, "model.checkpoint", _dead_pid())
    resumed = train_args(zipf, model, cache, dim=8, epochs=epoch + 1, extra=["--checkpoint-every", "1", "--resume"])
    err = assert_clean_exit(run(*resumed), 0)
    assert "note: removed 1 temporaries" in err
    assert not leftover.exists()
    assert stray_temps(tmp_path) == []


def test_sigterm_while_counting_removes_spill_folders(zipf, tmp_path):
    spill = tmp_path / "tmp"
    spill.mkdir()
    out = tmp_path / "counts"
    args = ["count", zipf, "-o", out, "--tokenizer", "whitespace", "--min-count", "1", "--window", "50",
            "--memory", "64K", "--workers", "1", "--threads", "1", "--cache-dir", tmp_path / "cache"]
    proc = _popen(args, env={"TMPDIR": str(spill)})
    _wait_for(lambda: any(p.name.startswith(".wordvec-shards-") for p in spill.iterdir())
              or any(p.name.startswith(".counts.") for p in tmp_path.iterdir()) or proc.poll() is not None)
    time.sleep(0.3)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=120)
    if proc.returncode == 0:
        pytest.skip("the count finished before the signal")
    assert proc.returncode == 143, err
    assert "Traceback" not in err, err
    assert not out.exists()
    assert stray_temps(tmp_path) == []
    assert [p.name for p in spill.iterdir() if p.name.startswith(".wordvec-shards-")] == []


def test_stale_temporaries_of_a_dead_run_are_removed_with_a_note(tmp_path):
    corpus = tiny_corpus(tmp_path / "c.txt")
    dead = _dead_pid()
    stale = [_fake_temp(tmp_path, "model", dead), _fake_temp(tmp_path, "model", dead, "old"),
             _fake_temp(tmp_path, "model.checkpoint", dead)]
    alive = _fake_temp(tmp_path, "model", os.getpid())  # a concurrent run: not ours to remove
    young_legacy = _fake_temp(tmp_path, "model", None)
    old_legacy = _fake_temp(tmp_path, "model", None, directory=False, tag="efgh5678")
    os.utime(old_legacy, (time.time() - 7 * 3600,) * 2)
    other = _fake_temp(tmp_path, "other", dead)  # another output's temporaries are left to that output
    result = run(*train_args(corpus, tmp_path / "model", tmp_path / "cache"))
    err = assert_clean_exit(result, 0)
    notes = [line for line in err.splitlines() if line.startswith("note: removed")]
    assert len(notes) == 1 and "4 temporaries" in notes[0], err
    for path in stale + [old_legacy]:
        assert not path.exists(), path
    for path in (alive, young_legacy, other):
        assert path.exists(), path


def test_stale_spill_folders_are_removed_by_the_next_count(tmp_path, monkeypatch):
    from wordvec.io.atomic import remove_stale_temporaries

    dead = tmp_path / f".wordvec-shards-p{_dead_pid()}-x1y2"
    dead.mkdir()
    live = tmp_path / f".wordvec-shards-p{os.getpid()}-x1y2"
    live.mkdir()
    assert remove_stale_temporaries(str(tmp_path)) == [dead.name]
    assert live.exists()


def test_temp_names_carry_the_pid(tmp_path):
    assert temp_prefix("model") == f".model.p{os.getpid()}."
    dead = _dead_pid()
    _fake_temp(tmp_path, "model", dead)
    assert stale_temporaries(str(tmp_path), "model") == [f".model.p{dead}.abcd1234.tmp"]
    assert stale_temporaries(str(tmp_path), "mode") == []


def test_sigterm_is_held_like_ctrl_c_inside_critical_sections():
    previous = signal.getsignal(signal.SIGTERM)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        install_sigterm()
        reached_end = False
        with pytest.raises(Terminated):
            with sigint_held():
                os.kill(os.getpid(), signal.SIGTERM)
                time.sleep(0.05)
                reached_end = True  # held: the block runs to its end
        assert reached_end
        with pytest.raises(KeyboardInterrupt):  # Terminated is a KeyboardInterrupt: every cleanup path runs
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(1)
    finally:
        signal.signal(signal.SIGTERM, previous)


def test_ignored_sigterm_stays_ignored():
    previous = signal.signal(signal.SIGTERM, signal.SIG_IGN)
    try:
        install_sigterm()
        assert signal.getsignal(signal.SIGTERM) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGTERM, previous)
