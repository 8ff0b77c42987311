"""Text queries: keywords, sentence vectors and similarity, predicting a word from its context (SPEC c.3, c.4, c.8).

A text (``str``) is tokenized with the tokenizer settings the model was trained with (``meta["tokenizer"]``;
jieba with HMM off when the model has none); a list of tokens is used as given. Out-of-vocabulary tokens are
dropped. A text without any known word never raises: list results come back empty (a ``QueryResult`` whose
``note`` says why) and a ``NoKnownWordWarning`` is issued; scores of empty sentences are 0.0.
"""
from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Sequence, Union

import numpy as np

from wordvec.errors import InputError
from wordvec.query.similarity import ranked

if TYPE_CHECKING:  # pragma: no cover
    from wordvec.query.embedding import Embedding

TextOrTokens = Union[str, Sequence[str]]


class NoKnownWordWarning(UserWarning):
    """A text had no in-vocabulary word: the result is empty (or 0.0)."""


class QueryResult(list):
    """A list of ``(word, score)`` with two extra attributes.

    ``note``: ``None``, or a one-line reason why the list is empty (no known word in the text).
    ``unknown``: the tokens of the text that were not in the vocabulary (dropped).
    """

    def __init__(self, items: Sequence[tuple[str, float]] = (), note: str | None = None,
                 unknown: Sequence[str] = ()):
        super().__init__(items)
        self.note = note
        self.unknown = list(unknown)


def _has_cjk(token: str) -> bool:
    return any("\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" for ch in token)


def tokenize(emb: "Embedding", text: str) -> list[str]:
    """Split ``text`` into tokens with the model's own tokenizer settings (``meta["tokenizer"]``).

    Models trained on pre-segmented text (``whitespace``/``tagged`` modes) are usually queried with raw
    Chinese: a whitespace token that is not in the vocabulary but holds Chinese characters is segmented
    further with jieba (HMM off, the model's user dictionary if any).
    """
    from wordvec.corpora.tokenize import TokenizerSettings, tokenize_text

    settings = emb.meta.get("tokenizer") or {}
    config = TokenizerSettings.from_dict(settings) if settings else TokenizerSettings()
    tokens = list(tokenize_text(text, config))
    if config.mode not in ("whitespace", "tagged"):
        return tokens
    index = emb.vocab.index
    if all(tok in index or not _has_cjk(tok) for tok in tokens):
        return tokens
    jieba_settings = TokenizerSettings(mode="jieba", user_dict=config.user_dict)
    out: list[str] = []
    for tok in tokens:
        if tok in index or not _has_cjk(tok):
            out.append(tok)
        else:
            out.extend(tokenize_text(tok, jieba_settings))
    return out


def known_ids(emb: "Embedding", text: TextOrTokens) -> tuple[list[int], list[str]]:
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


def keywords(
    emb: "Embedding",
    text: TextOrTokens,
    topn: int | None = 10,
    normalize: bool = False,
    exclude_self: bool = False,
    unique_context: bool = False,
) -> QueryResult:
    """Keywords of a text: its in-vocabulary words ranked by ``log p(s|w)`` (SPEC c.3; DECISIONS 6).

    PMI models: score ``⟨v_w, s⟩ = Σ_k PMI(w_k, w)`` with ``s = Σ_k v_k`` over all in-vocabulary tokens
    (models trained with ``cds ≠ 1``: minus the offsets of ``wordvec.query.relatedness.pmi_offsets``), repeats included
    (``unique_context=True``: each distinct word once). ``exclude_self`` subtracts the self term
    ``n_w ‖v_w‖²`` (``n_w`` = occurrences of ``w`` counted in ``s``); ``normalize`` ranks by the cosine of
    ``v_w`` and ``s`` (minus the self part when ``exclude_self``). Word2vec models: the exact
    ``Σ_k log p(w_k|w)`` of SPEC c.3.1 (``exclude_self`` drops ``u = w``; ``normalize`` does not apply).
    ``topn=None`` returns all words.
    """
    ids, unknown = known_ids(emb, text)
    if not ids:
        return _empty("the keyword list", unknown)
    words = emb.words
    limit = None if topn is None else max(0, int(topn))
    if emb.kind == "w2v":
        if normalize:
            raise InputError("normalize applies to PMI models; word2vec keywords are the exact log p(s|w)")
        from wordvec.word2vec.bridge import hs_keywords  # lazy: numba kernels only for word2vec models

        # SPEC c.3.1; exclude_self drops the u = w terms, unique_context counts every word once
        if exclude_self or unique_context:
            cand, scores = hs_keywords(emb, np.asarray(ids, dtype=np.int64), include_self=not exclude_self,
                                       unique=unique_context)
        else:
            cand, scores = hs_keywords(emb, np.asarray(ids, dtype=np.int64))
        items = [(words[int(c)], float(s)) for c, s in zip(cand, scores)]
        return QueryResult(items[:limit] if limit is not None else items, unknown=unknown)

    cand, mult = np.unique(np.asarray(ids, dtype=np.int64), return_counts=True)
    table = emb.vectors
    cvec = np.asarray(table[cand], dtype=np.float64)
    if unique_context:
        s = cvec.sum(axis=0)
        mult = np.ones_like(mult)
    else:
        s = cvec.T @ mult.astype(np.float64)  # SPEC c.3.2: s = Σ_k v_{w_k}, repeats included
    scores = cvec @ s  # ⟨v_w, s⟩
    sq = np.einsum("ij,ij->i", cvec, cvec)
    if exclude_self:
        scores = scores - mult * sq  # drop the self term n_w ‖v_w‖²
    from wordvec.query.relatedness import pmi_offsets

    offsets = pmi_offsets(emb)
    if offsets is not None and not normalize:
        # cds model: Σ_k PMI(w_k, w) = Σ_k (⟨v_k, v_w⟩ − δ_k − δ_w) over the context tokens
        delta = offsets[cand]
        n_ctx = float(mult.sum())
        d_ctx = float(delta @ mult)
        scores = scores - n_ctx * delta - d_ctx
        if exclude_self:
            scores = scores + 2 * mult * delta
    if normalize:
        s_sq = float(s @ s)
        if exclude_self:
            ctx_sq = s_sq - 2 * mult * (cvec @ s) + mult**2 * sq  # ‖s − n_w v_w‖²
        else:
            ctx_sq = np.full_like(sq, s_sq)
        den = np.sqrt(np.maximum(sq, 0)) * np.sqrt(np.maximum(ctx_sq, 0))
        scores = np.divide(scores, den, out=np.zeros_like(scores), where=den > 1e-300)
    order = np.lexsort((cand, -scores))
    if limit is not None:
        order = order[:limit]
    return QueryResult([(words[int(cand[i])], float(scores[i])) for i in order], unknown=unknown)


