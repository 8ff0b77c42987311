"""Co-occurrence counting (SPEC a.3-a.5): toy example, reference counter, threads, budgets, files, merge."""
from __future__ import annotations

import json
import math
import os
from collections import Counter, defaultdict

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from wordvec.corpora.cooccur import Cooccurrence, parse_memory
from wordvec.corpora.counter import count_cooccurrences
from wordvec.corpora.counter import count_to_directory, count_to_shards
from wordvec.corpora.merge import merge_counts
from wordvec.io.vocab import Vocabulary
from wordvec.errors import CorruptFileError, InputError, MismatchError


class StandIn:
    """A token cache stand-in (duck typing: .vocab, .ids, .line_offsets, .meta)."""

    def __init__(self, lines, vocab=None):
        self.vocab = vocab or Vocabulary.from_counts(Counter(w for line in lines for w in line))
        self.ids = np.array([self.vocab[w] for line in lines for w in line], np.uint32)
        self.line_offsets = np.concatenate([[0], np.cumsum([len(l) for l in lines])]).astype(np.int64)
        self.meta = {"tokenizer": {"mode": "whitespace"}, "sources": [{"path": "test"}]}


def reference_counts(cache, min_count, window, weighted, max_vocab=0):
    """Plain-Python SPEC a.3: drop pruned tokens, window per line, +1 (or 1/d) to both orientations."""
    v = len(cache.vocab.prune(min_count, max_vocab))
    x = np.zeros((v, v))
    offs = cache.line_offsets
    for k in range(len(offs) - 1):
        line = [t for t in cache.ids[offs[k]:offs[k + 1]].tolist() if t < v]
        for p, w2 in enumerate(line):
            for d in range(1, window + 1):
                if p - d < 0:
                    break
                w1 = line[p - d]
                inc = 1.0 / d if weighted else 1.0
                x[w1, w2] += inc
                x[w2, w1] += inc
    return x


TOY = [s.split() for s in ["我 爱 北京 天安门", "我 爱 北京", "北京 天安门 广场"]]


def test_spec_a5_toy_example():
    co = count_cooccurrences(StandIn(TOY), min_count=1, window=2)
    assert co.vocab.words == ["北京", "天安门", "我", "爱", "广场"]
    assert co.total_tokens == 10 and co.z == 22
    x = co.matrix.toarray()
    assert np.array_equal(x, x.T)
    ix = co.vocab.index
    pairs = {("北京", "天安门"): 2, ("北京", "我"): 2, ("北京", "爱"): 2, ("北京", "广场"): 1,
             ("天安门", "广场"): 1, ("天安门", "爱"): 1, ("我", "爱"): 2}
    want = np.zeros((5, 5))
    for (a, b), c in pairs.items():
        want[ix[a], ix[b]] = want[ix[b], ix[a]] = c
    assert np.array_equal(x, want)

    def pmi(a, b):  # SPEC a.4
        t, z = co.total_tokens, co.z
        return math.log((x[ix[a], ix[b]] / z) / ((co.vocab.counts[ix[a]] / t) * (co.vocab.counts[ix[b]] / t)))

    assert pmi("我", "爱") == pytest.approx(0.8210, abs=1e-4)
    assert pmi("北京", "天安门") == pytest.approx(0.4155, abs=1e-4)
    assert pmi("天安门", "爱") == pytest.approx(0.1278, abs=1e-4)
    assert pmi("天安门", "广场") == pytest.approx(0.8210, abs=1e-4)
    weight = lambda v: (v / 100) ** 0.75  # SPEC b.2
    assert weight(2) == pytest.approx(0.0532, abs=1e-4) and weight(1) == pytest.approx(0.0316, abs=1e-4)


def test_oov_never_takes_a_position_and_lines_reset():
    lines = [["a", "rare", "b"], ["b", "a"], ["c"]] + [["a", "b", "c"]] * 2
    co = count_cooccurrences(StandIn(lines), min_count=2, window=1)
    ix = co.vocab.index
    assert "rare" not in ix
    assert co.matrix[ix["a"], ix["b"]] == 4  # a-rare-b counts as adjacent; line 2 adds one; 2 x (a b c)
    assert co.matrix[ix["a"], ix["c"]] == 0


words = st.sampled_from([f"w{i}" for i in range(60)] + ["w0"] * 20 + ["w1"] * 10 + ["w2"] * 5)
corpora = st.lists(st.lists(words, max_size=40), min_size=1, max_size=60)


@settings(max_examples=100, deadline=None)
@given(corpora, st.integers(1, 3), st.integers(1, 6), st.booleans(), st.sampled_from([None, 1 << 16, 200_000]),
       st.integers(1, 3), st.sampled_from([0, 0, 5, 30]), st.sampled_from([0.35, 0.01, 0.0]))
