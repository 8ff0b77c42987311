"""Counting on Dask (issue 17): a real ``distributed.LocalCluster`` with 2 worker processes, on a slice of
zh_small; the result must equal single-machine counting to the last count."""
from __future__ import annotations

import lzma
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from wordvec.corpora.cooccur import Cooccurrence
from wordvec.corpora.dask_count import count_on_dask, parse_scheduler, plan_partitions
from wordvec.corpora.dask_folder import make_job_folder, remove_job_folder, wait_for_workers_idle, write_part
from wordvec.corpora.pipeline import count_corpus
from wordvec.errors import InputError

distributed = pytest.importorskip("distributed")

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "corpora" / "zh_small.txt.xz"
if not DATA.exists():
    DATA = Path("/work/shared/data/corpora/zh_small.txt.xz")
PART = 24_000  # bytes per partition: many partitions on a small slice


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    if not DATA.exists():
        pytest.skip("shared data zh_small.txt.xz not found")
    root = tmp_path_factory.mktemp("dask")
    with lzma.open(DATA, "rt", encoding="utf-8") as handle:
        lines = [next(handle) for _ in range(1200)]
    (root / "a.txt").write_text("".join(lines[:900]), encoding="utf-8")
    import gzip

    with gzip.open(root / "b.txt.gz", "wt", encoding="utf-8") as out:
        out.write("".join(lines[900:]))
    return root, [str(root / "a.txt"), str(root / "b.txt.gz")]


@pytest.fixture(scope="module")
def cluster():
    import logging

    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address="127.0.0.1:0",
                                  silence_logs=logging.CRITICAL) as lc:
        yield lc


def single(inputs, tmp, **kw):
    return count_corpus(inputs, min_count=kw.get("min_count", 2), window=kw.get("window", 5),
                        max_vocab=kw.get("max_vocab", 0),
                        distance_weighting=kw.get("distance_weighting", False), workers=1, threads=1,
                        cache_dir=str(tmp / "cache"), cache_counts=False)


def assert_same(a: Cooccurrence, b: Cooccurrence) -> None:
    assert a.vocab.words == b.vocab.words
    assert np.array_equal(a.vocab.counts, b.vocab.counts)
    assert a.matrix.shape == b.matrix.shape
    assert np.array_equal(a.matrix.indptr, b.matrix.indptr)
    assert np.array_equal(a.matrix.indices, b.matrix.indices)
    assert np.array_equal(a.matrix.data, b.matrix.data)  # to the last count


def test_partitions_are_whole_lines(corpus):
    root, inputs = corpus
    parts = plan_partitions(inputs, PART)
    plain = [p for p in parts if not p.whole]
    assert len(plain) > 5 and [p for p in parts if p.whole] == [parts[-1]]
    data = Path(inputs[0]).read_bytes()
    assert plain[0].start == 0 and plain[-1].stop == len(data)
    for left, right in zip(plain, plain[1:]):
        assert left.stop == right.start and data[left.stop - 1:left.stop] == b"\n"


