"""The ``wordvec`` command group: registers the sub-commands and turns errors into exit codes.

Exit codes (DESIGN "command-line contract"): 0 success, 1 a user error (one line on stderr, no
traceback), 2 a usage error (click's), 130 interrupted by Ctrl-C.
"""
from __future__ import annotations

import sys

import click

from wordvec._version import __version__

from . import big_commands, corpus_commands, eval_commands, query_commands, tokenize_commands, train_commands, w2v_commands

EXIT_USER_ERROR = 1
EXIT_INTERRUPTED = 130


_WITHOUT_NUMBA = {"tokenize", "vocab", "info", "index"}  # sub-commands that never load numba


def _import_numba() -> None:
    """Import numba with Ctrl-C held: a KeyboardInterrupt inside its C extensions' import surfaces as an
    ImportError with a traceback; held, it is raised after the import, as our usual 'interrupted'."""
    from wordvec.io.atomic import sigint_held

    with sigint_held():
        import wordvec.corpora._kernels  # noqa: F401  (numba and its dispatcher)


class WordvecGroup(click.Group):
    """A click group that reports ``WordvecError`` as one line and Ctrl-C as exit 130."""

    def invoke(self, ctx: click.Context):
        from wordvec.errors import WordvecError

        try:
            return super().invoke(ctx)
        except WordvecError as err:
            click.echo(f"error: {err}", err=True)
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
            _import_numba()
        return name, command, rest


@click.group(cls=WordvecGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="wordvec")
def cli() -> None:
    """wordvec: PMI word vectors for Chinese text.

    Train vectors from raw text, then ask which words are similar (substitutable), which are related
    (co-occur), which words of a text are its keywords, and how close two sentences are.
    """


for _module in (tokenize_commands, corpus_commands, train_commands, query_commands, eval_commands, w2v_commands,
                big_commands):
    for _command in _module.COMMANDS:
        cli.add_command(_command)


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="wordvec")


if __name__ == "__main__":
    main()
