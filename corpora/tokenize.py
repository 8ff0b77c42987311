"""Tokenizers: jieba (precise mode, HMM off by default), whitespace, single characters, tagged text (SPEC a.1).

``TokenizerSettings`` names a tokenizer completely (it is stored in every artifact's meta, with the engine
and its version), and ``tokenize_text(text, settings)`` turns one line (or a short text, e.g. a user query)
into tokens. Rules common to every mode: whitespace (any Unicode whitespace) is never a token; punctuation
is kept; ``split_alnum`` splits every ASCII digit and letter into a token of its own (the Baike vectors' rule).

jieba runs on one of two engines (``engines``): ``jieba`` is rjieba (jieba-rs), ``jieba-py`` the Python
package; both give the same tokens. Meta written before rjieba (mode "jieba" without an ``engine``) is
read as ``jieba-py``, so old models keep segmenting queries exactly as their corpus was segmented.
"""
from __future__ import annotations

import os
import re
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Callable, Mapping

from wordvec.errors import InputError

MODES = ("jieba", "jieba-py", "whitespace", "char", "tagged")
JIEBA_MODES = ("jieba", "jieba-py")
ENGINE_PACKAGES = {"jieba": "rjieba", "jieba-py": "jieba"}  # tokenizer mode -> the package that segments
DEFAULT_MAX_LINE_CHARS = 1_000_000

# tagged text (People's Daily style): "迈向/v", "[中央/n", "电台/n]nt"; the word is everything before the
# last "/TAG" (TAG = ASCII letters), an optional "]TAG" of a bracketed compound follows.
_TAGGED = re.compile(r"^(.+)/[A-Za-z]+(?:\][A-Za-z]+)?$", re.S)
_ALNUM = re.compile(r"([A-Za-z0-9])")
_HAS_ALNUM = re.compile(r"[A-Za-z0-9]")


@dataclass(frozen=True)
class TokenizerSettings:
    """How text becomes tokens; stored in the token cache and in every model's meta.

    Parameters: ``mode`` ("jieba" (default, the rjieba engine), "jieba-py" (the Python jieba engine, same
    tokens), "whitespace", "char", "tagged": whitespace tokens with a trailing ``/TAG`` stripped), ``hmm``
    (jieba's new-word HMM, default False as SPEC a.1), ``user_dict`` (path of a jieba user dictionary, default
    None), ``split_alnum`` (ASCII digits/letters become single-character
    tokens, default False), ``max_line_chars`` (longer input lines are split into pieces of this many
    characters, default 1,000,000), ``fallback`` (set by ``resolve``: why a ``jieba`` run went to the Python
    engine; default "").

    ``engine`` is filled in, never passed: ``"rjieba 0.2.2"``, ``"jieba 0.42.1"`` (the installed package and
    version that segments) or "" for the modes without jieba. It is part of ``to_dict()``, hence of the
    token cache key: another engine version never reuses a cache.
    """

    mode: str = "jieba"
    hmm: bool = False
    user_dict: str | None = None
    split_alnum: bool = False
    max_line_chars: int = DEFAULT_MAX_LINE_CHARS
    fallback: str = ""
    engine: str = field(default="", init=False)

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise InputError(f"unknown tokenizer {self.mode!r}: use one of {', '.join(MODES)}")
        if int(self.max_line_chars) < 1:
            raise InputError(f"max_line_chars must be at least 1, got {self.max_line_chars}")
        if self.user_dict is not None:
            if self.mode not in JIEBA_MODES:
                raise InputError("a user dictionary only applies to the jieba tokenizers: drop user_dict",
                                 params=("user_dict",))
            object.__setattr__(self, "user_dict", os.path.abspath(os.fspath(self.user_dict)))
        package = ENGINE_PACKAGES.get(self.mode)
        if package is not None:
            from .engines import engine_version

            object.__setattr__(self, "engine", f"{package} {engine_version(package)}")

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (round-trips through ``from_dict``)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "TokenizerSettings":
        """Rebuild settings from ``to_dict()`` output; unknown keys are ignored, missing ones take defaults.

        ``engine`` is not read back (the installed one is filled in), except that mode "jieba" without any
        ``engine`` (meta written before rjieba) means the Python engine, "jieba-py".
        """
        known = {k: data[k] for k in ("mode", "hmm", "user_dict", "split_alnum", "max_line_chars", "fallback")
                 if k in data}
        if known.get("mode") == "jieba" and "engine" not in data:
            known["mode"] = "jieba-py"
        return cls(**known)


def get_jieba(user_dict: str | None = None):
    """This process's dedicated Python ``jieba.Tokenizer`` for ``user_dict`` (see ``engines.get_jieba_py``)."""
    from .engines import get_jieba_py

    return get_jieba_py(user_dict)


def resolve(settings: TokenizerSettings) -> TokenizerSettings:
    """``settings``, moved to the ``jieba-py`` engine (with ``fallback`` saying why) when rjieba cannot give
    identical tokens for its user dictionary; unchanged otherwise. Raises ``InputError`` for a missing or bad
    user dictionary.
    """
    if settings.mode != "jieba" or not settings.user_dict:
        if settings.user_dict:
            from .engines import parse_user_dict

            parse_user_dict(settings.user_dict)  # the same errors whichever engine runs
        return settings
    from .engines import parse_user_dict, rjieba_limits

    reason = rjieba_limits(parse_user_dict(settings.user_dict), settings.user_dict)
    if not reason:
        return settings
    note = f"--tokenizer jieba ran on the Python engine (jieba-py): {reason}"
    return replace(settings, mode="jieba-py", fallback=note)


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


def _compiled_default():
    """jieba's default dictionary compiled for large blocks (``segment.default_cut``; imports numba)."""
    from .segment import default_cut

    return default_cut()


def make_tokenizer(settings: TokenizerSettings) -> Callable[[str], list[str]]:
    """A function ``line -> tokens`` for ``settings`` (loads jieba once per process when needed).

    The jieba tokenizers without ``split_alnum`` also carry ``with_whitespace``: the same tokens with jieba's
    whitespace tokens still in, for callers that drop them in bulk (``blocks.tokenize_block``).
    """
    if settings.mode in JIEBA_MODES:
        from .engines import jieba_py_cut, rjieba_cut

        settings = resolve(settings)
        engine = rjieba_cut if settings.mode == "jieba" else jieba_py_cut
        cut = engine(settings.user_dict, bool(settings.hmm))

        def base(text: str) -> list[str]:
            # jieba yields whitespace as separate pure-whitespace tokens ("\s" or "\r\n"); drop them
            return [tok for tok in cut(text) if not tok.isspace()]

        if not settings.split_alnum:
            base.with_whitespace = cut  # type: ignore[attr-defined]  # for tokenize_block's id-level filter
            base.joinable = getattr(cut, "joinable", False)  # type: ignore[attr-defined]
            if (settings.mode == "jieba" and not settings.hmm and not settings.user_dict
                    and os.environ.get("WORDVEC_COMPILED_CUT", "1") != "0"):
                base.compiled_cut = _compiled_default  # type: ignore[attr-defined]  # blocks.StreamVocab

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


__all__ = ["TokenizerSettings", "tokenize_text", "make_tokenizer", "resolve", "get_jieba", "MODES", "JIEBA_MODES",
           "DEFAULT_MAX_LINE_CHARS"]
