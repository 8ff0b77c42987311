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

from wordvec.query.methods import NEIGHBOUR_METHODS

from .loading import load_model, read_stdin_lines
from .output import QUERY_TEXT, echo_json, echo_table, json_option, topn_option

MODEL = click.argument("model", type=click.Path(exists=False, dir_okay=True, file_okay=True))


def _load(path: str):
    return load_model(path)


def _note(message: str) -> None:
    click.echo(f"note: {message}", err=True)


def pairs_json(pairs: Sequence[tuple[str, float]]) -> list[dict[str, Any]]:
    """The ``--json`` shape of a ranked list: ``[{"word": …, "score": …}, …]`` (also the web API's)."""
    return [{"word": w, "score": s} for w, s in pairs]


def sentsim_json(score: float, raw: bool) -> dict[str, Any]:
    """The ``sentsim --json`` shape: ``{"score": …, "measure": "cosine" | "pmi"}``."""
    return {"score": score, "measure": "pmi" if raw else "cosine"}


def pmi_json(word1: str, word2: str, value: float) -> dict[str, Any]:
    """The ``pmi --json`` shape: ``{"word1": …, "word2": …, "pmi": …}``."""
    return {"word1": word1, "word2": word2, "pmi": value}


def _emit(pairs: Sequence[tuple[str, float]], as_json: bool, score_name: str = "score") -> None:
    if as_json:
        echo_json(pairs_json(pairs))
    else:
        echo_table([(w, s) for w, s in pairs], ["word", score_name])


def _batch(words: Sequence[str]) -> list[list[str]] | None:
    """``-`` alone: the queries of stdin, one per line (a line's words split at whitespace); else None."""
    if list(words) != ["-"]:
        return None
    if sys.stdin is None:
        raise click.UsageError("'-' reads one query per line from stdin, but there is no stdin")
    return [line.split() for line in read_stdin_lines()]


def _run_batch(queries: list[list[str]], answer, as_json: bool, score_name: str) -> None:
    """Answer each stdin query: a table per query under a ``# query`` line, or one JSON list per line.
    An unknown word is a note for its line (JSON: an empty list) and exit status 1 after the last line."""
    from wordvec.errors import UnknownWordError

    failed = 0
    shown = 0
    for number, query in enumerate(queries, 1):
        if not query:
            continue
        try:
            pairs = answer(query)
        except UnknownWordError as err:
            failed += 1
            _note(f"line {number}: {err}")
            pairs = []
        if as_json:
            _emit(pairs, True)
        else:
            click.echo(("" if shown == 0 else "\n") + f"# {' '.join(query)}")
            _emit(pairs, False, score_name)
        shown += 1
    if failed:
        sys.exit(1)


@click.command("similar")
@MODEL
@click.argument("words", nargs=-1, required=True, type=QUERY_TEXT)
@click.option("--negative", multiple=True, metavar="WORD", type=QUERY_TEXT, help="Subtract this word (repeatable).")
@click.option("--method", type=click.Choice(NEIGHBOUR_METHODS), default="default", show_default=True,
              help="default: PMI models centred, other models cosine; cosine: of the vectors as "
                   "trained; centred / abtt: mean (and top principal directions) removed; whiten / "
                   "half-whiten: eigenvalue weight 0 / 0.25; profile: Pearson correlation of PMI profiles.")
@click.option("--context-words", type=click.IntRange(min=1), default=10_000, show_default=True,
              help="Profile method: number N of most frequent context words.")
@click.option("--approximate", "--approx", "approximate", is_flag=True,
              help="Use the model's approximate index (build it with `wordvec index MODEL`; needs faiss-cpu).")
@topn_option(10)
@json_option
def similar(model: str, words: tuple[str, ...], negative: tuple[str, ...], method: str, context_words: int,
            approximate: bool, topn: int, as_json: bool) -> None:
    """Words most similar (substitutable) to WORD(s), minus --negative words.

    WORDS '-' reads one query per line from stdin (several words on a line are added up).
    """
    queries = _batch(words)
    emb = _load(model)
    from wordvec.query.methods import resolve

    score_name = "cosine" if approximate and method == "default" else resolve(emb, method)
    extra = {"approximate": True} if approximate else {}

    def answer(query):
        return emb.most_similar(list(query), list(negative), topn=topn, method=method, context_words=context_words,
                                **extra)

    if queries is not None:
        _run_batch(queries, answer, as_json, score_name)
        return
    _emit(answer(words), as_json, score_name)


