"""Shared helpers of the reliability battery (tests/test_bad_input.py, tests/test_interrupt.py).

A user error must look the same everywhere: exit 1, one ``error: ...`` line on stderr naming the problem,
no traceback, no escaped exception, and nothing half-written in the output folder.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
from click.testing import CliRunner

from wordvec.cli.main import cli

WORDS = "甲 乙 丙 丁 戊 己 庚 辛 壬 癸 子 丑 寅 卯".split()
TEMP_SUFFIXES = (".tmp", ".old")


def tiny_corpus(path: Path, lines: int = 300, seed: int = 0) -> Path:
    """Two topic groups of the 14 WORDS, 8 tokens a line, whitespace-separated."""
    rng = np.random.default_rng(seed)
    text = []
    for _ in range(lines):
        group = WORDS[:7] if rng.random() < 0.5 else WORDS[7:]
        text.append(" ".join(rng.choice(group, size=8)))
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    return path


def zipf_corpus(path: Path, n_words: int, n_lines: int, line_len: int, seed: int = 0) -> Path:
    """A synthetic whitespace corpus whose word frequencies follow 1/rank."""
    rng = np.random.default_rng(seed)
    vocab = np.array([f"w{i}" for i in range(n_words)])
    probs = 1.0 / np.arange(1, n_words + 1)
    probs /= probs.sum()
    ids = rng.choice(n_words, size=(n_lines, line_len), p=probs)
    with open(path, "w", encoding="utf-8") as out:
        for row in ids:
            out.write(" ".join(vocab[row]) + "\n")
    return path


def train_args(inputs, output, cache_dir, dim: int = 8, epochs: int = 2, extra=()) -> list[str]:
    """Fast `wordvec train` arguments for tiny corpora."""
    inputs = [str(p) for p in (inputs if isinstance(inputs, (list, tuple)) else [inputs])]
    return ["train", *inputs, "-o", str(output), "--tokenizer", "whitespace", "--dim", str(dim), "--epochs",
            str(epochs), "--min-count", "1", "--window", "3", "--threads", "1", "--seed", "1", "--workers", "1",
            "--cache-dir", str(cache_dir), "-q", *extra]


def tiny_trained(root: Path) -> dict[str, Path]:
    """A tiny corpus under ``root``, its token cache folder and a model trained from it (``train_args``):
    ``{"root", "corpus", "cache", "model"}``."""
    corpus = tiny_corpus(root / "corpus.txt")
    cache, model = root / "cache", root / "model"
    result = run(*train_args(corpus, model, cache))
    assert result.exit_code == 0, result.output
    return {"root": root, "corpus": corpus, "cache": cache, "model": model}


def run(*args, input=None):
    """Invoke the real click group in-process (stdout and stderr kept apart)."""
    return CliRunner().invoke(cli, [str(a) for a in args], input=input)


def run_process(*args, timeout: float = 120, **kwargs) -> subprocess.CompletedProcess:
    """Run ``python -m wordvec ARGS`` as a real process."""
    return subprocess.run([sys.executable, "-m", "wordvec", *[str(a) for a in args]], capture_output=True,
                          text=True, timeout=timeout, **kwargs)


def _streams(result):
    if isinstance(result, subprocess.CompletedProcess):
        return result.returncode, result.stdout or "", result.stderr or ""
    return result.exit_code, result.stdout, result.stderr


def assert_clean_exit(result, code: int) -> str:
    """Exit ``code``, no traceback, no exception escaped click's handler; returns stderr."""
    exit_code, out, err = _streams(result)
    assert "Traceback" not in out + err, out + err
    if not isinstance(result, subprocess.CompletedProcess):
        exc = result.exception
        assert exc is None or isinstance(exc, SystemExit), f"escaped exception {exc!r}\n{err}"
    assert exit_code == code, f"exit {exit_code}, expected {code}\nstdout: {out}\nstderr: {err}"
    return err


def assert_user_error(result, *names: str) -> str:
    """Exit 1 and exactly one stderr line ``error: ...`` that mentions each of ``names`` (case-insensitive)."""
    err = assert_clean_exit(result, 1)
    lines = [line for line in err.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("error:")]
    assert len(errors) == 1, f"expected one 'error:' line on stderr, got:\n{err}"
    assert all(line.startswith(("error:", "warning:", "note:")) for line in lines), f"stray stderr lines:\n{err}"
    for name in names:
        assert name.lower() in errors[0].lower(), f"{name!r} not named in: {errors[0]}"
    return errors[0]


def stray_temps(folder) -> list[str]:
    """Temporary leftovers of the atomic writers (``.NAME.xxxx.tmp`` / ``.old``) in ``folder``."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".") and p.name.endswith(TEMP_SUFFIXES))


def assert_nothing_written(output, previous: dict[str, bytes] | None = None) -> None:
    """``output`` is absent (or holds exactly ``previous``) and its folder has no temporaries."""
    output = Path(output)
    if previous is None:
        assert not output.exists(), f"partial artifact left: {output}"
    else:
        assert snapshot(output) == previous, f"previous artifact at {output} was changed"
    assert stray_temps(output.parent) == [], stray_temps(output.parent)


def snapshot(path) -> dict[str, bytes]:
    """Contents of a file or of every file of a directory (relative name → bytes)."""
    path = Path(path)
    if path.is_file():
        return {"": path.read_bytes()}
    return {str(p.relative_to(path)): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()}


def peak_rss_of(cmd: list[str], **popen_kwargs) -> tuple[int, int, str, str]:
    """Run ``cmd``; return (exit code, peak RSS in bytes of it and its waited-for children, stdout, stderr)."""
    import tempfile

    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, text=True, **popen_kwargs)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return proc.returncode, usage.ru_maxrss * 1024, out.read(), err.read()
