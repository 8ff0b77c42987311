"""Fuzzing meta.json values and vocab.tsv lines of every artifact kind (issue 19): model directory, token
cache, counts directory, shard directory, training checkpoint (its state.json). Any JSON value in any field
(top level and nested ones), and any line in vocab.tsv (with and without file checksums), may only make the
loader raise a one-line ``WordvecError`` — never another exception."""
from __future__ import annotations

import json
import os
import shutil
import tempfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from _reliability_helpers import run, tiny_corpus, train_args
from wordvec.errors import WordvecError

FUZZ = settings(max_examples=int(os.environ.get("WORDVEC_FUZZ_EXAMPLES", 60)), deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

JSON = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=8,
)


def _loaders():
    from wordvec.corpora.cache import TokenCache
    from wordvec.corpora.cooccur import Cooccurrence
    from wordvec.corpora.merge import load_counts_any
    from wordvec.io.vectors import WordVectors

    from wordvec.train.checkpoint import load_checkpoint

    return {
        "model": lambda p: WordVectors.load(p, mmap=True),
        "cache": lambda p: TokenCache.load(p, mmap=True),
        "counts": Cooccurrence.load,
        "shards": load_counts_any,
        "checkpoint": lambda p: load_checkpoint(p, CHECKPOINT_PARAMS, CHECKPOINT_COUNTS),
    }


CHECKPOINT_PARAMS = {"dim": 4, "lr": 0.4, "x_max": 100.0, "alpha": 0.5, "truncate": False, "both_orientations": False,
                     "cds": 0.75, "prior_count": 0.0, "independence_weight": 0.001, "neg": 0.0, "neg_weight": None,
                     "seed": 1, "dtype": "float32"}
CHECKPOINT_COUNTS = {"vocab_checksum": "0123456789abcdef", "nnz": 10, "total": 20.0}
META_FILES = {"checkpoint": "state.json"}


@pytest.fixture(scope="module")
def artifacts(tmp_path_factory):
    root = tmp_path_factory.mktemp("artifacts")
    corpus = tiny_corpus(root / "c.txt", lines=120)
    cache_dir = root / "cache"
    common = ["--tokenizer", "whitespace", "--min-count", "1", "--workers", "1", "--cache-dir", cache_dir, "-q"]
    assert run(*train_args(corpus, root / "model", cache_dir)).exit_code == 0
    assert run("count", corpus, "-o", root / "counts", "--window", "3", *common).exit_code == 0
    assert run("count", corpus, "-o", root / "shards", "--window", "3", "--shards", *common).exit_code == 0
    assert run("tokenize", corpus, "-o", root / "tokens", "--tokenizer", "whitespace", "--workers", "1",
               "-q").exit_code == 0
    from wordvec.train.checkpoint import save_checkpoint

    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(6, 4)).astype(np.float32)
    save_checkpoint(root / "ckpt", {"vectors": vectors, "accum": np.abs(vectors), "epoch": 2, "loss": [0.5, 0.25],
                                    "seconds": [0.1, 0.1]}, CHECKPOINT_PARAMS, CHECKPOINT_COUNTS)
    found = {"model": root / "model", "counts": root / "counts", "shards": root / "shards", "cache": root / "tokens",
             "checkpoint": root / "ckpt"}
    for kind, path in found.items():
        assert (path / META_FILES.get(kind, "meta.json")).is_file(), kind
        _loaders()[kind](path)  # the clean artifact loads
    return found


def _must_be_ours(call) -> None:
    try:
        call()
    except WordvecError as err:
        assert "\n" not in str(err), str(err)


def _copy(path) -> str:
    work = tempfile.mkdtemp(prefix="wordvec-fuzz-meta-")
    target = os.path.join(work, "a")
    shutil.copytree(path, target)
    return target


KINDS = ["model", "cache", "counts", "shards", "checkpoint"]
VOCAB_KINDS = ["model", "cache", "counts", "shards"]  # a checkpoint has no vocab.tsv


@pytest.mark.parametrize("kind", KINDS)
@FUZZ
@given(data=st.data())
def test_any_value_in_any_meta_field(artifacts, kind, data):
    target = _copy(artifacts[kind])
    try:
        meta_file = os.path.join(target, META_FILES.get(kind, "meta.json"))
        with open(meta_file, encoding="utf-8") as handle:
            meta = json.load(handle)
        keys = sorted(meta) + ["tokenizer.mode", "tokenizer.hmm", "tokenizer.max_line_chars", "extras.x",
                               "checksums.vocab.tsv", "checksums.vectors.npy", "params.dim", "counts.nnz"]
        key = data.draw(st.sampled_from(keys))
        value = data.draw(JSON)
        if "." in key:
            outer, inner = key.split(".", 1)
            if not isinstance(meta.get(outer), dict):
                meta[outer] = {}
            meta[outer][inner] = value
        else:
            meta[key] = value
        with open(meta_file, "w", encoding="utf-8") as handle:
            json.dump(meta, handle, ensure_ascii=False)
        _must_be_ours(lambda: _loaders()[kind](target))
    finally:
        shutil.rmtree(os.path.dirname(target), ignore_errors=True)


LINE = st.one_of(
    st.text(max_size=20),
    st.builds(lambda w, c: f"{w}\t{c}", st.text(max_size=6), st.integers(min_value=-(2**80), max_value=2**80)),
    st.builds(lambda w, c: f"{w}\t{c}", st.text(max_size=6), st.text(max_size=25)),
)


@pytest.mark.parametrize("sealed", [True, False], ids=["with-checksums", "without"])
@pytest.mark.parametrize("kind", VOCAB_KINDS)
@FUZZ
@given(lines=st.lists(LINE, min_size=1, max_size=4), where=st.integers(min_value=0, max_value=20))
def test_any_line_in_vocab_tsv(artifacts, kind, sealed, lines, where):
    """With checksums a changed vocab.tsv is caught by them (after it parses); without (an older artifact)
    the parser and the count checks must catch it on their own."""
    target = _copy(artifacts[kind])
    try:
        if not sealed:
            meta_file = os.path.join(target, "meta.json")
            with open(meta_file, encoding="utf-8") as handle:
                meta = json.load(handle)
            meta.pop("checksums", None)
            with open(meta_file, "w", encoding="utf-8") as handle:
                json.dump(meta, handle, ensure_ascii=False)
        vocab_file = os.path.join(target, "vocab.tsv")
        with open(vocab_file, encoding="utf-8") as handle:
            existing = handle.read().split("\n")
        where = min(where, len(existing))
        with open(vocab_file, "w", encoding="utf-8", newline="") as handle:
            handle.write("\n".join(existing[:where] + lines + existing[where:]))
        _must_be_ours(lambda: _loaders()[kind](target))
    finally:
        shutil.rmtree(os.path.dirname(target), ignore_errors=True)
