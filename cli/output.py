"""Printing results: aligned tables (CJK characters count as two columns) and JSON."""
from __future__ import annotations

import functools
import json
import math
import unicodedata
from typing import Any, Callable, Sequence

import click


def display_width(text: str) -> int:
    """Columns ``text`` takes in a terminal: East Asian wide and full-width characters count 2."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int, right: bool) -> str:
    gap = " " * max(0, width - display_width(text))
    return gap + text if right else text + gap


def format_table(rows: Sequence[Sequence[Any]], headers: Sequence[str] | None = None) -> str:
    """Align ``rows`` in columns; numbers (floats to 4 decimals) are right-aligned."""
    cells = [[f"{v:.4f}" if isinstance(v, float) else str(v) for v in row] for row in rows]
    numeric = [
        all(isinstance(row[c], (int, float)) for row in rows) if rows else False
        for c in range(len(headers or (rows[0] if rows else [])))
    ]
    table = ([list(headers)] if headers else []) + cells
    if not table:
        return ""
    widths = [max(display_width(row[c]) for row in table) for c in range(len(table[0]))]
    lines = [
        "  ".join(_pad(cell, widths[c], numeric[c]) for c, cell in enumerate(row)).rstrip() for row in table
    ]
    if headers:
        lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def echo_table(rows: Sequence[Sequence[Any]], headers: Sequence[str] | None = None) -> None:
    """Print ``format_table(rows, headers)`` to stdout."""
    text = format_table(rows, headers)
    if text:
        click.echo(text)


def _finite(obj: Any) -> Any:
    """``obj`` with NaN and ±Infinity (not JSON) replaced by null."""
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {key: _finite(value) for key, value in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_finite(value) for value in obj]
    return obj


def echo_json(obj: Any) -> None:
    """Print ``obj`` as UTF-8 JSON (non-ASCII kept readable) on one line. Never NaN or Infinity (written as
    null: they are not JSON); undecodable file-name bytes as ``\\udcXX`` escapes."""
    from wordvec.io.paths import json_dumps

    click.echo(json_dumps(_finite(obj), allow_nan=False))


def _remove_leftovers(output: str) -> None:
    """Remove the temporaries a killed run left beside ``output`` (and its ``.checkpoint``); one note line."""
    import os

    from wordvec.io.atomic import remove_stale_temporaries
    from wordvec.io.paths import display

    folder, base = os.path.split(os.path.abspath(output))
    removed = remove_stale_temporaries(folder, base) + remove_stale_temporaries(folder, base + ".checkpoint")
    if removed:
        click.echo(f"note: removed {len(removed)} temporaries left by a killed run in {display(folder)}: "
                   f"{display(', '.join(removed[:3]))}{', …' if len(removed) > 3 else ''}", err=True)


def output_guard(kind: str | None | Callable[[dict], str | None], inputs: Sequence[str] = ("inputs",),
                 output: str = "output"):
    """Decorator of a command that writes ``output``: adds ``--force`` and, before any work, refuses an output
    that is (inside) an input or replaces an artifact of another kind (``wordvec.io.outputs.check_output``),
    and removes the temporaries of killed runs beside it.

    ``kind``: the format written (``"wordvec-model"``; None for a plain file), or a function of the command's
    parameters giving it; ``inputs``: the names of the parameters holding input paths."""

    def decorate(func):
        @functools.wraps(func)
        def wrapper(*args, **params):
            from wordvec.io.outputs import check_output, replacing_allowed

            force = params.pop("force", False)
            target = params.get(output)
            if target:
                paths: list[str] = []
                for name in inputs:
                    value = params.get(name)
                    paths.extend([value] if isinstance(value, str) else list(value or ()))
                check_output(target, kind(params) if callable(kind) else kind, paths, force=force)
                _remove_leftovers(target)
            with replacing_allowed(force):
                return func(*args, **params)

        return click.option("--force", is_flag=True,
                            help="Replace an output of another kind (e.g. a model by counts).")(wrapper)

    return decorate


def json_option(func):
    """The shared ``--json`` flag."""
    return click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")(func)


def topn_option(default: int = 10):
    """The shared ``-n/--topn`` option."""
    return click.option("-n", "--topn", type=click.IntRange(min=1), default=default, show_default=True,
                        help="How many results to show.")


def quiet_option(func):
    """The shared ``-q/--quiet`` flag."""
    return click.option("-q", "--quiet", is_flag=True, help="No progress display.")(func)


MEMORY_LIMIT = 2**50  # 1 PiB


class MemorySize(click.ParamType):
    """A memory budget option (``2G``, ``512M``, ``64K`` or bytes); a bad value is a usage error (exit 2)."""

    name = "size"

    def convert(self, value, param, ctx):
        from wordvec.corpora.cooccur import parse_memory
        from wordvec.errors import InputError

        try:
            size = parse_memory(value)
        except (InputError, ValueError, OverflowError) as err:
            self.fail(str(err), param, ctx)
        if size > MEMORY_LIMIT:
            self.fail(f"{value!r} is more than 1048576G (2**50 bytes): give a budget a machine can have", param, ctx)
        return size


MEMORY_SIZE = MemorySize()


class QueryText(click.ParamType):
    """A word or text on the command line. Under a locale that is not UTF-8 (``LC_ALL=C`` without UTF-8 mode),
    Python hands UTF-8 arguments over as undecodable bytes (lone surrogates); they are decoded as UTF-8 here,
    so ``wordvec similar M 中国`` asks for 中国 in any locale. Bytes that are not UTF-8 become U+FFFD."""

    name = "text"

    def convert(self, value, param, ctx):
        if isinstance(value, bytes):
            return value.decode("utf-8", "replace")
        if isinstance(value, str) and any("\udc80" <= ch <= "\udcff" for ch in value):
            import os

            try:
                raw = os.fsencode(value)
            except UnicodeError:
                raw = value.encode("utf-8", "surrogateescape")
            return raw.decode("utf-8", "replace")
        return value


QUERY_TEXT = QueryText()


def warn_report(cache) -> None:
    """Print the reading report of a token cache (bad bytes replaced, long lines cut) as ``warning:`` lines."""
    for line in cache.report.problems():
        click.echo(f"warning: {line}", err=True)


def renamed_option(old: str, new: str, **kwargs):
    """A hidden option under the old spelling ``old`` of an option now called ``new``: it keeps working, and
    using it prints a one-line note. The value arrives as the parameter ``old_<name>``; the command merges it
    with ``merge_renamed``."""
    from click.core import ParameterSource

    def note(ctx: click.Context, param: click.Parameter, value):
        if value is not None and ctx.get_parameter_source(param.name) is ParameterSource.COMMANDLINE:
            click.echo(f"note: {old} is now {new}; the old name still works but will go away", err=True)
        return value

    dest = "old_" + old.lstrip("-").replace("-", "_")
    return click.option(old, dest, hidden=True, default=None, callback=note, **kwargs)


def merge_renamed(new_value, old_value, old: str, new: str):
    """The value of a renamed option: the new spelling's, else the old one's; both given is a usage error."""
    if old_value is None:
        return new_value
    if new_value is not None:
        raise click.UsageError(f"{old} and {new} are the same option: give only {new}")
    return old_value
