"""`wordvec train` through click's CliRunner: a tiny whitespace corpus, presets, errors, checkpoints."""
from __future__ import annotations

import os

import numpy as np
import pytest
from click.testing import CliRunner

from wordvec.cli.main import cli
from wordvec.query.embedding import Embedding

pytest.importorskip("wordvec.corpora.cooccur", reason="counting stage not available yet")

WORDS = "甲 乙 丙 丁 戊 己 庚 辛 壬 癸 子 丑 寅 卯".split()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    rng = np.random.default_rng(0)
    lines = []
    for _ in range(400):
        group = WORDS[:7] if rng.random() < 0.5 else WORDS[7:]
        lines.append(" ".join(rng.choice(group, size=8)))
    path = tmp_path_factory.mktemp("corpus") / "tiny.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def test_train_pmi(corpus, tmp_path):
    out = tmp_path / "model"
    res = run("train", corpus, "-o", out, "--tokenizer", "whitespace", "--dim", 4, "--epochs", 3, "--window", 3,
              "--min-count", 1, "--threads", 1, "--seed", 1)
    assert res.exit_code == 0, res.output
    assert "epoch   3" in res.output and "vocabulary 14 words" in res.output
    emb = Embedding.load(out)
    assert emb.kind == "pmi" and emb.shape == (14, 4)
    assert emb.meta["window"] == 3 and emb.meta["min_count"] == 1 and len(emb.meta["loss_per_epoch"]) == 3
    assert emb.meta["tokenizer"]["mode"] == "whitespace"
    # same seed and one thread: identical vectors
    out2 = tmp_path / "model2"
    run("train", corpus, "-o", out2, "--tokenizer", "whitespace", "--dim", 4, "--epochs", 3, "--window", 3,
        "--min-count", 1, "--threads", 1, "--seed", 1, "-q")
    assert np.array_equal(Embedding.load(out2).vectors, emb.vectors)


def test_train_seed_preset_and_svd(corpus, tmp_path):
    res = run("train", corpus, "-o", tmp_path / "seed", "--tokenizer", "whitespace", "--preset", "seed", "--dim", 4,
              "--epochs", 2, "--min-count", 1, "-q")
    assert res.exit_code == 0, res.output
    meta = Embedding.load(tmp_path / "seed").meta
    assert meta["both_orientations"] is True and meta["cds"] == 1.0 and meta["window"] == 10
    assert meta["prior_count"] == 0.0  # the seed's plain PMI estimate
    assert meta["independence_weight"] == 0.0  # and no prior on unobserved pairs
    res = run("train", corpus, "-o", tmp_path / "ind", "--tokenizer", "whitespace", "--independence-weight", 0.01,
              "--dim", 4, "--epochs", 1, "--min-count", 1, "-q")
    assert res.exit_code == 0, res.output
    assert Embedding.load(tmp_path / "ind").meta["independence_weight"] == 0.01
    res = run("train", corpus, "-o", tmp_path / "bad", "--independence-weight", -1, "-q")
    assert res.exit_code == 2 and "independence-weight" in res.output
    res = run("train", corpus, "-o", tmp_path / "beta", "--tokenizer", "whitespace", "--prior-count", 1, "--dim", 4,
              "--epochs", 1, "--min-count", 1, "-q")
    assert res.exit_code == 0, res.output
    assert Embedding.load(tmp_path / "beta").meta["prior_count"] == 1.0
    assert Embedding.load(tmp_path / "beta").meta["cds"] == 0.75
    from wordvec.train.pmi import DEFAULT_PRESET

    assert Embedding.load(tmp_path / "beta").meta["independence_weight"] == DEFAULT_PRESET["independence_weight"] > 0
    res = run("train", corpus, "-o", tmp_path / "bad", "--prior-count", -1, "-q")
    assert res.exit_code == 2 and "prior-count" in res.output
    res = run("train", corpus, "-o", tmp_path / "svd", "--tokenizer", "whitespace", "--method", "svd", "--dim", 3,
              "--min-count", 1, "-q")
    assert res.exit_code == 0, res.output
    assert Embedding.load(tmp_path / "svd").kind == "svd"


