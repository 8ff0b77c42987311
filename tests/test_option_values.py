"""Option values at the edge (issue 19, class 6): every integer option of every command has an upper bound
and every number option must be finite, so oversized and non-finite values are usage errors (exit 2, the
option named, no traceback) instead of tracebacks, endless runs or nan answers."""
from __future__ import annotations

import json

import click
import pytest

from _reliability_helpers import assert_clean_exit, run
from wordvec.cli.main import cli


def _options(kind):
    found = []
    for name, command in sorted(cli.commands.items()):
        for param in command.params:
            if isinstance(param, click.Option) and not param.is_flag and isinstance(param.type, kind):
                found.append((name, param.opts[-1] if param.opts[-1].startswith("--") else param.opts[0]))
    return found


def _argv(command: str, option: str, value: str) -> list[str]:
    positional = {"similar": ["M", "w"], "related": ["M", "w"], "keywords": ["M", "t"], "analogy": ["M", "a", "b", "c"],
                  "sentsim": ["M", "a", "b"], "predict": ["M", "w"], "norms": ["M"], "pmi": ["M", "a", "b"],
                  "info": ["M"], "evaluate": ["M", "d"], "export": ["M"], "import-gensim": ["g"]}.get(command, ["x"])
    need_output = command in ("train", "count", "merge", "export", "import-gensim")
    return [command, *positional, *(["-o", "out"] if need_output else []), option, value]


INT_OPTIONS = _options(click.IntRange)
FLOAT_OPTIONS = _options(click.FloatRange)


def test_the_commands_have_numeric_options():
    assert len(INT_OPTIONS) >= 20 and len(FLOAT_OPTIONS) >= 8, (INT_OPTIONS, FLOAT_OPTIONS)


@pytest.mark.parametrize("command, option", INT_OPTIONS)
@pytest.mark.parametrize("value", ["99999999999999999999", "1" + "0" * 40])
def test_oversized_integers_are_usage_errors(command, option, value):
    result = run(*_argv(command, option, value))
    err = assert_clean_exit(result, 2)
    assert option in err, err


@pytest.mark.parametrize("command", ["count", "train"])
def test_the_window_of_the_report(command):
    err = assert_clean_exit(run(*_argv(command, "--window", "9000000000000000000")), 2)
    assert "--window" in err


@pytest.mark.parametrize("command, option", FLOAT_OPTIONS)
@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e400", "1e308"])
def test_non_finite_and_huge_numbers_are_usage_errors(command, option, value):
    result = run(*_argv(command, option, value))
    err = assert_clean_exit(result, 2)
    assert option in err, err


@pytest.mark.parametrize("value", ["99999999999999999999999T", "1" + "0" * 30, "2000000G"])
@pytest.mark.parametrize("command", ["count", "train"])
def test_oversized_memory_is_a_usage_error(command, value):
    err = assert_clean_exit(run(*_argv(command, "--memory", value)), 2)
    assert "--memory" in err


def test_json_output_never_holds_nan_or_infinity(tmp_path):
    import numpy as np

    from wordvec.cli.output import _finite
    assert json.dumps(_finite({"a": [float("nan"), float("inf"), 1.5], "b": (float("-inf"),)}),
                      allow_nan=False) == '{"a": [null, null, 1.5], "b": [null]}'
    from wordvec.io.vectors import WordVectors
    from wordvec.io.vocab import Vocabulary

    WordVectors(np.eye(3, dtype=np.float32), Vocabulary(["甲", "乙", "丙"], [3, 2, 1]), {"kind": "pmi",
                "total_tokens": 6}).save(tmp_path / "m")
    result = run("related", tmp_path / "m", "甲", "--alpha", "999", "--json")
    assert_clean_exit(result, 0)
    assert "NaN" not in result.stdout and "Infinity" not in result.stdout
    json.loads(result.stdout)


def test_non_finite_alpha_is_refused_from_python_too():
    """Class 7 from Python: the α of most_related / related_scores must be a finite number (no nan scores)."""
    import numpy as np

    from wordvec import Embedding
    from wordvec.corpora import Vocabulary
    from wordvec.errors import InputError

    emb = Embedding(np.random.default_rng(0).standard_normal((5, 3)), Vocabulary(list("abcde"), [5, 4, 3, 2, 1]),
                    {"kind": "pmi", "total_tokens": 15})
    for bad in (float("nan"), float("inf"), -float("inf"), 1e308, "x"):
        with pytest.raises(InputError, match="alpha"):
            emb.most_related("a", alpha=bad)
        with pytest.raises(InputError, match="alpha"):
            emb.related_scores("a", alpha=bad) if hasattr(emb, "related_scores") else emb.most_related("a", alpha=bad)
    assert all(np.isfinite(s) for _, s in emb.most_related("a", alpha=0.5, topn=4))
