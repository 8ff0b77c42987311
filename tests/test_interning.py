"""The token table's numba kernels (corpora/interning/_kernels.py) against plain-Python twins."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wordvec.corpora.interning import TokenTable
from wordvec.corpora.interning import _kernels as K

FAST = settings(max_examples=60, deadline=None)

# few distinct characters, so tokens repeat; astral, combining and whitespace characters included
ALPHABET = st.sampled_from(list("ab中文 \n\u3000") + ["\U0001f600", "\u0301", "\ud7ff"])
TOKENS = st.lists(st.text(ALPHABET, min_size=0, max_size=4), max_size=60)


# --- twins ---------------------------------------------------------------------------------------------
def py_intern(blocks: list[list[str]]):
    """What a dict gives: per block, (ids, index of the first token of each new id)."""
    index: dict[str, int] = {}
    out = []
    for tokens in blocks:
        before = len(index)
        ids = [index.setdefault(t, len(index)) for t in tokens]
        first = [k for k, i in enumerate(ids) if i >= before and ids.index(i) == k]
        out.append((ids, first))
    return out


def py_fnv(codepoints: list[int]) -> int:
    h = 14695981039346656037
    for c in codepoints:
        h = ((h ^ c) * 1099511628211) % (1 << 64)
    return h


def _lengths(tokens):
    return np.array([len(t) for t in tokens], dtype=np.int64)


# --- TokenTable (intern_tokens, rehash and growth) against the dict -------------------------------------
@pytest.mark.parametrize("how", ["lengths", "list"])
@FAST
@given(blocks=st.lists(TOKENS, min_size=1, max_size=4))
def test_table_gives_dict_ids(how, blocks):
    table = TokenTable(capacity=1)  # the smallest table: growth and rehashing happen on the way
    for (want_ids, want_first), tokens in zip(py_intern(blocks), blocks):
        if how == "lengths":
            ids, first = table.intern("".join(tokens), _lengths(tokens))
        else:
            ids, first = table.intern_list(tokens)
        assert ids.tolist() == want_ids and first.tolist() == want_first
        assert ids.dtype == np.uint32
    assert len(table) == len({t for b in blocks for t in b})


def test_intern_list_with_nul_in_tokens():
    """A NUL inside a token would split it at the separator: the run count notices, lengths are taken singly."""
    tokens = ["a\x00b", "a", "b", "", "a\x00b", "\x00", ""]
    ids, first = TokenTable().intern_list(tokens)
    assert ids.tolist() == [0, 1, 2, 3, 0, 4, 3] and first.tolist() == [0, 1, 2, 3, 5]
    assert TokenTable().intern_list([])[0].tolist() == []


def test_table_grows_past_its_first_capacity():
    words = [f"w{k}" for k in range(20_000)] + ["x" * 40_000]  # more keys, and more key text, than it had
    table = TokenTable(capacity=16)
    ids, first = table.intern("".join(words), _lengths(words))
    assert ids.tolist() == list(range(len(words))) and first.tolist() == list(range(len(words)))
    again, first = table.intern("".join(words[::-1]), _lengths(words[::-1]))
    assert again.tolist() == list(range(len(words)))[::-1] and len(first) == 0


def test_a_half_full_table_probes_to_the_right_key():
    """Slots as small as allowed (half full): most keys share a slot chain with others."""
    rng = np.random.default_rng(0)
    words = ["".join(rng.choice(list("ab中"), size=rng.integers(1, 5))) for _ in range(400)]
    distinct = list(dict.fromkeys(words))
    n = len(distinct)
    cp = np.array([ord(c) for c in "".join(words)], dtype=np.uint32)
    slots = np.full(1 << (2 * n + 1).bit_length(), -1, np.int32)
    assert 2 * n <= len(slots) < 4 * (n + 1)
    kstart, klen, khash = np.zeros(n, np.int64), np.zeros(n, np.int32), np.zeros(n, np.uint64)
    keybuf, state = np.zeros(len(cp), np.uint32), np.zeros(3, np.int64)
    out, first = np.empty(len(words), np.uint32), np.empty(len(words), np.int64)
    t, _ = K.intern_tokens(cp, _lengths(words), 0, 0, 0, slots, kstart, klen, khash, keybuf, state, out, first)
    assert t == len(words) and out.tolist() == [distinct.index(w) for w in words]
    homes = [int(h) & (len(slots) - 1) for h in khash]
    assert len(set(homes)) < n  # the chains were really shared


def test_lengths_must_cover_the_text():
    with pytest.raises(ValueError, match="sum to 3"):
        TokenTable().intern("abcd", np.array([1, 2]))


# --- the kernels on their own ---------------------------------------------------------------------------
@FAST
@given(TOKENS, st.sampled_from([0, 1]))
def test_intern_tokens_hashes_and_stores_like_python(tokens, gap):
    sep = "\x00" * gap  # the separator the gap steps over
    cp = np.array([ord(c) for c in sep.join(tokens) + sep], dtype=np.uint32)
    lens = _lengths(tokens)
    n = max(1, len(tokens))
    slots = np.full(1 << (4 * n).bit_length(), -1, dtype=np.int32)
    kstart, klen, khash = np.zeros(n, np.int64), np.zeros(n, np.int32), np.zeros(n, np.uint64)
    keybuf = np.zeros(max(1, len(cp)), np.uint32)
    state = np.zeros(3, np.int64)
    out, first = np.empty(len(tokens), np.uint32), np.empty(len(tokens), np.int64)
    t, pos = K.intern_tokens(cp, lens, gap, 0, 0, slots, kstart, klen, khash, keybuf, state, out, first)
    assert (t, pos) == (len(tokens), len(cp) if tokens else 0)
    distinct = list(dict.fromkeys(tokens))
    assert int(state[0]) == len(distinct) and int(state[1]) == sum(map(len, distinct))
    for kid, word in enumerate(distinct):
        stored = keybuf[kstart[kid]: kstart[kid] + klen[kid]].tolist()
        assert stored == [ord(c) for c in word] and int(khash[kid]) == py_fnv(stored)
    assert sorted(int(s) for s in slots if s >= 0) == list(range(len(distinct)))


def test_intern_tokens_stops_when_full_and_resumes():
    tokens = ["a", "b", "c", "a", "d"]
    cp = np.array([ord(c) for c in "".join(tokens)], dtype=np.uint32)
    lens = _lengths(tokens)
    slots = np.full(64, -1, np.int32)
    kstart, klen, khash = np.zeros(2, np.int64), np.zeros(2, np.int32), np.zeros(2, np.uint64)
    keybuf = np.zeros(16, np.uint32)
    state = np.zeros(3, np.int64)
    out, first = np.empty(5, np.uint32), np.empty(5, np.int64)
    t, pos = K.intern_tokens(cp, lens, 0, 0, 0, slots, kstart, klen, khash, keybuf, state, out, first)
    assert (t, pos) == (2, 2) and out[:2].tolist() == [0, 1]  # "c" would be the third key of two
    kstart, klen, khash = (np.concatenate((a, np.zeros(4, a.dtype))) for a in (kstart, klen, khash))
    t, pos = K.intern_tokens(cp, lens, 0, t, pos, slots, kstart, klen, khash, keybuf, state, out, first)
    assert (t, pos) == (5, 5) and out.tolist() == [0, 1, 2, 0, 3] and first[:4].tolist() == [0, 1, 2, 4]


def py_rehash(size: int, hashes: list[int]) -> list[int]:
    slots = [-1] * size
    for kid, h in enumerate(hashes):
        s = h & (size - 1)
        while slots[s] >= 0:
            s = (s + 1) & (size - 1)
        slots[s] = kid
    return slots


@FAST
@given(st.lists(st.integers(0, (1 << 64) - 1), max_size=30))
def test_rehash_matches_python(hashes):
    size = 64
    slots = np.full(size, -1, np.int32)
    K.rehash(slots, np.array(hashes, dtype=np.uint64), len(hashes))
    assert slots.tolist() == py_rehash(size, hashes)


def py_separated_lengths(codepoints: list[int], sep: int) -> list[int]:
    runs, run = [], 0
    for c in codepoints:
        if c == sep:
            runs.append(run)
            run = 0
        else:
            run += 1
    return runs + [run]


@FAST
@given(st.lists(st.integers(0, 3), max_size=40))
def test_separated_lengths_matches_python(codepoints):
    got = K.separated_lengths(np.array(codepoints, dtype=np.uint32), 0)
    assert got.tolist() == py_separated_lengths(codepoints, 0) and got.dtype == np.int64
