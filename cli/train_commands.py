"""`wordvec train`: text (or a `wordvec count` directory) → a model directory."""
from __future__ import annotations

import os
import time

import click

from .output import MEMORY_SIZE, output_guard, quiet_option, warn_report
from .tokenize_commands import load_or_build, tokenizer_options

COMMANDS: list[click.Command] = []

def _is_count_dir(path: str) -> bool:
    return os.path.isdir(path) and os.path.isfile(os.path.join(path, "cooccurrence.npz"))


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
@click.option("--prior-count", type=click.FloatRange(min=0), default=None,
              help="Pseudo-count β of the PMI estimate log((x+β)/(E+β)) [0]; 1 scores better on similarity "
                   "and analogies but admits function words into keywords.")
@click.option("--independence-weight", type=click.FloatRange(min=0), default=None,
              help="Weight w0 of the prior pulling every pair, observed or not, towards PMI 0 "
                   "[default preset 1e-3, seed 0: off].")
@click.option("--alpha", type=click.FloatRange(min=0), default=None,
              help="Weight exponent α of λ = (x/x_max)^α [default preset 0.5, seed 0.75].")
@click.option("--x-max", type=click.FloatRange(min=0, min_open=True), default=None, help="Weight cap x_max [100].")
@click.option("--neg", type=click.FloatRange(min=0), default=None,
              help="Swivel-style penalty: unobserved pairs sampled per record and epoch [0: off].")
@click.option("--threads", type=click.IntRange(min=1), default=None, help="Training threads [all cores].")
@click.option("--seed", type=int, default=None, help="Random seed (with --threads 1: reproducible).")
@click.option("--dtype", type=click.Choice(["float32", "float64"]), default="float32", show_default=True)
@click.option("--memory", type=MEMORY_SIZE, default=None, help="Memory budget for counting, e.g. 2G.")
@click.option("--negative", type=click.IntRange(min=0), default=0, show_default=True,
              help="w2v: negative samples besides hierarchical softmax (0: pure HS).")
@tokenizer_options
@click.option("--checkpoint-every", type=click.IntRange(min=1), default=None,
              help="Write a checkpoint (MODEL.checkpoint) every N epochs.")
@click.option("--resume", is_flag=True,
              help="Continue from MODEL.checkpoint (method pmi; --epochs at least the checkpoint's epochs).")
@quiet_option
@click.pass_context
@output_guard("wordvec-model")
def train(ctx, inputs, output, method, preset, dim, epochs, window, min_count, lr, truncate, cds, prior_count,
          independence_weight, alpha, x_max, neg, threads,
          seed, dtype, memory, negative, tokenizer, hmm, user_dict, split_alnum, max_line_chars, workers, strict,
          cache_dir, checkpoint_every, resume, quiet):
    """Train word vectors from INPUT text files (or one `wordvec count` directory) into MODEL.

    Runs every stage from the caches (tokens, counts), prints one loss line per epoch and a summary.
    """
    from wordvec.errors import InputError

    _check_inputs(inputs)
    if os.path.exists(output) and not os.path.isdir(output):
        raise InputError(f"{output} exists and is not a directory: choose another -o path")
    if resume and method != "pmi":  # issue 19: was silently ignored
        raise click.UsageError(f"--resume continues a PMI training run from its checkpoint; --method {method} "
                               "has no checkpoints to resume: drop --resume", ctx)
    times: dict[str, float] = {}
    reading = dict(tokenizer=tokenizer, hmm=hmm, user_dict=user_dict, split_alnum=split_alnum,
                   max_line_chars=max_line_chars, workers=workers, strict=strict, cache_dir=cache_dir)
    if method == "w2v":
        _train_w2v(inputs, output, dim, epochs, window, min_count, threads, seed, negative, reading, quiet, times)
        return
    if len(inputs) == 1 and _is_count_dir(inputs[0]):
        _refuse_options_fixed_by_counts(ctx)
    counts = _load_counts(inputs, min_count, window or 10, memory, reading, quiet, times)
    t = time.perf_counter()
    if method == "svd":
        from wordvec.train.svd import PPMISVD

        model = PPMISVD(dim=dim, cds=cds or 0.75, seed=seed).fit(counts)
        final = "n/a"
    else:
        model = _fit_pmi(counts, output, preset, dim, epochs, lr, truncate, cds, threads, seed, dtype,
                         checkpoint_every, resume, quiet, x_max=x_max, neg=neg, prior_count=prior_count,
                         independence_weight=independence_weight, alpha=alpha)
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

        from wordvec.train.checkpoint import default_checkpoint_dir

        shutil.rmtree(default_checkpoint_dir(output), ignore_errors=True)
    stages = ", ".join(f"{name} {sec:.1f}s" for name, sec in times.items())
    _echo(quiet, f"vocabulary {len(emb)} words, {counts.matrix.nnz} nonzero counts, final loss {final}; {stages}")
    _echo(quiet, f"saved {output}")