def test_counter_equals_reference(lines, min_count, window, weighted, memory, threads, max_vocab, dense):
    from unittest import mock

    from wordvec.corpora import plan

    cache = StandIn(lines)
    if len(cache.vocab.prune(min_count, max_vocab)) == 0:
        with pytest.raises(InputError):
            count_cooccurrences(cache, min_count=min_count, max_vocab=max_vocab, window=window)
        return
    # a small dense share and a 64K budget push most pairs through buffers, runs and on-disk shards
    with mock.patch.object(plan, "DENSE_FRACTION", dense), mock.patch.object(plan, "PARALLEL_MIN_EVENTS", 0), \
            tiny_buffers():
        co = count_cooccurrences(cache, min_count=min_count, max_vocab=max_vocab, window=window,
                                 distance_weighting=weighted, memory=memory, threads=threads)
    want = reference_counts(cache, min_count, window, weighted, max_vocab)
    got = co.matrix.toarray()
    if weighted:
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=0)
    else:
        assert np.array_equal(got, want)
    assert co.matrix.has_sorted_indices and co.matrix.dtype == np.float64
    assert co.total_tokens == co.vocab.total
    assert co.z == pytest.approx(want.sum() - np.trace(want))


def zipf_corpus(n_lines=3000, seed=0):
    rng = np.random.default_rng(seed)
    vocab = [f"t{i}" for i in range(3000)]
    lines = []
    for _ in range(n_lines):
        n = int(rng.integers(0, 30))
        lines.append([vocab[min(int(i), 2999) - 1] for i in rng.zipf(1.2, n)])
    return StandIn(lines)


def tiny_buffers():
    """Drop the buffer floors of corpora/plan.py and corpora/shards.py, so that small budgets on small corpora
    still go through many buffers, runs, spills and merge blocks."""
    from contextlib import ExitStack
    from unittest import mock

    from wordvec.corpora import plan, shards

    stack = ExitStack()
    stack.enter_context(mock.patch.object(plan, "MIN_BUFFER_EVENTS", 0))
    stack.enter_context(mock.patch.object(plan, "MIN_BLOCK_ENTRIES", 0))
    stack.enter_context(mock.patch.object(shards, "MIN_READ_ENTRIES", 16))
    return stack


def test_threads_and_budgets_give_identical_matrices(tmp_path, monkeypatch):
    from wordvec.corpora import plan, shards

    monkeypatch.setattr(plan, "PARALLEL_MIN_EVENTS", 0)  # threads even with tiny buffers
    monkeypatch.setattr(plan, "MIN_BUFFER_EVENTS", 0)
    monkeypatch.setattr(plan, "MIN_BLOCK_ENTRIES", 0)
    monkeypatch.setattr(shards, "MIN_READ_ENTRIES", 16)
    cache = zipf_corpus(1000)
    for weighted in (False, True):
        base = count_cooccurrences(cache, min_count=2, window=5, distance_weighting=weighted, threads=1)
        for threads, memory in ((2, None), (2, 1 << 16), (3, 300_000)):
            other = count_cooccurrences(cache, min_count=2, window=5, distance_weighting=weighted,
                                        threads=threads, memory=memory)
            assert (base.matrix != other.matrix).nnz == 0
            assert np.array_equal(base.matrix.indices, other.matrix.indices)
        count_to_directory(cache, tmp_path / f"d{weighted}", {}, min_count=2, window=5,
                           distance_weighting=weighted, memory=1 << 16)
        loaded = Cooccurrence.load(tmp_path / f"d{weighted}")
        assert (loaded.matrix != base.matrix).nnz == 0 and loaded.vocab == base.vocab
        assert loaded.z == pytest.approx(base.z, rel=1e-12)