@click.command("related")
@MODEL
@click.argument("word", type=QUERY_TEXT)
@click.option("--alpha", type=float, default=None,
              help="Rank by PMI + (1−α)·log P(y): 1 = plain PMI, below 1 favours frequent words (word2vec "
                   "models: log p(y|x) − α·log #y, default 0.9). Default: the smoothed PMI of the model.")
@click.option("--normalize", is_flag=True, help="Rank by cosine instead of raw PMI.")
@click.option("--include-self", is_flag=True, help="Keep the query word in the list.")
@topn_option(10)
@json_option
def related(model: str, word: str, alpha: float | None, normalize: bool, include_self: bool, topn: int,
            as_json: bool) -> None:
    """Words most related to WORD (co-occurring): by the model's smoothed PMI by default.

    WORD '-' reads one word per line from stdin and answers each.
    """
    queries = _batch([word])
    emb = _load(model)
    raw_pmi = alpha is None and emb.kind != "w2v"
    score_name = "cosine" if normalize else ("pmi" if raw_pmi else "relatedness")

    def answer(query):
        if len(query) != 1:
            raise click.UsageError(f"related takes one word per line, got {' '.join(query)!r}")
        return emb.most_related(query[0], topn=topn, normalize=normalize, alpha=alpha, include_self=include_self)

    if queries is not None:
        _run_batch(queries, answer, as_json, score_name)
        return
    _emit(answer([word]), as_json, score_name)


def _texts(texts: tuple[str, ...]) -> list[str]:
    if texts:
        return list(texts)
    if sys.stdin is None or sys.stdin.isatty():
        raise click.UsageError("give TEXT arguments or pipe one text per line on stdin")
    return read_stdin_lines()


@click.command("keywords")
@MODEL
@click.argument("texts", nargs=-1, type=QUERY_TEXT)
@click.option("--method", type=click.Choice(["psw", "pmi-sum", "tfidf", "textrank"]), default="psw",
              show_default=True,
              help="psw: log p(text | word) with the word's own rarity, unknown words included; pmi-sum: the "
                   "plain sum of PMI with the text; tfidf / textrank: jieba.analyse, for comparison.")
@click.option("--explain", is_flag=True, help="Show the parts of each score (psw): prior, association, unknown, compound.")
@click.option("--association", type=click.FloatRange(min=0.0, max=1e6), default=1.0, show_default=True,
              help="psw: weight of the mean PMI with the rest of the text (0: rarity and counts only).")
@click.option("--no-unknown", is_flag=True, help="psw: rank only words the model knows.")
@click.option("--compounds", is_flag=True, help="psw: merge adjacent words with high PMI into one term first.")
@click.option("--hmm/--no-hmm", default=None,
              help="jieba's new-word HMM for segmenting the text [default: on for psw, the model's setting otherwise].")
@click.option("--normalize", is_flag=True, help="pmi-sum: rank by cosine of word and text vectors.")
@click.option("--exclude-self", is_flag=True, help="pmi-sum: leave each word's own term out of its score.")
@click.option("--unique", "unique_context", is_flag=True, help="pmi-sum: count repeated words once in the text vector.")
@click.option("--with-unknown", is_flag=True,
              help="--json: print {\"keywords\": [...], \"unknown\": [...]} per text instead of the plain list.")
