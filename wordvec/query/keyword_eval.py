"""Scoring keyword lists against authors' keywords (the CSL keyword benchmark, ``bench/keywords.py``).

The protocol of issue 20: each method proposes its keywords; the first ``k`` (default 5) of at least
``min_chars`` (default 2) characters are kept.

- ``precision_at_k``: the share of those words that are a substring of some gold keyword;
- ``recall_at_k``: the share of gold keywords that contain at least one of them.

Substring matching is used because authors' keywords are often compounds (国家主权思想) that a segmenter splits
(国家主权 / 思想). ``read_keyword_set`` reads the JSON-lines form of the data README
(``{"abstract": …, "keywords": [...]}`` a line).
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Iterable, Sequence

from wordvec.errors import InputError


@dataclass(frozen=True)
class KeywordDoc:
    """One document of a keyword set: its text and its gold keywords."""

    text: str
    keywords: tuple[str, ...]


def top_words(predicted: Iterable[str], k: int = 5, min_chars: int = 2) -> list[str]:
    """The first ``k`` (default 5) distinct words of ``predicted`` with at least ``min_chars`` (default 2) characters."""
    out: list[str] = []
    for word in predicted:
        word = str(word).strip()
        if len(word) >= min_chars and word not in out:
            out.append(word)
            if len(out) == k:
                break
    return out


def precision_at_k(predicted: Iterable[str], gold: Sequence[str], k: int = 5, min_chars: int = 2) -> float:
    """Share of the top-``k`` predicted words that are a substring of some gold keyword (0.0 when none are predicted)."""
    top = top_words(predicted, k, min_chars)
    if not top:
        return 0.0
    return sum(any(word in g for g in gold) for word in top) / len(top)


def recall_at_k(predicted: Iterable[str], gold: Sequence[str], k: int = 5, min_chars: int = 2) -> float:
    """Share of the gold keywords that contain one of the top-``k`` predicted words (0.0 for an empty gold list)."""
    if not gold:
        return 0.0
    top = top_words(predicted, k, min_chars)
    return sum(any(word in g for word in top) for g in gold) / len(gold)


def read_keyword_set(path: str | os.PathLike) -> list[KeywordDoc]:
    """Read a JSON-lines keyword set: one ``{"abstract" (or "text"): str, "keywords": [str, ...]}`` a line.

    Raises a one-line ``InputError`` naming the file and line for anything else.
    """
    docs: list[KeywordDoc] = []
    try:
        with open(path, encoding="utf-8") as handle:
            for number, line in enumerate(handle, 1):
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                    text = row.get("abstract", row.get("text"))
                    gold = row["keywords"]
                except (ValueError, KeyError, AttributeError):
                    raise InputError(f"{path}:{number}: expected a JSON object with 'abstract' and 'keywords'") from None
                if not isinstance(text, str) or not isinstance(gold, list) or not all(isinstance(g, str) for g in gold):
                    raise InputError(f"{path}:{number}: 'abstract' must be a string and 'keywords' a list of strings")
                docs.append(KeywordDoc(text, tuple(gold)))
    except FileNotFoundError:
        raise InputError(f"keyword set not found: {path}") from None
    except UnicodeDecodeError:
        raise InputError(f"{path} is not UTF-8 text") from None
    return docs


__all__ = ["KeywordDoc", "top_words", "precision_at_k", "recall_at_k", "read_keyword_set"]
