"""The workspace: one candidate's data and how to plan it — the one handle every use case gets.

A `Workspace` is a database (its store opened, created and migrated only when a use case needs
it, which imports SQLAlchemy), the candidate whose rows these are (the local app's implicit
candidate unless named), the playbook that plans are made with, and where user files live.
Each use case opens one unit of work on it (``unit_of_work``): its checks, ids and writes happen
inside that transaction, and the plans of what it changed are stored before commit.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from datetime import datetime

    from followup.config import PlaybookSource
    from followup.core.model import Action, Facts
    from followup.core.playbook import Playbook
    from followup.services.agenda import Agenda
    from followup.store import Store
    from followup.store.mail_rows import MailTables
    from followup.store.plans import Progress
    from followup.store.reading import Reading
    from followup.store.units import Units
    from followup.store.uow import UnitOfWork


#: What the current command or request is called in the undo journal (`followup history`):
#: the command line, or the web page's action. Set once per command (CLI) or request (web).
LABEL: ContextVar[str] = ContextVar("followup_label", default="a change")


class Workspace:
    """One candidate's data in one database, with the playbook and the user's folders."""

    def __init__(
        self,
        url: str,
        playbook: PlaybookSource | Playbook | None = None,
        candidate: str | None = None,
        progress: Progress | None = None,
        config_dir: Path | None = None,
    ) -> None:
        self.url = url
        self._source = playbook
        self.candidate = candidate
        #: told how a long re-planning goes (a progress bar on a terminal)
        self.progress = progress
        #: where the user's own templates live (``<config folder>/templates``)
        self.config_dir = config_dir
        self._store: Store | None = None
        self._lite: Units | None = None

    @classmethod
    def of(
        cls,
        store: Store,
        playbook: PlaybookSource | Playbook | None = None,
        candidate: str | None = None,
    ) -> Workspace:
        """A workspace on a store that is already open (a long-running server keeps one)."""
        ws = cls(store.url, playbook, candidate=candidate)
        ws._store = store
        return ws

    # -- what it is made of ------------------------------------------------------------------

    @property
    def source(self) -> PlaybookSource:
        """The playbook, as a source whose fingerprint is known before it is parsed."""
        from followup.config import PlaybookSource
        from followup.core.playbook import Playbook

        if self._source is None:
            self._source = PlaybookSource.of(Playbook())
        if not isinstance(self._source, PlaybookSource):
            self._source = PlaybookSource.of(self._source)
        return self._source

    @property
    def playbook(self) -> Playbook:
        return self.source.playbook

    def with_playbook(self, playbook: PlaybookSource | Playbook | None) -> Workspace:
        """This workspace, planning with ``playbook`` (itself when None or the same). The two
        share one store: close the first only."""
        if playbook is None or playbook is self._source:
            return self
        other = Workspace(self.url, playbook, self.candidate, self.progress, self.config_dir)
        other._store = self.store  # one store, shared
        return other

    @property
    def is_open(self) -> bool:
        return self._store is not None

    @property
    def store(self) -> Store:
        """The store, opened (created and migrated if new) on first use."""
        if self._store is None:
            from followup.store import open_store

            self._store = open_store(self.url, self.source)
        return self._store

    @property
    def units(self) -> Units:
        """Where units of work run: the store when it is open; else, for a SQLite file already
        at the head revision, a `LiteStore` on it (the standard library's ``sqlite3``: a write
        from the command line does not import SQLAlchemy); else the store, opened."""
        if self._store is not None:
            return self._store
        if self._lite is None:
            from followup.store.units import open_lite

            self._lite = open_lite(self.url, self.source)
        return self._lite if self._lite is not None else self.store

    @property
    def candidate_pk(self) -> int:
        if self.candidate is None:
            return self.units.candidate_pk()
        return self.units.candidate_pk(self.candidate)

    # -- use cases ---------------------------------------------------------------------------

    @contextmanager
    def unit_of_work(
        self, *, journal: bool = True, side_tables: bool = False
    ) -> Iterator[UnitOfWork]:
        """One transaction of this candidate; see `Units.unit_of_work`. What it changes goes
        to the undo journal under the current ``LABEL`` (not for undo and redo themselves).
        ``side_tables``: it also writes the mail or backup tables, which speak SQLAlchemy
        (``mail_rows.connection_of``), so it runs on the store."""
        label = LABEL.get() if journal else ""
        units = self.store if side_tables else self.units
        with units.unit_of_work(self.candidate_pk, self.source, label) as work:
            yield work

    def facts(self) -> Facts:
        """Everything the candidate has stored (for exports and whole-search views)."""
        return self.units.load_facts(self.candidate_pk)

    def agenda(self) -> Agenda:
        """The candidate's plan, ready to be read at any moment."""
        from followup.services.plan import load_agenda

        return load_agenda(self)

    def action(self, action_id: str, now: datetime) -> Action:
        """One action of the plan as of ``now``, found by its id (NotFound otherwise)."""
        from followup.services.acting import find_one

        return find_one(self, action_id, now)

    def reading(self) -> Reading:
        """The candidate's reading list and draft edits."""
        from followup.store.reading import Reading

        return Reading(self.units, self.candidate_pk)

    def mail(self) -> MailTables:
        """The candidate's mail and calendar tables."""
        from followup.store.mail_rows import MailTables

        return MailTables(self.store, self.candidate_pk)

    @property
    def revision(self) -> int:
        return self.units.revision(self.candidate_pk)

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None