def sentence_vector(emb: "Embedding", text: TextOrTokens, mode: str = "sum") -> np.ndarray:
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


def sentence_similarity(emb: "Embedding", a: TextOrTokens, b: TextOrTokens, raw: bool = False) -> float:
    """Cosine of the summed vectors of two texts; ``raw=True``: their inner product = sentence PMI (SPEC c.4).

    Returns 0.0 (with a ``NoKnownWordWarning``) when either text has no known word.
    """
    va = sentence_vector(emb, a)
    vb = sentence_vector(emb, b)
    dot = float(va @ vb)  # SPEC c.4 eq. 46: PMI(S1, S2) = ⟨Σ v, Σ v'⟩
    if raw:
        from wordvec.query.relatedness import pmi_offsets

        offsets = pmi_offsets(emb)
        if offsets is not None and dot != 0.0:  # cds model: Σ_i Σ_j (⟨v_i, v_j⟩ − δ_i − δ_j)
            ids_a, _ = known_ids(emb, a)
            ids_b, _ = known_ids(emb, b)
            dot -= len(ids_b) * float(offsets[ids_a].sum()) + len(ids_a) * float(offsets[ids_b].sum())
        return dot
    den = float(np.linalg.norm(va) * np.linalg.norm(vb))
    return dot / den if den > 0 else 0.0


def predict(
    emb: "Embedding",
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
    if emb.kind == "w2v":
        from wordvec.word2vec.bridge import hs_predict  # lazy

        # SPEC c.8: Σ_c log p(w|c) − (n−1) log p(w), exact from the Huffman paths
        order, values = hs_predict(emb, np.asarray(ids, dtype=np.int64), topn=0)
        scores = np.empty(len(emb), dtype=np.float64)
        scores[np.asarray(order, dtype=np.int64)] = values
    else:
        from wordvec.query.relatedness import log_probabilities

        from wordvec.query.similarity import rank_dot

        from wordvec.query.relatedness import pmi_offsets

        s = np.asarray(emb.vectors[ids], dtype=np.float64).sum(axis=0)
        # SPEC c.8: ⟨v_w, Σ_c v_c⟩ + log P(w)  (cds models: Σ_c PMI(w, c) = ⟨v_w, s⟩ − n δ_w − Σ_c δ_c)
        bias = log_probabilities(emb).astype(np.float64)
        offsets = pmi_offsets(emb)
        if offsets is not None:
            bias = bias - len(ids) * offsets - float(offsets[ids].sum())
        return QueryResult(rank_dot(emb, emb.vectors, s, topn, exclude, bias=bias, source="raw"), unknown=unknown)
    return QueryResult(ranked(emb, scores, topn, exclude), unknown=unknown)


__all__ = [
    "keywords", "sentence_vector", "sentence_similarity", "predict", "tokenize", "known_ids",
    "QueryResult", "NoKnownWordWarning",
]
