"""`wordvec train`: text (or a `wordvec count` directory) → a model directory."""
from __future__ import annotations

import os
import re
import time

import click

from .output import quiet_option

COMMANDS: list[click.Command] = []

_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?\s*$", re.IGNORECASE)


def parse_size(text: str | None) -> int | None:
    """'2G', '512M', '64k' or a byte count → bytes (None stays None)."""
    if text is None:
        return None
    match = _SIZE.match(str(text))
    if not match:
        raise click.BadParameter(f"{text!r} is not a size like 2G, 512M or 1000000")
    return int(float(match.group(1)) * 1024 ** "_kmgt".index(match.group(2).lower() or "_"))


def _is_count_dir(path: str) -> bool:
    return os.path.isdir(path) and os.path.isfile(os.path.join(path, "cooccurrence.npz"))


def _settings(tokenizer: str, hmm: bool, user_dict: str | None):
    from wordvec.corpora.tokenize import TokenizerSettings

    return TokenizerSettings(mode=tokenizer, hmm=hmm, user_dict=user_dict)


def _check_inputs(inputs: tuple[str, ...]) -> None:
    from wordvec.errors import InputError

    for path in inputs:
        if path != "-" and not os.path.exists(path):
            raise InputError(f"input not found: {path}")


def _echo(quiet: bool, text: str) -> None:
    if not quiet:
        click.echo(text, err=True)


@click.command("train")
@click.argument("inputs", nargs=-1, required=True)
@click.option("-o", "--output", required=True, type=click.Path(), help="Model directory to write.")
@click.option("--method", type=click.Choice(["pmi", "svd", "w2v"]), default="pmi", show_default=True,
              help="pmi: the PMI model (SPEC b); svd: PPMI-SVD baseline; w2v: gensim skip-gram bridge.")
@click.option("--preset", type=click.Choice(["default", "seed"]), default="default", show_default=True,
              help="default: measured best settings; seed: the seed's exact configuration (SPEC b.5).")
@click.option("--dim", type=click.IntRange(min=1), default=128, show_default=True)
@click.option("--epochs", type=click.IntRange(min=0), default=None, help="Passes [pmi 30, w2v 5].")
@click.option("--window", type=click.IntRange(min=1), default=None, help="Window each side [pmi/svd 10, w2v 5].")
@click.option("--min-count", type=click.IntRange(min=1), default=5, show_default=True)
@click.option("--lr", type=click.FloatRange(min=0, min_open=True), default=None,
              help="AdaGrad η [default preset 0.4, seed 0.1].")
@click.option("--truncate", is_flag=True, help="Cap the pair weights at 1 (SPEC b.2).")
@click.option("--cds", type=click.FloatRange(0, 1, min_open=True), default=None,
              help="Context smoothing exponent of P(w) [default preset 0.75, seed 1.0].")
@click.option("--x-max", type=click.FloatRange(min=0, min_open=True), default=None, help="Weight cap x_max [100].")
@click.option("--neg", type=click.FloatRange(min=0), default=None,
              help="Swivel-style penalty: unobserved pairs sampled per record and epoch [0: off].")
@click.option("--threads", type=click.IntRange(min=1), default=None, help="Training threads [all cores].")
@click.option("--seed", type=int, default=None, help="Random seed (with --threads 1: reproducible).")
@click.option("--dtype", type=click.Choice(["float32", "float64"]), default="float32", show_default=True)
@click.option("--memory", default=None, help="Memory budget for counting, e.g. 2G.")
@click.option("--tokenizer", type=click.Choice(["jieba", "whitespace", "char", "tagged"]), default="jieba",
              show_default=True)
@click.option("--hmm", is_flag=True, help="jieba's HMM new-word discovery (off by default).")
@click.option("--user-dict", type=click.Path(dir_okay=False), default=None, help="jieba user dictionary.")
@click.option("--workers", type=click.IntRange(min=1), default=None, help="Tokenizer processes.")
@click.option("--cache-dir", type=click.Path(file_okay=False), default=None, help="Token cache folder.")
@click.option("--checkpoint-every", type=click.IntRange(min=1), default=None,
              help="Write a checkpoint (MODEL.checkpoint) every N epochs.")
@click.option("--resume", is_flag=True, help="Continue from MODEL.checkpoint.")
@quiet_option
def train(inputs, output, method, preset, dim, epochs, window, min_count, lr, truncate, cds, x_max, neg, threads, seed,
          dtype, memory, tokenizer, hmm, user_dict, workers, cache_dir, checkpoint_every, resume, quiet):
    """Train word vectors from INPUT text files (or one `wordvec count` directory) into MODEL.

    Runs every stage from the caches (tokens, counts), prints one loss line per epoch and a summary.
    """
    from wordvec.errors import InputError

    _check_inputs(inputs)
    memory_bytes = parse_size(memory)
    if os.path.exists(output) and not os.path.isdir(output):
        raise InputError(f"{output} exists and is not a directory: choose another -o path")
    times: dict[str, float] = {}
    if method == "w2v":
        _train_w2v(inputs, output, dim, epochs, window, min_count, threads, seed, tokenizer, hmm, user_dict,
                   workers, cache_dir, quiet, times)
        return
    counts = _load_counts(inputs, tokenizer, hmm, user_dict, min_count, window or 10, memory_bytes, workers,
                          cache_dir, quiet, times)
    t = time.perf_counter()
    if method == "svd":
        from wordvec.svd import PPMISVD

        model = PPMISVD(dim=dim, cds=cds or 0.75, seed=seed).fit(counts)
        final = "n/a"
    else:
        model = _fit_pmi(counts, output, preset, dim, epochs, lr, truncate, cds, threads, seed, dtype,
                         checkpoint_every, resume, quiet, x_max=x_max, neg=neg)
        final = f"{model.loss_[-1]:.6f}" if model.loss_ else "n/a"
    times["train"] = time.perf_counter() - t
    emb = model.embedding_
    if emb.meta.get("min_count") is None:
        emb.meta["min_count"] = min_count
    t = time.perf_counter()
    emb.save(output)
    times["save"] = time.perf_counter() - t
    if method == "pmi" and (checkpoint_every or resume):
        import shutil

        from wordvec.checkpoint import default_checkpoint_dir

        shutil.rmtree(default_checkpoint_dir(output), ignore_errors=True)
    stages = ", ".join(f"{name} {sec:.1f}s" for name, sec in times.items())
    _echo(quiet, f"vocabulary {len(emb)} words, {counts.matrix.nnz} nonzero counts, final loss {final}; {stages}")
    _echo(quiet, f"saved {output}")


