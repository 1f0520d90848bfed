"""Units of work and the reads around them, on any connection that speaks `sql.Db`.

`Units` holds what a store does with a candidate's facts in one transaction: find the
candidate, read a snapshot, plan what is stale, and run a `UnitOfWork` that plans again what it
changed and journals it before commit. Two stores provide the transactions: `store.Store`
(SQLAlchemy's engine: PostgreSQL, the web server, migrations) and `LiteStore` (the standard
library's ``sqlite3`` on a file already at the head revision, for the command line, where
importing SQLAlchemy would take longer than the whole command may).
"""

from __future__ import annotations

import json
import os
import sqlite3
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import NamedTuple

from followup.core.model import ActionDecision, Profile
from followup.core.planner import Planned
from followup.errors import StorageError
from followup.store import journal, plans
from followup.store.sql import Db, configure_sqlite, driver_error
from followup.store.uow import UnitOfWork
from followup.store.version import HEAD_REVISION, LOCAL_CANDIDATE

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from typing import Any

    from followup.config import PlaybookSource
    from followup.core.model import Facts
    from followup.store.fastpath import Today
    from followup.store.plans import Planning, Progress


class AgendaInputs(NamedTuple):
    rows: list[Planned]
    profile: Profile
    opportunities: list[plans.OpportunityLine]
    decisions: list[ActionDecision]


