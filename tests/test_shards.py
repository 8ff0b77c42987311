"""Co-occurrence shards on their own (corpora/shards.py): sorted runs, LSM compaction, the k-way merge and its sinks."""
from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from wordvec.corpora import _kernels as K
from wordvec.corpora.shards import CsrDiskSink, CsrMemorySink, ShardWriter, merge_runs


def random_run(rng: np.random.Generator, V: int, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A sorted run of distinct cells (keys, values) and the same as a dense matrix."""
    bits = np.uint64(K.col_bits(V))
    rows = rng.integers(0, V, n).astype(np.uint64)
    cols = rng.integers(0, V, n).astype(np.uint64)
    keys = np.unique((rows << bits) | cols)
    vals = rng.integers(1, 50, len(keys)).astype(np.uint64)
    dense = np.zeros((V, V), np.int64)
    dense[(keys >> bits).astype(np.int64), (keys & ((np.uint64(1) << bits) - np.uint64(1))).astype(np.int64)] = vals
    return keys, vals, dense


@pytest.mark.parametrize("V", [1, 2, 37, 300])
@pytest.mark.parametrize("budget", [16, 1 << 20])
def test_runs_merge_to_their_sum_through_compaction(tmp_path, V, budget):
    rng = np.random.default_rng(V + budget)
    writer = ShardWriter(str(tmp_path), V, budget_entries=budget, fan_in=2)
    total = np.zeros((V, V), np.int64)
    for _ in range(7):
        keys, vals, dense = random_run(rng, V, 3 * V + 5)
        writer.add_sorted(keys, vals)
        total += dense
    writer.add_sorted(np.zeros(0, np.uint64), np.zeros(0, np.uint64))  # an empty run is not written
    assert len(writer.runs()) < 7  # fan_in 2: levels were compacted
    sink = CsrMemorySink(V)
    merge_runs(writer.runs(), V, sink, budget)
    assert np.array_equal(sink.matrix().toarray(), total)


def test_disk_sink_equals_memory_sink_and_tracks_z(tmp_path):
    rng = np.random.default_rng(3)
    V = 50
    writer = ShardWriter(str(tmp_path), V, budget_entries=64, fan_in=4)
    total = np.zeros((V, V), np.int64)
    for _ in range(5):
        keys, vals, dense = random_run(rng, V, 200)
        writer.add_sorted(keys, vals)
        total += dense
    memory = CsrMemorySink(V, scale=2)
    merge_runs(writer.runs(), V, memory, 64)
    work = tmp_path / "work"
    work.mkdir()
    disk = CsrDiskSink(str(tmp_path / "m.npz"), V, str(work), scale=2)
    merge_runs(writer.runs(), V, disk, 64)
    stats = disk.close()
    loaded = sp.load_npz(tmp_path / "m.npz")
    assert np.array_equal(loaded.toarray(), total / 2.0)
    assert np.array_equal(memory.matrix().toarray(), total / 2.0)
    assert stats["nnz"] == np.count_nonzero(total)
    off_diagonal = total.sum() - np.trace(total)
    assert stats["z"] == pytest.approx(off_diagonal / 2.0)


def test_upper_triangle_runs_become_symmetric(tmp_path):
    V = 20
    bits = np.uint64(K.col_bits(V))
    rng = np.random.default_rng(5)
    a = rng.integers(0, V, 60)
    b = rng.integers(0, V, 60)
    lo, hi = np.minimum(a, b).astype(np.uint64), np.maximum(a, b).astype(np.uint64)
    keys = np.unique((lo << bits) | hi)
    vals = rng.integers(1, 9, len(keys)).astype(np.uint64)
    writer = ShardWriter(str(tmp_path), V)
    writer.add_upper(keys, vals)
    sink = CsrMemorySink(V)
    merge_runs(writer.runs(), V, sink, 1 << 20)
    got = sink.matrix().toarray()
    assert np.array_equal(got, got.T)
    rows = (keys >> bits).astype(np.int64)
    cols = (keys & ((np.uint64(1) << bits) - np.uint64(1))).astype(np.int64)
    want = vals.astype(np.float64) * np.where(rows == cols, 2, 1)  # a self-pair counts twice (SPEC a.3)
    assert np.array_equal(got[rows, cols], want)
