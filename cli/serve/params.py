"""Request parameters of the web API and pages: parsing, limits, and the errors they raise.

Every bad value becomes an ``ApiError`` with an HTTP status and a one-line message: 400 for a bad
parameter, 404 for an unknown word (with the CLI's "did you mean" suggestions), 413 for a text or body over
the limits below. Parameters come from the query string, a form, or a JSON object body alike.
"""
from __future__ import annotations

import math
from typing import Any, Iterable, Mapping

MAX_N = 100  # longest list a query returns
MAX_TEXT_CHARS = 10_000  # longest text (keywords, sentsim)
MAX_WORD_CHARS = 100  # longest query word
MAX_WORDS = 10  # query words of one similar/profile query
MAX_BATCH_WORDS = 100  # words of one batch request
MAX_BODY_BYTES = 256 * 1024  # request body (Flask's MAX_CONTENT_LENGTH)
MAX_CONTEXT_WORDS = 20_000  # profile similarity: context words N (a new N rebuilds the transform: ~1 s per 10k)
ALPHA_RANGE = (-10.0, 10.0)  # related: α

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class ApiError(Exception):
    """A request the server refuses: ``status`` (400, 404, 413), a one-line ``message`` and extra JSON fields."""

    def __init__(self, status: int, message: str, **extra: Any):
        super().__init__(message)
        self.status = status
        self.message = message
        self.extra = extra

    def to_json(self) -> dict[str, Any]:
        """The JSON body: ``{"error": message, "status": status, …extra}``."""
        return {"error": self.message, "status": self.status, **self.extra}


def bad(message: str) -> ApiError:
    """A 400 error with ``message``."""
    return ApiError(400, message)


class Params:
    """Named request values, each a list of strings (a JSON body's scalars and lists are accepted alike).

    ``values``: a mapping of name to a string, a number, a bool or a list of them (a werkzeug ``MultiDict``
    is read with ``getlist``).
    """

    def __init__(self, values: Mapping[str, Any] | None = None):
        self._values: dict[str, list[str]] = {}
        if values is None:
            return
        getlist = getattr(values, "getlist", None)
        for key in values.keys():
            raw: Iterable[Any] = getlist(key) if getlist else values[key]
            if isinstance(raw, (str, int, float, bool)) or raw is None:
                raw = [raw]
            if not isinstance(raw, (list, tuple)):
                raise bad(f"parameter {key!r} must be a string, a number or a list of them")
            items = []
            for item in raw:
                if isinstance(item, bool):
                    items.append("1" if item else "0")
                elif isinstance(item, (str, int, float)):
                    items.append(str(item))
                else:
                    raise bad(f"parameter {key!r} must be a string, a number or a list of them")
            self._values[str(key)] = items

    def merged(self, other: "Params") -> "Params":
        """These values with ``other``'s added (``other`` wins for single values)."""
        out = Params()
        out._values = {**self._values, **other._values}
        return out

    def all(self, name: str) -> list[str]:
        """Every value given for ``name`` (empty strings dropped)."""
        return [v for v in self._values.get(name, []) if v != ""]

    def get(self, name: str, default: str | None = None) -> str | None:
        """The last value of ``name``, or ``default``."""
        values = self._values.get(name)
        return values[-1] if values else default

    def __contains__(self, name: str) -> bool:
        return bool(self._values.get(name))

    # --- typed readers ---------------------------------------------------------------------------------
    def word(self, name: str, required: bool = True) -> str | None:
        """One query word: stripped, 1..MAX_WORD_CHARS characters."""
        value = (self.get(name) or "").strip()
        if not value:
            if required:
                raise bad(f"missing parameter {name!r}: give a word, e.g. ?{name}=北京")
            return None
        return check_word(value, name)

    def words(self, name: str, limit: int = MAX_WORDS, required: bool = True) -> list[str]:
        """All words given for ``name`` (repeated parameter), at most ``limit``."""
        values = [v.strip() for v in self.all(name) if v.strip()]
        if required and not values:
            raise bad(f"missing parameter {name!r}: give a word, e.g. ?{name}=北京")
        if len(values) > limit:
            raise bad(f"too many words in {name!r}: {len(values)} given, at most {limit}")
        return [check_word(v, name) for v in values]

    def text(self, name: str, required: bool = True) -> str:
        """A text of at most MAX_TEXT_CHARS characters (longer: 413)."""
        value = self.get(name) or ""
        if len(value) > MAX_TEXT_CHARS:
            raise ApiError(413, f"text {name!r} is too long: {len(value)} characters, at most {MAX_TEXT_CHARS}")
        if required and not value.strip():
            raise bad(f"missing parameter {name!r}: give a text")
        if "\x00" in value:
            raise bad(f"text {name!r} contains a NUL character")
        return value

    def integer(self, name: str, default: int, low: int, high: int) -> int:
        """An integer in ``[low, high]`` (``default`` when absent)."""
        value = self.get(name)
        if value is None or value.strip() == "":
            return default
        try:
            number = int(value.strip())
        except ValueError:
            raise bad(f"parameter {name!r} must be an integer, not {value[:40]!r}") from None
        if not low <= number <= high:
            raise bad(f"parameter {name!r} must be between {low} and {high}, not {number}")
        return number

    def topn(self, default: int = 10) -> int:
        """``n``: how many results (1..MAX_N)."""
        return self.integer("n", default, 1, MAX_N)

    def number(self, name: str, low: float, high: float) -> float | None:
        """A finite float in ``[low, high]``, or ``None`` when absent."""
        value = self.get(name)
        if value is None or value.strip() == "":
            return None
        try:
            number = float(value.strip())
        except ValueError:
            raise bad(f"parameter {name!r} must be a number, not {value[:40]!r}") from None
        if not math.isfinite(number) or not low <= number <= high:
            raise bad(f"parameter {name!r} must be a number between {low:g} and {high:g}, not {value[:40]!r}")
        return number

    def flag(self, name: str) -> bool:
        """A boolean: 1/true/yes/on or 0/false/no/off (absent: false)."""
        value = self.get(name)
        if value is None:
            return False
        lowered = value.strip().lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise bad(f"parameter {name!r} must be true or false, not {value[:40]!r}")

    def choice(self, name: str, choices: tuple[str, ...], default: str) -> str:
        """One of ``choices`` (``default`` when absent)."""
        value = self.get(name)
        if value is None or value == "":
            return default
        if value not in choices:
            raise bad(f"parameter {name!r} must be one of {', '.join(choices)}, not {value[:40]!r}")
        return value


def check_word(value: str, name: str = "w") -> str:
    """``value`` if it is a usable query word (not too long, no control characters), else a 400 error."""
    if len(value) > MAX_WORD_CHARS:
        raise bad(f"word in {name!r} is too long: {len(value)} characters, at most {MAX_WORD_CHARS}")
    if any(ord(ch) < 32 for ch in value):
        raise bad(f"word in {name!r} contains control characters")
    return value


__all__ = ["ApiError", "Params", "bad", "check_word", "MAX_N", "MAX_TEXT_CHARS", "MAX_BODY_BYTES",
           "MAX_BATCH_WORDS", "MAX_WORDS", "MAX_WORD_CHARS", "MAX_CONTEXT_WORDS", "ALPHA_RANGE"]