def test_save_load_roundtrip_and_corruption(tmp_path):
    co = count_cooccurrences(zipf_corpus(500), min_count=1, window=3)
    out = tmp_path / "counts"
    co.save(out)
    assert sorted(os.listdir(out)) == ["cooccurrence.npz", "meta.json", "vocab.tsv"]
    back = Cooccurrence.load(out)
    assert (back.matrix != co.matrix).nnz == 0 and back.vocab == co.vocab
    meta = json.loads((out / "meta.json").read_text())
    for key in ("window", "distance_weighting", "vocab_checksum", "total_tokens", "z", "nnz", "min_count",
                "max_vocab", "tokenizer", "sources", "version"):
        assert key in meta
    assert sp.load_npz(out / "cooccurrence.npz").shape == co.matrix.shape

    def broken(edit, err, words):
        bad = tmp_path / f"bad{len(os.listdir(tmp_path))}"
        co.save(bad)
        edit(bad)
        with pytest.raises(err) as info:
            Cooccurrence.load(bad)
        msg = str(info.value)
        assert "\n" not in msg and all(w in msg for w in words)

    def future(d):
        m = json.loads((d / "meta.json").read_text())
        m["version"] = 99
        (d / "meta.json").write_text(json.dumps(m))

    broken(future, CorruptFileError, ["meta.json", "version"])
    broken(lambda d: (d / "vocab.tsv").write_text("x\t1\n"), MismatchError, ["vocab.tsv", "different vocabulary",
                                                                            "wordvec count"])
    broken(lambda d: (d / "cooccurrence.npz").write_bytes(b"garbage"), CorruptFileError, ["cooccurrence.npz"])
    raw = (out / "cooccurrence.npz").read_bytes()
    broken(lambda d: (d / "cooccurrence.npz").write_bytes(raw[: len(raw) // 2]), CorruptFileError,
           ["cooccurrence.npz"])

    def unsealed(d):  # an older counts directory (no file checksums): the matrix checks are what notices
        meta = json.loads((d / "meta.json").read_text())
        del meta["checksums"]
        (d / "meta.json").write_text(json.dumps(meta))

    def asym(d):
        m = co.matrix.tolil()
        m[0, 1] = m[0, 1] + 1
        sp.save_npz(d / "cooccurrence.npz", m.tocsr())
        unsealed(d)

    broken(asym, CorruptFileError, ["symmetric"])

    def nan(d):
        m = co.matrix.copy()
        m.data[0] = np.nan
        sp.save_npz(d / "cooccurrence.npz", m)
        unsealed(d)

    broken(nan, CorruptFileError, ["NaN"])
    broken(lambda d: (d / "meta.json").unlink(), CorruptFileError, ["meta.json"])


def test_merge_halves_equals_whole(tmp_path):
    cache = zipf_corpus(800, seed=3)
    n = cache.line_offsets.size // 2

    def part(lo, hi):
        sub = StandIn([], vocab=cache.vocab)
        start, stop = cache.line_offsets[lo], cache.line_offsets[hi]
        sub.ids = cache.ids[start:stop].copy()
        sub.line_offsets = cache.line_offsets[lo:hi + 1] - start
        counts = np.bincount(sub.ids, minlength=len(cache.vocab))
        sub.vocab = Vocabulary(cache.vocab.words, counts)
        return sub

    whole = count_cooccurrences(cache, min_count=1, window=4)
    a, b = part(0, n), part(n, cache.line_offsets.size - 1)
    # union vocabularies (each half has its own frequency order), one as counts dir, one as shard dir
    keep_a = Vocabulary(*zip(*[(w, c) for w, c in zip(a.vocab.words, a.vocab.counts.tolist()) if c]))
    a.vocab = Vocabulary.from_counts(dict(zip(keep_a.words, keep_a.counts.tolist())))
    remap = np.array([a.vocab.index.get(w, 0) for w in cache.vocab.words], np.uint32)
    a.ids = remap[a.ids]
    count_cooccurrences(a, min_count=1, window=4).save(tmp_path / "a")
    b.vocab = Vocabulary.from_counts({w: c for w, c in zip(b.vocab.words, b.vocab.counts.tolist()) if c})
    remap = np.array([b.vocab.index.get(w, 0) for w in cache.vocab.words], np.uint32)
    b.ids = remap[b.ids]
    count_to_shards(b, tmp_path / "b", {}, min_count=1, window=4, memory=1 << 16)
    merged = merge_counts([str(tmp_path / "a"), str(tmp_path / "b")])
    assert merged.vocab == whole.vocab
    assert (merged.matrix != whole.matrix).nnz == 0
    assert merged.total_tokens == whole.total_tokens and merged.z == whole.z
    # same vocabulary: a plain cell-by-cell sum with summed unigram counts
    twice = merge_counts([str(tmp_path / "a"), str(tmp_path / "a")])
    once = Cooccurrence.load(tmp_path / "a")
    assert twice.vocab.words == once.vocab.words and twice.total_tokens == 2 * once.total_tokens
    assert (twice.matrix != 2 * once.matrix).nnz == 0
    count_cooccurrences(cache, min_count=1, window=5).save(tmp_path / "w5")
    with pytest.raises(MismatchError, match="window"):
        merge_counts([str(tmp_path / "a"), str(tmp_path / "w5")])


def test_parse_memory():
    assert parse_memory("2G") == 2 << 30 and parse_memory("64M") == 64 << 20 and parse_memory("512k") == 512 << 10
    assert parse_memory("1000") == 1000 and parse_memory(None) is None
    for bad in ("", "abc", "-1G", "0", "1X"):
        with pytest.raises(InputError):
            parse_memory(bad)


def test_zh_small_budget_100x_below_gives_identical_matrix(shared_data, tmp_path):
    path = shared_data("corpora/zh_small.txt.xz")
    from wordvec.corpora.cache import build_token_cache
    from wordvec.corpora.tokenize import TokenizerSettings

    cache = build_token_cache([str(path)], TokenizerSettings())  # shared with other tests via the session cache
    full = count_cooccurrences(cache, min_count=5, window=10)
    peak = 40 * full.matrix.nnz  # lower bound of the unconstrained working set (bytes)
    small = count_to_directory(cache, tmp_path / "small", {}, min_count=5, window=10, memory=max(1 << 16, peak // 100))
    loaded = Cooccurrence.load(tmp_path / "small")
    assert (loaded.matrix != full.matrix).nnz == 0 and small["nnz"] == full.matrix.nnz
