"""Each numba kernel of corpora/_kernels.py against a plain-Python twin on random inputs."""
from __future__ import annotations

from collections import defaultdict

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from wordvec.corpora import _kernels as K
from wordvec.corpora.counter import dense_layout, weight_table

FAST = settings(max_examples=40, deadline=None)


def lines_strategy(max_id=12, max_lines=6, max_len=12):
    return st.lists(st.lists(st.integers(0, max_id), max_size=max_len), min_size=1, max_size=max_lines)


def offsets_of(lines):
    return np.concatenate([[0], np.cumsum([len(l) for l in lines])]).astype(np.int64)


def flat(lines):
    return np.array([t for l in lines for t in l], np.uint32)


# --- twins ---------------------------------------------------------------------------------------------
def py_filter(lines, v):
    return [[t for t in l if t < v] for l in lines]


def py_events(lines, window):
    """(a, b, d) for every event, a <= b (SPEC a.3)."""
    out = []
    for line in lines:
        for p in range(len(line)):
            for d in range(1, window + 1):
                if p - d < 0:
                    break
                a, b = sorted((line[p - d], line[p]))
                out.append((a, b, d))
    return out


@FAST
@given(lines_strategy(), st.integers(1, 13))
def test_filter_tokens_twin(lines, v):
    fids, foffs = K.filter_tokens(flat(lines), offsets_of(lines), v, 0, len(lines))
    want = py_filter(lines, v)
    assert fids.tolist() == [t for l in want for t in l]
    assert foffs.tolist() == offsets_of(want).tolist()


@FAST
@given(lines_strategy(), st.integers(1, 5), st.booleans(), st.integers(0, 200), st.integers(1, 3))
def test_count_span_twin(lines, window, weighted, dense_cells, threads):
    v = 13
    vb = K.col_bits(v)
    scale, weights = weight_table(window, weighted)
    dbits = window.bit_length() if weighted else 0
    rows, doff, dcut, entries = dense_layout(v, dense_cells)
    fids, foffs = flat(lines), offsets_of(lines)
    edges = np.linspace(0, len(fids), threads + 1).astype(np.int64)
    starts, stops = edges[:-1].copy(), edges[1:].copy()
    dense = np.zeros((threads, entries), np.uint64)
    bufs = np.zeros((threads, 10_000), np.uint64)
    nbufs = np.zeros(threads, np.int64)
    K.count_parallel(fids, foffs, starts, stops, window, weights, dbits, vb, dense, doff, dcut, rows, bufs, nbufs)
    assert np.array_equal(starts, stops)
    got = defaultdict(int)
    for t in range(threads):
        for a in range(rows):
            for b in range(a, dcut[a]):
                got[a, b] += int(dense[t, doff[a] + b - a])
        for e in bufs[t, :nbufs[t]].tolist():
            d = e & ((1 << dbits) - 1) if dbits else 1
            key = e >> dbits
            a, b = key >> vb, key & ((1 << vb) - 1)
            assert not (a < rows and b < dcut[a])
            got[a, b] += int(weights[d])
    want = defaultdict(int)
    for a, b, d in py_events(lines, window):
        want[a, b] += int(weights[d])
    assert {k: x for k, x in got.items() if x} == dict(want)


def test_count_span_stops_when_buffer_full():
    lines = [[1, 2, 3, 4, 5, 6]]
    rows, doff, dcut, entries = dense_layout(7, 0)
    buf = np.zeros(4, np.uint64)
    pos, n = K.count_span(flat(lines), offsets_of(lines), 0, 6, 2, np.ones(3, np.int64), 0, K.col_bits(7),
                          np.zeros(0, np.uint32), doff, dcut, rows, buf, 0)
    assert 0 < pos < 6 and n + 2 > 4
    pos2, n2 = K.count_span(flat(lines), offsets_of(lines), pos, 6, 2, np.ones(3, np.int64), 0, K.col_bits(7),
                            np.zeros(0, np.uint32), doff, dcut, rows, np.zeros(100, np.uint64), 0)
    assert pos2 == 6 and n + n2 == 9  # 1 + 2*4 events, none lost at the resume point


@FAST
@given(st.lists(st.integers(0, 2 ** 40 - 1), max_size=300), st.sampled_from([1, 7, 24, 40]))
def test_radix_sort_twin(values, bits):
    keys = np.array(values, np.uint64) & np.uint64((1 << bits) - 1)
    got = K.radix_sort(keys.copy(), np.empty_like(keys), bits)
    assert got.tolist() == sorted(keys.tolist())
    vals = np.arange(len(keys), dtype=np.uint64)
    sk, sv = K.radix_sort_pairs(keys.copy(), vals.copy(), np.empty_like(keys), np.empty_like(keys), bits)
    assert sk.tolist() == sorted(keys.tolist())
    assert sorted(zip(sk.tolist(), sv.tolist())) == sorted(zip(keys.tolist(), vals.tolist()))
    # stability: equal keys keep their input order
    for i in range(len(sk) - 1):
        if sk[i] == sk[i + 1]:
            assert sv[i] < sv[i + 1]


@FAST
@given(st.lists(st.tuples(st.integers(0, 50), st.integers(1, 4)), max_size=200), st.booleans())
def test_reduce_events_twin(events, weighted):
    dbits = 3 if weighted else 0
    weights = np.array([0, 840, 420, 280, 210], np.int64) if weighted else np.ones(5, np.int64)
    buf = np.array([(k << dbits) | (d if dbits else 0) for k, d in events], np.uint64)
    keys, vals = K.reduce_events(buf, len(buf), np.empty_like(buf), 6 + dbits, dbits, weights)
    want = defaultdict(int)
    for k, d in events:
        want[k] += int(weights[d if weighted else 1])
    assert keys.tolist() == sorted(want)
    assert vals.tolist() == [want[k] for k in sorted(want)]


