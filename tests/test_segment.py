"""The compiled jieba cut (corpora/segment) against plain-Python twins of jieba's algorithm and against
jieba itself; its on-disk copy. All of zh_small is compared in tests/test_engines.py."""
from __future__ import annotations

import math
import os

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wordvec.corpora.segment import DagCut, default_cut
from wordvec.corpora.segment import _kernels as K

FAST = settings(max_examples=80, deadline=None)


# --- twins ---------------------------------------------------------------------------------------------
def py_cut(text: str, freq: dict[str, int], total: int) -> list[str]:
    """jieba.Tokenizer.cut(text, HMM=False), written out with jieba's own regular expressions."""
    import jieba

    logtotal = math.log(total)
    out: list[str] = []
    for blk in jieba.re_han_default.split(text):
        if not blk:
            continue
        if not jieba.re_han_default.match(blk):
            for x in jieba.re_skip_default.split(blk):
                if jieba.re_skip_default.match(x):
                    out.append(x)
                else:
                    out.extend(x)
            continue
        n = len(blk)
        dag = {}
        for k in range(n):
            found, i, frag = [], k, blk[k]
            while i < n and frag in freq:
                if freq[frag]:
                    found.append(i)
                i += 1
                frag = blk[k:i + 1]
            dag[k] = found or [k]
        route = {n: (0, 0)}
        for idx in range(n - 1, -1, -1):
            route[idx] = max((math.log(freq.get(blk[idx:x + 1]) or 1) - logtotal + route[x + 1][0], x)
                             for x in dag[idx])
        x, buf = 0, ""
        while x < n:
            y = route[x][1] + 1
            word = blk[x:y]
            if len(word) == 1 and jieba.re_eng.match(word):
                buf += word
            else:
                if buf:
                    out.append(buf)
                    buf = ""
                out.append(word)
            x = y
        if buf:
            out.append(buf)
    return out


def prefix_dict(words: dict[str, int]) -> dict[str, int]:
    """jieba's gen_pfdict: each word with its frequency, each prefix not a word with 0."""
    freq: dict[str, int] = {}
    for word, count in words.items():
        freq[word] = count
        for end in range(1, len(word)):
            freq.setdefault(word[:end], 0)
    return freq


# few characters, so dictionary words occur; han, ASCII, joiners, outside-range CJK, whitespace, CR/LF, astral
ALPHABET = list("中国人民大学生aZ9+#&._%-") + ["\u9fd5", "\u9fd6", " ", "\u3000", "\r", "\n", "，", "\U0001f600"]
TEXT = st.text(st.sampled_from(ALPHABET), max_size=40)
WORDS = st.dictionaries(st.text(st.sampled_from(list("中国人民大学生aZ9.")), min_size=1, max_size=4),
                        st.integers(0, 50), max_size=25)


@FAST
@given(TEXT, WORDS)
def test_cut_matches_jiebas_algorithm(text, words):
    freq = prefix_dict(words)
    total = max(1, sum(words.values()))
    cut = DagCut.from_freq(freq, total)
    assert cut.cut(text) == py_cut(text, freq, total)
    assert int(cut.lengths(np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)).sum()) == len(text)


def test_ties_go_to_the_longer_word():
    """Two routes of equal log frequency: jieba's max over (value, x) takes the larger x."""
    freq = prefix_dict({"ab": 1, "a": 1, "b": 1})  # log 1 = 0 everywhere: every route has the same value
    cut = DagCut.from_freq(freq, 1)
    assert cut.cut("ab") == py_cut("ab", freq, 1) == ["ab"]


@FAST
@given(st.lists(st.text(st.sampled_from(list("ab中")), min_size=1, max_size=3), max_size=30, unique=True))
def test_hash_keys_and_slots_match_python(words):
    cut = DagCut.from_freq({w: 1 for w in words} or {"a": 1}, 1)
    for kid in range(len(cut.klen)):
        key = cut.keys[cut.kstart[kid]:cut.kstart[kid] + cut.klen[kid]].tolist()
        h = 14695981039346656037
        for c in key:
            h = ((h ^ c) * 1099511628211) % (1 << 64)
        assert int(cut.khash[kid]) == h
        s = h & (len(cut.slots) - 1)
        while cut.slots[s] != kid:  # reachable from its home slot without passing an empty one
            assert cut.slots[s] >= 0
            s = (s + 1) & (len(cut.slots) - 1)


@pytest.mark.parametrize("c, han", [(0x4E00, True), (0x9FD5, True), (0x9FD6, False), (0x4DFF, False),
                                    (ord("a"), True), (ord("-"), True), (ord("/"), False), (ord(" "), False)])
def test_han_class_is_jiebas(c, han):
    import jieba

    assert K.in_han(c) == han == bool(jieba.re_han_default.match(chr(c)))


# --- the default dictionary against jieba ----------------------------------------------------------------
LINES = ["我爱北京天安门", "他来到了网易杭研大厦", "中国队在世界杯预选赛中以二比一战胜对手，赢得了出线权。",
         "iPhone 15 Pro售价7999元，A17芯片+USB-C接口。", "  前后  空白\t制表\u3000全角 ", "C++和C#以及.NET、50%的人",
         "１２３全角数字ＡＢＣ", "😀表情🎉和\U00020000扩展汉字", "a\r\nb", "商品和服务结合成分子时"]


def test_default_dictionary_equals_jieba(tmp_path, monkeypatch):
    import jieba

    monkeypatch.setenv("WORDVEC_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr("wordvec.corpora.segment._DEFAULT", [])
    cut = default_cut()
    for line in LINES:
        assert cut.cut(line) == jieba.lcut(line, HMM=False), line
    saved = [d for d in os.listdir(tmp_path) if d.startswith("dagcut-")]
    assert len(saved) == 1
    monkeypatch.setattr("wordvec.corpora.segment._DEFAULT", [])
    again = default_cut()  # from the saved arrays
    assert again is not cut and np.array_equal(again.keys, cut.keys) and again.total == cut.total


def test_damaged_or_other_copy_is_not_used(tmp_path):
    freq = prefix_dict({"中国": 5, "人民": 3})
    cut = DagCut.from_freq(freq, 8)
    key = {"format": "wordvec-dagcut", "version": 1, "jieba": "x"}
    folder = str(tmp_path / "d")
    cut.save(folder, key)
    loaded = DagCut.load(folder, key)
    assert loaded is not None and loaded.cut("中国人民") == ["中国", "人民"]
    assert DagCut.load(folder, {**key, "jieba": "y"}) is None  # built from another jieba
    logf = np.load(os.path.join(folder, "logf.npy"))
    np.save(os.path.join(folder, "logf.npy"), logf + 1.0)  # edited values, shapes intact: the checksum tells
    assert DagCut.load(folder, key) is None
    np.save(os.path.join(folder, "logf.npy"), logf)
    assert DagCut.load(folder, key) is not None
    np.save(os.path.join(folder, "klen.npy"), np.array([1, 1, 1], dtype=np.int64))  # edited: lengths disagree
    assert DagCut.load(folder, key) is None
    with open(os.path.join(folder, "keys.npy"), "wb") as handle:
        handle.write(b"not an array")
    assert DagCut.load(folder, key) is None
    assert DagCut.load(str(tmp_path / "missing"), key) is None
