"""Tokenizing one block of lines into ids: per block (``tokenize_block``) or per stream of blocks
(``StreamVocab``), with identical results either way.

A *stream* is the sequence of blocks one process tokenizes (a worker's, or this process's). Its vocabulary
is kept in first-occurrence order, and a block comes out as ``(new words, ids, line lengths)``: the words
the stream had not seen, and the block's tokens as stream ids. For jieba, large blocks go through
``interning.TokenTable``, which gives the same ids as a ``dict`` from the tokens' code points (about a
tenth of the cost per token) and drops whitespace tokens and counts words per line in the same pass;
small blocks, and tokenizers without jieba's whitespace tokens, use a ``dict``.
"""
from __future__ import annotations

import itertools
from typing import Callable, Sequence

import numpy as np

JOIN_LINES = 100  # lines cut in one call by a joinable tokenizer (tokenize_block)
JOIN_CHARS = 1 << 16  # characters cut in one call by a joinable tokenizer (StreamVocab)
TABLE_MIN_CHARS = 100_000  # a jieba stream moves to the compiled token table at its first block this large


def first_occurrence_ids(tokens: list[str]) -> tuple[list[str], np.ndarray]:
    """``(distinct tokens in first-occurrence order, each token's index in that list as uint32)``.

    One C-level pass: ``setdefault`` gives a new token its position in ``tokens``, a seen one its first
    position; the first positions are then renumbered 0, 1, 2 … with numpy.
    """
    n = len(tokens)
    first = np.fromiter(map({}.setdefault, tokens, itertools.count()), dtype=np.int64, count=n)
    positions = np.flatnonzero(first == np.arange(n, dtype=np.int64))
    words = [tokens[k] for k in positions.tolist()]
    dense = np.zeros(n, dtype=np.uint32)
    dense[positions] = np.arange(len(positions), dtype=np.uint32)
    return words, dense[first]


def tokenize_block(tokenize: Callable[[str], list[str]], lines: Sequence[str]):
    """Tokenize ``lines``: (local words, local ids uint32, line lengths int64, local counts int64)."""
    raw = getattr(tokenize, "with_whitespace", None)
    if raw is not None:
        tokens, raw_lengths = cut_with_whitespace(raw, lines, bool(getattr(tokenize, "joinable", False)))
        words, local = first_occurrence_ids(tokens)
        kept = _drop_whitespace(words, local, raw_lengths, len(lines))
        if kept is None:  # a joined cut that did not mark every line end: cut line by line
            tokens, raw_lengths = cut_with_whitespace(raw, lines, False)
            words, local = first_occurrence_ids(tokens)
            kept = _drop_whitespace(words, local, raw_lengths, len(lines))
        words, local, lengths = kept
    else:
        tokens = []
        extend = tokens.extend
        lengths = np.empty(len(lines), dtype=np.int64)
        for k, line in enumerate(lines):
            line_tokens = tokenize(line)
            lengths[k] = len(line_tokens)
            extend(line_tokens)
        words, local = first_occurrence_ids(tokens)
    counts = np.bincount(local, minlength=len(words)).astype(np.int64)
    return words, local, lengths, counts


def cut_with_whitespace(raw: Callable[[str], list[str]], lines: Sequence[str], joinable: bool):
    """Cut ``lines`` with a tokenizer that keeps whitespace tokens: ``(tokens, tokens per line or None)``.
    A ``joinable`` tokenizer cuts ``JOIN_LINES`` lines at a time, each ended by a newline, and the tokens per
    line are None: the whitespace token holding each newline marks the line's end."""
    if joinable:
        pieces = ["\n".join(lines[start:start + JOIN_LINES]) + "\n" for start in range(0, len(lines), JOIN_LINES)]
        return [tok for piece in pieces for tok in raw(piece)], None
    tokens: list[str] = []
    extend = tokens.extend
    raw_lengths = np.empty(len(lines), dtype=np.int64)
    for k, line in enumerate(lines):
        line_tokens = raw(line)
        extend(line_tokens)
        raw_lengths[k] = len(line_tokens)
    return tokens, raw_lengths


