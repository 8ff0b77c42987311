"""Typed checks of ``meta.json`` fields: types, ranges, finite numbers.

A schema maps a field name to a ``Field`` (or a nested ``Record``); fields absent from the file are skipped
(older artifacts lack newer fields), fields absent from the schema are free. A violation is one line
``CorruptFileError`` naming the file and the field path (``meta.json: field tokenizer.hmm: expected true or
false, found "yes"; retrain the model``). JSON itself is parsed elsewhere (``wordvec.io.meta``), which
already refuses NaN/Infinity literals and nesting deeper than ``MAX_DEPTH``.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from wordvec.errors import CorruptFileError

MAX_DEPTH = 64


def _show(value: Any, limit: int = 40) -> str:
    import json

    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError, RecursionError):
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


@dataclass(frozen=True)
class Field:
    """One field: ``kind`` is ``"int"``, ``"number"``, ``"str"``, ``"bool"``, ``"list"`` or ``"dict"``;
    ``low``/``high`` bound numbers (inclusive) and ``nullable`` allows ``null``; ``items`` checks each list
    element or dict value; ``choices`` limits strings; ``pattern`` is a regex a string (or dict key) must match."""

    kind: str
    low: float | None = None
    high: float | None = None
    nullable: bool = False
    items: "Field | Record | None" = None
    choices: tuple[str, ...] = ()
    pattern: str | None = None

    def problem(self, value: Any) -> str | None:
        """What is wrong with ``value`` (None: nothing)."""
        if value is None:
            return None if self.nullable else f"expected {self._what()}, found null"
        kind = self.kind
        if kind == "bool":
            return None if isinstance(value, bool) else f"expected true or false, found {_show(value)}"
        if kind in ("int", "number"):
            ok = (isinstance(value, int) or (kind == "number" and isinstance(value, float))) and not isinstance(value, bool)
            if not ok:
                return f"expected {self._what()}, found {_show(value)}"
            if isinstance(value, float) and not math.isfinite(value):
                return f"expected a finite number, found {value}"
            if self.low is not None and value < self.low or self.high is not None and value > self.high:
                return f"{_show(value)} is outside {self._range()}"
            return None
        if kind == "str":
            if not isinstance(value, str):
                return f"expected a string, found {_show(value)}"
            if self.choices and value not in self.choices:
                return f"{_show(value)} is not one of {', '.join(self.choices)}"
            if self.pattern and not re.fullmatch(self.pattern, value):
                return f"{_show(value)} is not of the form {self.pattern}"
            return None
        if kind == "list":
            return None if isinstance(value, list) else f"expected a list, found {_show(value)}"
        if kind == "dict":
            return None if isinstance(value, dict) else f"expected an object, found {_show(value)}"
        raise ValueError(f"unknown field kind {kind!r}")  # a bug in a schema

    def _what(self) -> str:
        return {"int": "an integer", "number": "a number", "str": "a string", "bool": "true or false",
                "list": "a list", "dict": "an object"}[self.kind]

    def _range(self) -> str:
        if self.low is not None and self.high is not None:
            return f"[{self.low:g}, {self.high:g}]"
        return f">= {self.low:g}" if self.low is not None else f"<= {self.high:g}"


@dataclass(frozen=True)
class Record:
    """A nested object with its own fields (unknown keys free); ``nullable`` allows ``null``."""

    fields: Mapping[str, "Field | Record"] = field(default_factory=dict)
    nullable: bool = False


INT64 = 2**63 - 1


def count(low: int = 0, high: int = INT64, nullable: bool = False) -> Field:
    """A whole number in ``[low, high]`` (default: a non-negative int64)."""
    return Field("int", low, high, nullable)


def number(low: float | None = None, high: float | None = None, nullable: bool = False) -> Field:
    """A finite number in ``[low, high]``."""
    return Field("number", low, high, nullable)


def check(meta: Mapping[str, Any], schema: Mapping[str, Field | Record], file: str, remedy: str,
          prefix: str = "") -> None:
    """Check ``meta`` (read from ``file``) against ``schema``; raises ``CorruptFileError`` naming the field."""
    for name, spec in schema.items():
        if name not in meta:
            continue
        _check_value(meta[name], spec, file, remedy, prefix + name)


def _fail(file: str, path: str, what: str, remedy: str) -> CorruptFileError:
    return CorruptFileError(f"{file}: field {path}: {what}; {remedy}")


def _check_value(value: Any, spec: Field | Record, file: str, remedy: str, path: str) -> None:
    if isinstance(spec, Record):
        if value is None and spec.nullable:
            return
        if not isinstance(value, dict):
            raise _fail(file, path, f"expected an object, found {_show(value)}", remedy)
        check(value, spec.fields, file, remedy, path + ".")
        return
    what = spec.problem(value)
    if what:
        raise _fail(file, path, what, remedy)
    if spec.items is None or value is None:
        return
    if isinstance(value, list):
        for i, item in enumerate(value):
            _check_value(item, spec.items, file, remedy, f"{path}[{i}]")
    elif isinstance(value, dict):
        for key, item in value.items():
            if spec.pattern and not re.fullmatch(spec.pattern, key):
                raise _fail(file, path, f"key {_show(key)} is not of the form {spec.pattern}", remedy)
            _check_value(item, spec.items, file, remedy, f"{path}.{key}")


CHECKSUM = Field("str", pattern=r"crc32:[0-9a-f]{8}|xxh3-64:[0-9a-f]{16}")
TOKENIZER = Record({
    "mode": Field("str"),
    "hmm": Field("bool"),
    "user_dict": Field("str", nullable=True),
    "split_alnum": Field("bool"),
    "max_line_chars": count(1),
}, nullable=True)
_NAME = r"[A-Za-z0-9_]+"
#: ``meta.json`` of a model directory: the fields code reads, and the facts trainers write.
MODEL = {
    "format_version": count(1),
    "wordvec_version": Field("str"),
    "vocab_size": count(),
    "dim": count(1),
    "dtype": Field("str"),
    "vocab_checksum": Field("str"),
    "kind": Field("str"),
    "total_tokens": count(nullable=True),
    "tokenizer": TOKENIZER,
    "window": count(0, nullable=True),
    "min_count": count(nullable=True),
    "max_vocab": count(nullable=True),
    "distance_weighting": Field("bool"),
    "epochs": count(nullable=True),
    "cds": number(0, 100, nullable=True),
    "alpha": number(nullable=True),
    "seed": count(nullable=True),
    "threads": count(nullable=True),
    "counts_available": Field("bool"),
    "z": number(0, nullable=True),
    "loss_per_epoch": Field("list", items=number(nullable=True)),
    "seconds_per_epoch": Field("list", items=number(0)),
    "narrow": Record({"window": count(1), "dim": count(1), "share": number(0, 1), "cds": number(0, 100),
                      "eig": number(-10, 10)}, nullable=True),  # wordvec.train.narrow
    "narrow_window": count(nullable=True),
    "narrow_share": number(0, 1, nullable=True),
    "extras": Field("dict", pattern=_NAME, items=Record({
        "shape": Field("list", items=count()), "dtype": Field("str")})),
    "checksums": Field("dict", pattern=r"[A-Za-z0-9_.]+", items=CHECKSUM),
}


_STRINGS = Field("list", items=Field("str"))
_REPORT = Record({name: count() for name in ("files", "lines", "bytes", "bad_bytes", "nul_bytes", "long_lines",
                                            "extra_pieces", "boms")}
                 | {name: Field("str", nullable=True) for name in ("first_bad", "first_nul", "first_long")},
                 nullable=True)
_CORPUS = {  # what counts and shard directories record of the corpus behind them
    "min_count": count(nullable=True),
    "max_vocab": count(nullable=True),
    "tokenizer": TOKENIZER,
    "token_cache": Field("str", nullable=True),
    "n_lines": count(nullable=True),
    "n_tokens_all": count(nullable=True),
    "window": count(1),
    "distance_weighting": Field("bool"),
    "vocab_size": count(),
    "vocab_checksum": Field("str"),
    "total_tokens": count(),
    "merged_from": _STRINGS,
    "checksums": Field("dict", pattern=r"[A-Za-z0-9_][A-Za-z0-9_.-]*", items=CHECKSUM),
}
#: ``meta.json`` of a token cache.
CACHE = {
    "version": count(1),
    "created": Field("str"),
    "user_dict": Field("dict", nullable=True),  # the user dictionary's size and time stamp
    "tokenizer": TOKENIZER,
    "report": _REPORT,
    "n_lines": count(),
    "n_tokens": count(),
    "n_types": count(),
    "vocab_checksum": Field("str"),
    "ids_crc32": Field("str", pattern=r"[0-9a-f]{8}"),
    "offsets_crc32": Field("str", pattern=r"[0-9a-f]{8}"),
    "seconds": number(0, nullable=True),
    "workers": count(1, nullable=True),
}
#: ``meta.json`` of a counts directory.
COUNTS = {**_CORPUS, "version": count(1), "z": number(0), "nnz": count()}
#: ``meta.json`` of a shard directory.
SHARDS = {**_CORPUS, "version": count(1), "col_bits": count(0, 63), "scale": count(1, 2**53),
          "runs": Field("list", items=Field("str", pattern=r"[A-Za-z0-9_.-]+"))}
#: ``state.json`` of a training checkpoint.
CHECKPOINT = {
    "format_version": count(1),
    "epoch": count(),
    "loss": Field("list", items=number(nullable=True)),
    "seconds": Field("list", items=number(0)),
    "params": Field("dict"),
    "counts": Field("dict"),
    "checksums": Field("dict", pattern=r"[A-Za-z0-9_][A-Za-z0-9_.-]*", items=CHECKSUM),
}
#: The schema of each artifact format (``meta["format"]``), checked by ``wordvec.io.meta.check_meta_format``.
BY_FORMAT = {
    "wordvec-model": MODEL,
    "wordvec-token-cache": CACHE,
    "wordvec-cooccurrence": COUNTS,
    "wordvec-cooccurrence-shards": SHARDS,
    "wordvec-checkpoint": CHECKPOINT,
}


def walk_depth(value: Any, limit: int = MAX_DEPTH) -> bool:
    """True if ``value`` nests lists/objects no deeper than ``limit`` (iteratively: no recursion limit)."""
    todo: list[tuple[Any, int]] = [(value, 0)]
    while todo:
        item, depth = todo.pop()
        if depth > limit:
            return False
        if isinstance(item, dict):
            todo.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            todo.extend((v, depth + 1) for v in item)
    return True


Checker = Callable[[Mapping[str, Any], str], None]

__all__ = ["Field", "Record", "check", "count", "number", "MODEL", "CACHE", "COUNTS", "SHARDS", "CHECKPOINT",
           "BY_FORMAT", "TOKENIZER", "CHECKSUM", "MAX_DEPTH",
           "walk_depth"]
