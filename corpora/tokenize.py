"""Tokenizers: jieba (precise mode, HMM off by default), whitespace, single characters, tagged text (SPEC a.1).

``TokenizerSettings`` names a tokenizer completely (it is stored in every artifact's meta), and
``tokenize_text(text, settings)`` turns one line (or a short text, e.g. a user query) into tokens.
Rules common to every mode: whitespace (any Unicode whitespace) is never a token; punctuation is kept;
``split_alnum`` splits every ASCII digit and letter into a token of its own (the Baike vectors' rule).
Each process keeps one dedicated ``jieba.Tokenizer`` per user dictionary (never jieba's global one).
"""
from __future__ import annotations

import logging
import os
import re
import threading
from dataclasses import asdict, dataclass
from typing import Any, Callable, Mapping

from wordvec.errors import InputError

MODES = ("jieba", "whitespace", "char", "tagged")
DEFAULT_MAX_LINE_CHARS = 1_000_000

# tagged text (People's Daily style): "迈向/v", "[中央/n", "电台/n]nt"; the word is everything before the
# last "/TAG" (TAG = ASCII letters), an optional "]TAG" of a bracketed compound follows.
_TAGGED = re.compile(r"^(.+)/[A-Za-z]+(?:\][A-Za-z]+)?$", re.S)
_ALNUM = re.compile(r"([A-Za-z0-9])")
_HAS_ALNUM = re.compile(r"[A-Za-z0-9]")


@dataclass(frozen=True)
class TokenizerSettings:
    """How text becomes tokens; stored in the token cache and in every model's meta.

    Parameters: ``mode`` ("jieba" (default), "whitespace", "char", "tagged": whitespace tokens with a trailing
    ``/TAG`` stripped), ``hmm`` (jieba's new-word HMM, default False as SPEC a.1), ``user_dict`` (path of a
    jieba user dictionary, default None), ``split_alnum`` (ASCII digits/letters become single-character
    tokens, default False), ``max_line_chars`` (longer input lines are split into pieces of this many
    characters, default 1,000,000).
    """

    mode: str = "jieba"
    hmm: bool = False
    user_dict: str | None = None
    split_alnum: bool = False
    max_line_chars: int = DEFAULT_MAX_LINE_CHARS

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise InputError(f"unknown tokenizer {self.mode!r}: use one of {', '.join(MODES)}")
        if int(self.max_line_chars) < 1:
            raise InputError(f"max_line_chars must be at least 1, got {self.max_line_chars}")
        if self.user_dict is not None:
            if self.mode != "jieba":
                raise InputError("a user dictionary only applies to the jieba tokenizer: drop user_dict",
                                 params=("user_dict",))
            object.__setattr__(self, "user_dict", os.path.abspath(os.fspath(self.user_dict)))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (round-trips through ``from_dict``)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "TokenizerSettings":
        """Rebuild settings from ``to_dict()`` output; unknown keys are ignored, missing ones take defaults."""
        known = {k: data[k] for k in ("mode", "hmm", "user_dict", "split_alnum", "max_line_chars") if k in data}
        return cls(**known)


# --- the jieba tokenizer, one per process and user dictionary --------------------------------------------
_JIEBA: dict[tuple[str | None, float | None], Any] = {}
_JIEBA_LOCK = threading.Lock()


def get_jieba(user_dict: str | None = None):
    """This process's dedicated ``jieba.Tokenizer`` for ``user_dict`` (built and initialised on first use)."""
    try:
        mtime = os.path.getmtime(user_dict) if user_dict else None
    except OSError:
        raise InputError(f"user dictionary not found: {user_dict}: check the user_dict path",
                         params=("user_dict",)) from None
    key = (user_dict, mtime)
    tokenizer = _JIEBA.get(key)
    if tokenizer is not None:
        return tokenizer
    with _JIEBA_LOCK:
        tokenizer = _JIEBA.get(key)
        if tokenizer is None:
            import jieba

            jieba.setLogLevel(logging.WARNING)  # jieba logs its dictionary loading to stderr at DEBUG
            tokenizer = jieba.Tokenizer()
            tokenizer.initialize()
            if user_dict:
                try:
                    tokenizer.load_userdict(user_dict)
                except (OSError, UnicodeDecodeError, ValueError) as err:
                    raise InputError(
                        f"cannot read user dictionary {user_dict}: {err}; use UTF-8 lines 'word [freq] [tag]'"
                    ) from None
            while len(_JIEBA) >= 4:  # keep memory bounded when user dictionaries keep changing
                _JIEBA.pop(next(iter(_JIEBA)))
            _JIEBA[key] = tokenizer
    return tokenizer


def _split_alnum(tokens: list[str]) -> list[str]:
    out: list[str] = []
    for tok in tokens:
        if not _HAS_ALNUM.search(tok):
            out.append(tok)
        elif tok.isascii() and tok.isalnum():
            out.extend(tok)
        else:
            out.extend(part for part in _ALNUM.split(tok) if part)
    return out


def _strip_tag(tok: str) -> str:
    match = _TAGGED.match(tok)
    if match is None:
        return tok
    word = match.group(1)
    if word.startswith("[") and len(word) > 1:  # "[中央/n": opening bracket of a tagged compound
        word = word[1:]
    return word


def make_tokenizer(settings: TokenizerSettings) -> Callable[[str], list[str]]:
    """A function ``line -> tokens`` for ``settings`` (loads jieba once per process when needed)."""
    if settings.mode == "jieba":
        cut = get_jieba(settings.user_dict).lcut
        hmm = bool(settings.hmm)

        def base(text: str) -> list[str]:
            # jieba yields whitespace as separate pure-whitespace tokens ("\s" or "\r\n"); drop them
            return [tok for tok in cut(text, HMM=hmm) if not tok.isspace()]

    elif settings.mode == "whitespace":
        base = str.split
    elif settings.mode == "char":

        def base(text: str) -> list[str]:
            return [ch for ch in text if not ch.isspace()]

    else:  # tagged

        def base(text: str) -> list[str]:
            return [_strip_tag(tok) for tok in text.split()]

    if not settings.split_alnum or settings.mode == "char":
        return base

    def with_split(text: str) -> list[str]:
        return _split_alnum(base(text))

    return with_split


def tokenize_text(text: str, settings: TokenizerSettings | None = None) -> list[str]:
    """Tokens of ``text`` (one line or a short text) under ``settings`` (default: jieba, HMM off).

    Whitespace is never a token; newlines inside ``text`` only separate tokens (use the token cache to keep
    lines apart). Used by queries to tokenize user text exactly like the model's corpus.
    """
    settings = settings or TokenizerSettings()
    return make_tokenizer(settings)(text)


__all__ = ["TokenizerSettings", "tokenize_text", "make_tokenizer", "get_jieba", "MODES", "DEFAULT_MAX_LINE_CHARS"]
