"""Query commands: similar, related, keywords, analogy, sentsim, predict, norms, pmi, info.

Thin wrappers over ``wordvec.Embedding``: parse, call, print. Results print as aligned tables, or with
``--json`` as a list of ``{"word": …, "score": …}`` (``keywords``: one such list per text, one JSON line each).
Models load memory-mapped (fast start-up). A text without known words prints a one-line note on stderr.
"""
from __future__ import annotations

import os
import sys
import warnings
from typing import Any, Sequence

import click

from .loading import load_model, read_stdin_lines
from .output import QUERY_TEXT, echo_json, echo_table, json_option, topn_option

MODEL = click.argument("model", type=click.Path(exists=False, dir_okay=True, file_okay=True))


def _load(path: str):
    return load_model(path)


def _note(message: str) -> None:
    click.echo(f"note: {message}", err=True)


def _emit(pairs: Sequence[tuple[str, float]], as_json: bool, score_name: str = "score") -> None:
    if as_json:
        echo_json([{"word": w, "score": s} for w, s in pairs])
    else:
        echo_table([(w, s) for w, s in pairs], ["word", score_name])


@click.command("similar")
@MODEL
@click.argument("words", nargs=-1, required=True, type=QUERY_TEXT)
@click.option("--negative", multiple=True, metavar="WORD", type=QUERY_TEXT, help="Subtract this word (repeatable).")
@click.option("--method", type=click.Choice(["cosine", "profile"]), default="cosine", show_default=True,
              help="cosine of vectors, or Pearson correlation of PMI profiles (PMI models).")
@click.option("--context-words", type=click.IntRange(min=1), default=10_000, show_default=True,
              help="Profile method: number N of most frequent context words.")
@topn_option(10)
@json_option
def similar(model: str, words: tuple[str, ...], negative: tuple[str, ...], method: str, context_words: int,
            topn: int, as_json: bool) -> None:
    """Words most similar (substitutable) to WORD(s), minus --negative words."""
    emb = _load(model)
    pairs = emb.most_similar(list(words), list(negative), topn=topn, method=method, context_words=context_words)
    _emit(pairs, as_json, "cosine" if method == "cosine" else "profile")


@click.command("related")
@MODEL
@click.argument("word", type=QUERY_TEXT)
@click.option("--alpha", type=float, default=None,
              help="α-variant: PMI + (1−α)·log P(y) (word2vec models: log p(y|x) − α log #y, default 0.9).")
@click.option("--normalize", is_flag=True, help="Rank by cosine instead of raw PMI.")
@click.option("--include-self", is_flag=True, help="Keep the query word in the list.")
@topn_option(10)
@json_option
def related(model: str, word: str, alpha: float | None, normalize: bool, include_self: bool, topn: int,
            as_json: bool) -> None:
    """Words most related to WORD (co-occurring): raw PMI by default."""
    emb = _load(model)
    pairs = emb.most_related(word, topn=topn, normalize=normalize, alpha=alpha, include_self=include_self)
    raw_pmi = alpha is None and emb.kind != "w2v"
    _emit(pairs, as_json, "cosine" if normalize else ("pmi" if raw_pmi else "relatedness"))


def _texts(texts: tuple[str, ...]) -> list[str]:
    if texts:
        return list(texts)
    if sys.stdin is None or sys.stdin.isatty():
        raise click.UsageError("give TEXT arguments or pipe one text per line on stdin")
    return read_stdin_lines()


@click.command("keywords")
@MODEL
@click.argument("texts", nargs=-1, type=QUERY_TEXT)
@click.option("--normalize", is_flag=True, help="Rank by cosine of word and text vectors.")
@click.option("--exclude-self", is_flag=True, help="Leave each word's own term out of its score.")
@click.option("--unique", "unique_context", is_flag=True, help="Count repeated words once in the text vector.")
@topn_option(10)
@json_option
def keywords(model: str, texts: tuple[str, ...], normalize: bool, exclude_self: bool, unique_context: bool,
             topn: int, as_json: bool) -> None:
    """Keywords of each TEXT (or of each stdin line): words ranked by log p(text | word)."""
    from wordvec.query.keywords import NoKnownWordWarning

    items = _texts(texts)
    if not items:
        _note("no input text")
        return
    emb = _load(model)
    for number, text in enumerate(items):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", NoKnownWordWarning)
            result = emb.keywords(text, topn=topn, normalize=normalize, exclude_self=exclude_self,
                                  unique_context=unique_context)
        if result.note:
            _note(f"text {number + 1}: {result.note}")
        if as_json:
            _emit(result, True)
        else:
            if len(items) > 1:
                click.echo(("" if number == 0 else "\n") + f"# {text}")
            _emit(result, False)


@click.command("analogy")
@MODEL
@click.argument("a", type=QUERY_TEXT)
@click.argument("b", type=QUERY_TEXT)
@click.argument("c", type=QUERY_TEXT)
@click.option("--method", type=click.Choice(["add", "mul"]), default="add", show_default=True,
              help="add: cosine with A + B − C; mul: 3CosMul.")
