"""File names that are not valid UTF-8 (GBK names from Windows zips, any name under a C locale).

Python hands such names over as ``str`` with lone surrogates (``surrogateescape``: byte 0xD6 becomes
U+DCD6). They are real paths and must keep working, but they cannot be encoded as UTF-8 as they are. Three
uses, three helpers: hashing a name into a cache key (``key_bytes``: the original bytes, so a name hashes the
same under every locale), storing it in JSON (``json_dumps``: lone surrogates become ``\\udcd6`` escapes, which
``json.loads`` turns back into the very same string), and showing it (``display``: ``\\xd6``, one line, any
terminal).
"""
from __future__ import annotations

import json
import re
from typing import Any

_SURROGATE = re.compile("[\ud800-\udfff]")


def key_bytes(text: str) -> bytes:
    """``text`` as UTF-8 bytes, lone surrogates back to the bytes they stand for (names hash the same
    under UTF-8 and C locales; text without surrogates gives exactly ``text.encode("utf-8")``)."""
    return text.encode("utf-8", "surrogateescape")


def _escape(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"\\u{code:04x}"


def display(text: str) -> str:
    """``text`` for a message: each undecodable byte of a file name shown as ``\\xNN``."""
    return _SURROGATE.sub(_escape, text) if _SURROGATE.search(text) else text


def json_dumps(obj: Any, **kwargs: Any) -> str:
    """``json.dumps(obj, ensure_ascii=False, **kwargs)`` that can be written as UTF-8 even when a string holds
    lone surrogates: those (and only those) are written as ``\\uXXXX`` escapes, which read back unchanged."""
    text = json.dumps(obj, ensure_ascii=False, **kwargs)
    if _SURROGATE.search(text):  # surrogates only occur inside JSON strings, where \uXXXX is valid
        text = _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    return text


def default_cache_root() -> str:
    """Where caches go: ``$WORDVEC_CACHE_DIR``, else ``~/.cache/wordvec``."""
    import os

    return os.environ.get("WORDVEC_CACHE_DIR") or os.path.join(os.path.expanduser("~"), ".cache", "wordvec")


__all__ = ["key_bytes", "display", "json_dumps", "default_cache_root"]