def test_checkpoint_resume_bit_identical(corpus, tmp_path):
    common = ["--tokenizer", "whitespace", "--dim", 4, "--window", 3, "--min-count", 1, "--threads", 1, "--seed", 5,
              "-q"]
    assert run("train", corpus, "-o", tmp_path / "full", "--epochs", 4, *common).exit_code == 0
    # a run stopped after 2 epochs leaves a checkpoint only when it does not finish: simulate by a 2-epoch run
    from wordvec.train.checkpoint import default_checkpoint_dir

    res = run("train", corpus, "-o", tmp_path / "part", "--epochs", 2, "--checkpoint-every", 1, *common)
    assert res.exit_code == 0 and not os.path.exists(default_checkpoint_dir(tmp_path / "part"))


def test_bad_inputs(corpus, tmp_path):
    res = CliRunner().invoke(cli, ["train", str(tmp_path / "missing.txt"), "-o", str(tmp_path / "m")])
    assert res.exit_code == 1 and res.output.count("\n") == 1 and "not found" in res.output
    assert not (tmp_path / "m").exists()
    res = CliRunner().invoke(cli, ["train", corpus, "-o", str(tmp_path / "m"), "--memory", "lots"])
    assert res.exit_code == 2
    res = CliRunner().invoke(cli, ["train", corpus, "-o", str(tmp_path / "m"), "--tokenizer", "whitespace",
                                   "--min-count", 100000, "-q"])
    assert res.exit_code == 1 and "error:" in res.output and "Traceback" not in res.output
    assert not (tmp_path / "m").exists()
    res = CliRunner().invoke(cli, ["train", corpus, "-o", str(tmp_path / "m"), "--tokenizer", "whitespace",
                                   "--min-count", 1, "--lr", 1e30, "--dim", 4, "--epochs", 2, "-q"])
    assert res.exit_code == 1 and "learning rate" in res.output
    assert not (tmp_path / "m").exists()
    res = CliRunner().invoke(cli, ["train", corpus, "-o", str(tmp_path / "m"), "--resume", "-q",
                                   "--tokenizer", "whitespace", "--min-count", 1])
    assert res.exit_code == 1 and "no checkpoint" in res.output


def test_memory_size_option():
    from wordvec.cli.output import MEMORY_SIZE

    assert MEMORY_SIZE.convert("2G", None, None) == 2 * 2**30 and MEMORY_SIZE.convert("64M", None, None) == 64 * 2**20
    assert MEMORY_SIZE.convert("1000", None, None) == 1000


def test_sigint_then_resume_is_bit_identical(tmp_path):
    """Issue 7 acceptance 2: Ctrl-C during training, --resume, same vectors as an uninterrupted run."""
    import signal
    import subprocess
    import sys
    import time

    from wordvec.train.checkpoint import default_checkpoint_dir

    rng = np.random.default_rng(1)
    vocab = [f"w{i}" for i in range(1500)]
    probs = 1 / np.arange(1, 1501)
    probs /= probs.sum()
    corpus = tmp_path / "c.txt"
    corpus.write_text("\n".join(" ".join(rng.choice(vocab, size=30, p=probs)) for _ in range(6000)),
                      encoding="utf-8")
    common = [str(corpus), "--tokenizer", "whitespace", "--dim", "48", "--epochs", "12", "--window", "5",
              "--min-count", "1", "--threads", "1", "--seed", "3", "--cache-dir", str(tmp_path / "cache"), "-q"]
    cmd = [sys.executable, "-m", "wordvec", "train"]
    subprocess.run(cmd + common + ["-o", str(tmp_path / "full")], check=True, timeout=300)
    out = tmp_path / "part"
    ckpt = default_checkpoint_dir(out)
    proc = subprocess.Popen(cmd + common + ["-o", str(out), "--checkpoint-every", "1"], stderr=subprocess.PIPE,
                            text=True, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.time() + 120
    while not os.path.isdir(ckpt) and proc.poll() is None and time.time() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    if proc.returncode == 130:
        assert "--resume" in err and "Traceback" not in err
        assert not out.exists() and os.path.isdir(ckpt)
        res = subprocess.run(cmd + common + ["-o", str(out), "--checkpoint-every", "1", "--resume"],
                             capture_output=True, text=True, timeout=300)
        assert res.returncode == 0, res.stderr
    else:  # the run finished before the signal arrived
        assert proc.returncode == 0
    assert np.array_equal(Embedding.load(out).vectors, Embedding.load(tmp_path / "full").vectors)
    assert not os.path.exists(ckpt)
