"""`wordvec tokenize` (text → token cache) and `wordvec vocab` (text or a token cache → vocabulary)."""
from __future__ import annotations

import os

import click

from .output import json_option, output_guard, quiet_option, warn_report

COMMANDS: list[click.Command] = []

MODES = ("jieba", "jieba-py", "whitespace", "char", "tagged")  # corpora.tokenize.MODES, not imported (fast --help)


def tokenizer_options(func):
    """The options that choose and run the tokenizer (shared by the commands that read raw text)."""
    options = [
        click.option("--tokenizer", type=click.Choice(MODES), default="jieba", show_default=True,
                     help="jieba (precise mode, on rjieba); jieba-py (the same tokens from the Python jieba package); whitespace (pre-tokenized text); char (single characters); "
                          "tagged (whitespace tokens with a trailing /TAG removed, e.g. 迈向/v)."),
        click.option("--hmm/--no-hmm", default=False, show_default=True,
                     help="Let jieba guess unknown words with its HMM (off by default)."),
        click.option("--user-dict", type=click.Path(dir_okay=False), default=None,
                     help="A jieba user dictionary (UTF-8 lines: word [freq] [tag])."),
        click.option("--split-alnum", is_flag=True, help="Split ASCII digits and letters into one-character tokens."),
        click.option("--max-line-chars", type=click.IntRange(min=1), default=1_000_000, show_default=True,
                     help="Longer lines are cut into pieces of this many characters (counted in the report)."),
        click.option("--workers", type=click.IntRange(min=0), default=0, show_default=True,
                     help="Tokenizing processes (0: all cores)."),
        click.option("--strict", is_flag=True, help="Fail on invalid UTF-8 or NUL bytes instead of replacing them."),
        click.option("--cache-dir", type=click.Path(file_okay=False), default=None,
                     help="Root folder of token caches [$WORDVEC_CACHE_DIR or ~/.cache/wordvec]."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def make_settings(tokenizer: str, hmm: bool, user_dict: str | None, split_alnum: bool, max_line_chars: int):
    """``TokenizerSettings`` from the ``tokenizer_options`` values."""
    from wordvec.corpora.tokenize import TokenizerSettings

    return TokenizerSettings(mode=tokenizer, hmm=hmm, user_dict=user_dict, split_alnum=split_alnum,
                             max_line_chars=max_line_chars)


def _is_token_cache(path: str) -> bool:
    return os.path.isdir(path) and os.path.isfile(os.path.join(path, "meta.json")) and os.path.isfile(
        os.path.join(path, "ids.npy"))


def load_or_build(inputs, tokenizer, hmm, user_dict, split_alnum, max_line_chars, workers, strict, cache_dir,
                  quiet, output=None):
    """A ``TokenCache``: a single token-cache folder is loaded as it is, anything else is tokenized/reused."""
    from wordvec.corpora.cache import TokenCache, build_token_cache

    from .progress import Progress

    if len(inputs) == 1 and output is None and _is_token_cache(inputs[0]):
        return TokenCache.load(inputs[0])
    settings = make_settings(tokenizer, hmm, user_dict, split_alnum, max_line_chars)
    with Progress("tokenizing", unit="B", quiet=quiet) as progress:
        progress.status("checking the token cache…")
        return build_token_cache(list(inputs), settings, cache_dir=cache_dir, workers=workers or None, strict=strict,
                                 progress=progress, output=output)


def summary(cache) -> dict:
    """The numbers ``wordvec tokenize`` prints."""
    meta = cache.meta
    seconds = float(meta.get("seconds") or 0.0)
    mb = cache.report.bytes / 1e6
    return {
        "path": cache.path,
        "reused": bool(getattr(cache, "reused", False)),
        "files": cache.report.files,
        "lines": cache.n_lines,
        "tokens": cache.n_tokens,
        "types": len(cache.vocab),
        "bytes": cache.report.bytes,
        "megabytes": round(mb, 3),
        "seconds": seconds,
        "mb_per_s": round(mb / seconds, 3) if seconds > 0 else None,
        "workers": meta.get("workers"),
        "tokenizer": cache.settings.to_dict(),
        "report": cache.report.to_dict(),
    }


@click.command("tokenize")
@click.argument("inputs", nargs=-1, required=True)
@click.option("-o", "--output", type=click.Path(file_okay=False), default=None,
              help="Write the token cache to this folder (default: a keyed folder under --cache-dir).")
@tokenizer_options
@quiet_option
@json_option
@output_guard("wordvec-token-cache")
def tokenize_command(inputs, output, tokenizer, hmm, user_dict, split_alnum, max_line_chars, workers, strict,
                     cache_dir, quiet, as_json):
    """Tokenize INPUT... (files, folders, .gz/.bz2/.xz, - for stdin) into a token cache, or reuse it.

    The cache (vocabulary, ids, line offsets, settings) is reused while the inputs' paths, sizes and mtimes
    and the tokenizer settings stay the same. Prints lines, tokens, types and speed.
    """
    from .output import echo_json

    cache = load_or_build(inputs, tokenizer, hmm, user_dict, split_alnum, max_line_chars, workers, strict, cache_dir,
                          quiet, output=output or None)
    info = summary(cache)
    if as_json:
        echo_json(info)
    else:
        how = "reused cache" if info["reused"] else "tokenized"
        speed = (f" in {info['seconds']:.1f} s ({info['mb_per_s']:.2f} MB/s, {info['workers']} workers)"
                 if not info["reused"] and info["mb_per_s"] else "")
        click.echo(f"{how}: {info['lines']:,} lines, {info['tokens']:,} tokens, {info['types']:,} types from "
                   f"{info['files']} file(s), {info['megabytes']:.1f} MB{speed}")
        click.echo(f"cache: {info['path'] or '(not saved: stdin input; use -o DIR to keep it)'}")
    warn_report(cache)


COMMANDS.append(tokenize_command)


@click.command("vocab")
@click.argument("inputs", nargs=-1, required=True)
@click.option("--min-count", type=click.IntRange(min=1), default=5, show_default=True,
              help="Drop words seen fewer times.")
@click.option("--max-vocab", type=click.IntRange(min=0), default=0, show_default=True,
              help="Keep at most this many words (0: no limit).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="Save word<TAB>count lines here instead of printing them.")
@click.option("-n", "--topn", type=click.IntRange(min=1), default=None, help="Print only the first N words.")
@tokenizer_options
@quiet_option
@json_option
@output_guard(None)
def vocab_command(inputs, min_count, max_vocab, output, topn, tokenizer, hmm, user_dict, split_alnum,
                  max_line_chars, workers, strict, cache_dir, quiet, as_json):
    """The vocabulary of INPUT... (text, or one token-cache folder): words in frequency order with counts.

    Prints word<TAB>count lines (or JSON with --json); with -o saves them as a vocab.tsv file.
    """
    from .output import echo_json

    cache = load_or_build(inputs, tokenizer, hmm, user_dict, split_alnum, max_line_chars, workers, strict, cache_dir,
                          quiet)
    vocab = cache.vocab.prune(min_count=min_count, max_vocab=max_vocab)
    warn_report(cache)
    if output:
        vocab.save(output)
        click.echo(f"saved {len(vocab):,} words ({vocab.total:,} of {cache.n_tokens:,} tokens) to {output}", err=True)
        return
    shown = min(len(vocab), topn) if topn else len(vocab)
    words, counts = vocab.words[:shown], vocab.counts[:shown].tolist()
    if as_json:
        echo_json([{"word": w, "count": c} for w, c in zip(words, counts)])
    else:
        click.echo("".join(f"{w}\t{c}\n" for w, c in zip(words, counts)), nl=False)


COMMANDS.append(vocab_command)
