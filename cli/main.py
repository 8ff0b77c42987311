"""The ``wordvec`` command group: registers the sub-commands and turns errors into exit codes.

Exit codes (DESIGN "command-line contract"): 0 success, 1 a user error (one line on stderr, no
traceback), 2 a usage error (click's), 130 interrupted by Ctrl-C.
"""
from __future__ import annotations

import sys

import click

from wordvec._version import __version__

from . import big_commands, corpus_commands, eval_commands, query_commands, tokenize_commands, train_commands, w2v_commands
from .serve import command as serve_command

EXIT_USER_ERROR = 1
EXIT_INTERRUPTED = 130


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
            return super().invoke(ctx)
        except WordvecError as err:
            click.echo(f"error: {cli_message(err)}", err=True)
            sys.exit(EXIT_USER_ERROR)
        except MemoryError:
            click.echo("error: out of memory: lower --memory, --dim or the vocabulary size", err=True)
            sys.exit(EXIT_USER_ERROR)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            sys.exit(EXIT_INTERRUPTED)

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

for _module in (tokenize_commands, corpus_commands, train_commands, query_commands, eval_commands, w2v_commands,
                big_commands, serve_command):
    for _command in _module.COMMANDS:
        _command.short_help = _command.short_help or SHORT_HELP.get(_command.name)
        cli.add_command(_command)


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="wordvec")


if __name__ == "__main__":
    main()
