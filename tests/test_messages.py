"""One message catalogue (issue 18.5): library messages name Python parameters (``WordvecError.params``),
never command-line flags; the command line shows them as flags (``wordvec.cli.messages``)."""
from __future__ import annotations

import ast
import os
import re

import click
import pytest
from click.testing import CliRunner

from wordvec.cli.main import cli
from wordvec.cli.messages import PARAM_FLAGS, _exceptions, cli_message, flag_for
from wordvec.corpora.counter import prune_vocab
from wordvec.corpora.tokenize import TokenizerSettings
from wordvec.errors import InputError, ResourceError, WordvecError
from wordvec.io.vocab import Vocabulary

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LIBRARY = ("wordvec", "corpora")
FLAG = re.compile(r"(?<![\w-])--[a-z]")


# --- the library speaks Python ----------------------------------------------------------------------------
class _Cache:
    vocab = Vocabulary(["甲", "乙"], [3, 2])


def test_library_error_names_the_parameter():
    with pytest.raises(InputError) as err:
        prune_vocab(_Cache(), min_count=5, max_vocab=0)
    assert str(err.value) == "no word occurs at least 5 times in the corpus: lower min_count"
    assert err.value.params == ("min_count",)
    with pytest.raises(InputError, match=r"drop user_dict$") as err:
        TokenizerSettings(mode="whitespace", user_dict="dict.txt")
    assert err.value.params == ("user_dict",)


def test_params_default_to_none_and_survive_pickling():
    import pickle

    assert WordvecError("plain").params == ()
    err = pickle.loads(pickle.dumps(ResourceError("raise memory", params=("memory",))))
    assert isinstance(err, ResourceError) and str(err) == "raise memory" and err.params == ("memory",)


# --- the command line speaks flags ------------------------------------------------------------------------
def test_cli_message_replaces_whole_words_only():
    err = InputError("raise min_count, lower window or dim (a window_size, dims, dimwit), or use dtype=float32",
                     params=("min_count", "window", "dim", "dtype"))
    assert cli_message(err) == ("raise --min-count, lower --window or --dim (a window_size, dims, dimwit), "
                                "or use --dtype=float32")
    assert cli_message(InputError("lower min_count")) == "lower min_count"  # not listed: left alone
    assert cli_message(ValueError("x")) == "x"


def test_flag_rule_and_exceptions_come_from_the_train_table():
    assert flag_for("min_count") == "--min-count" and flag_for("checkpoint_every") == "--checkpoint-every"
    # a parameter set by an option of another name maps to that option, unless it is an option itself
    table = {"threads": {"pmi": "threads", "w2v": "n_jobs"}, "dim": {"w2v": "vector_size"}, "workers": {}}
    assert _exceptions(table, ()) == {"n_jobs": "--threads", "vector_size": "--dim"}
    assert _exceptions({"threads": {"w2v": "workers"}}, ("workers",)) == {}
    assert all(flag.startswith("--") for flag in PARAM_FLAGS.values())


def test_cli_prints_the_flag(tmp_path):
    corpus = tmp_path / "c.txt"
    corpus.write_text("甲 乙\n乙 丙\n", encoding="utf-8")
    res = CliRunner().invoke(cli, ["count", str(corpus), "-o", str(tmp_path / "counts"), "--tokenizer",
                                   "whitespace", "--min-count", "9", "--cache-dir", str(tmp_path / "cache"), "-q"])
    assert res.exit_code == 1
    assert res.output.strip().endswith("lower --min-count") and "min_count" not in res.output


# --- no flag literal in a library message; every parameter named is a real flag -----------------------------
def _library_files():
    for room in LIBRARY:
        for dirpath, dirnames, filenames in os.walk(os.path.join(ROOT, room)):
            dirnames[:] = [d for d in dirnames if d != "__pycache__"]
            for name in filenames:
                if name.endswith(".py"):
                    yield os.path.join(dirpath, name)


def _name(func: ast.expr) -> str:
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def _message_calls(tree: ast.AST):
    """Calls that build a user message: exceptions and warnings constructed, raised or warned."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = _name(node.func)
            if name in ("warn", "echo") or name.endswith(("Error", "Exception", "Warning")):
                yield node
        elif isinstance(node, ast.Raise) and node.exc is not None:
            yield node.exc


def _strings(node: ast.AST) -> list[str]:
    return [n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)]


def _messages():
    for path in _library_files():
        with open(path, encoding="utf-8") as handle:
            tree = ast.parse(handle.read(), path)
        for call in _message_calls(tree):
            yield os.path.relpath(path, ROOT), call


def test_no_library_message_names_a_flag():
    found = [f"{path}:{call.lineno}: {text!r}" for path, call in _messages() for text in _strings(call)
             if FLAG.search(text)]
    assert not found, "library messages must name Python parameters (params=...), not flags:\n" + "\n".join(found)


def test_the_scan_finds_a_flag():
    call = ast.parse('raise InputError(f"lower --min-count {n}")').body[0]
    assert [text for node in _message_calls(call) for text in _strings(node) if FLAG.search(text)]


def _cli_flags() -> set[str]:
    flags: set[str] = set()
    for command in cli.commands.values():
        for param in command.params:
            if isinstance(param, click.Option):
                flags.update(opt for opt in param.opts + param.secondary_opts if opt.startswith("--"))
    return flags


def test_every_named_parameter_is_in_its_message_and_is_a_flag():
    flags = _cli_flags()
    checked = 0
    for path, call in _messages():
        if not isinstance(call, ast.Call):
            continue
        params = next((kw.value for kw in call.keywords if kw.arg == "params"), None)
        if params is None:
            continue
        names = ast.literal_eval(params)
        text = "".join(_strings(call.args[0])) if call.args else ""
        for name in names:
            assert re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text), f"{path}:{call.lineno}: {name}"
            assert flag_for(name) in flags, f"{path}:{call.lineno}: {name} -> {flag_for(name)} is no flag"
            checked += 1
    assert checked >= 15
