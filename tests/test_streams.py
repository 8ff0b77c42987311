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
