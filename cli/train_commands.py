"""`wordvec train`: text (or a `wordvec count` directory) → a model directory."""
from __future__ import annotations

import os
import time

import click

from .output import MEMORY_SIZE, echo_json, json_option, merge_renamed, output_guard, quiet_option, renamed_option
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
              help="pmi: the PMI model; svd: PPMI-SVD baseline; w2v: gensim skip-gram with hierarchical softmax.")
@click.option("--preset", type=click.Choice(["default", "simpler-glove", "seed"]), default="default",
              show_default=True,
              help="default: the settings that measured best; simpler-glove: the original simpler-GloVe recipe "
                   "(η 0.1, α 0.75, no smoothing, no prior; 'seed' is its old name).")
@click.option("--dim", type=click.IntRange(min=1), default=128, show_default=True)
@click.option("--epochs", type=click.IntRange(min=0), default=None, help="Passes [pmi 30, w2v 5].")
@click.option("--window", type=click.IntRange(min=1), default=None, help="Window each side [pmi/svd 10, w2v 5].")
@click.option("--min-count", type=click.IntRange(min=1), default=5, show_default=True)
@click.option("--lr", type=click.FloatRange(min=0, min_open=True), default=None,
              help="AdaGrad learning rate η [default preset 0.4, simpler-glove 0.1].")
@click.option("--truncate", is_flag=True, help="Cap the pair weights at 1.")
@click.option("--cds", type=click.FloatRange(0, 1, min_open=True), default=None,
              help="Context smoothing exponent of P(w) [default preset 0.75, simpler-glove 1: off].")
@click.option("--prior-count", type=click.FloatRange(min=0), default=None,
              help="Pseudo-count β of the PMI estimate log((x+β)/(E+β)) [0]; 1 scores better on similarity "
                   "and analogies but admits function words into keywords.")
@click.option("--independence-weight", type=click.FloatRange(min=0), default=None,
              help="Weight w0 of the prior pulling every pair, observed or not, towards PMI 0 "
                   "[default preset 1e-3, simpler-glove 0: off].")
@click.option("--weight-exponent", type=click.FloatRange(min=0), default=None,
              help="Exponent α of the pair weight λ = (x/x_max)^α [default preset 0.5, simpler-glove 0.75].")
@renamed_option("--alpha", "--weight-exponent", type=click.FloatRange(min=0))
@click.option("--x-max", type=click.FloatRange(min=0, min_open=True), default=None, help="Weight cap x_max [100].")
@click.option("--neg", type=click.FloatRange(min=0), default=None,
              help="Swivel-style penalty: unobserved pairs sampled per record and epoch [0: off].")
@click.option("--narrow-window", type=click.IntRange(min=0, max=1000), default=None,
              help="Window of the narrow table that `similar` blends in [default preset 2, simpler-glove 0: none].")
@click.option("--narrow-share", type=click.FloatRange(0, 1), default=None,
              help="Share of the narrow table in `similar`'s default readout [0.5].")
@click.option("--threads", type=click.IntRange(min=0), default=0, show_default=True,
              help="Training threads (0: all cores).")
@click.option("--seed", type=int, default=None, help="Random seed (with --threads 1: reproducible).")
@click.option("--dtype", type=click.Choice(["float32", "float64"]), default="float32", show_default=True)
@click.option("--memory", type=MEMORY_SIZE, default=None, help="Memory budget for counting, e.g. 2G.")
@click.option("--dask", default=None, metavar="SCHEDULER",
              help="Count on Dask: local[:N] or tcp://host:port (needs wordvec[dask]); see `wordvec count --dask`.")
@click.option("--negative-samples", type=click.IntRange(min=0), default=0, show_default=True,
              help="w2v: negative samples per word besides hierarchical softmax (0: pure HS).")
@renamed_option("--negative", "--negative-samples", type=click.IntRange(min=0))
@tokenizer_options
@click.option("--checkpoint-every", type=click.IntRange(min=1), default=None,
              help="Write a checkpoint (MODEL.checkpoint) every N epochs.")
@click.option("--resume", is_flag=True,
              help="Continue from MODEL.checkpoint (method pmi; --epochs at least the checkpoint's epochs).")
