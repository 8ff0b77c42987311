"""`wordvec evaluate` and `wordvec export`: score a model on similarity/analogy sets, write vector files.

MODEL is a model directory or any word2vec (text/binary) / GloVe file. Thin wrappers over
``wordvec.query.evaluate`` and ``wordvec.io.formats``.
"""
from __future__ import annotations

import os

import click
import numpy as np

from wordvec.query.methods import PAIR_METHODS

from .loading import load_model
from .output import echo_json, echo_table, json_option, output_guard, quiet_option

EXPORT_FORMATS = ("word2vec", "word2vec-binary", "glove")


STRICT = click.option("--strict", is_flag=True,
                      help="Vector files: duplicate words or invalid UTF-8 are errors (default: keep first, replace).")


def _unique(name: str, taken: dict) -> str:
    key, k = name, 2
    while key in taken:
        key, k = f"{name}#{k}", k + 1
    return key


@click.command("evaluate")
@click.argument("model", type=click.Path())
@click.argument("datasets", nargs=-1, required=True, metavar="DATASET...")
@click.option("--oov", type=click.Choice(["skip", "wrong"]), default="skip", show_default=True,
              help="Analogy questions with unknown words: skipped (gensim's default) or counted wrong.")
@click.option("--restrict-vocab", type=click.IntRange(min=0), default=300000, show_default=True,
              help="Only the N most frequent words count as known (0: all), as gensim.")
@click.option("--case-insensitive/--case-sensitive", default=True, show_default=True,
              help="Compare upper-cased words (gensim's default); the most frequent case variant is used.")
@click.option("--similarity", "similarity", type=click.Choice(PAIR_METHODS), default="default", show_default=True,
              help="The readout scored: the same function as 'similar --method' (default: what 'similar' "
                   "ranks by), or 'related' (what 'related' ranks by; word-pair sets only).")
@click.option("--context-words", type=click.IntRange(min=1), default=10_000, show_default=True,
              help="Profile readout: number N of most frequent context words.")
@STRICT
@json_option
@quiet_option
def evaluate_command(model: str, datasets: tuple[str, ...], oov: str, restrict_vocab: int,
                     case_insensitive: bool, similarity: str, context_words: int, strict: bool, as_json: bool,
                     quiet: bool) -> None:
    """Score MODEL on word-similarity and analogy DATASETs (paths, or wordsim353, simlex999, questions-words).

    Similarity: Spearman and Pearson of the --similarity readout vs gold on covered pairs. Analogy: 3CosAdd and 3CosMul
    accuracy with the inputs excluded. Both report covered/total; every dataset is one table row.
    """
    from wordvec.query.evaluate import evaluate, resolve_dataset

    from .progress import Progress

    emb = load_model(model, strict)
    resolved = [resolve_dataset(name) for name in datasets]  # fail early on a missing dataset
    results: dict = {}
    for display, path in resolved:
        with Progress(f"analogies {display}", "questions", quiet=quiet or as_json) as progress:
            result = evaluate(emb, path, restrict_vocab=restrict_vocab or None, case_insensitive=case_insensitive,
                              oov=oov, progress=progress, similarity=similarity, context_words=context_words)
        results[_unique(display, results)] = result
    if as_json:
        out = {}
        for key, result in results.items():
            data = result.to_dict()
            data.pop("dataset")
            out[key] = data
        echo_json(out)
        return
    def fmt(value):
        return f"{value:.4f}" if value is not None else "-"

    rows = []
    for key, result in results.items():
        if result.kind == "similarity":
            scores = [fmt(result.spearman), fmt(result.pearson), "", ""]
        else:
            scores = ["", "", fmt(result.accuracy), fmt(result.accuracy_cosmul)]
        rows.append([key, result.kind, *scores, result.covered, result.total, f"{100 * result.coverage:.1f}%"])
    echo_table(rows, ["dataset", "kind", "spearman", "pearson", "3CosAdd", "3CosMul", "covered", "total",
                      "coverage"])
    for key, result in results.items():
        if result.missing and not quiet:
            shown = ", ".join(result.missing[:10]) + (", …" if len(result.missing) > 10 else "")
            click.echo(f"note: {key}: {len(result.missing)} unknown words: {shown}", err=True)


@click.command("export")
@click.argument("model", type=click.Path())
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="The file to write.")
@click.option("--format", "fmt", type=click.Choice(EXPORT_FORMATS), default="word2vec", show_default=True,
              help="word2vec text (header 'V d'), word2vec binary, or GloVe text (no header).")
@click.option("--sidecar/--no-sidecar", default=True, show_default=True,
              help="Also write OUTPUT.wordvec.json (counts, tokenizer, PMI correction), so that loading OUTPUT "
                   "answers pmi, related and keywords as the model does.")
@STRICT
@json_option
@quiet_option
@output_guard(None, inputs=("model",))
def export_command(model: str, output: str, fmt: str, sidecar: bool, strict: bool, as_json: bool,
                   quiet: bool) -> None:
    """Write MODEL's vectors as a word2vec (text or binary) or GloVe file; gensim's
    KeyedVectors.load_word2vec_format reads the word2vec ones. Written atomically."""
    from wordvec.errors import InputError
    from wordvec.io.formats import save_glove, save_word2vec_format
    from wordvec.io.sidecar import needs_sidecar, sidecar_path, write_sidecar

    if os.path.isdir(output):
        raise InputError(f"{output} is a directory; give a file name with -o")
    emb = load_model(model, strict)
    if fmt == "glove":
        save_glove(emb, output)
    else:
        save_word2vec_format(emb, output, binary=fmt == "word2vec-binary")
    notes = []
    written = None
    if needs_sidecar(emb):
        if sidecar:
            written = write_sidecar(emb, output)
        else:
            stale = sidecar_path(output)
            if os.path.exists(stale):
                os.remove(stale)  # an older export's sidecar would not match the new file
            notes.append(_without_sidecar(emb, output))
    if emb.kind == "w2v":
        notes.append(f"{output} holds the word2vec input vectors only: related, keywords and predict need the "
                     f"model's hierarchical-softmax weights, so query {model} for those")
    if as_json:
        echo_json({"output": os.path.abspath(output), "format": fmt, "words": len(emb), "dim": int(emb.shape[1]),
                   "sidecar": os.path.abspath(written) if written else None, "notes": notes})
    elif not quiet:
        click.echo(f"wrote {len(emb)} vectors of dimension {emb.shape[1]} to {output} ({fmt})"
                   + (f" and {written}" if written else ""), err=True)
    for note in notes:
        if not quiet or as_json:
            click.echo(f"note: {note}", err=True)


def _without_sidecar(emb, output: str) -> str:
    """What a vector file without its sidecar answers differently from the model."""
    from wordvec.query.derived import derived

    offsets = derived(emb).pmi_offsets
    if offsets is not None:
        spread = float(np.max(offsets) - np.min(offsets))
        return (f"without {output}.wordvec.json, pmi and related on {output} are raw inner products: they differ "
                f"from the model's PMI by δ_a + δ_b (context smoothing; the offsets span {spread:.2f}), and "
                "keywords/predict lack the counts")
    return f"without {output}.wordvec.json, {output} has no word counts or tokenizer settings (needed by predict, " \
           "related --alpha and keywords on raw text)"


COMMANDS: list[click.Command] = [evaluate_command, export_command]
