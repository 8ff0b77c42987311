"""The ``wordvec`` command group: registers the sub-commands and turns errors into exit codes.

Exit codes (DESIGN "command-line contract"): 0 success, 1 a user error (one line on stderr, no
traceback), 2 a usage error (click's), 130 interrupted by Ctrl-C, 143 stopped by SIGTERM (cleaned up like
Ctrl-C), 141 stdout closed by its reader (a broken pipe, as in ``wordvec norms M | head``: quiet, the status
of a process that SIGPIPE ends, as coreutils give). A full disk or another write error on stdout is a user
error (exit 1, one line). Output streams never raise on characters they cannot encode: stdout in a non-UTF-8
encoding (``PYTHONIOENCODING=latin-1``) shows them as backslash escapes, and on a UTF-8 stdout undecodable
file-name bytes are written back as they were.
"""
from __future__ import annotations

import errno
import os
import sys

import click

from wordvec._version import __version__

from . import big_commands, corpus_commands, eval_commands, query_commands, tokenize_commands, train_commands, w2v_commands
from .serve import command as serve_command

EXIT_USER_ERROR = 1
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141
EXIT_TERMINATED = 143


# sub-commands that do not load numba up front: the queries answer a one-shot question with numpy alone
# (a cosine query never imports numba, scipy or jieba; issue 13), and where one does need numba later
# (word2vec readouts, repeated rankings) it is imported with Ctrl-C held there; serve loads it in its
# warm-up thread, so that it answers at once
_WITHOUT_NUMBA = {"tokenize", "vocab", "info", "similar", "related", "keywords", "analogy", "sentsim", "predict",
                  "norms", "pmi", "export", "serve", "index"}


def _import_numba() -> None:
    """Import numba with Ctrl-C held: a KeyboardInterrupt inside its C extensions' import surfaces as an
    ImportError with a traceback; held, it is raised after the import, as our usual 'interrupted'."""
    from wordvec.io.atomic import sigint_held

    with sigint_held():
        import wordvec.corpora._kernels  # noqa: F401  (numba and its dispatcher)


def _starting(name: str | None, args: list[str]) -> bool:
    """On a terminal, say at once that a long command started (numba's import takes a second or more);
    the line is cleared when the command's own output begins. Not under --quiet or --json."""
    stream = sys.stderr
    if name not in _LONG or not getattr(stream, "isatty", lambda: False)() or {"-q", "--quiet", "--json"} & set(args):
        return False
    stream.write(f"\rwordvec {name}: starting…\033[K")
    stream.flush()
    return True


_LONG = {"train", "count", "merge", "evaluate", "export", "import-gensim"}


class WordvecGroup(click.Group):
    """A click group that reports ``WordvecError`` as one line and Ctrl-C as exit 130."""

    def invoke(self, ctx: click.Context):
        from wordvec.errors import WordvecError

        from .messages import cli_message

        try:
            result = super().invoke(ctx)
            if sys.stdout is not None:
                sys.stdout.flush()  # a full disk must show up here, not as "Exception ignored" at exit
            return result
        except OSError as err:
            _exit_on_stdout_error(err)
        except WordvecError as err:
            from wordvec.io.paths import display

            click.echo(f"error: {_shorten(display(cli_message(err)))}", err=True)
            sys.exit(EXIT_USER_ERROR)
        except MemoryError:
            click.echo("error: out of memory: lower --memory, --dim or the vocabulary size", err=True)
            sys.exit(EXIT_USER_ERROR)
        except KeyboardInterrupt as err:
            from wordvec.io.atomic import Terminated

            terminated = isinstance(err, Terminated)
            # one line: a command may have put a better one on the exception (train: where its checkpoint is)
            click.echo(getattr(err, "message", None) or ("terminated" if terminated else "interrupted"), err=True)
            sys.exit(EXIT_TERMINATED if terminated else EXIT_INTERRUPTED)

    def make_context(self, info_name, args, parent=None, **extra):  # noqa: D102 - click API
        try:  # `wordvec --help` / `--version` print here, before invoke
            return super().make_context(info_name, args, parent=parent, **extra)
        except OSError as err:
            _exit_on_stdout_error(err)

    def resolve_command(self, ctx: click.Context, args: list[str]):
        name, command, rest = super().resolve_command(ctx, args)
        if name not in _WITHOUT_NUMBA and "--help" not in rest and "-h" not in rest:
            shown = _starting(name, rest)
            _import_numba()
            if shown:
                sys.stderr.write("\r\033[K")
                sys.stderr.flush()
        return name, command, rest


