"""The two jieba engines behind the ``jieba`` and ``jieba-py`` tokenizers, and the user dictionary both read.

* ``rjieba`` (the ``jieba`` tokenizer): jieba-rs, the Rust port of jieba, through the ``rjieba`` binding.
  Same dictionary, same algorithm, about 20× faster. Two differences from the Python engine are corrected
  here so that the tokens are identical:

  - With the HMM on, jieba-rs keeps runs such as ``www.example.com`` or ``3-4`` in one token where the Python
    engine splits them at ``.``/``-`` (its rule is ``[a-zA-Z0-9]+(?:\\.\\d+)?%?``). An ASCII token that
    holds one of ``._-+#&%``, is longer than one character and is not a dictionary word is split again
    with the Python rule. Without the HMM, neither engine produces such tokens.
  - jieba-rs has no ``load_userdict``, and its ``add_word`` keeps the dictionary total exact when a word
    is re-weighted, where the Python engine adds the new frequency on top of the old one. The total enters
    every route probability, so the user dictionary is applied to the Python engine first and its final
    frequencies (including suggested ones for words given without a frequency) are copied into jieba-rs,
    with the difference in totals carried by a placeholder word that can never match text (``"\\x00"``:
    the segmenter only looks words up inside runs of Chinese characters, letters, digits and ``+#&._%-``).

  One case cannot be made identical: a word given frequency 0 (the Python engine drops it from the word
  graph and forces the HMM to split it; jieba-rs keeps it). ``resolve`` then moves the whole run to the
  Python engine and says why in ``TokenizerSettings.fallback``, which the reading report shows.
* ``jieba`` (the ``jieba-py`` tokenizer): the Python package, one dedicated ``jieba.Tokenizer`` per user
  dictionary (never jieba's global one).

Neither engine is imported until a tokenizer is made, so cosine queries never load them.
"""
from __future__ import annotations

import functools
import logging
import os
import re
import threading
from dataclasses import dataclass
from typing import Any, Callable

from wordvec.errors import InputError

PLACEHOLDER = "\x00"  # carries the Python engine's extra dictionary total; never inside a segmented run
_USERDICT_LINE = re.compile(r"^(.+?)( [0-9]+)?( [a-z]+)?$", re.U)  # jieba's reading of a user dictionary line
_PY_HMM_SKIP = re.compile(r"([a-zA-Z0-9]+(?:\.\d+)?%?)")  # the Python engine's split of non-Chinese HMM runs
_JOINERS = frozenset("._-+#&%")
_MAX_CACHED = 4  # engines kept per process (one per user dictionary version)


@functools.lru_cache(maxsize=None)
def engine_version(package: str) -> str:
    """The installed version of ``package`` ("rjieba" or "jieba"), or "missing"; read without importing it."""
    from importlib import metadata

    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "missing"


@dataclass(frozen=True)
class DictEntry:
    """One line of a user dictionary: ``word``, ``freq`` (int or None), ``tag`` (str or None), ``line`` (1-based)."""

    word: str
    freq: int | None
    tag: str | None
    line: int


def _bad_line(path: str, number: int, text: str, why: str, others: int) -> InputError:
    more = f" (and {others} more bad lines)" if others else ""
    shown = text if len(text) <= 40 else text[:40] + "..."
    return InputError(f"cannot read user dictionary {path}:{number}: {why} in line {shown!r}{more}; write UTF-8 "
                      f"lines 'word [freq] [tag]' (a whole-number frequency, a lowercase tag) or remove the line")


