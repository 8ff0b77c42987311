"""The token table's numba kernels (corpora/interning/_kernels.py) against plain-Python twins."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wordvec.corpora.interning import _SPACE, TokenTable
from wordvec.corpora.interning import _kernels as K

FAST = settings(max_examples=60, deadline=None)

# few distinct characters, so tokens repeat; astral, combining, newline and whitespace characters included
ALPHABET = st.sampled_from(list("ab中文 \n\u3000") + ["\U0001f600", "\u0301", "\ud7ff", "\r"])
TOKENS = st.lists(st.text(ALPHABET, min_size=0, max_size=4), max_size=60)


# --- twins ---------------------------------------------------------------------------------------------
class PyStream:
    """What the table does, with a dict: table ids, stream ids of words, words per line, new words."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        self.sid: list[int] = []

    def intern(self, tokens: list[str], n_lines: int = 0):
        ids, kept, lines, ends, new, run = [], [], [], 0, [], 0
        for tok in tokens:
            if tok not in self.index:
                self.index[tok] = len(self.index)
                word = not tok.isspace()
                self.sid.append(sum(s >= 0 for s in self.sid) if word else -1)
                if word:
                    new.append(tok)
            kid = self.index[tok]
            ids.append(kid)
            if self.sid[kid] >= 0:
                kept.append(self.sid[kid])
                run += 1
            if "\n" in tok:
                if ends < n_lines:
                    lines.append(run)
                ends += 1
                run = 0
        return ids, kept, lines + [0] * (n_lines - len(lines)), ends, new


def py_fnv(codepoints: list[int]) -> int:
    h = 14695981039346656037
    for c in codepoints:
        h = ((h ^ c) * 1099511628211) % (1 << 64)
    return h


def py_rehash(size: int, hashes: list[int]) -> list[int]:
    slots = [-1] * size
    for kid, h in enumerate(hashes):
        s = h & (size - 1)
        while slots[s] >= 0:
            s = (s + 1) & (size - 1)
        slots[s] = kid
    return slots


def _lengths(tokens):
    return np.array([len(t) for t in tokens], dtype=np.int64)


def _as_lists(got):
    return got.ids.tolist(), got.kept.tolist(), got.lines.tolist(), got.ends, got.words


# --- TokenTable (intern_stream, rehash and growth) against the dict -------------------------------------
@pytest.mark.parametrize("how", ["lengths", "list", "pieces"])
@FAST
@given(blocks=st.lists(TOKENS, min_size=1, max_size=4), n_lines=st.integers(0, 6))
def test_table_matches_the_dict_twin(how, blocks, n_lines):
    table, twin = TokenTable(capacity=1), PyStream()  # the smallest table: growth and rehashing on the way
    for tokens in blocks:
        if how == "lengths":
            got = table.intern("".join(tokens), _lengths(tokens), n_lines)
        elif how == "list":
            got = table.intern_list(tokens, n_lines)
        else:
            got = table.intern_pieces([tokens[:3], [], tokens[3:]], n_lines)
        assert _as_lists(got) == twin.intern(tokens, n_lines)
        assert got.ids.dtype == np.uint32 and got.kept.dtype == np.uint32
    assert len(table) == len(twin.index) and table.n_words == sum(s >= 0 for s in twin.sid)
    assert table.stream_ids(np.arange(len(table))).tolist() == twin.sid


def test_table_grows_past_its_first_capacity():
    words = [f"w{k}" for k in range(20_000)] + ["x" * 40_000]  # more keys, and more key text, than it had
    table = TokenTable(capacity=16)
    got = table.intern_list(words)
    assert got.ids.tolist() == list(range(len(words))) and got.words == words
    again = table.intern_list(words[::-1])
    assert again.kept.tolist() == list(range(len(words)))[::-1] and again.words == []


def test_tokens_holding_nul_take_the_slow_path_with_the_same_result():
    """A NUL inside a token would split it at the separator: the NUL count notices, lengths are taken singly."""
    tokens = ["a\x00b", "a", "b", "", "a\x00b", "\x00", "", " ", "\n"]
    got = TokenTable().intern_list(tokens, 1)
    assert _as_lists(got) == PyStream().intern(tokens, 1)
    assert got.ids.tolist() == [0, 1, 2, 3, 0, 4, 3, 5, 6] and got.lines.tolist() == [7]
    assert _as_lists(TokenTable().intern_list([])) == ([], [], [], 0, [])


def test_space_table_is_str_isspace():
    assert [c for c in range(len(_SPACE)) if _SPACE[c]] == [c for c in range(0x110000) if chr(c).isspace()]


def test_lengths_must_cover_the_text():
    with pytest.raises(ValueError, match="sum to 3"):
        TokenTable().intern("abcd", np.array([1, 2]))


