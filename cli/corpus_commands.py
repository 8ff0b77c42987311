"""`wordvec` sub-commands of this group; `COMMANDS` lists what `cli.main` registers.

``count``: text (or a token cache) → co-occurrence counts directory (or shard directory);
``merge``: counts/shard directories → one counts directory.
"""
from __future__ import annotations

import os

import click

from .output import MEMORY_SIZE, echo_json, json_option, output_guard, quiet_option, warn_report


def _summary_line(meta: dict, path: str) -> str:
    return (f"wrote {path}: {meta.get('vocab_size')} words, {meta.get('nnz')} nonzero cells, "
            f"T={meta.get('total_tokens')}, Z={meta.get('z'):.6g}")


def _print_stats(path: str, meta: dict, stats: bool, as_json: bool, quiet: bool) -> None:
    out = {"output": path, "vocab_size": meta.get("vocab_size"), "nnz": meta.get("nnz"),
           "total_tokens": meta.get("total_tokens"), "z": meta.get("z")}
    if stats:
        from wordvec.corpora.cooccur import Cooccurrence

        out["mutual_information"] = Cooccurrence.load(path).mutual_information()
    if as_json:
        echo_json(out)
    elif stats:
        click.echo(f"T (tokens)          {out['total_tokens']}")
        click.echo(f"V (words)           {out['vocab_size']}")
        click.echo(f"nnz                 {out['nnz']}")
        click.echo(f"Z (pair total)      {out['z']:.10g}")
        click.echo(f"mutual information  {out['mutual_information']:.6f} nats")
    elif not quiet:
        click.echo(_summary_line(meta, path), err=True)


@click.command("count")
@click.argument("inputs", nargs=-1, required=True)
@click.option("-o", "--output", required=True, type=click.Path(), help="Counts directory to write.")
@click.option("--window", type=click.IntRange(min=1), default=10, show_default=True, help="Tokens each side.")
@click.option("--min-count", type=click.IntRange(min=1), default=5, show_default=True)
@click.option("--max-vocab", type=click.IntRange(min=0), default=0, show_default=True, help="0: no limit.")
@click.option("--distance-weighting", is_flag=True, help="Add 1/d per pair instead of 1.")
@click.option("--memory", type=MEMORY_SIZE, default="2G", show_default=True, help="Working-memory budget (K/M/G suffix).")
@click.option("--threads", type=click.IntRange(min=1), default=None, help="Counting threads [all cores].")
@click.option("--tokenizer", type=click.Choice(["jieba", "whitespace", "char", "tagged"]), default="jieba",
              show_default=True)
@click.option("--hmm", is_flag=True, help="Enable jieba's HMM for unknown words.")
@click.option("--user-dict", type=click.Path(), default=None, help="jieba user dictionary.")
@click.option("--split-alnum", is_flag=True, help="Split ASCII letters and digits into single characters.")
@click.option("--workers", type=click.IntRange(min=1), default=None, help="Tokenizer processes [all cores].")
@click.option("--strict", is_flag=True, help="Fail on bad UTF-8 instead of replacing it.")
@click.option("--cache-dir", type=click.Path(), default=None, help="Token cache root.")
@click.option("--shards", is_flag=True, help="Write a shard directory (for `wordvec merge`) instead of counts.")
@click.option("--stats", is_flag=True, help="Print T, V, nnz, Z and the corpus mutual information.")
@json_option
@quiet_option
@output_guard(lambda p: "wordvec-cooccurrence-shards" if p.get("shards") else "wordvec-cooccurrence")
def count_command(inputs, output, window, min_count, max_vocab, distance_weighting, memory, threads, tokenizer,
                  hmm, user_dict, split_alnum, workers, strict, cache_dir, shards, stats, as_json, quiet):
    """Count symmetric word co-occurrences of INPUT... (files, folders, '-' or a token cache folder).

    Writes OUTPUT/vocab.tsv, OUTPUT/cooccurrence.npz (scipy CSR, V×V) and OUTPUT/meta.json. Earlier stages
    (tokenizing) are reused from the cache when their inputs are unchanged.
    """
    from wordvec.corpora.cooccur import counts_meta
    from wordvec.corpora.counter import count_to_directory, count_to_shards
    from wordvec.corpora.pipeline import load_or_build_cache
    from wordvec.corpora.tokenize import TokenizerSettings
    from wordvec.errors import InputError

    from .progress import Progress

    budget = memory
    output = os.path.abspath(output)
    if os.path.exists(output) and not os.path.isdir(output):
        raise InputError(f"{output} exists and is not a folder: choose another --output")
    settings = TokenizerSettings(mode=tokenizer, hmm=hmm, user_dict=user_dict, split_alnum=split_alnum)
    with Progress("tokenize", "B", quiet=quiet) as bar:
        cache = load_or_build_cache(list(inputs), settings, workers, cache_dir, strict, bar)
    warn_report(cache)
    meta = counts_meta(cache, min_count, max_vocab)
    run = count_to_shards if shards else count_to_directory
    with Progress("count", "tok", quiet=quiet) as bar:
        written = run(cache, output, meta, min_count=min_count, max_vocab=max_vocab, window=window,
                      distance_weighting=distance_weighting, memory=budget, threads=threads, progress=bar)
    if shards:
        if as_json:
            echo_json({"output": output, "vocab_size": written["vocab_size"], "runs": len(written["runs"]),
                       "total_tokens": written["total_tokens"]})
        elif not quiet:
            click.echo(f"wrote {output}: {len(written['runs'])} runs over {written['vocab_size']} words", err=True)
        return
    _print_stats(output, written, stats, as_json, quiet)


@click.command("merge")
@click.argument("inputs", nargs=-1, required=True)
@click.option("-o", "--output", required=True, type=click.Path(), help="Counts directory to write.")
@click.option("--memory", type=MEMORY_SIZE, default="1G", show_default=True, help="Memory for reading shard runs (K/M/G).")
@click.option("--stats", is_flag=True, help="Print T, V, nnz, Z and the corpus mutual information.")
@json_option
@quiet_option
@output_guard("wordvec-cooccurrence")
def merge_command(inputs, output, memory, stats, as_json, quiet):
    """Add up counts or shard directories INPUT... into one counts directory.

    Window and weighting must agree. Different vocabularies are re-indexed to their union with summed
    unigram counts (a word pruned by one input's min_count contributes nothing from that input).
    """
    from wordvec.corpora.merge import merge_counts

    merged = merge_counts(list(inputs), memory)
    merged.save(output)
    _print_stats(os.path.abspath(output), merged.meta, stats, as_json, quiet)


COMMANDS: list[click.Command] = [count_command, merge_command]
