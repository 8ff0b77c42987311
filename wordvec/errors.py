"""The exceptions wordvec raises for user errors.

Every user error (bad input, unknown word, corrupt file, bad option) is a ``WordvecError``: its message is
one line that says what was wrong and what to do. The command line prints it and exits with status 1;
anything else is a bug and keeps its traceback.

Messages name options as the Python API spells them (``min_count``, ``checkpoint_every``), never as
command-line flags; ``params`` lists the parameter names a message mentions, so that the command line can
show its own spelling (``--min-count``) instead (``wordvec.cli.messages``).
"""
from __future__ import annotations

from typing import Sequence


class WordvecError(Exception):
    """Base class of every user-facing error; ``str(err)`` is a one-line message.

    ``params`` (default ``()``): the Python parameter names the message mentions, as whole words
    (e.g. ``InputError("... lower min_count", params=("min_count",))``).
    """

    def __init__(self, message: str = "", params: Sequence[str] = ()):
        super().__init__(message)
        self.params = tuple(params)


class InputError(WordvecError):
    """An input path or its content cannot be used (missing, unreadable, empty, not text)."""


class CorruptFileError(WordvecError):
    """A saved artifact (cache, counts, model, vector file) is damaged, truncated or of another version."""


class MismatchError(CorruptFileError):
    """Two artifacts that must belong together do not (e.g. counts built with another vocabulary)."""


class DivergenceError(WordvecError):
    """Training produced NaN or Inf values; nothing was saved."""


class ResourceError(WordvecError):
    """The machine cannot hold or store the work (memory estimate, full disk)."""


class CompressedFileError(InputError, CorruptFileError):
    """A ``.gz``/``.bz2``/``.xz``/``.lzma`` file is truncated or not in the format its suffix names."""


class UnknownWordError(WordvecError, KeyError):
    """A query word is not in the vocabulary; carries up to five close vocabulary entries."""

    def __init__(self, word: str, suggestions: Sequence[str] = ()):
        self.word = word
        self.suggestions = list(suggestions)[:5]
        hint = f"; did you mean: {', '.join(self.suggestions)}?" if self.suggestions else ""
        shown = repr(word) if len(word) <= 80 else f"{word[:40]!r}... ({len(word)} characters)"
        super().__init__(f"word not in vocabulary: {shown}{hint}")

    def __str__(self) -> str:  # KeyError would otherwise quote the whole message
        return self.args[0]


__all__ = [
    "WordvecError",
    "InputError",
    "CorruptFileError",
    "MismatchError",
    "DivergenceError",
    "ResourceError",
    "CompressedFileError",
    "UnknownWordError",
]
