"""The one place where library parameter names become command-line flags.

Library messages name options as the Python API spells them and list them in ``WordvecError.params``
(``wordvec.errors``); ``cli_message`` shows such a message with the flags a user types instead. A parameter
``name`` is the flag ``--name`` with ``_`` written ``-`` (``min_count`` → ``--min-count``); ``PARAM_FLAGS``
holds only the exceptions, read off the option → parameter table of ``wordvec train``.
"""
from __future__ import annotations

import re
from typing import Iterable, Mapping


def _exceptions(option_table: Mapping[str, Mapping[str, str]], own_names: Iterable[str]) -> dict[str, str]:
    """Parameters set by an option of another name (e.g. w2v's ``workers`` by ``--threads``), unless the
    parameter name is an option of its own (then the default rule already names a flag that sets it)."""
    own = set(own_names) | set(option_table)
    out: dict[str, str] = {}
    for option, per_method in option_table.items():
        for param in per_method.values():
            if param != option and param not in own:
                out[param] = "--" + option.replace("_", "-")
    return out


def _param_flags() -> dict[str, str]:
    from .train_commands import _COUNTING, _READING, _TRAINER_OPTION

    return _exceptions(_TRAINER_OPTION, (*_READING, *_COUNTING))


PARAM_FLAGS: dict[str, str] = _param_flags()


def flag_for(param: str) -> str:
    """The command-line flag of the library parameter ``param`` (``min_count`` → ``--min-count``)."""
    return PARAM_FLAGS.get(param) or "--" + param.replace("_", "-")


def cli_message(err: BaseException) -> str:
    """``str(err)`` with each parameter in ``err.params`` (whole words only) written as its flag."""
    text = str(err)
    params = tuple(getattr(err, "params", ()) or ())
    if not params:
        return text
    flags = {param: flag_for(param) for param in params}
    pattern = re.compile(r"(?<![\w-])(" + "|".join(re.escape(p) for p in sorted(flags, key=len, reverse=True))
                         + r")(?![\w-])")
    return pattern.sub(lambda m: flags[m.group(1)], text)


__all__ = ["PARAM_FLAGS", "flag_for", "cli_message"]
