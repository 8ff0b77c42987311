"""`wordvec train`: text (or a `wordvec count` directory) → a model directory."""
from __future__ import annotations

import os
import time

import click

from .output import MEMORY_SIZE, quiet_option
from .tokenize_commands import tokenizer_options

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
@click.option("--resume", is_flag=True, help="Continue from MODEL.checkpoint.")
@quiet_option
@click.pass_context
def train(ctx, inputs, output, method, preset, checkpoint_every, resume, quiet, **_options):
    """Train word vectors from INPUT text files (or one `wordvec count` directory) into MODEL.

    Runs every stage from the caches (tokens, counts), prints one loss line per epoch and a summary.
    """
    from wordvec.api import make_trainer
    from wordvec.errors import InputError

    _check_inputs(inputs)
    if os.path.exists(output) and not os.path.isdir(output):
        raise InputError(f"{output} exists and is not a directory: choose another -o path")
    if len(inputs) == 1 and _is_count_dir(inputs[0]):
        _refuse_options_fixed_by_counts(ctx)
    typed = _typed(ctx)
    hyper, options = _route(method, typed)
    if method != "pmi" and (checkpoint_every or resume):
        raise click.UsageError("--checkpoint-every and --resume apply to --method pmi only")
    trainer = make_trainer(method, preset if _given(ctx, "preset") else None, **hyper)
    if method == "pmi" and (checkpoint_every or resume):
        from wordvec.train.checkpoint import default_checkpoint_dir

        options.update(checkpoint=default_checkpoint_dir(output), checkpoint_every=checkpoint_every, resume=resume)
    source = inputs[0] if len(inputs) == 1 and _is_count_dir(inputs[0]) else list(inputs)
    with _Stages(quiet, options.get("checkpoint")) as stages:
        try:
            trainer.fit(source, _epoch_line(quiet) if method != "svd" else None, progress=stages, **options)
        except KeyboardInterrupt:
            ckpt = options.get("checkpoint")
            if checkpoint_every and ckpt and os.path.isdir(ckpt):
                stages.close()
                click.echo(f"interrupted; the last complete checkpoint is in {ckpt}: run the same command with "
                           "--resume to continue", err=True)
            raise
    for problem in trainer.read_report_.problems() if trainer.read_report_ is not None else ():
        click.echo(f"warning: {problem}", err=True)
    emb = trainer.embedding_
    times = dict(trainer.stage_seconds_)
    t = time.perf_counter()
    emb.save(output)
    times["save"] = time.perf_counter() - t
    if options.get("checkpoint"):
        from wordvec.train.checkpoint import remove_checkpoint

        remove_checkpoint(options["checkpoint"])
    stages_text = ", ".join(f"{name} {sec:.1f}s" for name, sec in times.items())
    if method == "w2v":
        _echo(quiet, f"vocabulary {len(emb)} words; {stages_text}")
    else:
        final = f"{trainer.loss_[-1]:.6f}" if getattr(trainer, "loss_", None) else "n/a"
        _echo(quiet, f"vocabulary {len(emb)} words, {trainer.nonzero_counts_} nonzero counts, final loss {final}; "
                     f"{stages_text}")
    _echo(quiet, f"saved {output}")


# command-line option -> (method -> parameter it sets); None: the option does not apply to that method
_TRAINER_OPTION = {
    "dim": {"pmi": "dim", "svd": "dim", "w2v": "dim"},
    "epochs": {"pmi": "epochs", "w2v": "epochs"},
    "lr": {"pmi": "lr"}, "truncate": {"pmi": "truncate"}, "cds": {"pmi": "cds", "svd": "cds"},
    "prior_count": {"pmi": "prior_count"}, "independence_weight": {"pmi": "independence_weight"},
    "alpha": {"pmi": "alpha"}, "x_max": {"pmi": "x_max"}, "neg": {"pmi": "neg"},
    "threads": {"pmi": "threads", "w2v": "workers"},
    "seed": {"pmi": "seed", "svd": "seed", "w2v": "seed"},
    "dtype": {"pmi": "dtype"},
    "negative": {"w2v": "negative"},
    "window": {"w2v": "window"}, "min_count": {"w2v": "min_count"},
}
# options of fit (reading text, counting): the same name in the library
_READING = ("tokenizer", "hmm", "user_dict", "split_alnum", "max_line_chars", "workers", "strict", "cache_dir")
_COUNTING = ("window", "min_count", "memory")


def _given(ctx: click.Context, name: str) -> bool:
    from click.core import ParameterSource

    return ctx.get_parameter_source(name) not in (ParameterSource.DEFAULT, ParameterSource.DEFAULT_MAP, None)


def _typed(ctx: click.Context) -> dict:
    """The options the user typed (the library supplies every default)."""
    skip = {"inputs", "output", "method", "preset", "checkpoint_every", "resume", "quiet"}
    return {name: value for name, value in ctx.params.items() if name not in skip and _given(ctx, name)}


def _route(method: str, typed: dict) -> tuple[dict, dict]:
    """Typed options -> (the trainer's parameters, ``fit``'s reading and counting options)."""
    hyper, options = {}, {}
    for name, value in typed.items():
        target = _TRAINER_OPTION.get(name, {}).get(method)
        if target is not None:
            hyper[target] = value
        elif name in _READING or (name in _COUNTING and method != "w2v"):
            options[name] = value
        else:
            raise click.UsageError(f"--{name.replace('_', '-')} does not apply to --method {method}: leave it out")
    if method == "w2v" and "workers" not in hyper and options.get("workers"):
        hyper["workers"] = options["workers"]  # word2vec trains with the tokenizing processes' count
    if options.get("workers") == 0:
        del options["workers"]  # 0: all cores, the default
    return hyper, options


class _Stages:
    """``progress(stage, done, total)`` for the library: one progress bar per stage, and the resume line."""

    _UNITS = {"tokenizing": "B", "counting": "tok", "word2vec": ""}

    def __init__(self, quiet: bool, checkpoint: str | None = None):
        self.quiet = quiet
        self.checkpoint = checkpoint
        self.stage = None
        self.bar = None

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage == "resumed":
            self.close()
            _echo(self.quiet, f"resuming from {self.checkpoint} after epoch {done}")
            return
        if stage != self.stage:
            from .progress import Progress

            self.close()
            self.stage = stage
            self.bar = Progress(stage, unit=self._UNITS.get(stage, ""), quiet=self.quiet)
        self.bar(done, total)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
        self.bar, self.stage = None, None

    def __enter__(self) -> "_Stages":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _epoch_line(quiet: bool):
    def on_epoch(epoch: int, loss: float, seconds: float) -> None:
        _echo(quiet, f"epoch {epoch:3d}  loss {loss:.6f}  {seconds:.2f}s")
    return on_epoch


def _refuse_options_fixed_by_counts(ctx: click.Context) -> None:
    """A counts directory fixes the window, vocabulary and tokenizer: asking for others is a usage error."""
    fixed = ("window", "min_count", "memory", "tokenizer", "hmm", "user_dict", "split_alnum", "max_line_chars",
             "strict")
    given = [name for name in fixed if _given(ctx, name)]
    if given:
        options = ", ".join("--" + name.replace("_", "-") for name in given)
        raise click.UsageError(f"{options} cannot change a `wordvec count` directory's counts: "
                               "recount with those options, or drop them")


COMMANDS.append(train)
