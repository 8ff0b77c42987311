"""The queries the server answers, on one loaded model, in the CLI's ``--json`` shapes.

Each ``api_*`` function takes an ``Embedding`` and the request's ``Params`` and returns what the matching
``wordvec … --json`` command prints for the same options (the shapes come from ``wordvec.cli.query_commands``),
so the API and the command line give the same numbers. Library errors become ``ApiError``: an unknown word
404 with the CLI's suggestions, any other user error 400.
"""
from __future__ import annotations

import contextlib
import os
import warnings
from dataclasses import dataclass
from typing import Any, Callable, Iterator

from wordvec.cli.query_commands import model_facts, pairs_json, pmi_json, sentsim_json
from wordvec.errors import UnknownWordError, WordvecError
from wordvec.query.keywords import NoKnownWordWarning

from .params import ALPHA_RANGE, MAX_BATCH_WORDS, MAX_CONTEXT_WORDS, ApiError, Params, bad


@dataclass
class Model:
    """A loaded model: its short ``name`` (URL parameter ``model``), the ``path`` as given, the ``emb``;
    ``warm``: its derived state has been computed (``wordvec.cli.serve.app.warm_up``)."""

    name: str
    path: str
    emb: Any
    warm: bool = False


def model_names(paths: list[str]) -> list[str]:
    """Short, distinct names for model paths: the last path part, numbered when two are the same."""
    names: list[str] = []
    for path in paths:
        base = os.path.basename(os.path.normpath(path)) or "model"
        name, k = base, 2
        while name in names:
            name, k = f"{base}-{k}", k + 1
        names.append(name)
    return names