@topn_option(10)
@json_option
def keywords(model: str, texts: tuple[str, ...], method: str, explain: bool, association: float, no_unknown: bool,
             compounds: bool, hmm: bool | None, normalize: bool, exclude_self: bool, unique_context: bool,
             with_unknown: bool, topn: int, as_json: bool) -> None:
    """Keywords of each TEXT (or of each stdin line), best first.

    The default (psw) ranks the words of the text by log p(text | word): each occurrence of a word counts
    its self-information −log P(word), plus its mean PMI with the other words. Words the model has never
    seen take part as the rarest words. The words the model does not know are listed in a note on stderr
    (and in the JSON with --with-unknown).
    """
    from wordvec.query.keywords import NoKnownWordWarning

    if explain and method != "psw":
        raise click.UsageError("--explain applies to --method psw")
    pmi_sum_only = normalize or exclude_self or unique_context
    if pmi_sum_only and method != "pmi-sum":
        raise click.UsageError("--normalize, --exclude-self and --unique apply to --method pmi-sum")
    items = _texts(texts)
    if not items:
        _note("no input text")
        return
    emb = _load(model)
    options: dict[str, Any] = {} if hmm is None or method in ("tfidf", "textrank") else {"hmm": hmm}
    if method == "psw":
        options.update(association=association, unknown=not no_unknown, compounds=compounds)
    for number, text in enumerate(items):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", NoKnownWordWarning)
            result = emb.keywords(text, topn=topn, normalize=normalize, exclude_self=exclude_self,
                                  unique_context=unique_context, method=method, **options)
        unknown = list(dict.fromkeys(getattr(result, "unknown", None) or []))
        if result.note:
            _note(f"text {number + 1}: {result.note}")
        if unknown:
            ranked = method == "psw" and not no_unknown
            _note(f"text {number + 1}: {len(unknown)} word(s) not in the vocabulary"
                  + (" (ranked as the rarest words)" if ranked else ", left out") + f": {', '.join(unknown)}")
        if not as_json and len(items) > 1:
            click.echo(("" if number == 0 else "\n") + f"# {text}")
        if explain:
            rows = [d.as_dict() for d in (result.details or [])]
            if as_json:
                echo_json(rows)
            else:
                echo_table([(r["word"], r["score"], r["prior"], r["association"], r["count"],
                             ("unknown " if r["unknown"] else "") + ("compound" if r["compound"] else ""))
                            for r in rows], ["word", "score", "prior", "association", "count", "flags"])
        elif as_json and with_unknown:
            echo_json({"keywords": [{"word": w, "score": v} for w, v in result], "unknown": unknown})
        else:
            _emit(result, as_json)


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
    """Words closest to A + B − C, for example 国王 女人 男人 → 女王."""
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
        echo_json(sentsim_json(score, raw))
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
@click.option("--corrected/--raw", default=True, show_default=True,
              help="corrected: the importance √(self-PMI), which puts stopwords and punctuation first in models "
                   "trained with context smoothing; raw: the plain vector length ‖v‖ (the same when there is no "
                   "smoothing).")
@topn_option(20)
@json_option
def norms(model: str, descending: bool, corrected: bool, topn: int, as_json: bool) -> None:
    """Words by importance (vector norm): the smallest are stopwords and punctuation in a PMI model."""
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
        echo_json(pmi_json(word1, word2, value))
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


def model_facts(emb, path: str) -> dict[str, Any]:
    """The ``info --json`` shape: kind, vocabulary size, dimension, dtype, token total, extras' shapes, a
    training summary and the rest of the model's metadata (``path``: as the user named the model)."""
    facts: dict[str, Any] = {
        "path": path,
        "kind": emb.kind,
        "vocab_size": len(emb),
        "dim": emb.shape[1],
        "dtype": str(emb.vectors.dtype),
        "total_tokens": emb.total_tokens,
    }
    if os.path.isdir(path):
        from wordvec.io.model_dir import content_checked

        facts["content_check"] = ("verified: the checksum of every file matches meta.json" if content_checked(emb.meta)
                                  else "skipped: no checksums in meta.json (an older wordvec, or `wordvec import`)")
    if emb.extras:
        facts["extras"] = {name: list(arr.shape) for name, arr in emb.extras.items()}
    from wordvec.query.methods import narrow_share, resolve

    readout = resolve(emb, "default")
    facts["similar_default"] = readout + (f" (narrow share {narrow_share(emb):g})" if readout == "blend" else "")
    losses, seconds = emb.meta.get("loss_per_epoch"), emb.meta.get("seconds_per_epoch")
    if isinstance(losses, list) and losses:
        facts["training"] = f"{len(losses)} epochs, final loss {_brief(losses[-1])}" + (
            f", {sum(seconds):.0f} s" if isinstance(seconds, list) and seconds else "")
    for key, value in emb.meta.items():
        if key not in _INFO_SKIP and key not in facts:
            facts[key] = value
    return facts


@click.command("info")
@MODEL
@json_option
def info(model: str, as_json: bool) -> None:
    """What a model is: kind, vocabulary size, dimension, token total, hyper-parameters, tokenizer, training."""
    facts = model_facts(_load(model), model)
    if as_json:
        echo_json(facts)
    else:
        echo_table([(key, _brief(value)) for key, value in facts.items()], ["field", "value"])


COMMANDS: list[click.Command] = [similar, related, keywords, analogy, sentsim, predict, norms, pmi, info]

__all__ = ["COMMANDS", "pairs_json", "sentsim_json", "pmi_json", "model_facts"]
