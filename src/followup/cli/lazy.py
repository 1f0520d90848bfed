"""A click group that imports a command's module only when that command runs.

`followup --help` lists every command from a static table (name -> module, attribute, short
help) without importing any of them, and `followup today` imports only the module of `today`.
A test checks that the table's short help matches each command's own.
"""

from __future__ import annotations

import importlib
from typing import NamedTuple

import click


class Entry(NamedTuple):
    module: str
    attribute: str
    short_help: str


class LazyGroup(click.Group):
    """Subcommands come from ``table``; their modules load on first use."""

    def __init__(self, *args: object, table: dict[str, Entry], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.table = table

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.table)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = self.table.get(cmd_name)
        if entry is None:
            return None
        command = getattr(importlib.import_module(entry.module), entry.attribute)
        if not isinstance(command, click.Command):
            raise TypeError(f"{entry.module}.{entry.attribute} is not a click command")
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list of --help, from the table alone (no imports)."""
        rows = [(name, entry.short_help) for name, entry in self.table.items()]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)
