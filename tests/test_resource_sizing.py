"""Resource sizing (issue 19, class 8): buffers are sized from min(budget, need), so a large --memory on a
small corpus allocates little instead of failing with "out of memory"."""
from __future__ import annotations

from _reliability_helpers import assert_clean_exit, run, tiny_corpus
from wordvec.corpora.counter import make_plan


def test_plan_buffers_follow_the_corpus_not_the_budget():
    small = make_plan(vocab_size=14, n_tokens=2400, window=10, distance_weighting=False, memory=2**40, threads=2)
    assert small.buf_events <= 2400 * 10 + 11
    assert small.block_entries <= 2 * (2400 * 10 + 11)
    big = make_plan(vocab_size=14, n_tokens=10**9, window=10, distance_weighting=False, memory=2**31, threads=2)
    assert big.buf_events == int(2**31 * 0.15) // (2 * 32)  # a large corpus still uses its budget share


def test_terabyte_budget_on_a_small_corpus(tmp_path):
    corpus = tiny_corpus(tmp_path / "c.txt")
    for memory in ("1T", "1024G"):
        result = run("count", corpus, "-o", tmp_path / f"counts-{memory}", "--memory", memory, "--tokenizer",
                     "whitespace", "--min-count", "1", "--workers", "1", "--cache-dir", tmp_path / "cache", "-q")
        assert_clean_exit(result, 0)
