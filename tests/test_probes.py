"""POS agreement, majority tags and the frequency split (wordvec.query.probes, issue 12) on toy data."""
from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import spearmanr

from wordvec.errors import InputError
from wordvec.query.probes import content_queries, frequency_split, pos_agreement, read_majority_tags


def test_majority_tags_counts_ties_and_odd_tokens():
    lines = ["上海/ns 队/n 上海/ns 跑/v", "跑/vn 跑/v [中国/ns 银行/n]nt  //w 没有斜杠 /x 词/", "研究/vn 研究/v"]
    tags = read_majority_tags(lines)
    assert tags["上海"] == "ns" and tags["跑"] == "v" and tags["队"] == "n"
    assert tags["中国"] == "ns" and tags["银行"] == "n"  # bracket marks stripped
    assert tags["研究"] == "vn"  # a tie goes to the tag seen first
    assert tags["/"] == "w"  # the last slash separates the tag
    assert "没有斜杠" not in tags and "词" not in tags and "" not in tags


def test_content_queries_in_frequency_order():
    tags = {"的": "u", "中国": "ns", "跑": "v", "很": "d", "美": "a", "了": "u"}
    words = ["的", "中国", "很", "跑", "了", "美", "未知"]
    assert content_queries(words, tags, n=2) == ["中国", "跑"]
    assert content_queries(words, tags, n=10) == ["中国", "跑", "美"]


def test_pos_agreement_strict_and_tagged():
    tags = {"上海": "ns", "天津": "ns", "浦东": "ns", "交易所": "n", "跑": "v", "走": "v"}
    table = {"上海": ["天津", "交易所", "未知", "浦东"], "跑": ["走", "上海"], "无词性": ["上海"]}
    result = pos_agreement(["上海", "跑", "无词性"], lambda w, k: table[w][:k], tags, k=4)
    # 上海: 天津, 浦东 share ns (2 of 4, one untagged); 跑: 走 (1 of 2); 无词性 has no tag: skipped
    assert result.queries == 2
    assert result.strict == pytest.approx(3 / 6)
    assert result.tagged == pytest.approx(3 / 5)
    assert result.tagged_share == pytest.approx(5 / 6)
    k2 = pos_agreement(["上海"], lambda w, k: table[w][:k], tags, k=2)
    assert k2.strict == pytest.approx(1 / 2)  # only the first k neighbours count


def test_pos_agreement_nothing_to_score_and_bad_k():
    assert pos_agreement([], lambda w, k: [], {}, k=3).queries == 0
    assert math.isnan(pos_agreement(["x"], lambda w, k: [], {"x": "n"}).strict)
    with pytest.raises(InputError):
        pos_agreement(["x"], lambda w, k: [], {"x": "n"}, k=0)


def test_frequency_split_halves():
    gold = [1, 2, 3, 4, 5, 6, 7, 8]
    model = [1, 2, 3, 4, 8, 7, 6, 5]  # perfect on the rare half, reversed on the frequent half
    rarer = [1, 2, 3, 4, 10, 20, 30, 40]
    r = frequency_split(gold, model, rarer)
    assert r.median == 7.0 and (r.n_rarer, r.n_frequent) == (4, 4)
    assert r.rarer == pytest.approx(1.0) and r.frequent == pytest.approx(-1.0)
    assert r.all == pytest.approx(spearmanr(gold, model)[0])
    fixed = frequency_split(gold, model, rarer, median=2)
    assert (fixed.n_rarer, fixed.n_frequent) == (2, 6)
    assert math.isnan(fixed.rarer)  # fewer than 3 pairs: no correlation
    with pytest.raises(InputError):
        frequency_split([1, 2], [1], [1, 2])
