"""Text queries: keywords, sentence vectors and similarity, predicting a word from its context (SPEC c.3, c.4, c.8).

A text (``str``) is tokenized with the tokenizer settings the model was trained with (``meta["tokenizer"]``;
jieba with HMM off when the model has none); a list of tokens is used as given. Out-of-vocabulary tokens are
dropped. A text without any known word never raises: list results come back empty (a ``QueryResult`` whose
``note`` says why) and a ``NoKnownWordWarning`` is issued; scores of empty sentences are 0.0.
"""
from __future__ import annotations

import warnings
from typing import Sequence, Union

import numpy as np

from wordvec.errors import InputError
from wordvec.io.vectors import WordVectors
from wordvec.query.derived import derived
from wordvec.query.scorers import scorer_for

TextOrTokens = Union[str, Sequence[str]]


class NoKnownWordWarning(UserWarning):
    """A text had no in-vocabulary word: the result is empty (or 0.0)."""


class QueryResult(list):
    """A list of ``(word, score)`` with two extra attributes.

    ``note``: ``None``, or a one-line reason why the list is empty (no known word in the text).
    ``unknown``: the tokens of the text that were not in the vocabulary.
    ``details``: for ``keywords(method="psw")``, the parts of each score (``KeywordDetail``), else ``None``.
    """

    def __init__(self, items: Sequence[tuple[str, float]] = (), note: str | None = None,
                 unknown: Sequence[str] = ()):
        super().__init__(items)
        self.note = note
        self.unknown = list(unknown)
        self.details: list | None = None  # keywords(method="psw"): the KeywordDetail of each item


def _has_cjk(token: str) -> bool:
    return any("\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" for ch in token)


def tokenize(emb: WordVectors, text: str, hmm: bool | None = None) -> list[str]:
    """Split ``text`` into tokens with the model's own tokenizer settings (``meta["tokenizer"]``).

    Models trained on pre-segmented text (``whitespace``/``tagged`` modes) are usually queried with raw
    Chinese: a whitespace token that is not in the vocabulary but holds Chinese characters is segmented
    further with jieba (the model's user dictionary if any). ``hmm`` (default ``None``: the model's setting,
    off for re-segmented tokens) switches jieba's new-word HMM on or off for this text only.
    """
    from dataclasses import replace

    from wordvec.corpora.tokenize import JIEBA_MODES, TokenizerSettings, tokenize_text

    settings = emb.meta.get("tokenizer") or {}
    config = TokenizerSettings.from_dict(settings) if settings else TokenizerSettings()
    if hmm is not None and config.mode in JIEBA_MODES:
        config = replace(config, hmm=bool(hmm))
    tokens = list(tokenize_text(text, config))
    if config.mode not in ("whitespace", "tagged"):
        return tokens
    index = emb.vocab.index
    if all(tok in index or not _has_cjk(tok) for tok in tokens):
        return tokens
    jieba_settings = TokenizerSettings(mode="jieba", hmm=bool(hmm), user_dict=config.user_dict)
    out: list[str] = []
    for tok in tokens:
        if tok in index or not _has_cjk(tok):
            out.append(tok)
        else:
            out.extend(tokenize_text(tok, jieba_settings))
    return out


def known_ids(emb: WordVectors, text: TextOrTokens) -> tuple[list[int], list[str]]:
    """Rows of the in-vocabulary tokens of ``text`` (in order, repeats kept) and the unknown tokens."""
    if isinstance(text, str):
        tokens = tokenize(emb, text)
    else:
        tokens = [str(tok) for tok in text]
    index = emb.vocab.index
    ids, unknown = [], []
    for tok in tokens:
        row = index.get(tok)
        if row is None:
            unknown.append(tok)
        else:
            ids.append(row)
    return ids, unknown


def _empty(what: str, unknown: Sequence[str]) -> QueryResult:
    note = f"no word of the text is in the vocabulary; {what} is empty"
    warnings.warn(note, NoKnownWordWarning, stacklevel=3)
    return QueryResult([], note=note, unknown=unknown)


