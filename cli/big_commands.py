"""`wordvec import` (stream a big word2vec/GloVe file into a model directory) and `wordvec index` (build
the approximate nearest-neighbour index of a model directory). Issue 16.

`COMMANDS` lists what `cli.main` registers.
"""
from __future__ import annotations

import os

import click

from .output import _remove_leftovers, echo_json, json_option, output_guard, quiet_option
from .progress import Progress


@click.command("import")
@click.argument("vector_file", type=click.Path(path_type=str))
@click.option("-o", "--output", "output", required=True, type=click.Path(path_type=str),
              help="Model directory to write (replaced atomically).")
@click.option("--limit", type=click.IntRange(min=1), default=None,
              help="Read only the first N vectors of the file.")
@click.option("--format", "fmt", type=click.Choice(["auto", "word2vec", "word2vec-binary", "glove"]),
              default="auto", show_default=True, help="File format (auto: detected from the content).")
@click.option("--strict", is_flag=True, help="Duplicate words and invalid UTF-8 are errors instead of repairs.")
@json_option
@quiet_option
@output_guard("wordvec-model", inputs=("vector_file",))
def import_cmd(vector_file: str, output: str, limit: int | None, fmt: str, strict: bool, as_json: bool,
               quiet: bool) -> None:
    """Convert VECTOR_FILE (word2vec text or binary, or GloVe; plain, .gz, .bz2 or .xz) into a model
    directory, streaming: memory stays near the size of the final table. The model opens instantly
    (`Embedding.load(MODEL, mmap=True)`); `wordvec index MODEL` adds approximate search."""
    from wordvec.io.importer import import_vectors

    with Progress("importing", unit="B", quiet=quiet or as_json) as progress:
        report = import_vectors(vector_file, output, format=fmt, limit=limit, strict=strict, progress=progress)
    for note in report.notes:
        click.echo(f"warning: {vector_file}: {note}", err=True)
    summary = {"model": report.output, "format": report.format, "words": report.words, "dim": report.dim,
               "rows_read": report.rows_read, "duplicates": report.duplicates, "bad_utf8": report.bad_utf8,
               "limited": report.limited, "seconds": round(report.seconds, 3)}
    if as_json:
        echo_json(summary)
    elif not quiet:
        click.echo(f"wrote {output}: {report.words} words × {report.dim} dims from {report.format} "
                   f"in {report.seconds:.1f} s" + (f" ({report.duplicates} duplicates dropped)" if report.duplicates else ""))


@click.command("index")
@click.argument("model", type=click.Path(path_type=str))
@click.option("--metric", type=click.Choice(["cosine"]), default="cosine", show_default=True,
              help="Similarity the index ranks by.")
@click.option("--quality", type=click.Choice(["fast", "balanced", "high"]), default="balanced",
              show_default=True, help="How many index cells a query visits: faster or more exact.")
@click.option("--cells", type=click.IntRange(min=1), default=None,
              help="Number of k-means cells [default: about the square root of the vocabulary size].")
@json_option
@quiet_option
def index_cmd(model: str, metric: str, quality: str, cells: int | None, as_json: bool, quiet: bool) -> None:
    """Build the approximate nearest-neighbour index of MODEL (a model directory; needs faiss-cpu:
    pip install 'wordvec[ann]'), used by `wordvec similar --approximate`."""
    from wordvec.errors import InputError
    from wordvec.query.ann import build_index

    if not os.path.isdir(model):
        raise InputError(f"{model} is not a model directory; convert a vector file first: wordvec import FILE -o MODEL")
    for name in ("ann.faiss", "ann.json"):
        _remove_leftovers(os.path.join(model, name))  # the temporaries of a killed `wordvec index`
    with Progress("indexing", unit="rows", quiet=quiet or as_json) as progress:
        meta = build_index(model, quality=quality, metric=metric, nlist=cells, progress=progress)
    if as_json:
        echo_json(meta)
    elif not quiet:
        click.echo(f"wrote {os.path.join(model, 'ann.faiss')}: {meta['rows']} rows, {meta['nlist']} cells, "
                   f"{meta['index_bytes'] / 1e6:.1f} MB, built in {meta['build_seconds']:.1f} s")


COMMANDS: list[click.Command] = [import_cmd, index_cmd]