def parse_user_dict(path: str) -> list[DictEntry]:
    """The entries of the user dictionary at ``path``, read exactly as jieba's ``load_userdict`` reads them.

    Blank lines are skipped, a BOM on the first line is dropped, each line is stripped and read as
    ``word [freq] [tag]``. Raises ``InputError`` (``path:line: ...``) for a missing or unreadable file, invalid
    UTF-8, a NUL byte, or a word with whitespace inside (what a fractional frequency or an upper-case tag
    turns into: jieba would add a "word" that can never match).
    """
    try:
        with open(path, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        raise InputError(f"user dictionary not found: {path}: check the user_dict path",
                         params=("user_dict",)) from None
    except OSError as err:
        raise InputError(f"cannot read user dictionary {path}: {err.strerror or err}; check the user_dict "
                         "path", params=("user_dict",)) from None
    entries: list[DictEntry] = []
    bad: list[tuple[int, str, str]] = []
    for number, raw in enumerate(data.split(b"\n"), 1):
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            bad.append((number, raw.decode("utf-8", "replace").strip(), "invalid UTF-8"))
            continue
        if number == 1:
            line = line.lstrip("\ufeff")
        line = line.strip()
        if not line:
            continue
        if "\x00" in line:
            bad.append((number, line.replace("\x00", "\\0"), "NUL byte"))
            continue
        word, freq, tag = _USERDICT_LINE.match(line).groups()
        if any(ch.isspace() for ch in word):
            bad.append((number, line, "whitespace inside the word"))
            continue
        entries.append(DictEntry(word, int(freq) if freq is not None else None, tag.strip() if tag else None, number))
    if bad:
        number, text, why = bad[0]
        raise _bad_line(path, number, text, why, len(bad) - 1)
    return entries


def rjieba_limits(entries: list[DictEntry], path: str) -> str:
    """Why rjieba cannot tokenize identically with these user dictionary entries ("" when it can)."""
    zeros = [e for e in entries if e.freq == 0]
    if not zeros:
        return ""
    first = zeros[0]
    more = f" and {len(zeros) - 1} more lines" if len(zeros) > 1 else ""
    return (f"the user dictionary gives {first.word!r} frequency 0 ({path}:{first.line}{more}), which only the "
            f"Python engine follows (it removes the word and makes the HMM split it)")


# --- engines, one per process and user dictionary version ----------------------------------------------
_ENGINES: dict[tuple[str, str | None, int | None], Any] = {}
_LOCK = threading.RLock()  # re-entrant: building rjieba with a user dictionary builds jieba-py first


def _dict_key(user_dict: str | None) -> int | None:
    if not user_dict:
        return None
    try:
        return os.stat(user_dict).st_mtime_ns
    except OSError:
        raise InputError(f"user dictionary not found: {user_dict}: check the user_dict path",
                         params=("user_dict",)) from None


def _cached(kind: str, user_dict: str | None, build: Callable[[], Any]):
    key = (kind, user_dict, _dict_key(user_dict))
    engine = _ENGINES.get(key)
    if engine is not None:
        return engine
    with _LOCK:
        engine = _ENGINES.get(key)
        if engine is None:
            engine = build()
            while len(_ENGINES) >= _MAX_CACHED:  # bounded when user dictionaries keep changing
                _ENGINES.pop(next(iter(_ENGINES)))
            _ENGINES[key] = engine
    return engine


def get_jieba_py(user_dict: str | None = None):
    """This process's dedicated ``jieba.Tokenizer`` with ``user_dict`` applied (built on first use).

    The tokenizer also carries ``wordvec_base_total`` and ``wordvec_base_freq`` (the default dictionary's
    total and the original frequency of each user word), which ``get_rjieba`` needs.
    """

    def build():
        import jieba

        jieba.setLogLevel(logging.WARNING)  # jieba logs its dictionary loading to stderr at DEBUG
        tokenizer = jieba.Tokenizer()
        tokenizer.initialize()
        entries = parse_user_dict(user_dict) if user_dict else []
        tokenizer.wordvec_base_total = tokenizer.total
        tokenizer.wordvec_base_freq = {e.word: tokenizer.FREQ.get(e.word, 0) for e in entries}
        for e in entries:  # what load_userdict does, line by line
            tokenizer.add_word(e.word, e.freq, e.tag)
        return tokenizer

    return _cached("jieba", user_dict, build)


def get_rjieba(user_dict: str | None = None):
    """This process's ``rjieba.Jieba`` with ``user_dict`` applied as the Python engine would (see the module doc)."""

    def build():
        import rjieba

        engine = rjieba.Jieba()
        if user_dict:
            entries = parse_user_dict(user_dict)
            reason = rjieba_limits(entries, user_dict)
            if reason:
                raise InputError(f"rjieba cannot apply this user dictionary identically: {reason}; use "
                                 f"tokenizer jieba-py", params=("tokenizer",))
            reference = get_jieba_py(user_dict)
            total = reference.wordvec_base_total
            tags: dict[str, str | None] = {}
            for e in entries:
                if e.tag or e.word not in tags:
                    tags[e.word] = e.tag
            for word, tag in tags.items():
                freq = int(reference.FREQ[word])
                engine.add_word(word, freq, tag)
                total += freq - int(reference.wordvec_base_freq[word])
            extra = int(reference.total) - total
            if extra > 0:
                engine.add_word(PLACEHOLDER, extra, None)
        return engine

    return _cached("rjieba", user_dict, build)


def rjieba_cut(user_dict: str | None, hmm: bool) -> Callable[[str], list[str]]:
    """``text -> tokens`` with rjieba, giving the Python engine's tokens (HMM runs re-split as it splits them).

    The function is marked ``joinable``: cutting lines joined by newlines gives each line's tokens with a
    whitespace token holding the newline between them (jieba never lets a word cross whitespace), and
    jieba-rs cuts about a fifth faster on 100 lines at a time than line by line.
    """
    engine = get_rjieba(user_dict)
    cut = engine.cut
    if not hmm:

        def cut_plain(text: str) -> list[str]:
            return cut(text, False)

        cut_plain.joinable = True  # type: ignore[attr-defined]
        return cut_plain
    has_word = engine.has_word
    split = _PY_HMM_SKIP.split
    joiners = _JOINERS

    def cut_hmm(text: str) -> list[str]:
        tokens = cut(text, True)
        for tok in tokens:
            if len(tok) > 1 and tok.isascii() and not joiners.isdisjoint(tok):
                break
        else:
            return tokens
        out: list[str] = []
        for tok in tokens:
            if len(tok) > 1 and tok.isascii() and not joiners.isdisjoint(tok) and not has_word(tok):
                out.extend(part for part in split(tok) if part)
            else:
                out.append(tok)
        return out

    cut_hmm.joinable = True  # type: ignore[attr-defined]
    return cut_hmm


def jieba_py_cut(user_dict: str | None, hmm: bool) -> Callable[[str], list[str]]:
    """``text -> tokens`` with the Python jieba engine."""
    lcut = get_jieba_py(user_dict).lcut
    return lambda text: lcut(text, HMM=hmm)


__all__ = ["parse_user_dict", "rjieba_limits", "get_jieba_py", "get_rjieba", "rjieba_cut", "jieba_py_cut",
           "engine_version", "DictEntry", "PLACEHOLDER"]