# --- the kernels on their own ---------------------------------------------------------------------------
def _arrays(n_keys, n_slots, n_code_points, n_tokens, n_lines=0):
    return dict(state=np.zeros(K.N_STATE, np.int64), slots=np.full(n_slots, -1, np.int32),
                kstart=np.zeros(n_keys, np.int64), klen=np.zeros(n_keys, np.int32), khash=np.zeros(n_keys, np.uint64),
                ksid=np.zeros(n_keys, np.int64), knl=np.zeros(n_keys, np.bool_),
                keybuf=np.zeros(max(1, n_code_points), np.uint32), ids=np.empty(n_tokens, np.uint32),
                kept=np.empty(n_tokens, np.uint32), lines=np.zeros(n_lines, np.int64))


def _call(cp, lens, sep, a):
    return K.intern_stream(cp, lens, sep, _SPACE, a["state"], a["slots"], a["kstart"], a["klen"], a["khash"],
                           a["ksid"], a["knl"], a["keybuf"], a["ids"], a["kept"], a["lines"])


@FAST
@given(TOKENS, st.booleans())
def test_intern_stream_hashes_and_stores_like_python(tokens, separated):
    if separated:
        cp = np.array([ord(c) for c in "\x00".join(tokens)], dtype=np.uint32)
        lens, sep = np.zeros(0, np.int64), 0
    else:
        cp = np.array([ord(c) for c in "".join(tokens)], dtype=np.uint32)
        lens, sep = _lengths(tokens), -1
    n = max(1, len(tokens))
    a = _arrays(n, 1 << (4 * n).bit_length(), len(cp), len(tokens), n_lines=3)
    assert _call(cp, lens, sep, a) == 0
    distinct = list(dict.fromkeys(tokens))
    state = a["state"]
    assert int(state[0]) == len(distinct) and int(state[1]) == sum(map(len, distinct))
    for kid, word in enumerate(distinct):
        stored = a["keybuf"][a["kstart"][kid]: a["kstart"][kid] + a["klen"][kid]].tolist()
        assert stored == [ord(c) for c in word] and int(a["khash"][kid]) == py_fnv(stored)
        assert bool(a["knl"][kid]) == ("\n" in word)
    assert sorted(int(s) for s in a["slots"] if s >= 0) == list(range(len(distinct)))
    ids, kept, lines, ends, _ = PyStream().intern(tokens, 3)
    assert a["ids"].tolist() == ids and a["kept"][: int(state[5])].tolist() == kept
    assert a["lines"].tolist() == lines and int(state[6]) == ends


def test_intern_stream_stops_when_full_and_resumes():
    tokens = ["a", "bb", "c", "a", "d"]
    cp = np.array([ord(c) for c in "\x00".join(tokens)], dtype=np.uint32)
    a = _arrays(2, 64, 16, 5)
    assert _call(cp, np.zeros(0, np.int64), 0, a) == 1  # "c" would be the third key of two
    assert a["state"][3] == 2 and a["state"][4] == 5 and a["ids"][:2].tolist() == [0, 1]
    for name in ("kstart", "klen", "khash", "ksid", "knl"):
        a[name] = np.concatenate((a[name], np.zeros(4, a[name].dtype)))
    assert _call(cp, np.zeros(0, np.int64), 0, a) == 0
    assert a["ids"].tolist() == [0, 1, 2, 0, 3] and a["kept"].tolist() == [0, 1, 2, 0, 3]


def test_a_half_full_table_probes_to_the_right_key():
    """Slots as small as allowed (half full): most keys share a slot chain with others."""
    rng = np.random.default_rng(0)
    words = ["".join(rng.choice(list("ab中"), size=rng.integers(1, 5))) for _ in range(400)]
    distinct = list(dict.fromkeys(words))
    n = len(distinct)
    cp = np.array([ord(c) for c in "".join(words)], dtype=np.uint32)
    a = _arrays(n, 1 << (2 * n + 1).bit_length(), len(cp), len(words))
    assert 2 * n <= len(a["slots"]) < 4 * (n + 1)
    assert _call(cp, _lengths(words), -1, a) == 0
    assert a["ids"].tolist() == [distinct.index(w) for w in words]
    homes = [int(h) & (len(a["slots"]) - 1) for h in a["khash"]]
    assert len(set(homes)) < n  # the chains were really shared


@FAST
@given(st.lists(st.integers(0, (1 << 64) - 1), max_size=30))
def test_rehash_matches_python(hashes):
    size = 64
    slots = np.full(size, -1, np.int32)
    K.rehash(slots, np.array(hashes, dtype=np.uint64), len(hashes))
    assert slots.tolist() == py_rehash(size, hashes)