@click.group(cls=WordvecGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="wordvec")
def cli() -> None:
    """wordvec: PMI word vectors for Chinese text.

    Train vectors from raw text, then ask which words are similar (substitutable), which are related
    (co-occur), which words of a text are its keywords, and how close two sentences are.
    """


# one line each in `wordvec --help` (click would cut the docstrings' first sentences mid-way)
SHORT_HELP = {
    "tokenize": "Tokenize text into a reusable token cache.",
    "vocab": "List the vocabulary of a text with word counts.",
    "count": "Count word co-occurrences into a counts directory.",
    "merge": "Add up several counts or shard directories.",
    "train": "Train word vectors from text into a model directory.",
    "similar": "Words that can replace a word (similar meaning).",
    "related": "Words that occur together with a word.",
    "keywords": "The keywords of each text.",
    "analogy": "Solve A + B − C, e.g. 国王 + 女人 − 男人 → 女王.",
    "sentsim": "How similar two texts are.",
    "predict": "Words likely to appear with all given words.",
    "norms": "Words by importance: stopwords come first.",
    "pmi": "The PMI of two words, as the model estimates it.",
    "info": "What a model is: kind, size, settings, training.",
    "evaluate": "Score a model on similarity and analogy datasets.",
    "export": "Write a model's vectors as a word2vec or GloVe file.",
    "import-gensim": "Convert a gensim model or .kv file into a model.",
    "serve": "A local web explorer and JSON API for models.",
    "import": "Stream a big word2vec/GloVe file into a model directory.",
    "index": "Build a model's approximate nearest-neighbour index.",
}

# --- every numeric option checked at the edge ------------------------------------------------------------------
INT_LIMIT = 2**31 - 1  # the cap of an integer option without one of its own
FLOAT_LIMIT = 1e12  # the cap of |x| for a number option without one of its own
INT_LIMITS = {  # options whose useful range is known (values beyond it only make the run fail later)
    "window": 100_000, "dim": 100_000, "epochs": 1_000_000, "threads": 4096, "workers": 4096,
    "checkpoint_every": 1_000_000, "negative": 1000, "seed": 2**32 - 1, "max_line_chars": 2**31 - 1,
    "min_count": 2**63 - 1,
}
FLOAT_LIMITS = {"alpha": (-1000.0, 1000.0), "lr": (0.0, 1e100)}  # lr: a diverging run is its own error


class FiniteFloatRange(click.FloatRange):
    """A float option that must be a finite number within its range: nan, inf and 1e400 are usage errors."""

    def convert(self, value, param, ctx):
        import math

        number = super(click.FloatRange, self).convert(value, param, ctx)  # plain float conversion
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number.", param, ctx)
        return super().convert(number, param, ctx)