def _refuse_options_fixed_by_counts(ctx: click.Context) -> None:
    """A counts directory fixes the window, vocabulary and tokenizer: asking for others is a usage error."""
    from click.core import ParameterSource

    fixed = ("window", "min_count", "memory", "tokenizer", "hmm", "user_dict", "split_alnum", "max_line_chars",
             "strict")
    given = [name for name in fixed if ctx.get_parameter_source(name) is not ParameterSource.DEFAULT]
    if given:
        options = ", ".join("--" + name.replace("_", "-") for name in given)
        raise click.UsageError(f"{options} cannot change a `wordvec count` directory's counts: "
                               "recount with those options, or drop them")


def _load_counts(inputs, min_count, window, memory, reading, quiet, times):
    t = time.perf_counter()
    if len(inputs) == 1 and _is_count_dir(inputs[0]):
        from wordvec.corpora.cooccur import Cooccurrence

        counts = Cooccurrence.load(inputs[0])
        times["load counts"] = time.perf_counter() - t
        return counts
    from wordvec.corpora.pipeline import count_cached

    from .progress import Progress

    cache = load_or_build(inputs, quiet=quiet, **reading)
    warn_report(cache)
    times["tokenize"] = time.perf_counter() - t
    t = time.perf_counter()
    with Progress("counting", unit="tok", quiet=quiet) as progress:
        counts = count_cached(cache, min_count=min_count, window=window, memory=memory,
                              cache_dir=reading["cache_dir"], progress=progress)
    times["count"] = time.perf_counter() - t
    return counts


def _fit_pmi(counts, output, preset, dim, epochs, lr, truncate, cds, threads, seed, dtype, checkpoint_every, resume,
             quiet, x_max=None, neg=None, prior_count=None, independence_weight=None, alpha=None):
    from wordvec.errors import InputError
    from wordvec.train.checkpoint import counts_fingerprint, default_checkpoint_dir, load_checkpoint, save_checkpoint
    from wordvec.train.pmi import PMIEmbedding

    overrides = dict(dim=dim, epochs=epochs, lr=lr, cds=cds, threads=threads, seed=seed, dtype=dtype, x_max=x_max,
                     neg=neg, prior_count=prior_count, independence_weight=independence_weight, alpha=alpha)
    if truncate:
        overrides["truncate"] = True
    est = PMIEmbedding.from_preset(preset, **overrides)
    ckpt_dir = default_checkpoint_dir(output)
    fingerprint = counts_fingerprint(counts) if (checkpoint_every or resume) else None
    state = load_checkpoint(ckpt_dir, est.get_params(), fingerprint) if resume else None
    if state is not None and state["epoch"] > est.epochs:
        # issue 19: fewer epochs than the checkpoint holds is an error (the run cannot be shortened after the
        # fact; continuing would write meta epochs=N with more than N losses)
        raise InputError(f"the checkpoint {ckpt_dir} already holds {state['epoch']} epochs, more than --epochs "
                         f"{est.epochs}: resume with --epochs {state['epoch']} or more, or delete the checkpoint")
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


def _train_w2v(inputs, output, dim, epochs, window, min_count, threads, seed, negative, reading, quiet, times):
    from wordvec.word2vec.bridge import train_word2vec

    from .progress import Progress

    t = time.perf_counter()
    cache = load_or_build(inputs, quiet=quiet, **reading)
    warn_report(cache)
    times["tokenize"] = time.perf_counter() - t
    t = time.perf_counter()
    with Progress("word2vec", quiet=quiet) as progress:
        emb = train_word2vec(cache, min_count=min_count, dim=dim, window=window or 5,
                             epochs=5 if epochs is None else epochs, negative=negative,
                             workers=threads or reading["workers"] or None, seed=1 if seed is None else seed,
                             progress=progress)
    times["train"] = time.perf_counter() - t
    emb.save(output)
    _echo(quiet, f"vocabulary {len(emb)} words; " + ", ".join(f"{k} {v:.1f}s" for k, v in times.items()))
    _echo(quiet, f"saved {output}")


COMMANDS.append(train)