def cut_joined(raw: Callable[[str], list[str]], text: str) -> list[list[str]]:
    """Cut ``text`` (whole lines, each ended by a newline) with a joinable tokenizer, ``JOIN_CHARS``
    characters or so at a time, each piece ending at a line end: the token list of each piece."""
    pieces: list[list[str]] = []
    start, n = 0, len(text)
    while start < n:
        end = text.find("\n", start + JOIN_CHARS) + 1 or n
        pieces.append(raw(text[start:end]))
        start = end
    return pieces


def split_lines(text: str, n_lines: int) -> list[str]:
    """The ``n_lines`` lines of ``text`` (``"\\n".join(lines)``, see ``StreamVocab.tokenize_text``)."""
    lines = text.split("\n") if n_lines else []
    if len(lines) != n_lines:
        raise ValueError(f"a block of {n_lines} lines holds {len(lines)}")
    return lines


def _drop_whitespace(words: list[str], ids: np.ndarray, raw_lengths: np.ndarray | None, n_lines: int):
    """Drop the whitespace tokens of a ``cut_with_whitespace`` result by id, in numpy: ``(kept words, their
    ids renumbered densely, tokens per line)``, or None when a joined cut has not one newline token per line."""
    is_space = np.zeros(len(words), dtype=bool)
    is_space[[i for i, word in enumerate(words) if word.isspace()]] = True
    if raw_lengths is None:
        is_end = np.zeros(len(words), dtype=bool)
        is_end[[i for i, word in enumerate(words) if "\n" in word]] = True
        lengths = _line_lengths(ids, is_space, is_end, None, n_lines)
    else:
        lengths = _line_lengths(ids, is_space, None, raw_lengths, n_lines)
    if lengths is None:
        return None
    if not is_space.any():
        return words, ids, lengths
    remap = np.cumsum(~is_space, dtype=np.int64) - 1  # new id of each kept word, first-occurrence order
    ids = remap[ids[~is_space[ids]]].astype(np.uint32)
    return [word for word, space in zip(words, is_space.tolist()) if not space], ids, lengths


def _line_lengths(ids: np.ndarray, is_space: np.ndarray, is_end: np.ndarray | None,
                  raw_lengths: np.ndarray | None, n_lines: int) -> np.ndarray | None:
    """Non-whitespace tokens per line, from the raw tokens per line or (joined cuts) from the newline tokens
    (``is_end`` per id); None when a joined cut has not one newline token per line."""
    kept = np.zeros(len(ids) + 1, dtype=np.int64)
    np.cumsum(~is_space[ids], out=kept[1:])
    if raw_lengths is not None:
        ends = np.cumsum(raw_lengths)
        return kept[ends] - kept[ends - raw_lengths]
    ends = np.flatnonzero(is_end[ids])  # one whitespace token with a newline per line
    if len(ends) != n_lines:  # cannot happen for lines without newlines; the caller cuts line by line
        return None
    starts = np.concatenate(([0], ends[:-1] + 1)).astype(np.int64)
    return kept[ends] - kept[starts]


def extend_index(index: dict[str, int], words: list[str]) -> tuple[np.ndarray, list[str]]:
    """The ids of distinct ``words`` in ``index`` (int64), adding the new ones with the next free ids; and
    the new words, in id order."""
    start = len(index)
    # one lookup per word: a new word gets start + its position, then the new ids are made dense again
    ids = np.fromiter(map(index.setdefault, words, itertools.count(start)), dtype=np.int64, count=len(words))
    fresh = np.flatnonzero(ids >= start)
    new = [words[k] for k in fresh.tolist()]
    if len(fresh) and fresh[-1] != len(fresh) - 1:  # ids start + k are dense only when k = 0 … m−1
        dense = np.arange(start, start + len(fresh), dtype=np.int64)
        index.update(zip(new, dense.tolist()))
        ids[fresh] = dense
    return ids, new


