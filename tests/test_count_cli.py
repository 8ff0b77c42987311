"""`wordvec count` and `wordvec merge`: outputs, stats, and one-line errors with nothing half-written."""
from __future__ import annotations

import json
import os

import numpy as np
import pytest
from click.testing import CliRunner

from wordvec.cli.main import cli
from wordvec.corpora.cooccur import Cooccurrence

TEXT = "我 爱 北京 天安门\n我 爱 北京\n北京 天安门 广场\n"


def run(*args):
    result = CliRunner().invoke(cli, [str(a) for a in args])
    return result


def one_line_error(result):
    assert result.exit_code == 1, result.output
    lines = [l for l in result.output.splitlines() if l.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in result.output
    return lines[0]


@pytest.fixture
def toy(tmp_path):
    path = tmp_path / "toy.txt"
    path.write_text(TEXT, encoding="utf-8")
    return path


def test_count_toy_and_stats(toy, tmp_path):
    out = tmp_path / "counts"
    result = run("count", toy, "-o", out, "--window", 2, "--min-count", 1, "--tokenizer", "whitespace",
                 "--stats", "--json", "-q")
    assert result.exit_code == 0, result.output
    stats = json.loads(result.output.strip().splitlines()[-1])
    assert stats["total_tokens"] == 10 and stats["z"] == 22 and stats["vocab_size"] == 5 and stats["nnz"] == 14
    co = Cooccurrence.load(out)
    x, ix, counts = co.matrix.toarray(), co.vocab.index, co.vocab.counts
    mi = sum(x[i, j] / 22 * np.log(x[i, j] / 22 / (counts[i] / 10 * counts[j] / 10))
             for i in range(5) for j in range(5) if i != j and x[i, j])
    assert stats["mutual_information"] == pytest.approx(mi)
    assert x[ix["我"], ix["爱"]] == 2
    meta = json.loads((out / "meta.json").read_text())
    assert meta["tokenizer"]["mode"] == "whitespace" and meta["min_count"] == 1 and meta["window"] == 2
    # the plain table form, a bounded budget, and a token cache folder as input give the same counts
    result = run("count", toy, "-o", tmp_path / "c2", "--window", 2, "--min-count", 1, "--tokenizer", "whitespace",
                 "--memory", "64K", "--threads", 1, "--stats")
    assert result.exit_code == 0 and "mutual information" in result.output
    assert (Cooccurrence.load(tmp_path / "c2").matrix != co.matrix).nnz == 0


def test_count_shards_then_merge(toy, tmp_path):
    for name in ("s1", "s2"):
        result = run("count", toy, "-o", tmp_path / name, "--window", 2, "--min-count", 1, "--tokenizer",
                     "whitespace", "--shards", "-q")
        assert result.exit_code == 0, result.output
        assert json.loads((tmp_path / name / "meta.json").read_text())["format"] == "wordvec-cooccurrence-shards"
    result = run("merge", tmp_path / "s1", tmp_path / "s2", "-o", tmp_path / "m", "--json")
    assert result.exit_code == 0, result.output
    merged = Cooccurrence.load(tmp_path / "m")
    assert merged.total_tokens == 20 and merged.z == 44
    result = run("count", toy, "-o", tmp_path / "w3", "--window", 3, "--min-count", 1, "--tokenizer",
                 "whitespace", "-q")
    msg = one_line_error(run("merge", tmp_path / "s1", tmp_path / "w3", "-o", tmp_path / "bad"))
    assert "window" in msg and not os.path.exists(tmp_path / "bad")
    msg = one_line_error(run("merge", tmp_path / "nowhere", "-o", tmp_path / "bad"))
    assert "nowhere" in msg and not os.path.exists(tmp_path / "bad")


@pytest.mark.parametrize("memory", ["abc", "-5M", "0", "12Q"])
def test_bad_memory_value(toy, tmp_path, memory):
    out = tmp_path / "out"
    result = run("count", toy, "-o", out, "--memory", memory, "--tokenizer", "whitespace")
    assert result.exit_code == 2 and "--memory" in result.output and "Traceback" not in result.output
    assert not os.path.exists(out) and not [p for p in os.listdir(tmp_path) if p.startswith(".out")]


def test_missing_and_empty_input(tmp_path):
    out = tmp_path / "out"
    msg = one_line_error(run("count", tmp_path / "missing.txt", "-o", out, "--tokenizer", "whitespace"))
    assert "missing.txt" in msg
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    one_line_error(run("count", empty, "-o", out, "--tokenizer", "whitespace"))
    rare = tmp_path / "rare.txt"
    rare.write_text("a b c\n")
    msg = one_line_error(run("count", rare, "-o", out, "--tokenizer", "whitespace", "--min-count", 5))
    assert "min-count" in msg
    assert not os.path.exists(out) and not [p for p in os.listdir(tmp_path) if p.startswith(".out")]


def test_output_is_a_file(toy, tmp_path):
    target = tmp_path / "file"
    target.write_text("keep")
    one_line_error(run("count", toy, "-o", target, "--tokenizer", "whitespace"))
    assert target.read_text() == "keep"


def test_usage_error_exit_2(toy):
    assert run("count", toy).exit_code == 2  # -o missing


def test_token_cache_folder_as_input(toy, tmp_path):
    from wordvec.corpora.cache import build_token_cache
    from wordvec.corpora.tokenize import TokenizerSettings

    build_token_cache([str(toy)], TokenizerSettings(mode="whitespace"), output=tmp_path / "tc")
    result = run("count", tmp_path / "tc", "-o", tmp_path / "c", "--window", 2, "--min-count", 1, "-q")
    assert result.exit_code == 0, result.output
    co = Cooccurrence.load(tmp_path / "c")
    assert co.total_tokens == 10 and co.z == 22


def test_count_corpus_reuses_cached_counts(toy, tmp_path, monkeypatch):
    from wordvec.corpora import pipeline
    from wordvec.corpora.tokenize import TokenizerSettings

    settings = TokenizerSettings(mode="whitespace")
    first = pipeline.count_corpus([str(toy)], settings, min_count=1, window=2, cache_dir=str(tmp_path / "cache"))
    assert first.z == 22

    def boom(*args, **kwargs):
        raise AssertionError("counted again")

    from wordvec.corpora import counter

    monkeypatch.setattr(counter, "count_cooccurrences", boom)
    again = pipeline.count_corpus([str(toy)], settings, min_count=1, window=2, cache_dir=str(tmp_path / "cache"))
    assert (again.matrix != first.matrix).nnz == 0 and again.vocab == first.vocab
    with pytest.raises(AssertionError, match="counted again"):  # other settings: a new count
        pipeline.count_corpus([str(toy)], settings, min_count=1, window=3, cache_dir=str(tmp_path / "cache"))