KEYWORD_METHODS = ("psw", "pmi-sum", "tfidf", "textrank")
DEFAULT_KEYWORD_METHOD = "psw"


def keywords(
    emb: WordVectors,
    text: TextOrTokens,
    topn: int | None = 10,
    normalize: bool = False,
    exclude_self: bool = False,
    unique_context: bool = False,
    method: str | None = None,
    association: float = 1.0,
    unknown: bool = True,
    compounds: bool = False,
    compound_pmi: float = 4.0,
    idf_path: str | None = None,
    hmm: bool | None = None,
) -> QueryResult:
    """Keywords of a text, best first, as a ``QueryResult`` of ``(word, score)``.

    ``method`` (default ``None`` = ``"psw"``):

    - ``"psw"``: ``log p(s|w)`` with the word's own occurrences as its prior and unknown words taking part
      (``wordvec.query.keyword_psw``; options ``association`` (default 1.0), ``unknown`` (default True),
      ``compounds`` (default False), ``compound_pmi`` (default 4.0)). ``result.details`` holds the parts of
      each score (``KeywordDetail``).
    - ``"pmi-sum"``: the plain ranking of SPEC c.3.2 over the in-vocabulary words: PMI models score
      ``⟨v_w, s⟩ = Σ_k PMI(w_k, w)`` with ``s = Σ_k v_k`` over all in-vocabulary tokens (models trained with
      ``cds ≠ 1``: minus the offsets of ``Derived.pmi_offsets``), repeats included (``unique_context=True``:
      each distinct word once). ``exclude_self`` subtracts the self term ``n_w ‖v_w‖²``; ``normalize`` ranks
      by the cosine of ``v_w`` and ``s``. Word2vec models: the exact ``Σ_k log p(w_k|w)`` of SPEC c.3.1.
    - ``"tfidf"`` / ``"textrank"``: ``jieba.analyse`` as a baseline (``idf_path``: an IDF table for tfidf).

    ``hmm``: jieba's new-word HMM for segmenting a ``str`` text. Default ``None``: on for ``psw`` (words the
    dictionary lacks, such as 磁珠 or 光催化剂, come out whole and take part as unknown words instead of being
    split into single characters), the model's own setting for ``pmi-sum``.

    ``topn=None`` returns all candidates. Unknown tokens are listed in ``result.unknown`` (for ``psw`` those
    are candidates too).
    """
    method = DEFAULT_KEYWORD_METHOD if method is None else str(method)
    if method not in KEYWORD_METHODS:
        raise InputError(f"unknown keyword method {method!r}: use one of {', '.join(KEYWORD_METHODS)}")
    if method != "pmi-sum" and (normalize or exclude_self or unique_context):
        raise InputError("normalize, exclude_self and unique_context apply to method='pmi-sum' only")
    limit = None if topn is None else max(0, int(topn))
    if method in ("tfidf", "textrank"):
        from wordvec.query.keyword_baselines import baseline_keywords

        raw = text if isinstance(text, str) else "".join(str(tok) for tok in text)
        return QueryResult(baseline_keywords(raw, method, limit, idf_path=idf_path))
    if hmm is None and method == "psw":
        hmm = True
    tokens = tokenize(emb, text, hmm=hmm) if isinstance(text, str) else [str(tok) for tok in text]
    index = emb.vocab.index
    unknown_tokens = [tok for tok in tokens if tok not in index]
    if method == "psw":
        from wordvec.query.keyword_psw import psw_keywords

        found = psw_keywords(emb, tokens, association=association, unknown=unknown, compounds=compounds,
                             compound_pmi=compound_pmi)
        if not found:
            if len(unknown_tokens) == len(tokens):
                return _empty("the keyword list", unknown_tokens)
            return QueryResult([], note="the text has no word to rank", unknown=unknown_tokens)
        kept = found if limit is None else found[:limit]
        note = None
        if len(unknown_tokens) == len(tokens):
            note = "no word of the text is in the vocabulary; its keywords are ranked by their counts in the text only"
        result = QueryResult([(d.word, d.score) for d in kept], note=note, unknown=unknown_tokens)
        result.details = kept
        return result
    ids = [index[tok] for tok in tokens if tok in index]
    if not ids:
        return _empty("the keyword list", unknown_tokens)
    words = emb.words
    cand, scores = scorer_for(emb).keyword_scores(emb, ids, normalize, exclude_self, unique_context)
    items = [(words[int(c)], float(v)) for c, v in zip(cand, scores)]
    return QueryResult(items[:limit] if limit is not None else items, unknown=unknown_tokens)


