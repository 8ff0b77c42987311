"""`wordvec` sub-commands of this group; `COMMANDS` lists what `cli.main` registers."""
from __future__ import annotations

import click

COMMANDS: list[click.Command] = []