def _load_counts(inputs, tokenizer, hmm, user_dict, min_count, window, memory, workers, cache_dir, quiet, times):
    t = time.perf_counter()
    if len(inputs) == 1 and _is_count_dir(inputs[0]):
        from wordvec.corpora.cooccur import Cooccurrence

        counts = Cooccurrence.load(inputs[0])
        times["load counts"] = time.perf_counter() - t
        return counts
    from .progress import Progress

    settings = _settings(tokenizer, hmm, user_dict)
    try:
        from wordvec.corpora.pipeline import count_corpus
    except ImportError:  # older checkouts: the two stages directly
        count_corpus = None
    if count_corpus is not None:
        with Progress("counting", quiet=quiet) as progress:
            counts = count_corpus(list(inputs), settings, min_count=min_count, window=window, memory=memory,
                                  workers=workers, cache_dir=cache_dir, progress=progress)
        times["tokenize+count"] = time.perf_counter() - t
        return counts
    from wordvec.corpora.cache import build_token_cache
    from wordvec.corpora.cooccur import count_cooccurrences

    with Progress("tokenizing", quiet=quiet) as progress:
        cache = build_token_cache(list(inputs), settings, cache_dir=cache_dir, workers=workers, progress=progress)
    times["tokenize"] = time.perf_counter() - t
    t = time.perf_counter()
    with Progress("counting", quiet=quiet) as progress:
        counts = count_cooccurrences(cache, min_count=min_count, window=window, memory=memory, progress=progress)
    times["count"] = time.perf_counter() - t
    return counts


def _fit_pmi(counts, output, preset, dim, epochs, lr, truncate, cds, threads, seed, dtype, checkpoint_every, resume,
             quiet, x_max=None, neg=None):
    from wordvec.checkpoint import counts_fingerprint, default_checkpoint_dir, load_checkpoint, save_checkpoint
    from wordvec.pmi import PMIEmbedding

    overrides = dict(dim=dim, epochs=epochs, lr=lr, cds=cds, threads=threads, seed=seed, dtype=dtype, x_max=x_max,
                     neg=neg)
    if truncate:
        overrides["truncate"] = True
    est = PMIEmbedding.from_preset(preset, **overrides)
    ckpt_dir = default_checkpoint_dir(output)
    fingerprint = counts_fingerprint(counts) if (checkpoint_every or resume) else None
    state = load_checkpoint(ckpt_dir, est.get_params(), fingerprint) if resume else None
    if state is not None:
        _echo(quiet, f"resuming from {ckpt_dir} after epoch {state['epoch']}")

    def on_epoch(epoch, loss, seconds):
        _echo(quiet, f"epoch {epoch:3d}  loss {loss:.6f}  {seconds:.2f}s")

    def on_epoch_end(st):
        if checkpoint_every and (st["epoch"] % checkpoint_every == 0 or st["epoch"] == est.epochs):
            save_checkpoint(ckpt_dir, st, est.get_params(), fingerprint)

    try:
        return est.fit(counts, callback=on_epoch, state=state, on_epoch_end=on_epoch_end)
    except KeyboardInterrupt:
        if checkpoint_every and os.path.isdir(ckpt_dir):
            click.echo(f"interrupted; the last complete checkpoint is in {ckpt_dir}: run the same command with "
                       "--resume to continue", err=True)
        raise


def _train_w2v(inputs, output, dim, epochs, window, min_count, threads, seed, tokenizer, hmm, user_dict, workers,
               cache_dir, quiet, times):
    from wordvec.errors import WordvecError

    try:
        from wordvec.word2vec import train_word2vec
    except ImportError:
        raise WordvecError("--method w2v is not available in this build (wordvec.word2vec missing)") from None
    from wordvec.corpora.cache import build_token_cache

    from .progress import Progress

    t = time.perf_counter()
    with Progress("tokenizing", quiet=quiet) as progress:
        cache = build_token_cache(list(inputs), _settings(tokenizer, hmm, user_dict), cache_dir=cache_dir,
                                  workers=workers, progress=progress)
    times["tokenize"] = time.perf_counter() - t
    t = time.perf_counter()
    with Progress("word2vec", quiet=quiet) as progress:
        emb = train_word2vec(cache, min_count=min_count, dim=dim, window=window or 5, epochs=5 if epochs is None else
                             epochs, workers=threads or workers, seed=1 if seed is None else seed, progress=progress)
    times["train"] = time.perf_counter() - t
    emb.save(output)
    _echo(quiet, f"vocabulary {len(emb)} words; " + ", ".join(f"{k} {v:.1f}s" for k, v in times.items()))
    _echo(quiet, f"saved {output}")


COMMANDS.append(train)
