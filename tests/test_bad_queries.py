"""Issue 7 battery, queries with unknown, empty or missing words (wordvec.query, cli).
What every case checks is said in tests/_bad_input_fixtures.py.
"""
from __future__ import annotations

import json

import pytest

from _reliability_helpers import assert_clean_exit, assert_user_error, run
from _bad_input_fixtures import base  # noqa: F401  (pytest fixtures)

pytest.importorskip("wordvec.corpora.cooccur", reason="counting stage not available yet")


# --- queries ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("args", [["similar", "不存在"], ["similar", "甲", "不存在"], ["related", "不存在"],
                                  ["analogy", "甲", "不存在", "乙"], ["pmi", "甲", "不存在"],
                                  ["predict", "不存在", "也不存在"]],
                         ids=["similar", "similar-two", "related", "analogy", "pmi", "predict"])
def test_all_oov_query(base, args):
    assert_user_error(run(args[0], base["model"], *args[1:]), "不存在", "vocabulary")


def test_oov_query_on_word2vec_file(base):
    assert_user_error(run("similar", base["w2v"], "不存在"), "不存在", "vocabulary")


@pytest.mark.parametrize("command", ["keywords", "sentsim"])
def test_all_oov_text_is_a_note(base, command):
    texts = ["不存在 也不存在"] * (2 if command == "sentsim" else 1)
    res = run(command, base["model"], *texts, "--json")
    err = assert_clean_exit(res, 0)
    assert [line for line in err.splitlines() if line.strip()] and all(
        line.startswith("note:") and "vocabulary" in line for line in err.splitlines() if line.strip())


@pytest.mark.parametrize("args", [["similar", ""], ["related", ""], ["similar", "  "]], ids=["similar", "related",
                                                                                            "similar-blank"])
def test_empty_query_word(base, args):
    assert_user_error(run(args[0], base["model"], *args[1:]))


def test_empty_query_text(base):
    res = run("keywords", base["model"], "", "--json")
    err = assert_clean_exit(res, 0)
    assert json.loads(res.stdout) == [] and "note:" in err
    res = run("keywords", base["model"], "--json", input="")
    assert_clean_exit(res, 0)
    assert res.stdout.strip() == ""


def test_no_query_word_is_usage_error(base):
    assert_clean_exit(run("similar", base["model"]), 2)
