"""The corpus pipeline on its own (corpora/pipeline.py): which inputs are caches, cache and count identity,
sentences in memory against the same text read from a file, and the corpus forms ``wordvec.train`` accepts."""
from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from wordvec.corpora.pipeline import (cache_from_sentences, corpus_cache, count_cached, counts_key,
                                      is_token_cache, load_or_build_cache)
from wordvec.corpora.tokenize import TokenizerSettings
from wordvec.errors import InputError

SENTENCES = [["北京", "是", "首都"], ["上海", "是", "城市"], ["北京", "和", "上海"], ["城市", "的", "发展"]] * 5


@pytest.fixture
def corpus_file(tmp_path):
    path = tmp_path / "corpus.txt"
    path.write_text("\n".join(" ".join(s) for s in SENTENCES) + "\n", encoding="utf-8")
    return path


def test_sentences_in_memory_equal_the_same_text_from_a_file(corpus_file, tmp_path):
    from_file = load_or_build_cache([str(corpus_file)], TokenizerSettings(mode="whitespace"),
                                    cache_dir=str(tmp_path / "cache"))
    in_memory = cache_from_sentences(SENTENCES)
    assert list(in_memory.vocab) == list(from_file.vocab)
    assert np.array_equal(np.asarray(in_memory.ids), np.asarray(from_file.ids))
    assert np.array_equal(np.asarray(in_memory.line_offsets), np.asarray(from_file.line_offsets))
    counts = Counter(tok for s in SENTENCES for tok in s)
    assert dict(zip(in_memory.vocab, in_memory.vocab.counts.tolist())) == dict(counts)
    assert in_memory.settings.mode == "whitespace"


def test_the_saved_cache_is_recognised_and_loaded_as_is(corpus_file, tmp_path):
    cache_dir = tmp_path / "cache"
    built = load_or_build_cache([str(corpus_file)], TokenizerSettings(mode="whitespace"), cache_dir=str(cache_dir))
    folders = [p for p in cache_dir.iterdir() if p.is_dir()]
    assert len(folders) == 1 and is_token_cache(folders[0])
    assert not is_token_cache(tmp_path) and not is_token_cache(corpus_file)
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "meta.json").write_text('{"format": "wordvec-model"}', encoding="utf-8")
    assert not is_token_cache(tmp_path / "other")
    (tmp_path / "other" / "meta.json").write_text("not json", encoding="utf-8")
    assert not is_token_cache(tmp_path / "other")
    again = load_or_build_cache([str(folders[0])])
    assert np.array_equal(np.asarray(again.ids), np.asarray(built.ids))


def test_counts_key_changes_with_every_setting():
    cache = cache_from_sentences(SENTENCES)
    base = counts_key(cache, 1, 0, 2, False)
    assert counts_key(cache, 1, 0, 2, False) == base
    changed = {counts_key(cache, 2, 0, 2, False), counts_key(cache, 1, 3, 2, False),
               counts_key(cache, 1, 0, 3, False), counts_key(cache, 1, 0, 2, True)}
    assert base not in changed and len(changed) == 4
    other = cache_from_sentences(SENTENCES + [["新", "句子"]])
    assert counts_key(other, 1, 0, 2, False) != base


def test_count_cached_is_symmetric_over_the_pruned_vocabulary():
    cache = cache_from_sentences(SENTENCES)
    counts = count_cached(cache, min_count=5, window=2)
    matrix = counts.matrix.toarray()
    assert np.allclose(matrix, matrix.T)
    assert all(c >= 5 for c in counts.vocab.counts)
    assert "新" not in counts.vocab


def test_corpus_forms(corpus_file, tmp_path):
    settings = TokenizerSettings(mode="whitespace")
    by_path = corpus_cache(str(corpus_file), settings, cache_dir=str(tmp_path / "c"))
    by_list = corpus_cache([str(corpus_file)], settings, cache_dir=str(tmp_path / "c"))
    assert np.array_equal(np.asarray(by_path.ids), np.asarray(by_list.ids))
    assert corpus_cache(by_path) is by_path
    with pytest.raises(InputError, match="input not found"):
        corpus_cache(str(tmp_path / "missing.txt"))
    with pytest.raises(InputError, match="cannot read a corpus"):
        corpus_cache(42)
    with pytest.raises(InputError, match="not a single string"):
        cache_from_sentences("北京 是 首都")
    with pytest.raises(InputError, match="one kind"):
        cache_from_sentences([["北京"], "上海 是"])
    with pytest.raises(InputError, match="bytes"):
        cache_from_sentences([b"\xe5\x8c\x97"])
    with pytest.raises(InputError, match="no tokens"):
        cache_from_sentences([[], []])
