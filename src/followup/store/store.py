"""`Store`: one database, opened and migrated, with reads, stored plans and units of work.

Every read and write is one candidate's (``candidate_pk``); without one, the local app's
implicit candidate, ``me``, whom the migrations create. A store plans with the playbook it was
opened with (the defaults unless given), so each committed write leaves current plans behind.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from followup.core.model import ActionDecision, Facts, Profile
from followup.core.planner import Planned
from followup.errors import StorageError
from followup.store import journal, plans
from followup.store.engine import (
    begin_options,
    display_url,
    make_engine,
    parse_url,
    storage_errors,
)
from followup.store.fastpath import Today
from followup.store.load import load_facts
from followup.store.migrate import ensure_schema
from followup.store.plans import Planning, Progress
from followup.store.schema import CandidateRow
from followup.store.uow import UnitOfWork
from followup.store.version import LOCAL_CANDIDATE

if TYPE_CHECKING:
    from followup.config import PlaybookSource


def open_store(url: str, playbook: PlaybookSource | None = None) -> Store:
    """Open the database at ``url``, creating and migrating it on first use.

    Raises `StorageError` (with what went wrong and a hint) when it cannot be reached, created
    or migrated.
    """
    parsed = parse_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database in (None, "", ":memory:"):
            # Each connection would see its own empty database: nothing could be kept.
            raise StorageError(
                f"in-memory SQLite ({url}) cannot hold followup's data",
                hint="give a file path (--db PATH) or a sqlite:////path/to/file.db URL",
            )
        _make_parent_folder(Path(parsed.database), url)
    ensure_schema(url)
    return Store(url, make_engine(url), playbook)


def _make_parent_folder(path: Path, url: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StorageError(
            f"cannot create the folder for database {display_url(url)}: {exc.strerror or exc}",
            hint="choose another place with --db PATH or FOLLOWUP_DATABASE_URL",
        ) from exc


class Store:
    """A migrated database. Reads take one consistent snapshot; writes go through
    `unit_of_work`. Thread-safe in the way an SQLAlchemy engine is; close it when done."""

    def __init__(self, url: str, engine: Engine, playbook: PlaybookSource | None = None) -> None:
        self.url = url
        self._engine = engine
        self._source = playbook
        self._planning: dict[str, Planning] = {}
        self._candidates: dict[str, int] = {}

    def __repr__(self) -> str:
        return f"Store({display_url(self.url)!r})"

    @contextmanager
    def _transaction(self, doing: str, *, write: bool) -> Iterator[Connection]:
        with storage_errors(self.url, doing), self._engine.connect() as conn:
            begin_options(conn, write=write)
            with conn.begin():
                yield conn

    # -- who and with what ---------------------------------------------------------------------

    def candidate_pk(self, candidate: str = LOCAL_CANDIDATE) -> int:
        """The key of a candidate's rows (the local candidate when not named)."""
        pk = self._candidates.get(candidate)
        if pk is None:
            with self._transaction("read", write=False) as conn:
                pk = conn.execute(
                    sa.select(CandidateRow.pk).where(CandidateRow.id == candidate)
                ).scalar()
            if pk is None:
                raise StorageError(f"the database has no candidate '{candidate}'")
            self._candidates[candidate] = pk
        return pk

    def planning(self, playbook: PlaybookSource | None = None) -> Planning:
        """What plans are made with: ``playbook`` (else the store's own, else the defaults)."""
        from followup.config import PlaybookSource
        from followup.core.playbook import Playbook
        from followup.store.planver import planner_version

        source = playbook or self._source or PlaybookSource.of(Playbook())
        found = self._planning.get(source.fingerprint)
        if found is None:
            pb = source.playbook
            found = Planning(pb, pb.fingerprint(), source.fingerprint, planner_version())
            self._planning[source.fingerprint] = found
        return found

    # -- reading -------------------------------------------------------------------------------

    def load_facts(self, candidate_pk: int | None = None) -> Facts:
        """Everything the candidate has stored, lists in stored order."""
        return self.load_snapshot(candidate_pk)[1]

    def load_snapshot(self, candidate_pk: int | None = None) -> tuple[int, Facts]:
        """The candidate's revision and facts, read together in one transaction."""
        pk = candidate_pk or self.candidate_pk()
        with self._transaction("read", write=False) as conn:
            return _revision(conn, pk), load_facts(conn, pk)

    def revision(self, candidate_pk: int | None = None) -> int:
        """The number of the candidate's committed writes so far; it changes whenever their
        facts do."""
        pk = candidate_pk or self.candidate_pk()
        with self._transaction("read", write=False) as conn:
            return _revision(conn, pk)

    def read_agenda(
        self,
        playbook: PlaybookSource | None = None,
        candidate_pk: int | None = None,
        progress: Progress | None = None,
    ) -> AgendaInputs:
        """What an agenda is made of, read in one transaction after planning what is stale:
        the plan, the profile, the opportunities (id, company, role, status, applied,
        recorded_at) and the decisions."""
        from followup.store.load import load_decisions, load_profile

        pk = candidate_pk or self.candidate_pk()
        self.ensure_plans(playbook, pk, progress)
        with self._transaction("read", write=False) as conn:
            return AgendaInputs(
                plans.read_plan(conn, pk),
                load_profile(conn, pk),
                plans.read_opportunities(conn, pk),
                list(load_decisions(conn, pk)),
            )

    def read_today(
        self,
        now: Callable[[str], float],
        limit: int | None,
        playbook: PlaybookSource | None = None,
        candidate_pk: int | None = None,
    ) -> Today:
        """What `followup today` shows (``now``: the moment, given the profile's time zone),
        read by indexed queries after planning what is stale."""
        from followup.store.load import load_profile

        pk = candidate_pk or self.candidate_pk()
        self.ensure_plans(playbook, pk)
        with self._transaction("read", write=False) as conn:
            moment = now(load_profile(conn, pk).timezone)
            return plans.read_today(conn, pk, moment, limit)

    def profile(self, candidate_pk: int | None = None) -> Profile:
        from followup.store.load import load_profile

        with self._transaction("read", write=False) as conn:
            return load_profile(conn, candidate_pk or self.candidate_pk())

    def ensure_plans(
        self,
        playbook: PlaybookSource | None = None,
        candidate_pk: int | None = None,
        progress: Progress | None = None,
    ) -> int:
        """Plan again whatever is stale; how many opportunities that was."""
        pk = candidate_pk or self.candidate_pk()
        source = playbook or self._source
        fingerprint = source.fingerprint if source is not None else None
        from followup.store.planver import planner_version

        with self._transaction("read", write=False) as conn:
            if fingerprint is not None and plans.plan_is_current(
                conn, pk, fingerprint, planner_version()
            ):
                return 0
        planning = self.planning(playbook)
        with self._transaction("plan in", write=True) as conn:
            return plans.refresh(conn, pk, planning, progress)

    # -- writing -------------------------------------------------------------------------------

    @contextmanager
    def reading(self, candidate_pk: int | None = None) -> Iterator[UnitOfWork]:
        """One read transaction of a candidate, with the unit of work's targeted reads (any
        write through it is refused)."""
        pk = candidate_pk or self.candidate_pk()
        with self._transaction("read", write=False) as conn:
            work = UnitOfWork(conn, pk, read_only=True)
            try:
                yield work
            finally:
                work.finish()

    @contextmanager
    def unit_of_work(
        self,
        candidate_pk: int | None = None,
        playbook: PlaybookSource | None = None,
        label: str = "",
        now: datetime | None = None,
    ) -> Iterator[UnitOfWork]:
        """One transaction of one candidate: committed (their changed opportunities planned
        again, their revision bumped) when the block succeeds, rolled back when it raises.
        A candidate's writers are serialised (SQLite: ``BEGIN IMMEDIATE``; PostgreSQL: the
        candidate's row is locked), so checks made inside stay true until commit."""
        pk = candidate_pk or self.candidate_pk()
        with self._transaction("write to", write=True) as conn:
            if conn.dialect.name != "sqlite":
                conn.execute(
                    sa.select(CandidateRow.revision).where(CandidateRow.pk == pk).with_for_update()
                )
            work = UnitOfWork(conn, pk)
            try:
                yield work
                if work.journal is not None and label:  # undo and redo journal themselves
                    entry = work.journal.entry(label, now or datetime.now(UTC))
                    if entry is not None:
                        journal.append(conn, pk, entry)
                work.commit_plans(self.planning(playbook))
            finally:
                work.finish()

    def close(self) -> None:
        self._engine.dispose()


class AgendaInputs(NamedTuple):
    rows: list[Planned]
    profile: Profile
    opportunities: list[plans.OpportunityLine]
    decisions: list[ActionDecision]


def _revision(conn: Connection, candidate_pk: int) -> int:
    value = conn.execute(
        sa.select(CandidateRow.revision).where(CandidateRow.pk == candidate_pk)
    ).scalar()
    if value is None:
        raise StorageError("the database has no such candidate (its candidate table is empty)")
    return value
