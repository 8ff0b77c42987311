"""Silent replacement (issue 19, class 3): `-o` onto an artifact of another kind, outputs inside their own
inputs, and corpus folders that also hold our artifacts.

Every refusal is one line, exit 1, before any work, and leaves what was there byte for byte; `--force`
replaces an artifact of another kind, but never lifts the output-inside-input rule.
"""
from __future__ import annotations

import numpy as np
import pytest

from _reliability_helpers import (assert_clean_exit, assert_nothing_written, assert_user_error, run, snapshot,
                                        stray_temps, tiny_corpus, tiny_trained, train_args)
from wordvec.errors import WordvecError
from wordvec.io.outputs import artifact_kind, check_output, replacing_allowed
from wordvec.io.vectors import WordVectors
from wordvec.io.vocab import Vocabulary

Q = ["--tokenizer", "whitespace", "--min-count", "1", "--workers", "1", "-q"]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    made = tiny_trained(tmp_path_factory.mktemp("overwrite"))
    root, corpus, cache = made["root"], made["corpus"], made["cache"]
    assert run("count", corpus, "-o", root / "counts", "--window", "3", "--cache-dir", cache, *Q).exit_code == 0
    return root, corpus, cache


def _copy(src, dst):
    import shutil

    shutil.copytree(src, dst)
    return dst


@pytest.mark.parametrize("command", ["count", "count-shards", "tokenize", "merge"])
def test_writing_counts_or_tokens_onto_a_model_is_refused(built, tmp_path, command):
    root, corpus, cache = built
    model = _copy(root / "model", tmp_path / "model")
    before = snapshot(model)
    args = {
        "count": ["count", corpus, "-o", model, "--cache-dir", cache, *Q],
        "count-shards": ["count", corpus, "-o", model, "--shards", "--cache-dir", cache, *Q],
        "tokenize": ["tokenize", corpus, "-o", model, "--tokenizer", "whitespace", "--workers", "1", "-q"],
        "merge": ["merge", root / "counts", "-o", model, "-q"],
    }[command]
    line = assert_user_error(run(*args), "model directory", "--force")
    assert str(model) in line
    assert_nothing_written(model, before)


def test_force_replaces_an_artifact_of_another_kind(built, tmp_path):
    root, corpus, cache = built
    model = _copy(root / "model", tmp_path / "model")
    assert_clean_exit(run("count", corpus, "-o", model, "--cache-dir", cache, "--force", *Q), 0)
    assert artifact_kind(model) == "wordvec-cooccurrence"
    assert stray_temps(tmp_path) == []


def test_training_onto_counts_is_refused(built, tmp_path):
    root, corpus, cache = built
    counts = _copy(root / "counts", tmp_path / "counts")
    before = snapshot(counts)
    assert_user_error(run(*train_args(corpus, counts, cache)), "counts directory")
    assert_nothing_written(counts, before)


def test_retraining_the_same_kind_is_allowed(built, tmp_path):
    root, corpus, cache = built
    model = _copy(root / "model", tmp_path / "model")
    assert_clean_exit(run(*train_args(corpus, model, cache)), 0)


def test_import_gensim_onto_counts_is_refused(built, tmp_path):
    root, _, _ = built
    counts = _copy(root / "counts", tmp_path / "counts")
    before = snapshot(counts)
    fake = tmp_path / "g.model"
    fake.write_bytes(b"not a pickle")
    assert_user_error(run("import-gensim", fake, "-o", counts), "counts directory")
    assert_nothing_written(counts, before)


def test_export_into_the_model_it_reads_is_refused(built, tmp_path):
    root, _, _ = built
    model = _copy(root / "model", tmp_path / "model")
    before = snapshot(model)
    for force in ([], ["--force"]):
        assert_user_error(run("export", model, "-o", model / "vectors.npy", *force), "inside the input")
    assert_nothing_written(model, before)


def test_export_into_another_model_needs_force(built, tmp_path):
    root, _, _ = built
    other = _copy(root / "model", tmp_path / "other")
    before = snapshot(other)
    assert_user_error(run("export", root / "model", "-o", other / "vocab.tsv"), "model directory", "--force")
    assert_nothing_written(other, before)


def test_vocab_into_a_model_is_refused(built, tmp_path):
    root, corpus, cache = built
    model = _copy(root / "model", tmp_path / "model")
    before = snapshot(model)
    result = run("vocab", corpus, "-o", model / "vocab.tsv", "--cache-dir", cache, *Q)
    assert_user_error(result, "model directory")
    assert_nothing_written(model, before)


def test_train_into_the_input_folder_is_refused(tmp_path):
    corpus_dir = tmp_path / "corpus"
    corpus_dir.mkdir()
    tiny_corpus(corpus_dir / "a.txt")
    result = run(*train_args(corpus_dir, corpus_dir / "model", tmp_path / "cache"))
    assert_user_error(result, "inside the input")
    assert not (corpus_dir / "model").exists()
    assert stray_temps(corpus_dir) == []


@pytest.mark.parametrize("force", [[], ["--force"]])
def test_merge_into_one_of_its_inputs_is_refused(built, tmp_path, force):
    root, _, _ = built
    counts = _copy(root / "counts", tmp_path / "counts")
    before = snapshot(counts)
    assert_user_error(run("merge", counts, root / "counts", "-o", counts, "-q", *force), "is the input")
    assert_nothing_written(counts, before)


def test_input_inside_the_output_is_refused(built, tmp_path):
    root, corpus, cache = built
    counts = _copy(root / "counts", tmp_path / "counts")
    (counts / "extra.txt").write_text(corpus.read_text(encoding="utf-8"), encoding="utf-8")
    before = snapshot(counts)
    result = run("count", counts / "extra.txt", "-o", counts, "--cache-dir", cache, *Q)
    assert_user_error(result, "inside -o")
    assert_nothing_written(counts, before)


def test_corpus_folder_holding_our_artifacts_reads_only_the_text(built, tmp_path):
    """A corpus folder that also holds a model, counts and a checkpoint: their files are not corpus text."""
    root, corpus, cache = built
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "a.txt").write_text(corpus.read_text(encoding="utf-8"), encoding="utf-8")
    _copy(root / "model", folder / "old_model")
    _copy(root / "counts", folder / "old_counts")
    result = run("tokenize", folder, "--tokenizer", "whitespace", "--workers", "1", "--cache-dir", tmp_path / "c",
                 "--json")
    assert_clean_exit(result, 0)
    import json

    summary = json.loads(result.stdout)
    assert summary["files"] == 1, summary
    assert summary["tokens"] == 2400, summary


def test_python_api_refuses_another_kind_unless_allowed(built, tmp_path):
    root, _, _ = built
    counts = _copy(root / "counts", tmp_path / "counts")
    emb = WordVectors(np.ones((2, 2), np.float32), Vocabulary(["甲", "乙"], [2, 1]), {"kind": "pmi"})
    with pytest.raises(WordvecError, match="counts directory"):
        emb.save(counts)
    assert artifact_kind(counts) == "wordvec-cooccurrence"
    with replacing_allowed():
        emb.save(counts)
    assert artifact_kind(counts) == "wordvec-model"


def test_check_output_unit(tmp_path):
    (tmp_path / "in").mkdir()
    check_output(tmp_path / "out", "wordvec-model", [tmp_path / "in", "-"])
    with pytest.raises(WordvecError, match="is the input"):
        check_output(tmp_path / "in", "wordvec-model", [tmp_path / "in"], force=True)
    with pytest.raises(WordvecError, match="inside the input"):
        check_output(tmp_path / "in" / "deep" / "x", None, [tmp_path / "in"])
