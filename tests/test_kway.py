"""The memory-bounded on-disk merge (corpora/kway.py, issue 17): identical to the in-memory merge and to
counting everything at once, at a budget 100× below the default, with a bounded number of open files."""
from __future__ import annotations

import os

import numpy as np
import pytest

from wordvec.corpora import kway
from wordvec.corpora.cooccur import Cooccurrence
from wordvec.corpora.counter import count_cooccurrences, count_to_directory, count_to_shards
from wordvec.corpora.merge import merge_counts
from wordvec.errors import MismatchError
from wordvec.io.vocab import Vocabulary


class Cache:
    """A token cache made of word lines (enough for the counter)."""

    def __init__(self, lines, words=None):
        counts: dict[str, int] = {}
        for line in lines:
            for w in line:
                counts[w] = counts.get(w, 0) + 1
        self.vocab = Vocabulary.from_counts(counts)
        index = self.vocab.index
        self.ids = np.array([index[w] for line in lines for w in line], np.uint32)
        self.line_offsets = np.concatenate([[0], np.cumsum([len(line) for line in lines])]).astype(np.int64)
        self.meta = {}


def corpus(seed, n_lines=600, vocab=900):
    rng = np.random.default_rng(seed)
    words = [f"w{k}" for k in range(vocab)]
    ranks = np.minimum(rng.zipf(1.3, size=(n_lines, 30)), vocab) - 1
    return [[words[r] for r in row[: rng.integers(3, 30)]] for row in ranks]


@pytest.fixture(scope="module")
def parts(tmp_path_factory):
    root = tmp_path_factory.mktemp("kway")
    lines_a, lines_b, lines_c = corpus(1), corpus(2), corpus(3)
    out = {"root": root, "lines": lines_a + lines_b + lines_c}
    count_to_directory(Cache(lines_a), root / "a", {}, min_count=1, window=4)
    count_to_shards(Cache(lines_b), root / "b", {}, min_count=1, window=4, memory=1 << 17)  # many runs
    count_to_directory(Cache(lines_c), root / "c", {}, min_count=1, window=4)
    return out


def same(a: Cooccurrence, b: Cooccurrence) -> None:
    assert a.vocab.words == b.vocab.words and np.array_equal(a.vocab.counts, b.vocab.counts)
    for name in ("indptr", "indices", "data"):
        assert np.array_equal(getattr(a.matrix, name), getattr(b.matrix, name)), name


def test_bounded_merge_equals_in_memory_and_whole_count(parts, tmp_path):
    root = parts["root"]
    inputs = [str(root / n) for n in ("a", "b", "c")]
    memory = merge_counts(inputs)
    whole = count_cooccurrences(Cache(parts["lines"]), min_count=1, window=4)
    budget = kway.DEFAULT_MEMORY // 100
    meta = kway.merge_to_directory(inputs, str(tmp_path / "m"), memory=budget, tmp_dir=str(tmp_path / "w"))
    disk = Cooccurrence.load(tmp_path / "m")
    same(memory, disk)
    same(whole, disk)  # different vocabularies re-indexed to their union: the count of everything
    assert meta["nnz"] == disk.matrix.nnz and meta["z"] == pytest.approx(disk.z)
    assert os.listdir(tmp_path / "w") == []
    with open(root / "b" / "meta.json") as handle:  # the user's shard runs are left alone
        assert all(os.path.exists(root / "b" / (r + ".keys.npy")) for r in __import__("json").load(handle)["runs"])


def test_tiny_budget_and_fan_in_bound_open_files(parts, tmp_path, monkeypatch):
    root = parts["root"]
    inputs = [str(root / n) for n in ("b", "a", "b", "c")]
    ref = merge_counts(inputs)
    fds = lambda: len(os.listdir("/proc/self/fd"))  # noqa: E731
    seen = []
    real = kway.merge_runs

    def spy(prefixes, *args, **kwargs):
        seen.append((len(prefixes), fds()))
        return real(prefixes, *args, **kwargs)

    monkeypatch.setattr(kway, "merge_runs", spy)
    base = fds()
    kway.merge_to_directory(inputs, str(tmp_path / "m"), memory=1 << 16, fan_in=3, tmp_dir=str(tmp_path))
    same(ref, Cooccurrence.load(tmp_path / "m"))
    assert len(seen) > 3 and max(n for n, _ in seen) <= 3  # several levels, never more than fan_in runs
    assert max(f for _, f in seen) <= base + 8  # sink files + atomic dirs, not one per run
    assert not [n for n in os.listdir(tmp_path) if n.startswith(".wordvec-merge")]


def test_weighting_mismatch_and_weighted_merge(parts, tmp_path):
    root = parts["root"]
    lines = parts["lines"]
    count_to_directory(Cache(lines[:700]), tmp_path / "x", {}, min_count=1, window=4, distance_weighting=True)
    count_to_shards(Cache(lines[700:]), tmp_path / "y", {}, min_count=1, window=4, distance_weighting=True,
                    memory=1 << 17)
    with pytest.raises(MismatchError, match="distance_weighting"):
        kway.merge_to_directory([str(root / "a"), str(tmp_path / "x")], str(tmp_path / "bad"))
    kway.merge_to_directory([str(tmp_path / "x"), str(tmp_path / "y")], str(tmp_path / "m"), memory=1 << 16,
                            fan_in=2)
    whole = count_cooccurrences(Cache(lines), min_count=1, window=4, distance_weighting=True)
    same(whole, Cooccurrence.load(tmp_path / "m"))  # exact integer sums: equal to counting at once


def test_not_counts_values_are_refused(parts, tmp_path):
    import scipy.sparse as sp

    from wordvec.errors import InputError

    co = Cooccurrence.load(parts["root"] / "a")
    bent = Cooccurrence(sp.csr_matrix(co.matrix * 1.5), co.vocab, co.window, False, {})
    bent.save(tmp_path / "bent")
    with pytest.raises(InputError, match="not counts"):
        kway.merge_to_directory([str(tmp_path / "bent")], str(tmp_path / "m"))
    assert not (tmp_path / "m").exists()