@click.option("--keep-inputs", is_flag=True, help="Do not drop A, B and C from the answers.")
@topn_option(10)
@json_option
def analogy(model: str, a: str, b: str, c: str, method: str, keep_inputs: bool, topn: int, as_json: bool) -> None:
    """Words closest to A + B − C (e.g. 国王 女人 男人 → 女王)."""
    emb = _load(model)
    pairs = emb.analogy(a, b, c, topn=topn, method=method, exclude_inputs=not keep_inputs)
    _emit(pairs, as_json)


@click.command("sentsim")
@MODEL
@click.argument("text1", type=QUERY_TEXT)
@click.argument("text2", type=QUERY_TEXT)
@click.option("--raw", is_flag=True, help="Inner product of the summed vectors (sentence PMI), not cosine.")
@json_option
def sentsim(model: str, text1: str, text2: str, raw: bool, as_json: bool) -> None:
    """Similarity of two texts: cosine of their summed word vectors (--raw: sentence PMI)."""
    from wordvec.query.keywords import NoKnownWordWarning

    emb = _load(model)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", NoKnownWordWarning)
        score = emb.sentence_similarity(text1, text2, raw=raw)
    for warning in caught:
        if issubclass(warning.category, NoKnownWordWarning):
            _note(str(warning.message))
    if as_json:
        echo_json({"score": score, "measure": "pmi" if raw else "cosine"})
    else:
        click.echo(f"{score:.4f}")


@click.command("predict")
@MODEL
@click.argument("words", nargs=-1, required=True, type=QUERY_TEXT)
@topn_option(10)
@json_option
def predict(model: str, words: tuple[str, ...], topn: int, as_json: bool) -> None:
    """Words most likely to occur together with all context WORDS (fill the blank)."""
    emb = _load(model)
    _emit(emb.predict(list(words), topn=topn), as_json)


@click.command("norms")
@MODEL
@click.option("--descending", is_flag=True, help="Largest norms first (default: smallest first).")
@click.option("--corrected", is_flag=True,
              help="√(self-PMI) instead of ‖v‖ for models trained with context smoothing (cds ≠ 1).")
@topn_option(20)
@json_option
def norms(model: str, descending: bool, corrected: bool, topn: int, as_json: bool) -> None:
    """Words by vector norm: small norm = unimportant (stopwords, punctuation) in a PMI model."""
    emb = _load(model)
    _emit(emb.norms(topn=topn, ascending=not descending, corrected=corrected), as_json, "norm")


@click.command("pmi")
@MODEL
@click.argument("word1", type=QUERY_TEXT)
@click.argument("word2", type=QUERY_TEXT)
@json_option
def pmi(model: str, word1: str, word2: str, as_json: bool) -> None:
    """The model's PMI estimate ⟨v1, v2⟩ of two words."""
    emb = _load(model)
    value = emb.pmi(word1, word2)
    if as_json:
        echo_json({"word1": word1, "word2": word2, "pmi": value})
    else:
        click.echo(f"{value:.4f}")


_INFO_SKIP = {"format", "extras", "vocab_checksum", "checksums"}


def _brief(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, list) and len(value) > 6 and all(isinstance(v, (int, float)) for v in value):
        head = ", ".join(_brief(v) for v in value[:3])
        tail = ", ".join(_brief(v) for v in value[-2:])
        return f"[{head}, …, {tail}] ({len(value)} values)"
    if isinstance(value, dict):
        return ", ".join(f"{k}={_brief(v)}" for k, v in value.items())
    return str(value)


@click.command("info")
@MODEL
@json_option
def info(model: str, as_json: bool) -> None:
    """What a model is: kind, vocabulary size, dimension, token total, hyper-parameters, tokenizer, training."""
    emb = _load(model)
    facts: dict[str, Any] = {
        "path": model,
        "kind": emb.kind,
        "vocab_size": len(emb),
        "dim": emb.shape[1],
        "dtype": str(emb.vectors.dtype),
        "total_tokens": emb.total_tokens,
    }
    if os.path.isdir(model):
        from wordvec.io.model_dir import content_checked

        facts["content_check"] = ("verified: the checksum of every file matches meta.json" if content_checked(emb.meta)
                                  else "skipped: no checksums in meta.json (written by an older wordvec)")
    if emb.extras:
        facts["extras"] = {name: list(arr.shape) for name, arr in emb.extras.items()}
    losses, seconds = emb.meta.get("loss_per_epoch"), emb.meta.get("seconds_per_epoch")
    if isinstance(losses, list) and losses:
        facts["training"] = f"{len(losses)} epochs, final loss {_brief(losses[-1])}" + (
            f", {sum(seconds):.0f} s" if isinstance(seconds, list) and seconds else "")
    for key, value in emb.meta.items():
        if key not in _INFO_SKIP and key not in facts:
            facts[key] = value
    if as_json:
        echo_json(facts)
    else:
        echo_table([(key, _brief(value)) for key, value in facts.items()], ["field", "value"])


COMMANDS: list[click.Command] = [similar, related, keywords, analogy, sentsim, predict, norms, pmi, info]

__all__ = ["COMMANDS"]
