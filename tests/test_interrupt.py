"""Issue 7: Ctrl-C (SIGINT to the whole process group, as a terminal sends it) stops `wordvec train` cleanly.

Checked on real processes: exit 130, no traceback, a message saying how to resume when a checkpoint exists,
no partial model directory or cache, the last complete checkpoint kept, no worker processes left behind, and
(acceptance 2) a `--resume`d run equal bit for bit to an uninterrupted one with `--threads 1 --seed S`.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from _reliability_helpers import (
    assert_clean_exit,
    assert_nothing_written,
    run,
    snapshot,
    stray_temps,
    tiny_corpus,
    train_args,
    zipf_corpus,
)

pytest.importorskip("wordvec.corpora.cooccur", reason="counting stage not available yet")

WORDVEC = [sys.executable, "-m", "wordvec"]


def _default_sigint() -> None:
    # a test run started in the background of a non-interactive shell ignores SIGINT, and children inherit
    # that: give the child Python's usual Ctrl-C handling, as in a terminal
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start(args: list[str]) -> subprocess.Popen:
    """Start `wordvec ARGS` in its own process group (so a killpg reaches it and its workers, like Ctrl-C)."""
    return subprocess.Popen(WORDVEC + [str(a) for a in args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True, preexec_fn=_default_sigint)


def ctrl_c(proc: subprocess.Popen, group: bool = True) -> None:
    """SIGINT to the process group (a terminal's Ctrl-C) or, ``group=False``, to the main process (kill -INT)."""
    try:
        if group:
            os.killpg(proc.pid, signal.SIGINT)
        else:
            os.kill(proc.pid, signal.SIGINT)
    except ProcessLookupError:
        pass


def children(pid: int) -> list[int]:
    """Direct children of ``pid`` (Linux /proc), empty when unknown."""
    found = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as handle:
                found += [int(x) for x in handle.read().split()]
    except OSError:
        pass
    return found


def wait_until(condition, proc: subprocess.Popen, timeout: float = 90.0, step: float = 0.01) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        if proc.poll() is not None:
            return False
        time.sleep(step)
    return False


def checkpoint_epoch(ckpt: Path) -> int:
    try:
        return int(json.loads((ckpt / "state.json").read_text(encoding="utf-8"))["epoch"])
    except (OSError, ValueError, KeyError):
        return 0


def assert_interrupted(proc: subprocess.Popen, timeout: float = 60.0) -> str:
    _, err = proc.communicate(timeout=timeout)
    assert "Traceback" not in err, err
    assert proc.returncode == 130, f"exit {proc.returncode}\n{err}"
    return err


@pytest.fixture(scope="module")
def zipf(tmp_path_factory):
    root = tmp_path_factory.mktemp("interrupt")
    return zipf_corpus(root / "zipf.txt", n_words=1500, n_lines=5000, line_len=30, seed=1)


def common(corpus: Path, cache: Path, epochs: int) -> list[str]:
    return [corpus, "--tokenizer", "whitespace", "--dim", "32", "--epochs", str(epochs), "--window", "5",
            "--min-count", "1", "--threads", "1", "--seed", "7", "--workers", "1", "--cache-dir", cache]


def test_sigint_mid_training_then_resume_is_bit_identical(zipf, tmp_path):
    """Acceptance 2: kill -INT during epoch k (k >= 2) of a --checkpoint-every 1 run, --resume, same vectors."""
    from wordvec.train.checkpoint import default_checkpoint_dir
    from wordvec.query.embedding import Embedding

    epochs = 60
    args = common(zipf, tmp_path / "cache", epochs)
    full = tmp_path / "full"  # the uninterrupted run (it also leaves the token and count caches warm)
    done = subprocess.run(WORDVEC + ["train", *map(str, args), "-o", str(full), "-q"], capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr

    model = tmp_path / "model"
    ckpt = Path(default_checkpoint_dir(model))
    proc = start(["train", *args, "-o", model, "--checkpoint-every", "1"])
    reached = wait_until(lambda: checkpoint_epoch(ckpt) >= 2, proc)
    ctrl_c(proc)
    err = assert_interrupted(proc)
    assert reached, "training ended before two checkpoints were written"
    lines = [line for line in err.splitlines() if line.strip() and not line.startswith("epoch ")]
    assert any("--resume" in line and str(ckpt) in line for line in lines), err
    assert "interrupted" not in [line.strip() for line in lines], err  # the checkpoint line is the only one
    assert not model.exists(), "a partial model directory was left"
    assert stray_temps(tmp_path) == []  # Ctrl-C is held off while a checkpoint directory is swapped
    kept = checkpoint_epoch(ckpt)
    assert 2 <= kept < epochs
    vectors = np.load(ckpt / "vectors.npy", allow_pickle=False)
    accum = np.load(ckpt / "accum.npy", allow_pickle=False)
    assert vectors.shape == accum.shape and np.isfinite(vectors).all()

    resumed = subprocess.run(WORDVEC + ["train", *map(str, args), "-o", str(model), "--checkpoint-every", "1",
                                        "--resume"], capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    assert f"after epoch {kept}" in resumed.stderr
    a, b = Embedding.load(model), Embedding.load(full)
    assert a.words == b.words
    assert a.vectors.dtype == b.vectors.dtype and a.vectors.tobytes() == b.vectors.tobytes()
    assert a.meta["loss_per_epoch"] == b.meta["loss_per_epoch"]
    assert not ckpt.exists(), "the checkpoint should be removed after a successful run"


def test_sigint_without_checkpoints(zipf, tmp_path):
    """No --checkpoint-every: exit 130, one line, no model, no checkpoint, nothing temporary."""
    from wordvec.train.checkpoint import default_checkpoint_dir

    model = tmp_path / "model"
    proc = start(["train", *common(zipf, tmp_path / "cache", 400), "-o", model])
    # the epoch lines go to stderr: wait for the first one, then press Ctrl-C
    first = ""
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        first = proc.stderr.readline()
        if not first or first.startswith("epoch "):
            break
    assert first.startswith("epoch "), "training never started"
    ctrl_c(proc)
    err = assert_interrupted(proc)
    rest = [line for line in err.splitlines() if line.strip() and not line.startswith("epoch ")]
    assert len(rest) == 1 and "interrupt" in rest[0].lower(), err
    assert not model.exists() and not os.path.exists(default_checkpoint_dir(model))
    assert stray_temps(tmp_path) == []


@pytest.mark.parametrize("group", [True, False], ids=["ctrl-c", "kill-int"])
def test_sigint_while_tokenizing(tmp_path, group):
    """Ctrl-C while worker processes tokenize: exit 130, no traceback from any worker, no workers left,
    no half-written cache or model."""
    block = tmp_path / "block.txt"
    zipf_corpus(block, n_words=5000, n_lines=4000, line_len=40, seed=2)
    corpus = tmp_path / "big.txt"
    data = block.read_bytes()
    with open(corpus, "wb") as out:
        for _ in range(16):  # ~16 MB
            out.write(data)
    cache = tmp_path / "cache"
    model = tmp_path / "model"
    proc = start(["train", corpus, "--tokenizer", "whitespace", "--workers", "2", "--cache-dir", cache,
                  "--min-count", "1", "--dim", "8", "--epochs", "1", "-o", model, "-q"])
    assert wait_until(lambda: len(children(proc.pid)) >= 1, proc, step=0.005), "no worker process appeared"
    workers = children(proc.pid)
    time.sleep(0.3)
    ctrl_c(proc, group)
    err = assert_interrupted(proc)
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and "interrupt" in lines[0].lower(), err
    assert not model.exists()
    assert stray_temps(tmp_path) == []
    if cache.exists():
        assert stray_temps(cache) == []
        for folder in cache.iterdir():  # a cache folder under its final name must be complete
            assert (folder / "meta.json").is_file(), f"incomplete cache {folder}"
    deadline = time.monotonic() + 10
    alive = workers
    while alive and time.monotonic() < deadline:
        alive = [pid for pid in alive if _alive(pid)]
        time.sleep(0.05)
    assert not alive, f"worker processes left running: {alive}"


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().split(") ")[-1][:1] not in ("Z", "X")
    except OSError:
        return False


# --- deterministic interrupts inside the atomic directory swap (in-process) ---------------------------------
@pytest.fixture
def trained(tmp_path):
    corpus = tiny_corpus(tmp_path / "c.txt", lines=120)
    model = tmp_path / "model"
    assert_clean_exit(run(*train_args(corpus, model, tmp_path / "cache", dim=4, epochs=1)), 0)
    return corpus, model


def test_interrupt_while_removing_previous_directory(trained, tmp_path, monkeypatch):
    import shutil

    corpus, model = trained
    real_rmtree = shutil.rmtree

    def rmtree(path, *args, **kwargs):
        if str(path).endswith(".old"):
            os.kill(os.getpid(), signal.SIGINT)  # a real Ctrl-C arrives while the old model is removed
        return real_rmtree(path, *args, **kwargs)

    monkeypatch.setattr(shutil, "rmtree", rmtree)
    res = run(*train_args(corpus, model, tmp_path / "cache", dim=6, epochs=1))
    assert_clean_exit(res, 130)
    assert (model / "meta.json").is_file()
    assert stray_temps(tmp_path) == []


def test_interrupt_between_the_two_renames_keeps_previous(trained, tmp_path, monkeypatch):
    corpus, model = trained
    before = snapshot(model)
    real_rename = os.rename

    def rename(src, dst):
        if str(src).endswith(".tmp") and os.path.basename(str(dst)) == "model":
            raise KeyboardInterrupt
        return real_rename(src, dst)

    monkeypatch.setattr(os, "rename", rename)
    res = run(*train_args(corpus, model, tmp_path / "cache", dim=6, epochs=1))
    assert_clean_exit(res, 130)
    assert_nothing_written(model, previous=before)


def test_interrupt_while_writing_new_directory_keeps_previous(trained, tmp_path, monkeypatch):
    """Ctrl-C while the new model's files are written: the previous model stays, no temporaries."""
    corpus, model = trained
    before = snapshot(model)

    def interrupted_save(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(np, "save", interrupted_save)
    res = run(*train_args(corpus, model, tmp_path / "cache", dim=6, epochs=1))
    err = assert_clean_exit(res, 130)
    assert "interrupt" in err.lower()
    assert_nothing_written(model, previous=before)


@pytest.fixture(scope="module")
def medium(tmp_path_factory):
    """~5 MB whitespace corpus (1.3 M tokens) with its token cache already built."""
    root = tmp_path_factory.mktemp("medium")
    block = zipf_corpus(root / "block.txt", n_words=5000, n_lines=4000, line_len=40, seed=2)
    corpus = root / "medium.txt"
    corpus.write_bytes(block.read_bytes() * 8)
    cache = root / "cache"
    done = subprocess.run(WORDVEC + ["tokenize", str(corpus), "--tokenizer", "whitespace", "--cache-dir", str(cache),
                                     "-q"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return corpus, cache


# Issue 7: this used to fail about one run in ten (SystemError, a lost Ctrl-C, or SIGSEGV in CI) because the
# interrupt was raised inside numba's result boxing; see the in-process regression tests below.
@pytest.mark.parametrize("command", ["train", "count"])
def test_sigint_while_counting_removes_spill_files(medium, tmp_path, command):
    """Ctrl-C while counting spills runs to disk (--memory 1M): exit 130, spill folder and output gone."""
    corpus, cache = medium
    tmpdir = tmp_path / "tmpdir"
    tmpdir.mkdir()
    out = tmp_path / "out"
    args = [command, corpus, "-o", out, "--tokenizer", "whitespace", "--cache-dir", cache, "--memory", "1M",
            "--min-count", "1", "-q"]
    if command == "train":
        args += ["--dim", "4", "--epochs", "1"]
    proc = subprocess.Popen(WORDVEC + [str(a) for a in args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True, env={**os.environ, "TMPDIR": str(tmpdir)},
                            preexec_fn=_default_sigint)
    spill_home = tmpdir if command == "train" else tmp_path

    def spilling() -> bool:
        return any(p.name.startswith(".wordvec-shards-") for p in spill_home.rglob(".wordvec-shards-*"))

    assert wait_until(spilling, proc, step=0.005), "counting never spilled"
    time.sleep(0.2)
    ctrl_c(proc)
    assert_interrupted(proc)
    assert not out.exists()
    assert stray_temps(tmp_path) == []
    assert list(tmpdir.iterdir()) == [], "spill files left in TMPDIR"
    assert [p.name for p in cache.iterdir() if not (p / "meta.json").is_file()] == [], "incomplete counts cache"


# --- Ctrl-C while a counting kernel runs (issue 7 regression, deterministic, in-process) -------------------------
# numba boxes a kernel's returned arrays by calling back into Python (``_numba_unpickle``) without checking that
# call for an error; a KeyboardInterrupt raised there became a SystemError, a lost Ctrl-C or a SIGSEGV. So the
# counter holds Ctrl-C around its kernels and raises it at ``sigint_checkpoint()`` between them.
ENTRY_KERNELS = ("filter_tokens", "count_parallel", "reduce_all", "merge_two", "build_symmetric", "split_upper",
                 "dense_sym_count", "dense_sym_keys", "sort_reduce_pairs")  # called from Python, never from a kernel


@pytest.fixture(scope="module")
def small_cache(tmp_path_factory):
    from wordvec.corpora.cache import build_token_cache
    from wordvec.corpora.tokenize import TokenizerSettings

    root = tmp_path_factory.mktemp("kernels")
    corpus = zipf_corpus(root / "small.txt", n_words=3000, n_lines=3000, line_len=30, seed=3)
    return build_token_cache([str(corpus)], TokenizerSettings(mode="whitespace"), cache_dir=str(root / "cache"),
                             workers=1)


def _instrument(monkeypatch, target: str | None, nth: int = 1) -> tuple[dict, list]:
    """Wrap the entry kernels: count calls, note calls made while Ctrl-C is not held, and send a real SIGINT
    to this process just before the ``nth`` call of ``target`` (it is pending while the kernel runs)."""
    import collections

    from wordvec.corpora import _kernels as K

    calls: dict = collections.Counter()
    unheld: list = []

    def wrap(name, real):
        def kernel(*args):
            calls[name] += 1
            if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
                unheld.append(name)
            if name == target and calls[name] == nth:
                signal.raise_signal(signal.SIGINT)
            return real(*args)
        return kernel

    for name in ENTRY_KERNELS:
        monkeypatch.setattr(K, name, wrap(name, getattr(K, name)))
    return calls, unheld


def _spill_dirs(root: Path) -> list[Path]:
    return list(root.rglob(".wordvec-shards-*"))


def test_counting_kernels_run_with_ctrl_c_held(small_cache, tmp_path, monkeypatch):
    """Without an interrupt: every kernel call of a spilling count holds Ctrl-C, the count is unchanged and
    Python's own handler is back afterwards."""
    import tempfile

    from wordvec.corpora.counter import count_to_memory

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    reference = count_to_memory(small_cache, min_count=1, window=5)[1]
    calls, unheld = _instrument(monkeypatch, None)
    vocab, matrix = count_to_memory(small_cache, min_count=1, window=5, memory=256 << 10, threads=1)
    assert unheld == []
    assert calls["split_upper"] > 0 and calls["sort_reduce_pairs"] > 0, f"the count did not spill: {calls}"
    assert (matrix != reference).nnz == 0
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    assert _spill_dirs(tmp_path) == []


@pytest.mark.parametrize("target,nth", [("filter_tokens", 2), ("count_parallel", 3), ("reduce_all", 2),
                                        ("split_upper", 2), ("sort_reduce_pairs", 1), ("dense_sym_keys", 1)])
@pytest.mark.parametrize("how", ["memory", "directory"])
def test_ctrl_c_during_a_counting_kernel(small_cache, tmp_path, monkeypatch, target, nth, how):
    """A Ctrl-C arriving while a kernel runs surfaces as KeyboardInterrupt from our own code (never from
    inside numba: no SystemError), Python's handler is restored, no spill folder or output is left."""
    import tempfile

    from wordvec.corpora.counter import count_to_directory, count_to_memory

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    calls, unheld = _instrument(monkeypatch, target, nth)
    out = tmp_path / "counts"
    with pytest.raises(KeyboardInterrupt) as info:
        if how == "memory":
            count_to_memory(small_cache, min_count=1, window=5, memory=256 << 10, threads=1)
        else:
            count_to_directory(small_cache, out, {}, min_count=1, window=5, memory=256 << 10, threads=1)
    assert calls[target] >= nth, f"{target} was called {calls[target]} times"
    assert unheld == []
    assert info.traceback[-1].name in ("sigint_checkpoint", "sigint_held"), info.traceback[-1]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    assert _spill_dirs(tmp_path) == []
    assert not out.exists() and stray_temps(tmp_path) == []


def test_ignored_sigint_stays_ignored():
    """A process that ignores SIGINT (a background job) is not made interruptible by the held sections."""
    from wordvec.io.atomic import sigint_held, sigint_checkpoint

    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        with sigint_held():
            assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
            signal.raise_signal(signal.SIGINT)
            sigint_checkpoint()
    finally:
        signal.signal(signal.SIGINT, previous)


_INTERRUPT_NUMBA_IMPORT = """
import signal, sys

class InterruptOnce:
    # a Ctrl-C that lands while numba's C code imports its helper module (numba turns it into an ImportError)
    fired = False

    def find_spec(self, name, path=None, target=None):
        if name == "numba._devicearray" and not self.fired:
            self.fired = True
            signal.raise_signal(signal.SIGINT)
        return None

sys.meta_path.insert(0, InterruptOnce())
from wordvec.cli.main import main
sys.argv = ["wordvec"] + sys.argv[1:]
main()
"""


def test_ctrl_c_while_numba_imports(tmp_path):
    """A Ctrl-C during numba's import is reported as an interrupt (exit 130, one line), not an ImportError."""
    corpus = tiny_corpus(tmp_path / "c.txt", lines=50)
    out = tmp_path / "counts"
    done = subprocess.run([sys.executable, "-c", _INTERRUPT_NUMBA_IMPORT, "count", str(corpus), "-o", str(out),
                           "--tokenizer", "whitespace", "--min-count", "1", "-q"],
                          capture_output=True, text=True, timeout=120, preexec_fn=_default_sigint)
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 130, f"exit {done.returncode}\n{done.stderr}"
    assert done.stderr.strip() == "interrupted"
    assert not out.exists()


def test_ctrl_c_while_the_trainer_compiles_is_held(monkeypatch):
    """The first call of the training kernel compiles it (or loads numba's cache), which runs Python callbacks
    from C, where a KeyboardInterrupt is printed as 'Exception ignored' and lost. fit makes that call with
    Ctrl-C held: the interrupt surfaces from our own code, and the training does not start."""
    import numba

    from wordvec.train import _kernels as K
    from wordvec.train.pmi import PMIEmbedding

    calls = []
    real = K.adagrad_epoch

    def kernel(*args):
        calls.append((len(args[2]), signal.getsignal(signal.SIGINT) is signal.default_int_handler))
        if len(calls) == 1:
            signal.raise_signal(signal.SIGINT)
        return real(*args)

    monkeypatch.setattr(K, "adagrad_epoch", kernel)
    rng = np.random.default_rng(0)
    import scipy.sparse as sp
    from types import SimpleNamespace

    from wordvec.io.vocab import Vocabulary

    dense = rng.integers(0, 5, (12, 12))
    dense = np.triu(dense, 1) + np.triu(dense, 1).T
    counts = SimpleNamespace(matrix=sp.csr_matrix(dense.astype(np.float64)),
                             vocab=Vocabulary([f"w{k}" for k in range(12)], np.full(12, 100)), total_tokens=1200, meta={})
    threads_before = numba.get_num_threads()
    with pytest.raises(KeyboardInterrupt) as info:
        PMIEmbedding(dim=4, epochs=3, seed=0, threads=1).fit(counts)
    assert calls == [(0, False)], calls  # the warm-up call, held; no epoch ran
    assert info.traceback[-1].name == "sigint_held"
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    assert numba.get_num_threads() == threads_before
