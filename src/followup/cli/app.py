"""What every command shares: the run's settings, database, clock, and the error handler.

The environment and the clock are read here, at the edge, and handed down: the services and the
planner never look at either.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from contextlib import suppress
from datetime import UTC, date, datetime, tzinfo
from functools import cached_property
from typing import TYPE_CHECKING, NoReturn

from followup.errors import FollowupError, UsageError

if TYPE_CHECKING:
    from followup.config import Config, PlaybookSource
    from followup.core.model import Facts
    from followup.services.agenda import Agenda
    from followup.services.workspace import Workspace
    from followup.store import Store


#: re-planning more opportunities than this shows a progress bar
PROGRESS_FROM = 200


def _utc_now() -> datetime:
    return datetime.now(UTC)


class App:
    """The state of one `followup` run, built once at the edge (see ``from_environment``).

    (A plain class, not a dataclass: `followup today` does not import ``dataclasses``.)
    """

    def __init__(
        self,
        environ: Mapping[str, str],
        db: str | None = None,
        debug: bool = False,
        interactive: bool = False,
        color: bool = False,
        clock: Callable[[], datetime] = _utc_now,
        width: int | None = None,
    ) -> None:
        self.environ = environ
        self.db = db
        self.debug = debug
        self.interactive = interactive
        self.color = color
        self.clock = clock
        #: the terminal's width, to wrap long lines; None when the output is not a terminal
        self.width = width
        self._facts: Facts | None = None
        self._now: datetime | None = None

    @classmethod
    def from_environment(cls, db: str | None, debug: bool) -> App:
        """The App of a real run: the process's environment, terminals and clock."""
        from followup.render import should_color

        return cls(
            environ=os.environ,
            db=db,
            debug=debug,
            interactive=sys.stdin.isatty() and sys.stdout.isatty(),
            color=should_color(sys.stdout.isatty(), os.environ),
            width=_terminal_width() if sys.stdout.isatty() else None,
        )

    @cached_property
    def config(self) -> Config:
        from followup.config import load_config

        return load_config(self.environ, self.db)

    @cached_property
    def playbook(self) -> PlaybookSource:
        """The configured playbook; its file is parsed only when a plan must be computed."""
        from followup.config import playbook_source

        return playbook_source(self.config.config_file)

    @cached_property
    def workspace(self) -> Workspace:
        """The local candidate's workspace. Refused on a server's database: its candidates
        live in workspaces of their own, and the local one there is nobody's."""
        workspace = self._workspace
        if not workspace.url.startswith("sqlite"):  # a server's is PostgreSQL
            with workspace.store.sql() as db:
                has_accounts = db.scalar("SELECT 1 FROM account LIMIT 1") is not None
            if has_accounts:
                raise UsageError(
                    "this database is a followup server's: its candidates' job searches are "
                    "on its web pages, not on the command line",
                    hint="`followup server user list` shows its accounts; for a job search of "
                    "your own, leave out --db and FOLLOWUP_DATABASE_URL",
                )
        return workspace

    @property
    def server_store(self) -> Store:
        """The store of a server's database, for `followup server` (no candidate's)."""
        return self._workspace.store

    @cached_property
    def _workspace(self) -> Workspace:
        from followup.services.workspace import Workspace

        return Workspace(
            self.config.database_url,
            self.playbook,
            progress=self._progress(),
            config_dir=self.config.config_dir,
        )

    def _progress(self) -> Callable[[int, int], None] | None:
        """A progress bar on stderr for a long re-planning (a new playbook or version of
        followup plans every opportunity again), on a terminal."""
        if not sys.stderr.isatty():
            return None
        from followup.cli.output import progress_bar

        advance, stop = progress_bar("Planning", PROGRESS_FROM)

        def show(done: int, total: int) -> None:
            advance(done, total)
            if done >= total:
                stop()

        return show

    @property
    def store(self) -> Store:
        return self.workspace.store

    def facts(self) -> Facts:
        """Everything stored, as loaded the first time a command asks (opens the store).

        Commands read first and write last, so one load per run is enough.
        """
        if self._facts is None:
            self._facts = self.workspace.facts()
        return self._facts

    def agenda(self) -> Agenda:
        """The candidate's stored plan (planned again first where it is stale)."""
        return self.workspace.agenda()

    def agenda_at(self, as_of: date | datetime | None) -> tuple[Agenda, datetime]:
        """The plan and the moment to show it at: ``--as-of`` (read in the profile's time
        zone, which the plan knows) or now."""
        agenda = self.agenda()
        if as_of is None:
            return agenda, self.now()
        from followup.cli.when import localize

        moment = localize(as_of, agenda.tz)
        if moment < self.now():  # the past: planned from the facts of then
            from followup.services.plan import agenda_as_of

            return agenda_as_of(self.workspace, moment), moment
        return agenda, moment

    def now(self) -> datetime:
        """The one place a command reads the clock (once: every use in a run agrees)."""
        if self._now is None:
            self._now = self.clock()
        return self._now

    def profile_tz(self) -> tzinfo:
        """The candidate's time zone (read without loading their facts)."""
        from followup.core.timewin import zone

        if self._facts is not None:
            return zone(self._facts.profile.timezone)
        return zone(self.workspace.units.profile(self.workspace.candidate_pk).timezone)

    def close(self) -> None:
        """End the run (writes have already planned what they changed)."""
        if "_workspace" in self.__dict__:
            self._workspace.close()


def _terminal_width() -> int:
    """The terminal's width (``shutil.get_terminal_size`` costs an import `today` avoids)."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    try:
        return os.get_terminal_size(sys.stdout.fileno()).columns
    except OSError:
        return 80


def get_app() -> App:
    """The App of the running click command."""
    import click

    return click.get_current_context().find_object(App) or App(environ={})


def report(exc: BaseException, *, debug: bool) -> NoReturn:
    """Print an error the way every command does, then exit with its code.

    Expected failures (``FollowupError``) print their message and hint; anything else prints a
    short line and points at --debug, which shows the traceback. A closed pipe
    (`followup today | head`) is no error: the reader has seen enough.
    """
    if isinstance(exc, BrokenPipeError):
        with suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise SystemExit(0)
    if debug:
        import traceback

        traceback.print_exception(exc, file=sys.stderr)
    if isinstance(exc, FollowupError):
        lines = [f"error: {exc}"] + ([f"hint: {exc.hint}"] if exc.hint else [])
        code = exc.exit_code
    else:
        lines = [f"error: unexpected {type(exc).__name__}: {exc}"]
        lines += [] if debug else ["run with --debug for details"]
        code = 1
    sys.stderr.write("\n".join(lines) + "\n")
    sys.stderr.flush()
    raise SystemExit(code)
