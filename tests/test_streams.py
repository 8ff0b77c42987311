"""Standard streams (issue 19, class 6): stdout on a full disk, a closed or broken stdout, a closed stdin,
and stdout/stderr encodings that cannot show Chinese (PYTHONIOENCODING=latin-1, ascii).

The contract (cli/main.py): a full disk on stdout is a user error (exit 1, one line); a reader that goes
away (broken pipe) ends the run quietly with 141; characters an encoding lacks are shown as backslash
escapes, never a traceback.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from _reliability_helpers import assert_clean_exit, assert_user_error
from wordvec.io.vectors import WordVectors
from wordvec.io.vocab import Vocabulary


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    path = tmp_path_factory.mktemp("streams") / "model"
    words = [f"词{i}" for i in range(30000)]
    vectors = np.random.default_rng(0).standard_normal((len(words), 4)).astype(np.float32)
    WordVectors(vectors, Vocabulary(words, np.arange(len(words), 0, -1)), {"kind": "pmi"}).save(path)
    return path


def _run(args, env=None, **kwargs):
    full_env = dict(os.environ, **(env or {}))
    return subprocess.run([sys.executable, "-m", "wordvec", *map(str, args)], capture_output=True, text=True,
                          errors="replace", env=full_env, timeout=120, **kwargs)


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
@pytest.mark.parametrize("args", [["similar", "{m}", "词1"], ["info", "{m}", "--json"], ["norms", "{m}", "-n", "5"]])
def test_stdout_on_a_full_disk(model, args):
    args = [a.replace("{m}", str(model)) for a in args]
    with open("/dev/full", "w") as full:
        result = subprocess.run([sys.executable, "-m", "wordvec", *args], stdout=full, stderr=subprocess.PIPE,
                                text=True, timeout=120)
    assert_user_error(result, "cannot write the output", "space")


_BROKEN = """
import io, sys
class Gone(io.RawIOBase):
    def writable(self):
        return True
    def write(self, data):
        raise BrokenPipeError(32, "Broken pipe")
sys.stdout = io.TextIOWrapper(io.BufferedWriter(Gone()), encoding="utf-8")
sys.argv = ["wordvec", *sys.argv[1:]]
from wordvec.cli.main import main
main()
"""


def test_broken_pipe_is_quiet(model):
    """A reader that goes away (`| head -1`). Simulated by a stdout whose writes raise EPIPE, because this
    sandbox's pipes keep accepting writes after the reader closed them."""
    result = subprocess.run([sys.executable, "-c", _BROKEN, "norms", str(model), "-n", "30000"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 141, result.stderr
    assert result.stderr == "", result.stderr


def test_closed_stdout(model):
    result = subprocess.run([sys.executable, "-m", "wordvec", "similar", str(model), "词1"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True, timeout=120, preexec_fn=lambda: os.close(1))
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode in (0, 1), result.stderr


@pytest.mark.parametrize("args, code", [(["keywords", "{m}"], 2), (["keywords", "{m}", "-"], 0),
                                        (["sentsim", "{m}", "-"], None)])
def test_closed_stdin(model, args, code):
    args = [a.replace("{m}", str(model)) for a in args]
    result = subprocess.run([sys.executable, "-m", "wordvec", *args], capture_output=True, text=True, timeout=120,
                            preexec_fn=lambda: os.close(0))
    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    if code is not None:
        assert result.returncode == code, result.stderr
    else:
        assert result.returncode in (1, 2), result.stderr


@pytest.mark.parametrize("encoding", ["latin-1", "ascii"])
def test_stdout_that_cannot_show_chinese(model, encoding):
    result = _run(["similar", model, "词1", "-n", "3"], env={"PYTHONIOENCODING": encoding})
    assert_clean_exit(result, 0)
    # latin-1: 词 shown as an escape; ascii: click treats an ASCII stdout as misconfigured and writes UTF-8
    assert ("\\u8bcd" if encoding == "latin-1" else "词") in result.stdout
    as_json = _run(["similar", model, "词1", "-n", "3", "--json"], env={"PYTHONIOENCODING": encoding})
    assert_clean_exit(as_json, 0)
    assert json.loads(as_json.stdout)[0]["word"].startswith("词")  # the escapes are JSON escapes


@pytest.mark.parametrize("encoding", ["latin-1", "ascii"])
def test_error_message_that_cannot_be_shown(model, encoding):
    result = _run(["similar", model, "没有的词"], env={"PYTHONIOENCODING": encoding})
    assert_user_error(result, "not in vocabulary")


def test_c_locale_without_utf8_mode(model):
    result = _run(["similar", model, "词1", "-n", "2"], env={"LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0"})
    assert_clean_exit(result, 0)


def _closed_pipe_run(args):
    """Run wordvec with stdout on a real pipe whose reader has already gone (closed read end)."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        return subprocess.run([sys.executable, "-m", "wordvec", *map(str, args)], stdout=write_end,
                              stderr=subprocess.PIPE, text=True, timeout=120)
    finally:
        os.close(write_end)


@pytest.mark.parametrize("args", [["norms", "{m}", "-n", "30000"], ["similar", "{m}", "词1", "-n", "50"],
                                  ["info", "{m}", "--json"], ["similar", "{m}", "词1", "--json"], ["--help"]])
def test_real_closed_pipe_is_quiet(model, args):
    """The CLI convention (cli/main.py): a reader that went away ends the run with 141 (as if SIGPIPE had ended
    it, like coreutils), nothing on stderr."""
    result = _closed_pipe_run([a.replace("{m}", str(model)) for a in args])
    assert result.returncode == 141, result.stderr
    assert result.stderr == "", result.stderr


@pytest.mark.parametrize("reader, codes", [("head -1", (0, 141)), ("true", (141,))])
def test_shell_pipelines(model, reader, codes):
    """`wordvec norms MODEL -n 30000 | head -1` is quiet. The table is one 500 KB write: when head leaves while
    that write is blocked, Linux returns the bytes written so far and no error, so the run may end 0; a reader
    that is gone before the first write (`| true`) always gives 141."""
    script = (f'{sys.executable} -m wordvec norms "{model}" -n 30000 | {reader}; '
              f'echo "status=${{PIPESTATUS[0]}}" >&2')
    result = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=120)
    assert result.stdout.count("\n") == (1 if reader.startswith("head") else 0), result.stdout
    status = result.stderr.strip()
    assert status in {f"status={c}" for c in codes}, result.stderr


def test_vocab_to_a_closed_pipe(tmp_path):
    corpus = tmp_path / "c.txt"
    corpus.write_text(" ".join(f"词{i}" for i in range(20000)) + "\n", encoding="utf-8")
    result = _closed_pipe_run(["vocab", corpus, "--tokenizer", "whitespace", "--min-count", "1", "-q",
                               "--cache-dir", tmp_path / "cache"])
    assert result.returncode == 141 and result.stderr == "", result.stderr


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
@pytest.mark.parametrize("args", [["--help"], ["keywords", "{m}", "词1 词2", "--json"], ["export", "{m}", "-o",
                                                                                       "/dev/full"]])
def test_more_writes_to_a_full_disk(model, args):
    args = [a.replace("{m}", str(model)) for a in args]
    with open("/dev/full", "w") as full:
        result = subprocess.run([sys.executable, "-m", "wordvec", *args], stdout=full, stderr=subprocess.PIPE,
                                text=True, timeout=120)
    assert_user_error(result, "full" if "export" in args else "space")
