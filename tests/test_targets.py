"""PMI targets and weights (SPEC a.4, a.5, b.2) on the toy corpus, counted here in plain Python."""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
import scipy.sparse as sp

from wordvec.io.vocab import Vocabulary
from wordvec.train.targets import build_records, log_unigram, pair_records, pair_weights, pmi_targets

TOY = ["我 爱 北京 天安门", "我 爱 北京", "北京 天安门 广场"]


def count_toy(lines, window=2):
    """SPEC a.3 counting in a few lines: +1 to both orders for each pair within ``window`` on a line."""
    unigram: dict[str, int] = {}
    for line in lines:
        for w in line.split():
            unigram[w] = unigram.get(w, 0) + 1
    vocab = Vocabulary.from_counts(unigram)
    n = len(vocab)
    dense = np.zeros((n, n))
    for line in lines:
        ids = [vocab[w] for w in line.split()]
        for pos, b in enumerate(ids):
            for a in ids[max(0, pos - window):pos]:
                dense[a, b] += 1
                dense[b, a] += 1
    return SimpleNamespace(matrix=sp.csr_matrix(dense), vocab=vocab, total_tokens=vocab.total)


def test_toy_counts_and_z():
    c = count_toy(TOY)
    assert c.vocab.words == ["北京", "天安门", "我", "爱", "广场"]
    assert c.total_tokens == 10
    rec = build_records(c)
    assert rec.z == 22
    assert len(rec) == 7  # unordered pairs, upper triangle
    both = build_records(c, both=True)
    assert len(both) == 14


def test_toy_targets_match_spec_a5():
    c = count_toy(TOY)
    rec = build_records(c)
    v = c.vocab
    got = {(v.words[i], v.words[j]): t for i, j, t in zip(rec.rows, rec.cols, rec.target)}
    pmi = lambda a, b: got.get((a, b), got.get((b, a)))  # noqa: E731
    assert pmi("我", "爱") == pytest.approx(0.8210, abs=1e-4)
    assert pmi("北京", "天安门") == pytest.approx(0.4155, abs=1e-4)
    assert pmi("天安门", "爱") == pytest.approx(0.1278, abs=1e-4)
    assert pmi("天安门", "广场") == pytest.approx(0.8210, abs=1e-4)
    w = dict(zip(rec.x.tolist(), rec.weight.tolist()))
    assert w[2.0] == pytest.approx(0.0532, abs=1e-4)
    assert w[1.0] == pytest.approx(0.0316, abs=1e-4)


def test_diagonal_and_zeros_are_not_records():
    m = sp.csr_matrix(np.array([[5.0, 1.0, 0.0], [1.0, 2.0, 3.0], [0.0, 3.0, 0.0]]))
    rows, cols, x = pair_records(m)
    assert list(zip(rows.tolist(), cols.tolist(), x.tolist())) == [(0, 1, 1.0), (1, 2, 3.0)]
    rows, cols, x = pair_records(m, both=True)
    assert sorted(zip(rows.tolist(), cols.tolist())) == [(0, 1), (1, 0), (1, 2), (2, 1)]


def test_weights_truncation():
    x = np.array([1.0, 100.0, 1000.0])
    assert pair_weights(x)[2] > 1
    assert pair_weights(x, truncate=True).tolist() == pytest.approx([0.01**0.75, 1.0, 1.0])


def test_cds_is_symmetric_and_reduces_to_seed():
    counts = np.array([50, 10, 3])
    assert np.allclose(log_unigram(counts, cds=1.0), np.log(counts / 63))
    smooth = log_unigram(counts, cds=0.75)
    assert np.exp(smooth).sum() == pytest.approx(1.0)
    rows, cols, x = np.array([0, 1]), np.array([1, 0]), np.array([4.0, 4.0])
    t = pmi_targets(rows, cols, x, counts, 20.0, cds=0.75)
    assert t[0] == pytest.approx(t[1])
    # smoothing raises P of rare words, so PMI of a rare pair drops
    rare = pmi_targets(np.array([1]), np.array([2]), np.array([1.0]), counts, 20.0)
    rare_s = pmi_targets(np.array([1]), np.array([2]), np.array([1.0]), counts, 20.0, cds=0.75)
    assert rare_s < rare


def test_prior_count_smooths_towards_zero_and_keeps_well_observed_pmi():
    """β > 0: target = log((x + β) / (E + β)) with E = Z·P(i)·P(j); β = 0 is the plain estimate."""
    counts = np.array([5000, 4000, 3, 2])
    z, total = 1e6, 9005.0
    rows, cols = np.array([0, 2]), np.array([1, 3])
    x = np.array([30000.0, 1.0])  # a frequent pair seen often, a rare pair seen once
    plain = pmi_targets(rows, cols, x, counts, z, total)
    assert np.allclose(pmi_targets(rows, cols, x, counts, z, total, prior_count=0.0), plain)
    smooth = pmi_targets(rows, cols, x, counts, z, total, prior_count=1.0)
    expected = z * counts[rows] * counts[cols] / total**2
    assert np.allclose(smooth, np.log((x + 1.0) / (expected + 1.0)))
    assert smooth[0] == pytest.approx(plain[0], abs=1e-4)  # x and E ≫ β: unchanged
    assert 0 < smooth[1] < plain[1] / 4  # E ≪ 1, seen once: pulled strongly towards 0
    # the records carry it, and cds applies to E as to the plain targets
    rec = build_records(count_toy(TOY), cds=0.75, prior_count=2.0)
    ref = build_records(count_toy(TOY), cds=0.75)
    e = ref.x * np.exp(-ref.target)
    assert np.allclose(rec.target, np.log((ref.x + 2.0) / (e + 2.0)))