@pytest.mark.parametrize("weighting", [False, True])
def test_identical_to_one_machine(corpus, cluster, tmp_path, weighting):
    root, inputs = corpus
    max_vocab = 3000 if weighting else 0  # a cut inside a run of equal counts: same tie-breaking
    ref = single(inputs, tmp_path, distance_weighting=weighting, max_vocab=max_vocab)
    if max_vocab:
        counts = single(inputs, tmp_path).vocab.counts
        assert counts[max_vocab - 1] == counts[max_vocab]  # the cut really splits a tie
    meta = count_on_dask(inputs, str(tmp_path / "out"), cluster.scheduler_address, min_count=2, window=5,
                         max_vocab=max_vocab,
                         distance_weighting=weighting, partition_bytes=PART, shard_dir=str(tmp_path / "shards"),
                         memory=(1 << 30) // 100, fan_in=4)
    assert meta["dask"]["partitions"] > 5 and meta["dask"]["merge_levels"] >= 1  # merged by a tree of tasks
    assert_same(ref, Cooccurrence.load(tmp_path / "out"))
    assert os.listdir(tmp_path / "shards") == []  # temporary shards removed


def test_worker_killed_mid_count_same_result(corpus, cluster, tmp_path):
    root, inputs = corpus
    for name in ("wordvec-count", "wordvec-merge"):
        (tmp_path / f"kill-{name}").write_text("")

    class KillOnce(distributed.WorkerPlugin):
        def __init__(self, folder):
            self.folder = folder

        def transition(self, key, start, finish, **kwargs):
            name = str(key)[:13]
            if finish == "executing" and name in ("wordvec-count", "wordvec-merge"):
                try:
                    os.rename(os.path.join(self.folder, f"kill-{name}"), os.path.join(self.folder, f"{name}.done"))
                except FileNotFoundError:
                    return
                os._exit(1)  # the worker process dies while counting a partition, or merging in the tree

    with distributed.Client(cluster) as client:
        client.register_plugin(KillOnce(str(tmp_path)), name="kill-once")
        try:
            meta = count_on_dask(inputs, str(tmp_path / "out"), cluster.scheduler_address, min_count=2, window=5,
                                 partition_bytes=PART, shard_dir=str(tmp_path / "shards"), fan_in=3,
                                 memory=(1 << 30) // 16)
        finally:
            client.unregister_worker_plugin("kill-once")
    assert (tmp_path / "wordvec-count.done").exists() and (tmp_path / "wordvec-merge.done").exists()  # both kills
    assert meta["dask"]["merge_levels"] >= 2  # a tree of two levels
    assert_same(single(inputs, tmp_path), Cooccurrence.load(tmp_path / "out"))
    client = distributed.Client(cluster)
    client.wait_for_workers(2, timeout=60)
    client.close()


def test_bad_input_reports_file_line(cluster, tmp_path):
    text = "".join(f"第{k}行 的 文字\n" for k in range(3000)).encode("utf-8")
    bad = tmp_path / "bad.txt"
    bad.write_bytes(text + b"\xff\xfe broken\n" + text)
    with pytest.raises(InputError) as single_err:
        count_corpus([str(bad)], min_count=1, workers=1, strict=True, cache_dir=str(tmp_path / "c"),
                     cache_counts=False)
    with pytest.raises(InputError) as dask_err:
        count_on_dask([str(bad)], str(tmp_path / "out"), cluster.scheduler_address, min_count=1,
                      partition_bytes=4096, strict=True)
    assert f"{bad}:3001:" in str(dask_err.value)
    assert str(dask_err.value).split(":")[:2] == str(single_err.value).split(":")[:2]
    assert not (tmp_path / "out").exists() and not [n for n in os.listdir(tmp_path) if n.startswith(".wordvec")]


def test_bad_scheduler_is_one_line_within_timeout(corpus, tmp_path):
    root, inputs = corpus
    start = time.monotonic()
    with pytest.raises(InputError, match="cannot reach the Dask scheduler at tcp://127.0.0.1:9"):
        count_on_dask(inputs, str(tmp_path / "out"), "tcp://127.0.0.1:9", timeout=1.0)
    assert time.monotonic() - start < 15
    with pytest.raises(InputError, match="local:N"):
        parse_scheduler("local:x")
    assert parse_scheduler("local") == ("local", 2) and parse_scheduler("h:8786") == ("address", "tcp://h:8786")


def test_cli_bad_scheduler_and_missing_extra(corpus, tmp_path):
    root, inputs = corpus
    env = dict(os.environ)
    res = subprocess.run([sys.executable, "-m", "wordvec", "count", *inputs, "-o", str(tmp_path / "o"),
                          "--dask", "tcp://127.0.0.1:9", "--dask-timeout", "1"], capture_output=True, text=True,
                         timeout=120, env=env)
    assert res.returncode == 1 and "Traceback" not in res.stderr
    assert [ln for ln in res.stderr.splitlines() if ln.strip()][-1].startswith("error: cannot reach the Dask")
    # without the extra: a one-line message saying what to install
    blocker = tmp_path / "nodask"
    blocker.mkdir()
    (blocker / "distributed.py").write_text("raise ImportError('blocked for the test')\n")
    env["PYTHONPATH"] = os.pathsep.join([str(blocker), env.get("PYTHONPATH", "")])
    res = subprocess.run([sys.executable, "-m", "wordvec", "count", *inputs, "-o", str(tmp_path / "o"),
                          "--dask", "local:2"], capture_output=True, text=True, timeout=120, env=env)
    assert res.returncode == 1 and "pip install 'wordvec[dask]'" in res.stderr and "Traceback" not in res.stderr


def test_cli_equals_local_count_and_ctrl_c_leaves_nothing(corpus, cluster, tmp_path):
    root, inputs = corpus
    base = [sys.executable, "-m", "wordvec", "count", *inputs, "--min-count", "2", "--window", "5", "--quiet"]
    subprocess.run(base + ["-o", str(tmp_path / "one"), "--workers", "1", "--cache-dir", str(tmp_path / "c")],
                   check=True, timeout=300)
    subprocess.run(base + ["-o", str(tmp_path / "many"), "--dask", cluster.scheduler_address, "--partition-size",
                           str(PART), "--memory", "64M"], check=True, timeout=300)  # any budget: the same counts
    assert_same(Cooccurrence.load(tmp_path / "one"), Cooccurrence.load(tmp_path / "many"))
    shards = tmp_path / "shards"
    proc = subprocess.Popen(base + ["-o", str(tmp_path / "stopped"), "--dask", cluster.scheduler_address,
                                    "--partition-size", "2K", "--shard-dir", str(shards)],
                            stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if shards.is_dir() and any(shards.glob(".wordvec-dask-*/part-*")):
            break
        time.sleep(0.05)
    assert proc.poll() is None, "the job ended before it could be interrupted"
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130 and "interrupted" in err
    assert not (tmp_path / "stopped").exists()
    assert list(shards.iterdir()) == []
    # a cancelled task still running on a worker must not write anything later either
    with distributed.Client(cluster) as client:
        assert wait_for_workers_idle(client, "", 60)
    assert list(shards.iterdir()) == []


def test_straggler_cannot_write_into_a_removed_job_folder(corpus, tmp_path):
    import threading

    job = make_job_folder(str(tmp_path))
    started, go, out = threading.Event(), threading.Event(), []

    def write(folder):
        started.set()
        go.wait(30)
        Path(folder, "run-000000.keys.npy").write_bytes(b"late")  # the job folder is gone by now
        return "written"

    worker = threading.Thread(target=lambda: out.append(write_part(os.path.join(job, "part-000000"), write)))
    worker.start()
    assert started.wait(30)
    remove_job_folder(job)  # while the task writes (Ctrl-C on the driver)
    go.set()
    worker.join(30)
    assert out == [(None, None)] and os.listdir(tmp_path) == []  # nothing re-created, no error
    # a whole count task into a vanished job folder: "cancelled", nothing created
    root, inputs = corpus
    from wordvec.corpora.dask_count import Partition, count_partition, tokenize_partition
    from wordvec.corpora.tokenize import TokenizerSettings
    from wordvec.io.vocab import Vocabulary

    tok = tokenize_partition(Partition(inputs[0], 0, 20_000), TokenizerSettings().to_dict(), False)
    vocab = Vocabulary.from_counts(dict(zip(tok["words"], tok["counts"].tolist())))
    summary = count_partition(tok, str(tmp_path / ".wordvec-dask-gone" / "part-000000"), vocab, 5, False, None)
    assert summary["cancelled"] and summary["folder"] is None and os.listdir(tmp_path) == []
    # and into one that exists: a complete part under a unique name, no temporary left
    job = make_job_folder(str(tmp_path))
    summary = count_partition(tok, os.path.join(job, "part-000000"), vocab, 5, False, None)
    assert not summary["cancelled"] and summary["runs"]
    assert os.listdir(job) == [os.path.basename(summary["folder"])]
    assert os.path.basename(summary["folder"]).startswith("part-000000-")
    # a merge task of the tree: the sum of its input runs as one run, inputs kept; nothing into a vanished job
    from wordvec.corpora.dask_merge import merge_parts

    prefixes = [os.path.join(summary["folder"], name) for name in summary["runs"]]
    merged = merge_parts(prefixes, os.path.join(job, "merge-1-000000"), len(vocab), 1 << 20, 2)
    keys = np.concatenate([np.load(p + ".keys.npy") for p in prefixes])
    vals = np.concatenate([np.load(p + ".values.npy") for p in prefixes])
    order = np.argsort(keys, kind="stable")
    unique, starts = np.unique(keys[order], return_index=True)
    out = os.path.join(merged["folder"], merged["runs"][0])
    assert np.array_equal(np.load(out + ".keys.npy"), unique)
    assert np.array_equal(np.load(out + ".values.npy"), np.add.reduceat(vals[order], starts))
    assert all(os.path.exists(p + ".keys.npy") for p in prefixes) and len(os.listdir(merged["folder"])) == 2
    gone = merge_parts(prefixes, str(tmp_path / ".wordvec-dask-gone" / "merge-1-000000"), len(vocab), 1 << 20, 2)
    assert gone["cancelled"] and not (tmp_path / ".wordvec-dask-gone").exists()


def test_job_folders_of_killed_drivers_are_removed(tmp_path):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    first = Path(make_job_folder(str(tmp_path)))
    mine, theirs = first.name, first.name.replace(f"-p{os.getpid()}-", f"-p{dead.pid}-")
    live = first.name.replace(f"-p{os.getpid()}-", f"-p{os.getppid()}-")
    (tmp_path / theirs).mkdir()
    (tmp_path / theirs / "part-000001-x").mkdir()
    (tmp_path / (live + "x")).mkdir()
    second = Path(make_job_folder(str(tmp_path)))
    assert sorted(os.listdir(tmp_path)) == sorted([mine, second.name, live + "x"])  # this run's and a live one kept


def test_train_with_dask_equals_local(corpus, cluster, tmp_path):
    import wordvec

    root, inputs = corpus
    opts = dict(dim=8, seed=3, window=5, min_count=2, memory=1 << 26, cache_dir=str(tmp_path / "c"))
    local = wordvec.train(inputs, "svd", **opts)
    remote = wordvec.train(inputs, "svd", dask=cluster.scheduler_address, **opts)
    assert local.words == remote.words
    assert np.array_equal(np.asarray(local.vectors), np.asarray(remote.vectors))
    assert not [n for n in os.listdir(tmp_path / "c") if n.startswith(".wordvec-dask")]
    res = subprocess.run([sys.executable, "-m", "wordvec", "train", *inputs, "-o", str(tmp_path / "m"), "--method",
                          "svd", "--dim", "8", "--seed", "3", "--min-count", "2", "--window", "5", "--quiet",
                          "--dask", "tcp://127.0.0.1:9"], capture_output=True, text=True, timeout=120)
    assert res.returncode == 1 and "cannot reach the Dask scheduler" in res.stderr and "Traceback" not in res.stderr
