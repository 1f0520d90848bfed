"""Output helpers for the commands that show details: a Rich console and JSON.

Rich is imported only here, inside functions, so the commands that need it pay for it and
`followup today` does not. Rich honours NO_COLOR and only colours a terminal by itself.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Any

import click

from followup.render import visible

if TYPE_CHECKING:
    from rich.console import Console


#: Width of the output when it is not a terminal and COLUMNS is unset (files, pipes).
PIPE_WIDTH = 120
#: Columns whose values must stay whole (ids are copied into other commands).
WHOLE = frozenset({"id", "action", "setting"})


def console() -> Console:
    """A console on the current stdout (so click's test runner captures it). Every string it
    prints (table cells and titles too) has its control characters shown as escapes
    (`followup.render.visible`): user or mail text never drives the terminal."""
    width = None if sys.stdout.isatty() or os.environ.get("COLUMNS") else PIPE_WIDTH
    return _safe_console()(file=sys.stdout, highlight=False, width=width)


@cache
def _safe_console() -> type[Console]:
    from rich.console import Console

    class SafeConsole(Console):
        def render_str(self, text: str, **options: Any) -> Any:
            return super().render_str(visible(text), **options)

    return SafeConsole


def table(*columns: str, title: str | None = None) -> Any:
    """A plain Rich table with these column headers."""
    from rich.table import Table

    grid = Table(title=title, title_justify="left", title_style="bold", box=None, pad_edge=False)
    for name in columns:
        grid.add_column(name, overflow="fold" if name in WHOLE else "ellipsis")
    return grid


def echo_json(value: object) -> None:
    """Print ``value`` as indented UTF-8 JSON (the `--json` output of every listing)."""
    click.echo(json.dumps(value, indent=2, ensure_ascii=False))


def escape(text: str | None) -> str:
    """User text shown verbatim in Rich (no markup from notes like "[b]" or "[/]"), its control
    characters as visible escapes (see `followup.render.visible`)."""
    from rich.markup import escape as rich_escape

    return rich_escape(visible(text or ""))


def progress_bar(
    description: str, threshold: int
) -> tuple[Callable[[int, int], None], Callable[[], None]]:
    """``(advance(done, total), stop())``: a Rich progress bar on stderr that appears only
    once the work is known to hold more than ``threshold`` items (Rich is imported then)."""
    shown: list[Any] = []

    def advance(done: int, total: int) -> None:
        if not shown:
            if total <= threshold:
                return
            from rich.console import Console
            from rich.progress import Progress

            bar = Progress(console=Console(stderr=True), transient=True)
            shown.extend([bar, bar.add_task(description, total=total)])
            bar.start()
        bar, task = shown
        bar.update(task, completed=done, total=total)

    def stop() -> None:
        if shown:
            shown[0].stop()

    return advance, stop
