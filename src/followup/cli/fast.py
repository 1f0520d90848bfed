"""`followup today` without click: the command people run most answers in a few milliseconds.

Importing click costs more than a third of the time `followup today` may take. This module
recognises only the plain, valid forms of the command::

    followup [--db PATH_OR_URL] [--debug] today [--json] [--limit N] [--as-of ISO]

and runs the same code as the click command (``views.show_today``). Anything else — help, a
typo, a bad value, another command — goes to click, which owns every message about the
command line. A test runs both paths on the same arguments and compares their output.
"""

from __future__ import annotations

from datetime import date, datetime


class Invocation:
    """The options of one plain `followup today`."""

    def __init__(self) -> None:
        self.db: str | None = None
        self.debug = False
        self.as_json = False
        self.limit: int | None = None
        self.as_of: date | datetime | None = None


def parse(argv: list[str]) -> Invocation | None:
    """The options of a plain `followup today` invocation, or None for anything else."""
    found = Invocation()
    args = list(argv)
    command_seen = False
    while args:
        arg = args.pop(0)
        name, eq, inline = arg.partition("=")
        needs_value = name in ("--db", "--limit", "--as-of")
        value = inline if eq else (args.pop(0) if needs_value and args else None)
        if needs_value and not value:
            return None
        if not command_seen and arg == "today":
            command_seen = True
        elif not command_seen and name == "--db":
            found.db = value
        elif not command_seen and arg == "--debug":
            found.debug = True
        elif command_seen and arg == "--json":
            found.as_json = True
        elif command_seen and name == "--limit" and value and value.isdigit():
            from followup.cli.views import MAX_LIMIT

            if int(value) > MAX_LIMIT:  # click says what the bounds are
                return None
            found.limit = int(value)
        elif command_seen and name == "--as-of" and value:
            from followup.cli.when import read_when  # only --as-of needs it

            when, problem = read_when(value, "--as-of")
            if problem is not None:  # click says what is wrong with it
                return None
            found.as_of = when
        else:
            return None
    return found if command_seen else None


def run_fast(argv: list[str]) -> bool:
    """Run `followup today` if ``argv`` is a plain invocation of it; False otherwise."""
    found = parse(argv)
    if found is None:
        return False
    from followup.cli.app import App, report
    from followup.cli.views import DEFAULT_LIMIT, show_today

    app = App.from_environment(found.db, found.debug)
    limit = found.limit if found.limit is not None else DEFAULT_LIMIT
    try:
        show_today(app, found.as_of, found.as_json, limit)
    except Exception as exc:  # mapped exactly as the click group maps them
        report(exc, debug=app.debug)
    finally:
        app.close()
    return True
