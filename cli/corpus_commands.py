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
@click.option("--threads", type=click.IntRange(min=0), default=0, show_default=True,
              help="Counting threads (0: all cores).")
@click.option("--tokenizer", type=click.Choice(["jieba", "jieba-py", "whitespace", "char", "tagged"]), default="jieba",
              show_default=True)
@click.option("--hmm/--no-hmm", default=False, show_default=True,
              help="Let jieba guess unknown words with its HMM (off by default).")
@click.option("--user-dict", type=click.Path(), default=None, help="jieba user dictionary.")
@click.option("--split-alnum", is_flag=True, help="Split ASCII letters and digits into single characters.")
@click.option("--workers", type=click.IntRange(min=0), default=0, show_default=True,
              help="Tokenizing processes (0: all cores).")
@click.option("--strict", is_flag=True, help="Fail on bad UTF-8 instead of replacing it.")
@click.option("--cache-dir", type=click.Path(), default=None, help="Token cache root.")
@click.option("--shards", is_flag=True, help="Write a shard directory (for `wordvec merge`) instead of counts.")
@click.option("--dask", "dask_scheduler", default=None, metavar="SCHEDULER",
              help="Count on Dask: local[:N] (a local cluster of N workers) or tcp://host:port (needs wordvec[dask]).")
@click.option("--partition-size", type=MEMORY_SIZE, default="64M", show_default=True,
              help="--dask: bytes of plain text per partition (compressed files are one partition each).")
@click.option("--shard-dir", type=click.Path(file_okay=False), default=None,
              help="--dask: where temporary shards go [beside --output]; must be visible to the workers.")
@click.option("--dask-timeout", type=click.FloatRange(min=0.1), default=10.0, show_default=True,
              help="--dask: seconds to wait for the scheduler.")
@click.option("--stats", is_flag=True, help="Print T, V, nnz, Z and the corpus mutual information.")
@json_option
@quiet_option
@output_guard(lambda p: "wordvec-cooccurrence-shards" if p.get("shards") else "wordvec-cooccurrence")
def count_command(inputs, output, window, min_count, max_vocab, distance_weighting, memory, threads, tokenizer,
                  hmm, user_dict, split_alnum, workers, strict, cache_dir, shards, dask_scheduler, partition_size,
                  shard_dir, dask_timeout, stats, as_json, quiet):
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
    if dask_scheduler is not None:
        if shards:
            raise InputError("--dask writes a counts directory: leave out --shards")
        _count_dask(inputs, output, dask_scheduler, settings, min_count, max_vocab, window, distance_weighting,
                    budget, partition_size, shard_dir, strict, dask_timeout, stats, as_json, quiet)
        return
    with Progress("tokenize", "B", quiet=quiet) as bar:
        cache = load_or_build_cache(list(inputs), settings, workers or None, cache_dir, strict, bar)
    warn_report(cache)
    meta = counts_meta(cache, min_count, max_vocab)
    run = count_to_shards if shards else count_to_directory
    with Progress("count", "tok", quiet=quiet) as bar:
        written = run(cache, output, meta, min_count=min_count, max_vocab=max_vocab, window=window,
                      distance_weighting=distance_weighting, memory=budget, threads=threads or None,
                      progress=bar)
    if shards:
        if as_json:
            echo_json({"output": output, "vocab_size": written["vocab_size"], "runs": len(written["runs"]),
                       "total_tokens": written["total_tokens"]})
        elif not quiet:
            click.echo(f"wrote {output}: {len(written['runs'])} runs over {written['vocab_size']} words", err=True)
        return
    _print_stats(output, written, stats, as_json, quiet)


def _count_dask(inputs, output, scheduler, settings, min_count, max_vocab, window, distance_weighting, memory,
                partition_size, shard_dir, strict, timeout, stats, as_json, quiet) -> None:
    from wordvec.corpora.dask_count import count_on_dask
    from wordvec.corpora.reader import ReadReport

    from .progress import Progress

    def dashboard(link: str) -> None:
        if not quiet and not as_json:
            click.echo(f"Dask dashboard: {link}", err=True)

    with Progress("dask", "task", quiet=quiet) as bar:
        written = count_on_dask(list(inputs), output, scheduler, settings, min_count=min_count,
                                max_vocab=max_vocab, window=window, distance_weighting=distance_weighting,
                                memory=memory, partition_bytes=partition_size, shard_dir=shard_dir, strict=strict,
                                timeout=timeout, progress=bar, on_dashboard=dashboard)
    for line in ReadReport.from_dict(written.get("report") or {}).problems():
        click.echo(f"warning: {line}", err=True)
    _print_stats(output, written, stats, as_json, quiet)


@click.command("merge")
@click.argument("inputs", nargs=-1, required=True)
@click.option("-o", "--output", required=True, type=click.Path(), help="Counts directory to write.")
@click.option("--memory", type=MEMORY_SIZE, default="1G", show_default=True,
              help="Memory budget of the on-disk merge (K/M/G).")
@click.option("--fan-in", type=click.IntRange(min=2, max=512), default=32, show_default=True,
              help="Runs merged at once (2 open files each).")
@click.option("--tmp-dir", type=click.Path(file_okay=False), default=None,
              help="Folder for intermediate runs [beside --output]; removed afterwards.")
@click.option("--stats", is_flag=True, help="Print T, V, nnz, Z and the corpus mutual information.")
@json_option
@quiet_option
@output_guard("wordvec-cooccurrence")
def merge_command(inputs, output, memory, fan_in, tmp_dir, stats, as_json, quiet):
    """Add up counts or shard directories INPUT... into one counts directory.

    Streams on disk in bounded memory (--memory) with at most 2×--fan-in open run files; sums are exact
    integers. Window and weighting must agree. Different vocabularies are re-indexed to their union with summed
    unigram counts (a word pruned by one input's min_count contributes nothing from that input).
    """
    from wordvec.corpora.kway import merge_to_directory

    meta = merge_to_directory(list(inputs), output, memory, fan_in, tmp_dir)
    _print_stats(os.path.abspath(output), meta, stats, as_json, quiet)


COMMANDS: list[click.Command] = [count_command, merge_command]