@json_option
@quiet_option
@click.pass_context
@output_guard("wordvec-model")
def train(ctx, inputs, output, method, preset, checkpoint_every, resume, as_json, quiet, **_options):
    """Train word vectors from INPUT text files (or one `wordvec count` directory) into MODEL.

    Runs every stage from the caches (tokens, counts), shows the progress of each epoch (loss, ETA) and a
    summary; --json prints the summary as JSON on stdout.
    """
    from wordvec.api import make_trainer
    from wordvec.errors import InputError

    _check_inputs(inputs)
    if os.path.exists(output) and not os.path.isdir(output):
        raise InputError(f"{output} exists and is not a directory: choose another -o path")
    if method != "pmi" and (checkpoint_every or resume):  # issue 19: --resume was silently ignored
        used = " and ".join(flag for flag, on in (("--checkpoint-every", checkpoint_every), ("--resume", resume)) if on)
        raise click.UsageError(f"{used}: checkpoints exist for --method pmi only; --method {method} has no "
                               "checkpoints to write or resume: drop it", ctx)
    if len(inputs) == 1 and _is_count_dir(inputs[0]):
        _refuse_options_fixed_by_counts(ctx)
    typed = _renamed(_typed(ctx))
    if preset == "simpler-glove":
        preset = "seed"  # the trainer's name for the original simpler-GloVe recipe
    hyper, options = _route(method, typed)
    trainer = make_trainer(method, preset if _given(ctx, "preset") else None, **hyper)
    if method == "pmi" and (checkpoint_every or resume):
        from wordvec.train.checkpoint import default_checkpoint_dir

        options.update(checkpoint=default_checkpoint_dir(output), checkpoint_every=checkpoint_every, resume=resume)
    source = inputs[0] if len(inputs) == 1 and _is_count_dir(inputs[0]) else list(inputs)
    with _Stages(quiet, options.get("checkpoint")) as stages:
        stages.status("preparing: reading the corpus (or its caches), counting, building the training records…")
        try:
            epochs = (_EpochBar(quiet, stages, getattr(trainer, "epochs", None), draw=method != "w2v")
                      if method != "svd" else None)
            trainer.fit(source, epochs, progress=stages, **options)
        except KeyboardInterrupt as err:
            from wordvec.io.atomic import Terminated

            ckpt = options.get("checkpoint")
            if checkpoint_every and ckpt and os.path.isdir(ckpt):
                stages.close()
                how = "terminated" if isinstance(err, Terminated) else "interrupted"
                err.message = (f"{how}; the last complete checkpoint is in {ckpt}: run the same command with "  # type: ignore[attr-defined]
                               "--resume to continue")  # printed by cli.main as the one line
            raise
    for problem in trainer.read_report_.problems() if trainer.read_report_ is not None else ():
        click.echo(f"warning: {problem}", err=True)
    for note in getattr(trainer, "notes_", ()):
        _echo(quiet, f"note: {note}")
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
    if as_json:
        loss = getattr(trainer, "loss_", None)
        echo_json({"model": os.path.abspath(output), "method": method, "kind": emb.kind, "vocab_size": len(emb),
                   "dim": int(emb.shape[1]), "nonzero_counts": getattr(trainer, "nonzero_counts_", None),
                   "final_loss": float(loss[-1]) if loss else None,
                   "seconds": {name: round(sec, 3) for name, sec in times.items()}})


def _renamed(typed: dict) -> dict:
    """Typed options with the renamed ones under their current names (old spellings still work)."""
    typed = dict(typed)
    for old, new, old_flag, new_flag in (("old_alpha", "weight_exponent", "--alpha", "--weight-exponent"),
                                         ("old_negative", "negative_samples", "--negative", "--negative-samples")):
        value = merge_renamed(typed.pop(new, None), typed.pop(old, None), old_flag, new_flag)
        if value is not None:
            typed[new] = value
    if typed.get("threads") == 0:
        del typed["threads"]  # 0: all cores, the trainers' default
    return typed


# command-line option -> (method -> parameter it sets); None: the option does not apply to that method
_TRAINER_OPTION = {
    "dim": {"pmi": "dim", "svd": "dim", "w2v": "dim"},
    "epochs": {"pmi": "epochs", "w2v": "epochs"},
    "lr": {"pmi": "lr"}, "truncate": {"pmi": "truncate"}, "cds": {"pmi": "cds", "svd": "cds"},
    "prior_count": {"pmi": "prior_count"}, "independence_weight": {"pmi": "independence_weight"},
    "weight_exponent": {"pmi": "alpha"}, "x_max": {"pmi": "x_max"}, "neg": {"pmi": "neg"},
    "narrow_window": {"pmi": "narrow_window"}, "narrow_share": {"pmi": "narrow_share"},
    "threads": {"pmi": "threads", "w2v": "workers"},
    "seed": {"pmi": "seed", "svd": "seed", "w2v": "seed"},
    "dtype": {"pmi": "dtype"},
    "negative_samples": {"w2v": "negative"},
    "window": {"w2v": "window"}, "min_count": {"w2v": "min_count"},
}
# options of fit (reading text, counting): the same name in the library
_READING = ("tokenizer", "hmm", "user_dict", "split_alnum", "max_line_chars", "workers", "strict", "cache_dir")
_COUNTING = ("window", "min_count", "memory", "dask")