@FAST
@given(st.dictionaries(st.integers(0, 100), st.integers(1, 9)), st.dictionaries(st.integers(0, 100), st.integers(1, 9)))
def test_merge_two_and_sort_reduce_twin(d1, d2):
    k1 = np.array(sorted(d1), np.uint64)
    v1 = np.array([d1[k] for k in sorted(d1)], np.uint64)
    k2 = np.array(sorted(d2), np.uint64)
    v2 = np.array([d2[k] for k in sorted(d2)], np.uint64)
    want = defaultdict(int)
    for d in (d1, d2):
        for k, x in d.items():
            want[k] += x
    keys, vals = K.merge_two(k1, v1, k2, v2)
    assert dict(zip(keys.tolist(), vals.tolist())) == dict(want) and keys.tolist() == sorted(want)
    keys, vals = K.sort_reduce_pairs(np.concatenate([k2, k1]), np.concatenate([v2, v1]), 7)
    assert dict(zip(keys.tolist(), vals.tolist())) == dict(want) and keys.tolist() == sorted(want)


def _random_upper(rng, v, n):
    vb = K.col_bits(v)
    cells = {}
    for _ in range(n):
        a, b = sorted(rng.integers(0, v, 2).tolist())
        cells[a, b] = int(rng.integers(1, 5))
    return vb, cells


@FAST
@given(st.integers(1, 15), st.integers(0, 60), st.integers(0, 120), st.integers(0, 2 ** 31))
def test_build_symmetric_split_upper_dense_keys_twin(v, n, dense_cells, seed):
    rng = np.random.default_rng(seed)
    vb, cells = _random_upper(rng, v, n)
    rows, doff, dcut, entries = dense_layout(v, dense_cells)
    dense = np.zeros(entries, np.uint32)
    sparse = {}
    for (a, b), x in cells.items():
        if a < rows and b < dcut[a]:
            dense[doff[a] + b - a] = x
        else:
            sparse[a, b] = x
    keys = np.array([(a << vb) | b for a, b in sorted(sparse)], np.uint64)
    vals = np.array([sparse[k] for k in sorted(sparse)], np.uint64)
    want = np.zeros((v, v))
    for (a, b), x in cells.items():
        want[a, b] += x
        want[b, a] += x
    indptr, indices, data = K.build_symmetric(dense, doff, dcut, rows, keys, vals, v, vb, 2.0)
    import scipy.sparse as sp

    m = sp.csr_matrix((data, indices, indptr), shape=(v, v))
    assert m.has_sorted_indices
    assert np.array_equal(m.toarray(), want / 2.0)
    # split_upper: upper half (diagonal doubled) + sorted transposed half == the symmetric matrix
    up_vals, lk, lv = K.split_upper(keys, vals, vb)
    got = np.zeros((v, v))
    for k, x in zip(keys.tolist() + lk.tolist(), up_vals.tolist() + lv.tolist()):
        got[k >> vb, k & ((1 << vb) - 1)] += x
    assert lk.tolist() == sorted(lk.tolist())
    sparse_only = np.zeros((v, v))
    for (a, b), x in sparse.items():
        sparse_only[a, b] += x
        sparse_only[b, a] += x
    assert np.array_equal(got, sparse_only)
    # dense_sym_keys over all rows == the dense part of the symmetric matrix, keys sorted
    dk, dv = K.dense_sym_keys(dense, doff, dcut, rows, v, vb, 0, v - 1, 0, v << vb)
    assert dk.tolist() == sorted(dk.tolist())
    got = np.zeros((v, v))
    for k, x in zip(dk.tolist(), dv.tolist()):
        got[k >> vb, k & ((1 << vb) - 1)] += x
    assert np.array_equal(got, want - sparse_only)
    cnt = K.dense_sym_count(doff, dcut, rows, v)
    assert np.all(cnt >= (got != 0).sum(axis=1))


@FAST
@given(st.integers(1, 8), st.integers(0, 2 ** 31), st.sampled_from(["sym", "asym", "unsorted", "range", "half"]))
def test_check_symmetric_csr_twin(n, seed, case):
    import scipy.sparse as sp

    rng = np.random.default_rng(seed)
    dense = rng.integers(0, 3, (n, n)).astype(float)
    dense = dense + dense.T
    m = sp.csr_matrix(dense)
    indptr, indices, data = m.indptr.copy(), m.indices.copy(), m.data.copy()
    if case == "asym" and m.nnz:
        data[rng.integers(0, m.nnz)] += 1
    if case == "half":
        lower = sp.csr_matrix(np.tril(dense))
        indptr, indices, data = lower.indptr, lower.indices, lower.data
    if case == "unsorted":
        rows = [r for r in range(n) if indptr[r + 1] - indptr[r] >= 2]
        if rows:
            p = indptr[rows[0]]
            indices[p], indices[p + 1] = indices[p + 1], indices[p]
    if case == "range" and len(indices):
        indices[-1] = n
    # plain-Python twin
    cols = [indices[indptr[r]:indptr[r + 1]].tolist() for r in range(n)]
    if any(c < 0 or c >= n for row in cols for c in row):
        want = 2
    elif any(row != sorted(set(row)) for row in cols):
        want = 1
    else:
        full = np.zeros((n, n))
        for r in range(n):
            for p in range(indptr[r], indptr[r + 1]):
                full[r, indices[p]] = data[p]
        present = np.zeros((n, n), bool)
        for r in range(n):
            present[r, cols[r]] = True
        want = 0 if np.array_equal(full, full.T) and np.array_equal(present, present.T) else 3
    got = K.check_symmetric_csr(indptr.astype(np.int64), indices.astype(np.int32), data, n)
    assert got == want
