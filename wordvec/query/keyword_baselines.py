"""The two keyword extractors every Chinese user already has, reached through ``jieba.analyse``.

``keywords(..., method="tfidf")`` calls ``jieba.analyse.extract_tags`` (jieba's own IDF table, or the table
given by ``idf_path``: ``word idf`` a line, as jieba reads it) and ``method="textrank"`` calls
``jieba.analyse.textrank`` (its default parts of speech ns/n/vn/v). They segment with jieba's own settings
(HMM on), not the model's, and need no model at all: they are here so a user can compare on their own text
with the same command. Scores are jieba's weights.
"""
from __future__ import annotations

import os
from functools import lru_cache
from typing import Any, Sequence

from wordvec.errors import InputError

BASELINES = ("tfidf", "textrank")


@lru_cache(maxsize=4)
def _tfidf(idf_path: str | None) -> Any:
    import jieba.analyse

    if idf_path is None:
        return jieba.analyse.default_tfidf
    if not os.path.isfile(idf_path):
        raise InputError(f"IDF table not found: {idf_path}; give a file of 'word idf' lines")
    return jieba.analyse.TFIDF(idf_path)


def baseline_keywords(
    text: str,
    method: str,
    topn: int | None = 10,
    idf_path: str | os.PathLike | None = None,
    allow_pos: Sequence[str] | None = None,
) -> list[tuple[str, float]]:
    """``(word, weight)`` pairs from jieba.analyse, best first.

    ``method``: ``"tfidf"`` or ``"textrank"``. ``topn`` (default 10; ``None``: all words). ``idf_path``
    (default ``None``: jieba's table) applies to tfidf. ``allow_pos``: jieba's ``allowPOS`` (default ``None``:
    jieba's default, all words for tfidf and ns/n/vn/v for textrank).
    """
    if not isinstance(text, str):
        text = "".join(str(tok) for tok in text)
    top_k = 10**9 if topn is None else max(0, int(topn))
    if top_k == 0:
        return []
    if method == "tfidf":
        extractor = _tfidf(None if idf_path is None else os.fspath(idf_path))
        pairs = extractor.extract_tags(text, topK=top_k, withWeight=True, allowPOS=tuple(allow_pos or ()))
    elif method == "textrank":
        import jieba.analyse

        pos = tuple(allow_pos) if allow_pos else ("ns", "n", "vn", "v")
        pairs = jieba.analyse.textrank(text, topK=top_k, withWeight=True, allowPOS=pos)
    else:
        raise InputError(f"unknown baseline {method!r}: use one of {', '.join(BASELINES)}")
    return [(str(word), float(weight)) for word, weight in pairs]


__all__ = ["BASELINES", "baseline_keywords"]