class Units:
    """A candidate's facts in transactions of a `Db`; subclasses open the transactions."""

    url: str
    _source: PlaybookSource | None

    def __init__(self, url: str, playbook: PlaybookSource | None = None) -> None:
        self.url = url
        self._source = playbook
        self._planning: dict[str, Planning] = {}
        self._candidates: dict[str, int] = {}
        #: the (country, year) holidays this store has read from its cache, or written to it
        self._holidays_stored: set[tuple[str, int]] | None = None

    @contextmanager
    def _session(self, doing: str, *, write: bool) -> Iterator[tuple[Db, Any]]:
        """One transaction: its `Db`, and the SQLAlchemy connection under it (or None)."""
        raise NotImplementedError
        yield  # pragma: no cover

    @contextmanager
    def sql(self, *, write: bool = False) -> Iterator[Db]:
        """One transaction of plain SQL, for the server's own tables (accounts, sessions,
        consent): committed when the block ends, rolled back if it raises."""
        with self._session("write to" if write else "read", write=write) as (db, _):
            yield db

    # -- who and with what ---------------------------------------------------------------------

    def candidate_pk(self, candidate: str = LOCAL_CANDIDATE) -> int:
        """The key of a candidate's rows (the local candidate when not named)."""
        pk = self._candidates.get(candidate)
        if pk is None:
            with self._session("read", write=False) as (db, _):
                pk = db.scalar("SELECT pk FROM candidate WHERE id = ?", [candidate])
            if pk is None:
                raise StorageError(f"the database has no candidate '{candidate}'")
            self._candidates[candidate] = pk
        return pk

    def add_candidate(self, candidate: str) -> int:
        """A new candidate (a workspace of their own, empty); the key of their rows."""
        with self._session("write to", write=True) as (db, _):
            pk = insert_candidate(db, candidate)
        self._candidates[candidate] = pk
        return pk

    def stale_candidates(self, playbook: PlaybookSource | None = None) -> list[str]:
        """The candidates whose plans were not all made with this playbook and planner
        version (after an upgrade, or a change of playbook): who needs planning again."""
        from followup.store.planver import planner_version

        planning = self.planning(playbook)
        query = (
            "SELECT id FROM candidate WHERE plan_source IS NULL OR plan_planner IS NULL "
            "OR plan_source <> ? OR plan_planner <> ? ORDER BY pk"
        )
        with self._session("read", write=False) as (db, _):
            return [str(c) for c in db.column(query, [planning.source, planner_version()])]

    def planning(self, playbook: PlaybookSource | None = None) -> Planning:
        """What plans are made with: ``playbook`` (else the store's own, else the defaults)."""
        from followup.config import PlaybookSource
        from followup.core.playbook import Playbook
        from followup.store.plans import Planning
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
        from followup.store.load import load_facts

        pk = candidate_pk or self.candidate_pk()
        with self._session("read", write=False) as (db, _):
            return _revision(db, pk), load_facts(db, pk)

    def revision(self, candidate_pk: int | None = None) -> int:
        """The number of the candidate's committed writes so far; it changes whenever their
        facts do."""
        pk = candidate_pk or self.candidate_pk()
        with self._session("read", write=False) as (db, _):
            return _revision(db, pk)

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
        with self._session("read", write=False) as (db, _):
            return AgendaInputs(
                plans.read_plan(db, pk),
                load_profile(db, pk),
                plans.read_opportunities(db, pk),
                list(load_decisions(db, pk)),
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
        with self._session("read", write=False) as (db, _):
            moment = now(load_profile(db, pk).timezone)
            return plans.read_today(db, pk, moment, limit)

    def profile(self, candidate_pk: int | None = None) -> Profile:
        from followup.store.load import load_profile

        with self._session("read", write=False) as (db, _):
            return load_profile(db, candidate_pk or self.candidate_pk())

    def ensure_plans(
        self,
        playbook: PlaybookSource | None = None,
        candidate_pk: int | None = None,
        progress: Progress | None = None,
    ) -> int:
        """Plan again whatever is stale; how many opportunities that was."""
        from followup.store.planver import planner_version

        pk = candidate_pk or self.candidate_pk()
        source = playbook or self._source
        fingerprint = source.fingerprint if source is not None else None
        with self._session("read", write=False) as (db, _):
            if fingerprint is not None and plans.plan_is_current(
                db, pk, fingerprint, planner_version()
            ):
                return 0
        planning = self.planning(playbook)
        with self._session("plan in", write=True) as (db, _):
            if db.dialect != "sqlite":  # one planner of a candidate at a time, as one writer
                db.run("SELECT revision FROM candidate WHERE pk = ? FOR UPDATE", [pk])
            self._read_holidays(db)
            planned = plans.refresh(db, pk, planning, progress)
            self._keep_holidays(db)
            return planned

    # -- writing -------------------------------------------------------------------------------

    @contextmanager
    def reading(self, candidate_pk: int | None = None) -> Iterator[UnitOfWork]:
        """One read transaction of a candidate, with the unit of work's targeted reads (any
        write through it is refused)."""
        pk = candidate_pk or self.candidate_pk()
        with self._session("read", write=False) as (db, connection):
            work = UnitOfWork(db, pk, read_only=True, connection=connection)
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
        with self._session("write to", write=True) as (db, connection):
            if db.dialect != "sqlite":
                db.run("SELECT revision FROM candidate WHERE pk = ? FOR UPDATE", [pk])
            self._read_holidays(db)
            work = UnitOfWork(db, pk, connection=connection)
            try:
                yield work
                if work.journal is not None and label:  # undo and redo journal themselves
                    entry = work.journal.entry(label, now or datetime.now(UTC))
                    if entry is not None:
                        journal.append(db, pk, entry)
                work.commit_plans(self.planning(playbook))
                self._keep_holidays(db)
            finally:
                work.finish()

    def _read_holidays(self, db: Db) -> None:
        """Give the planner the public holidays cached by earlier runs (once per store)."""
        if self._holidays_stored is not None:
            return
        from followup.core.timewin import known_holidays
        from followup.store.planver import holidays_version

        query = "SELECT country, year, days FROM holiday WHERE version = ?"
        found = {
            (c, int(y)): frozenset(map(date.fromisoformat, json.loads(d)))
            for c, y, d in db.rows(query, [holidays_version()])
        }
        known_holidays(found)
        self._holidays_stored = set(found)

    def _keep_holidays(self, db: Db) -> None:
        """Cache the public holidays the planner knows and this database does not yet (those
        computed by this process, or known from another database it serves), for the runs
        that come next."""
        from followup.core.timewin import holidays_in_memory
        from followup.store.planver import holidays_version

        stored = self._holidays_stored if self._holidays_stored is not None else set()
        new = {k: v for k, v in holidays_in_memory().items() if k not in stored}
        version = holidays_version()
        db.run_many(
            "INSERT INTO holiday (version, country, year, days) VALUES (?, ?, ?, ?) "
            "ON CONFLICT DO NOTHING",
            [
                (version, country, year, json.dumps(sorted(d.isoformat() for d in days)))
                for (country, year), days in new.items()
            ],
        )
        self._holidays_stored = stored | set(new)

    def close(self) -> None:
        """Nothing held between transactions (`store.Store` has its engine to dispose of)."""


def insert_candidate(db: Db, candidate: str) -> int:
    """A new, empty candidate in ``db``'s transaction; the key of their rows."""
    from followup.errors import Conflict

    if db.first("SELECT pk FROM candidate WHERE id = ?", [candidate]) is not None:
        raise Conflict(f"the database already has a candidate '{candidate}'")
    return db.insert_returning("candidate", [{"id": candidate, "revision": 0}], ("id",))[0]


def _revision(db: Db, candidate_pk: int) -> int:
    value = db.scalar("SELECT revision FROM candidate WHERE pk = ?", [candidate_pk])
    if value is None:
        raise StorageError("the database has no such candidate (its candidate table is empty)")
    return int(value)


class LiteStore(Units):
    """A SQLite file at the head revision, through the standard library: each transaction on
    a connection of its own (so threads may share the store), closed when it ends."""

    def __init__(self, url: str, path: str, playbook: PlaybookSource | None = None) -> None:
        super().__init__(url, playbook)
        self.path = path

    def __repr__(self) -> str:
        return f"LiteStore({self.path!r})"

    @contextmanager
    def _session(self, doing: str, *, write: bool) -> Iterator[tuple[Db, Any]]:
        raw = None
        try:
            raw = sqlite3.connect(self.path, check_same_thread=False)
            configure_sqlite(raw)
            raw.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            yield Db(raw, "sqlite"), None
            raw.execute("COMMIT")
        except BaseException as exc:
            if raw is not None and raw.in_transaction:
                raw.execute("ROLLBACK")
            ours = driver_error(exc, self.path, doing)
            if ours is not None:
                raise ours from exc
            raise
        finally:
            if raw is not None:
                raw.close()


def open_lite(url: str, playbook: PlaybookSource | None = None) -> LiteStore | None:
    """A `LiteStore` on ``url`` when it names a SQLite file already at `HEAD_REVISION`, or
    one that does not exist yet (created here, ``newfile``); None otherwise (older, newer,
    damaged, not SQLite, cannot be created): the caller then opens `store.Store`, which
    migrates or explains."""
    from followup.store.fastpath import sqlite_path_from_url

    path = sqlite_path_from_url(url)
    if path is None:
        return None
    try:
        if not os.path.exists(path) or os.path.getsize(path) == 0:
            from followup.store.newfile import create_sqlite

            os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
            create_sqlite(path)
        raw = sqlite3.connect(path, timeout=1.0)  # it exists: nothing is created
        try:
            found = raw.execute("SELECT version_num FROM alembic_version").fetchall()
        finally:
            raw.close()
    except (OSError, sqlite3.Error):
        return None
    if [tuple(r) for r in found] != [(HEAD_REVISION,)]:
        return None
    return LiteStore(url, path, playbook)