class StreamVocab:
    """The vocabulary of one stream of blocks, in first-occurrence order (stream ids 0, 1, 2 …).

    ``tokenize(tokenize, lines)`` and ``convert(*tokenize_block(...))`` both give ``(new words, ids uint32,
    line lengths int64)``: the words this stream had not seen before, and the block's tokens as stream ids.
    A worker sends only that, so the parent looks up each word type once per worker instead of once per block.
    """

    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        self.table = None  # interning.TokenTable once a large jieba block came; it then holds the vocabulary

    def convert(self, words: list[str], local: np.ndarray, lengths: np.ndarray, counts: np.ndarray | None = None):
        """A ``tokenize_block`` result (``counts`` is not used) as ``(new words, stream ids, lengths)``."""
        if self.table is not None:  # the table holds the vocabulary now
            got = self.table.intern_list(words)
            return got.words, self.table.stream_ids(got.ids).astype(np.uint32)[local], lengths
        ids, new = extend_index(self.index, words)
        return new, ids.astype(np.uint32)[local], lengths

    def tokenize(self, tokenize: Callable[[str], list[str]], lines: Sequence[str]):
        """Tokenize ``lines`` into ``(new words, stream ids, lengths)``."""
        raw = getattr(tokenize, "with_whitespace", None)
        if raw is None or (self.table is None and sum(map(len, lines)) < TABLE_MIN_CHARS):
            return self.convert(*tokenize_block(tokenize, lines))
        if getattr(tokenize, "joinable", False):
            return self._table_joined(tokenize, raw, "\n".join(lines), len(lines), lines)
        tokens, raw_lengths = cut_with_whitespace(raw, lines, False)
        table = self._table()
        got = table.intern_list(tokens)
        is_space = table.ksid[:len(table)] < 0
        return got.words, got.kept, _line_lengths(got.ids, is_space, None, raw_lengths, len(lines))

    def tokenize_text(self, tokenize: Callable[[str], list[str]], text: str, n_lines: int):
        """``tokenize(split_lines(text, n_lines))`` for ``text = "\\n".join(lines)``: one string is cheaper to
        pass between processes than a list of lines, and a joinable tokenizer cuts it without splitting it."""
        if (getattr(tokenize, "joinable", False) and hasattr(tokenize, "with_whitespace")
                and (self.table is not None or len(text) >= TABLE_MIN_CHARS)):
            return self._table_joined(tokenize, tokenize.with_whitespace, text, n_lines, None)
        return self.tokenize(tokenize, split_lines(text, n_lines))

    def _table_joined(self, tokenize, raw, text: str, n_lines: int, lines: Sequence[str] | None):
        compiled = getattr(tokenize, "compiled_cut", None)
        if compiled is not None and n_lines:  # token lengths from code points, no token strings at all
            cp = np.frombuffer((text + "\n").encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
            got = self._table().intern_code_points(cp, compiled().lengths(cp), n_lines)
        else:
            pieces = cut_joined(raw, text + "\n") if n_lines else []
            got = self._table().intern_pieces(pieces, n_lines)
        if got.ends != n_lines:  # a joined cut that did not mark every line end: cut line by line
            more, kept, lengths = self.convert(*tokenize_block(tokenize, lines if lines is not None
                                                              else split_lines(text, n_lines)))
            return got.words + more, kept, lengths  # words only the joined cut had end with count 0 (dropped)
        return got.words, got.kept, got.lines

    def _table(self):
        """The token table, started with the words seen so far (they keep their ids) when there is none."""
        if self.table is None:
            from .interning import TokenTable

            table = TokenTable(max(1 << 16, 2 * len(self.index)))
            table.intern_list(list(self.index))  # no whitespace among them: stream id == table id
            self.index = {}
            self.table = table
        return self.table


def warm_table() -> None:
    """Import the token table and load its compiled kernel (a worker does this before its first block)."""
    from .interning import TokenTable

    TokenTable().intern_pieces([["a", " "], ["\n"]], 1)
    TokenTable().intern_list(["a\x00"])
    TokenTable().intern_code_points(np.array([97], dtype=np.uint32), np.ones(1, dtype=np.int64))


__all__ = ["tokenize_block", "first_occurrence_ids", "cut_with_whitespace", "cut_joined", "split_lines", "extend_index",
           "StreamVocab", "warm_table", "JOIN_LINES", "JOIN_CHARS", "TABLE_MIN_CHARS"]