def _given(ctx: click.Context, name: str) -> bool:
    from click.core import ParameterSource

    return ctx.get_parameter_source(name) not in (ParameterSource.DEFAULT, ParameterSource.DEFAULT_MAP, None)


def _typed(ctx: click.Context) -> dict:
    """The options the user typed (the library supplies every default)."""
    skip = {"inputs", "output", "method", "preset", "checkpoint_every", "resume", "quiet", "as_json", "force"}
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
    # --workers counts tokenizing processes for every method; word2vec's training threads are --threads
    if options.get("workers") == 0:
        del options["workers"]  # 0: all cores, the default
    return hyper, options


class _Stages:
    """``progress(stage, done, total)`` for the library: one progress bar per stage, and the resume line.
    ``rate_count`` (set by the tokenizer: decompressed text bytes) goes to the current bar's speed."""

    _UNITS = {"tokenizing": "B", "counting": "tok", "word2vec": "epochs", "dask": "task", "narrow": "tok"}

    def __init__(self, quiet: bool, checkpoint: str | None = None):
        self.quiet = quiet
        self.checkpoint = checkpoint
        self.stage = None
        self.bar = None
        self.rate_count = None

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage == "resumed":
            self.close()
            _echo(self.quiet, f"resuming from {self.checkpoint} after epoch {done}")
            return
        if stage != self.stage:
            from .progress import Progress

            rate = self.rate_count
            self.close()
            self.stage, self.rate_count = stage, rate
            self.bar = Progress(stage, unit=self._UNITS.get(stage, ""), quiet=self.quiet,
                                counted=stage == "word2vec")
            self.bar.rate_unit = "words" if stage == "word2vec" else ""
        if stage == "word2vec":  # thousandths of an epoch: show epochs n/N and words/s
            self.bar.rate_count = self.rate_count
            self.bar(round(done / 1000, 2), total / 1000,
                     note=f"epoch {min(int(done // 1000) + 1, int(total // 1000))}/{int(total // 1000)}")
            return
        self.bar.rate_count = self.rate_count
        self.bar(done, total)

    def status(self, text: str) -> None:
        """A one-line status until the first stage reports (wiped then, or when the stages close)."""
        from .progress import Progress

        self.close()
        self.stage = "status"
        self.bar = Progress("train", quiet=self.quiet)
        self.bar.status(text)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
        self.bar, self.stage, self.rate_count = None, None, None

    def __enter__(self) -> "_Stages":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class _EpochBar:
    """The epoch callback ``(epoch, loss, seconds)``: a bar with n/N, loss and ETA on a terminal; elsewhere one
    log line per epoch (n/N, loss, seconds, ETA); nothing under --quiet."""

    def __init__(self, quiet: bool, stages: "_Stages", epochs: int | None, draw: bool = True):
        from .progress import Progress

        self.quiet, self.stages, self.epochs = quiet, stages, epochs
        # draw=False (word2vec): the stage bar shows the progress on a terminal; only the log lines remain
        self.bar = Progress("training", unit="epochs", quiet=quiet or not draw, counted=True)
        self.terminal = Progress("", quiet=quiet).enabled
        self.first: int | None = None
        self.started = time.monotonic()

    def __call__(self, epoch: int, loss: float, seconds: float) -> None:
        total = self.epochs or epoch
        if self.first is None:  # the first epoch of this run (a resumed run starts later)
            if self.bar.enabled:
                self.stages.close()
            self.first = epoch - 1
            self.started = time.monotonic() - seconds
            self.bar.start = self.started
        self.bar(epoch, total, note=f"loss {loss:.6f}")
        if not self.terminal:
            done = epoch - self.first
            eta = (time.monotonic() - self.started) / max(1, done) * (total - epoch)
            from .progress import _clock

            _echo(self.quiet, f"epoch {epoch:3d}/{total}  loss {loss:.6f}  {seconds:.2f}s  ETA {_clock(eta)}")
        if epoch >= total:
            self.bar.close()


def _refuse_options_fixed_by_counts(ctx: click.Context) -> None:
    """A counts directory fixes the window, vocabulary and tokenizer: asking for others is a usage error."""
    fixed = ("window", "min_count", "memory", "dask", "tokenizer", "hmm", "user_dict", "split_alnum", "max_line_chars",
             "strict")
    given = [name for name in fixed if _given(ctx, name)]
    if given:
        options = ", ".join("--" + name.replace("_", "-") for name in given)
        raise click.UsageError(f"{options} cannot change a `wordvec count` directory's counts: "
                               "recount with those options, or drop them")


COMMANDS.append(train)