@contextlib.contextmanager
def answering() -> Iterator[None]:
    """Turn library errors into ``ApiError`` (unknown word: 404 with suggestions; other user errors: 400)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", NoKnownWordWarning)
            yield
    except UnknownWordError as err:
        raise ApiError(404, str(err), word=err.word, suggestions=err.suggestions) from None
    except WordvecError as err:
        raise bad(str(err)) from None


def api_similar(emb, p: Params, method: str | None = None) -> list[dict[str, Any]]:
    """``similar --json``: ``w`` (repeatable), ``negative``, ``method`` (cosine|profile), ``context_words``, ``n``."""
    words, negative = p.words("w"), p.words("negative", required=False)
    method = method or p.choice("method", ("cosine", "profile"), "cosine")
    context = p.integer("context_words", 10_000, 1, MAX_CONTEXT_WORDS)
    topn = p.topn()
    with answering():
        return pairs_json(emb.most_similar(words, negative, topn=topn, method=method, context_words=context))


def api_profile(emb, p: Params) -> list[dict[str, Any]]:
    """``similar --method profile --json``: profile similarity (PMI models)."""
    return api_similar(emb, p, method="profile")


def api_related(emb, p: Params) -> list[dict[str, Any]]:
    """``related --json``: ``w``, ``alpha``, ``normalize``, ``include_self``, ``n``."""
    word, alpha = p.word("w"), p.number("alpha", *ALPHA_RANGE)
    normalize, include_self, topn = p.flag("normalize"), p.flag("include_self"), p.topn()
    with answering():
        return pairs_json(emb.most_related(word, topn=topn, normalize=normalize, alpha=alpha,
                                           include_self=include_self))


KEYWORD_METHODS = ("psw", "pmi-sum", "tfidf", "textrank")


def keyword_options(p: Params) -> dict[str, Any]:
    """``keywords`` options as the CLI checks them: ``method`` (psw|pmi-sum|tfidf|textrank), psw's
    ``association`` (0..1e6), ``no_unknown`` and ``compounds``, ``hmm`` (absent: the method's default), and
    pmi-sum's ``normalize``, ``exclude_self`` and ``unique``; an option of another method is a 400."""
    method = p.choice("method", KEYWORD_METHODS, "psw")
    options: dict[str, Any] = {"method": method, "normalize": p.flag("normalize"),
                               "exclude_self": p.flag("exclude_self"), "unique_context": p.flag("unique")}
    if (options["normalize"] or options["exclude_self"] or options["unique_context"]) and method != "pmi-sum":
        raise bad("normalize, exclude_self and unique apply to method=pmi-sum")
    if "hmm" in p and method not in ("tfidf", "textrank"):
        options["hmm"] = p.flag("hmm")
    if method == "psw":
        association = p.number("association", 0.0, 1e6)
        options.update(association=1.0 if association is None else association, unknown=not p.flag("no_unknown"),
                       compounds=p.flag("compounds"))
    return options


def api_keywords(emb, p: Params) -> list[dict[str, Any]]:
    """``keywords --json`` of one text: ``text``, ``n`` and the options of ``keyword_options``."""
    text, topn, options = p.text("text"), p.topn(), keyword_options(p)
    with answering():
        return pairs_json(emb.keywords(text, topn=topn, **options))


def api_sentsim(emb, p: Params) -> dict[str, Any]:
    """``sentsim --json``: ``text1``, ``text2``, ``raw``."""
    a, b, raw = p.text("text1"), p.text("text2"), p.flag("raw")
    with answering():
        return sentsim_json(emb.sentence_similarity(a, b, raw=raw), raw)


def api_analogy(emb, p: Params) -> list[dict[str, Any]]:
    """``analogy --json``: ``a`` + ``b`` − ``c``, ``method`` (add|mul), ``keep_inputs``, ``n``."""
    a, b, c = p.word("a"), p.word("b"), p.word("c")
    method, keep, topn = p.choice("method", ("add", "mul"), "add"), p.flag("keep_inputs"), p.topn()
    with answering():
        return pairs_json(emb.analogy(a, b, c, topn=topn, method=method, exclude_inputs=not keep))


def api_pmi(emb, p: Params) -> dict[str, Any]:
    """``pmi --json``: ``w1``, ``w2``."""
    a, b = p.word("w1"), p.word("w2")
    with answering():
        return pmi_json(a, b, emb.pmi(a, b))


def api_info(model: Model) -> dict[str, Any]:
    """``info --json`` of the model."""
    return model_facts(model.emb, model.path)


def word_facts(emb, word: str) -> dict[str, Any]:
    """A word's row, count and vector norm (404 with suggestions when unknown)."""
    with answering():
        row = emb.index(word)
    counts = emb.counts
    return {"word": word, "rank": row + 1, "count": int(counts[row]) if len(counts) else None,
            "norm": float(emb.derived.norms[row])}


def suggest_words(emb, prefix: str, limit: int = 10) -> list[str]:
    """Search-box suggestions: vocabulary words starting with ``prefix`` (most frequent first), then the
    "did you mean" words of ``Embedding.suggest``."""
    prefix = prefix.strip()
    if not prefix:
        return []
    out = []
    for word in emb.words:
        if word.startswith(prefix):
            out.append(word)
            if len(out) >= limit:
                return out
    for word in emb.suggest(prefix, limit):
        if word not in out and len(out) < limit:
            out.append(word)
    return out


BATCH: dict[str, Callable[[Any, Params], Any]] = {
    "similar": api_similar,
    "profile": api_profile,
    "related": api_related,
}


def api_batch(emb, p: Params) -> dict[str, Any]:
    """Several words at once: ``query`` (similar|profile|related), ``words`` (up to MAX_BATCH_WORDS) and the
    query's own options. Returns ``{"query": …, "results": {word: list}, "errors": {word: error JSON}}``."""
    query = p.choice("query", tuple(BATCH), "similar")
    words = p.words("words", limit=MAX_BATCH_WORDS)
    results: dict[str, Any] = {}
    errors: dict[str, Any] = {}
    for word in words:
        one = p.merged(Params({"w": word}))
        try:
            results[word] = BATCH[query](emb, one)
        except ApiError as err:
            if err.status != 404:
                raise
            errors[word] = err.to_json()
    return {"query": query, "results": results, "errors": errors}


__all__ = ["Model", "model_names", "answering", "keyword_options", "api_similar", "api_profile", "api_related",
           "api_keywords",
           "api_sentsim", "api_analogy", "api_pmi", "api_info", "api_batch", "word_facts", "suggest_words"]