def sentence_vector(emb: WordVectors, text: TextOrTokens, mode: str = "sum") -> np.ndarray:
    """Sum (default) or mean of the vectors of the in-vocabulary tokens of ``text`` (SPEC c.4), float64.

    A text without known words gives the zero vector (and a ``NoKnownWordWarning``).
    """
    if mode not in ("sum", "mean"):
        raise InputError(f"unknown sentence vector mode {mode!r}: use 'sum' or 'mean'")
    ids, _ = known_ids(emb, text)
    if not ids:
        warnings.warn("no word of the text is in the vocabulary; its sentence vector is zero",
                      NoKnownWordWarning, stacklevel=2)
        return np.zeros(emb.shape[1], dtype=np.float64)
    vec = np.asarray(emb.vectors[ids], dtype=np.float64).sum(axis=0)  # SPEC c.4: sum pooling
    return vec / len(ids) if mode == "mean" else vec


def sentence_similarity(emb: WordVectors, a: TextOrTokens, b: TextOrTokens, raw: bool = False) -> float:
    """Cosine of the summed vectors of two texts; ``raw=True``: their inner product = sentence PMI (SPEC c.4).

    Returns 0.0 (with a ``NoKnownWordWarning``) when either text has no known word.
    """
    va = sentence_vector(emb, a)
    vb = sentence_vector(emb, b)
    dot = float(va @ vb)  # SPEC c.4 eq. 46: PMI(S1, S2) = ⟨Σ v, Σ v'⟩
    if raw:
        offsets = derived(emb).pmi_offsets
        if offsets is not None and dot != 0.0:  # cds model: Σ_i Σ_j (⟨v_i, v_j⟩ − δ_i − δ_j)
            ids_a, _ = known_ids(emb, a)
            ids_b, _ = known_ids(emb, b)
            dot -= len(ids_b) * float(offsets[ids_a].sum()) + len(ids_a) * float(offsets[ids_b].sum())
        return dot
    den = float(np.linalg.norm(va) * np.linalg.norm(vb))
    return dot / den if den > 0 else 0.0


def predict(
    emb: WordVectors,
    context_words: TextOrTokens,
    topn: int = 10,
    exclude_context: bool = True,
) -> QueryResult:
    """Words most likely to appear with all of ``context_words`` (SPEC c.8), e.g. to fill a blank.

    PMI models: ``⟨v_w, Σ_c v_c⟩ + log P(w)``; word2vec models: ``Σ_c log p(w|c) − (n−1) log #w``
    (exact, hierarchical softmax). A list of words must all be known (unknown words raise); a ``str`` is
    tokenized and its unknown tokens dropped. ``exclude_context`` (default True) leaves the context words out.
    """
    if isinstance(context_words, str):
        ids, unknown = known_ids(emb, context_words)
        if not ids:
            return _empty("the prediction", unknown)
    else:
        ids, unknown = [emb.index(w) for w in context_words], []
        if not ids:
            raise InputError("predict needs at least one context word")
    exclude = sorted(set(ids)) if exclude_context else []
    return QueryResult(scorer_for(emb).predict(emb, ids, topn, exclude), unknown=unknown)


__all__ = [
    "keywords", "sentence_vector", "sentence_similarity", "predict", "tokenize", "known_ids",
    "QueryResult", "NoKnownWordWarning", "KEYWORD_METHODS", "DEFAULT_KEYWORD_METHOD",
]