def harden(command: click.Command) -> click.Command:
    """Give every int option of ``command`` an upper bound and every float option a finite range, keeping
    its lower bound; so oversized values are usage errors (exit 2) naming the option, not tracebacks. Path
    parameters refuse an empty string (exit 2)."""
    for param in command.params:
        kind = param.type
        name = param.name or ""
        if isinstance(kind, click.types.BoolParamType) or getattr(param, "is_flag", False):
            continue
        if isinstance(kind, click.IntRange) or kind is click.INT:
            low = kind.min if isinstance(kind, click.IntRange) else (0 if name == "seed" else -INT_LIMIT)
            high = kind.max if isinstance(kind, click.IntRange) and kind.max is not None else INT_LIMITS.get(name, INT_LIMIT)
            param.type = click.IntRange(low, high, min_open=getattr(kind, "min_open", False),
                                        max_open=getattr(kind, "max_open", False))
        elif isinstance(kind, click.FloatRange) or kind is click.FLOAT:
            default_low, default_high = FLOAT_LIMITS.get(name, (-FLOAT_LIMIT, FLOAT_LIMIT))
            low = kind.min if isinstance(kind, click.FloatRange) and kind.min is not None else default_low
            high = kind.max if isinstance(kind, click.FloatRange) and kind.max is not None else default_high
            param.type = FiniteFloatRange(low, high, min_open=getattr(kind, "min_open", False),
                                          max_open=getattr(kind, "max_open", False))
        elif isinstance(kind, click.Path):
            param.callback = _refusing_empty(param.callback)
    return command


def _refusing_empty(previous):
    """A click callback refusing an empty path (``-o ""`` would mean the current folder), then ``previous``."""
    def callback(ctx: click.Context, param: click.Parameter, value):
        values = value if isinstance(value, (tuple, list)) else (value,)
        if any(v == "" for v in values):
            raise click.BadParameter("an empty path names no file or folder; give a path")
        return previous(ctx, param, value) if previous is not None else value

    return callback


for _module in (tokenize_commands, corpus_commands, train_commands, query_commands, eval_commands, w2v_commands,
                big_commands, serve_command):
    for _command in _module.COMMANDS:
        _command.short_help = _command.short_help or SHORT_HELP.get(_command.name)
        cli.add_command(harden(_command))


def _stdout_error(err: OSError) -> bool:
    """True if ``err`` came from writing stdout (our own file writes become ``WordvecError`` first)."""
    if isinstance(err, BrokenPipeError):
        return True
    return err.errno in (errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EFBIG) and err.filename is None


MAX_MESSAGE = 2000  # characters of an error line; a message quoting a huge input is cut in the middle


def _shorten(text: str) -> str:
    """``text`` cut to ``MAX_MESSAGE`` characters (start and end kept, the cut said), on one line."""
    text = text.replace("\r", " ").replace("\n", " ")
    if len(text) <= MAX_MESSAGE:
        return text
    half = MAX_MESSAGE // 2
    return f"{text[:half]} ... [{len(text) - 2 * half} characters cut] ... {text[-half:]}"


def _exit_on_stdout_error(err: OSError) -> None:
    """Exit 141 quietly for a broken pipe, 1 with one line for another stdout write error; re-raise the rest."""
    if not _stdout_error(err):
        raise err
    _silence_stdout()
    if err.errno == errno.EPIPE:
        sys.exit(EXIT_BROKEN_PIPE)
    click.echo(f"error: cannot write the output: {err.strerror or err}", err=True)
    sys.exit(EXIT_USER_ERROR)


def _silence_stdout() -> None:
    """Point stdout at /dev/null so that the buffered rest cannot fail again when Python exits."""
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)
    except (OSError, ValueError, AttributeError):
        pass


def configure_streams() -> None:
    """Make stdout/stderr unable to raise on text: backslash escapes for characters the encoding lacks;
    on a UTF-8 stdout, undecodable file-name bytes (lone surrogates) are written as the original bytes."""
    for stream, on_utf8 in ((sys.stdout, "surrogateescape"), (sys.stderr, "backslashreplace")):
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "").replace("_", "")
        try:
            stream.reconfigure(errors=on_utf8 if encoding == "utf8" else "backslashreplace")
        except (AttributeError, ValueError, OSError):
            pass  # None (closed), or a stream that cannot be reconfigured (a test runner's)


def main() -> None:
    """Console-script entry point."""
    configure_streams()
    from wordvec.io.atomic import install_sigterm

    install_sigterm()
    cli(prog_name="wordvec")


if __name__ == "__main__":
    main()
