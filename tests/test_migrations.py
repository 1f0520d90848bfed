"""The migration history: its head is `HEAD_REVISION`, it builds exactly the tables the code
declares on SQLite and PostgreSQL, and it carries data forward from the first revision."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from followup.core.model import (
    Achievement,
    ActionDecision,
    Decision,
    Facts,
    Interview,
    NextStep,
    Offer,
    Opportunity,
    Person,
    Profile,
    Touch,
)
from followup.store import HEAD_REVISION, open_store
from followup.store.engine import make_engine
from followup.store.migrate import database_revision, downgrade, script_directory, upgrade
from followup.store.schema import Base

FIRST_REVISION = "0001"

# Rows as the first revision's tables hold them, written with plain SQL so that this test keeps
# describing revision 0001 however the tables change later.
FIRST_REVISION_ROWS = """
INSERT INTO profile (id, name, timezone, country, weekly_target)
    VALUES (1, 'Alex Morgan', 'America/New_York', 'US', 5);
INSERT INTO opportunity (pk, id, position, company, role, applied, source, url, rank, status,
                         has_decision, decision_expected_by, decision_process)
    VALUES (10, 'acme', 0, 'Acme', 'Data Engineer', '2026-10-01', NULL, NULL, 1, 'active',
            TRUE, '2026-12-01', 'panel');
INSERT INTO person (pk, opportunity_pk, id, position, name, role, has_vote, is_key, email,
                    phone, timezone)
    VALUES (20, 10, 'dana', 0, 'Dana Lee', 'hiring-manager', TRUE, TRUE, 'dana@acme.example',
            NULL, 'America/Chicago'),
           (21, 10, 'sam', 1, 'Sam Ortiz', 'recruiter', FALSE, FALSE, NULL, NULL, NULL);
INSERT INTO interview (pk, opportunity_pk, id, position, at, duration_minutes, kind,
                       next_step_what, next_step_when, next_step_who_pk, next_step_channel)
    VALUES (30, 10, 'onsite', 0, '2026-11-02 15:00:00', 90, 'onsite',
            'decision call', '2026-11-09T17:00:00+00:00', 21, 'phone');
INSERT INTO interview_person (interview_pk, person_pk, with_position, note_position, note)
    VALUES (30, 20, 0, 0, 'pipelines'), (30, 21, NULL, 1, 'salary bands');
INSERT INTO touch (pk, opportunity_pk, id, position, at, person_pk, channel, direction, kind,
                   summary, body, states_date)
    VALUES (40, 10, 't1', 0, '2026-11-02 21:00:00', 20, 'email', 'out', 'thank-you',
            'thanks', NULL, NULL);
INSERT INTO offer (pk, opportunity_pk, id, position, received, expires)
    VALUES (50, 10, 'o1', 0, '2026-11-20', '2026-11-27T17:00:00+00:00');
INSERT INTO achievement (pk, id, position, at, kind, title, tags)
    VALUES (60, 'a1', 0, '2026-10-30', 'talk', 'Streaming', '["data"]');
INSERT INTO action_decision (action, position, decision, until)
    VALUES ('cycle:acme:dana:x', 0, 'snoozed', '2026-11-30 09:00:00');
UPDATE meta SET revision = 7;
"""

FIRST_REVISION_FACTS = Facts(
    profile=Profile("Alex Morgan", "America/New_York", "US", 5),
    opportunities=(
        Opportunity(
            id="acme",
            company="Acme",
            role="Data Engineer",
            applied=date(2026, 10, 1),
            rank=1,
            decision=Decision(date(2026, 12, 1), "panel"),
            people=(
                Person(
                    "dana",
                    "Dana Lee",
                    "hiring-manager",
                    key=True,
                    email="dana@acme.example",
                    timezone="America/Chicago",
                ),
                Person("sam", "Sam Ortiz", "recruiter", has_vote=False),
            ),
            interviews=(
                Interview(
                    id="onsite",
                    at=datetime(2026, 11, 2, 15, 0, tzinfo=UTC),
                    with_=("dana",),
                    duration_minutes=90,
                    kind="onsite",
                    notes={"dana": "pipelines", "sam": "salary bands"},
                    next_step=NextStep(
                        "decision call", datetime(2026, 11, 9, 17, 0, tzinfo=UTC), "sam", "phone"
                    ),
                ),
            ),
            touches=(
                Touch(
                    datetime(2026, 11, 2, 21, 0, tzinfo=UTC),
                    "dana",
                    "email",
                    "out",
                    "thank-you",
                    id="t1",
                    summary="thanks",
                ),
            ),
            offers=(Offer("o1", date(2026, 11, 20), datetime(2026, 11, 27, 17, 0, tzinfo=UTC)),),
        ),
    ),
    achievements=(Achievement(date(2026, 10, 30), "talk", "Streaming", id="a1", tags=("data",)),),
    decisions=(
        ActionDecision("cycle:acme:dana:x", "snoozed", datetime(2026, 11, 30, 9, 0, tzinfo=UTC)),
    ),
)


def _execute_script(url: str, script: str) -> None:
    engine = make_engine(url, pooled=False)
    try:
        with engine.begin() as conn:
            for statement in filter(str.strip, script.split(";")):
                conn.exec_driver_sql(statement)
    finally:
        engine.dispose()


def _revision_of(url: str) -> str | None:
    engine = make_engine(url, pooled=False)
    try:
        with engine.connect() as conn:
            return database_revision(conn)
    finally:
        engine.dispose()


def test_head_revision_constant_matches_the_migration_history() -> None:
    script = script_directory()
    assert script.get_heads() == [HEAD_REVISION]
    assert [r.revision for r in script.walk_revisions()][-1] == FIRST_REVISION


@pytest.mark.parametrize("way", ["created", "migrated"])
def test_migrations_build_exactly_the_declared_tables(db_url: str, way: str) -> None:
    """A new database is created from the tables at once; an old one goes through every
    revision. Both end with exactly the declared tables and the local candidate."""
    if way == "migrated":
        upgrade(db_url, FIRST_REVISION)
        upgrade(db_url)  # every revision after the first, one by one
    open_store(db_url).close()
    assert _revision_of(db_url) == HEAD_REVISION
    engine = make_engine(db_url, pooled=False)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"compare_type": True, "compare_server_default": True}
            )
            assert compare_metadata(context, Base.metadata) == []
            assert set(sa.inspect(conn).get_table_names()) == {
                *Base.metadata.tables,
                "alembic_version",
            }
            candidates = conn.execute(sa.text("SELECT pk, id, revision FROM candidate")).all()
            assert [tuple(c) for c in candidates] == [(1, "me", 0)]
    finally:
        engine.dispose()


def test_data_written_at_the_first_revision_survives_upgrading(db_url: str) -> None:
    upgrade(db_url, FIRST_REVISION)
    _execute_script(db_url, FIRST_REVISION_ROWS)
    upgrade(db_url)
    assert _revision_of(db_url) == HEAD_REVISION
    store = open_store(db_url)
    try:
        assert store.load_facts() == FIRST_REVISION_FACTS
        assert store.revision() == 7
    finally:
        store.close()


def test_downgrading_to_base_and_back_gives_a_working_empty_store(db_url: str) -> None:
    store = open_store(db_url)
    with store.unit_of_work() as work:
        work.replace_all(FIRST_REVISION_FACTS)
    store.close()
    downgrade(db_url, "base")
    assert _revision_of(db_url) is None
    store = open_store(db_url)  # creates everything again
    try:
        assert store.load_facts() == Facts()
        with store.unit_of_work() as work:
            work.replace_all(FIRST_REVISION_FACTS)
        assert store.load_facts() == FIRST_REVISION_FACTS
    finally:
        store.close()


def test_revision_0008_adds_outcomes_and_answers_and_downgrades_without_them(db_url: str) -> None:
    from dataclasses import replace

    (acme,) = FIRST_REVISION_FACTS.opportunities
    answered = replace(
        acme,
        status="accepted",
        touches=(replace(acme.touches[0], outcome="offer"),),
        offers=(
            replace(
                acme.offers[0],
                decision="accepted",
                decided=datetime(2026, 11, 21, 15, 0, tzinfo=UTC),
            ),
        ),
    )
    facts = replace(FIRST_REVISION_FACTS, opportunities=(answered,))
    store = open_store(db_url)
    try:
        with store.unit_of_work() as work:
            work.replace_all(facts)
        assert store.load_facts() == facts
    finally:
        store.close()

    downgrade(db_url, "0007")
    upgrade(db_url)

    store = open_store(db_url)
    try:  # the rest survives; the offer is held again, the touch brought nothing
        assert store.load_facts() == replace(
            facts, opportunities=(replace(answered, touches=acme.touches, offers=acme.offers),)
        )
    finally:
        store.close()


def test_revision_0011_keeps_the_earliest_of_two_touches_completing_one_action(
    db_url: str,
) -> None:
    from dataclasses import replace

    (acme,) = FIRST_REVISION_FACTS.opportunities
    first = replace(
        acme.touches[0], completes="thank-you:acme:dana:onsite", completes_rule="thank-you"
    )
    store = open_store(db_url)
    try:
        with store.unit_of_work() as work:
            work.replace_all(
                replace(FIRST_REVISION_FACTS, opportunities=(replace(acme, touches=(first,)),))
            )
    finally:
        store.close()
    downgrade(db_url, "0010")
    engine = make_engine(db_url)
    try:  # a second touch completing the same action, as an older release could import it
        with engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO touch (candidate_pk, opportunity_pk, id, position, at, person_pk,"
                    " channel, direction, kind, completes, completes_rule)"
                    " SELECT candidate_pk, opportunity_pk, 't2', 1, at, person_pk, channel,"
                    " direction, kind, completes, completes_rule FROM touch WHERE id = 't1'"
                )
            )
    finally:
        engine.dispose()
    upgrade(db_url)
    store = open_store(db_url)
    try:
        (loaded,) = store.load_facts().opportunities
        assert [(t.id, t.completes) for t in loaded.touches] == [
            ("t1", "thank-you:acme:dana:onsite"),
            ("t2", None),
        ]
    finally:
        store.close()


def test_the_sqlite_schema_file_is_what_migrate_creates() -> None:
    """``store/sqlite_schema.sql`` (a new SQLite file, made without SQLAlchemy) is current;
    ``python -m followup.store.newfile > src/followup/store/sqlite_schema.sql`` remakes it."""
    from followup.store import newfile

    with open(newfile._SCHEMA, encoding="utf-8") as f:
        assert f.read() == newfile.generate()


def test_a_new_sqlite_file_made_without_sqlalchemy_equals_one_made_by_migrate(
    tmp_path: Path,
) -> None:
    import sqlite3

    from followup.store import sqlite_url
    from followup.store.migrate import ensure_schema
    from followup.store.newfile import create_sqlite

    made, migrated = tmp_path / "made.db", tmp_path / "migrated.db"
    assert create_sqlite(str(made))
    assert not create_sqlite(str(made))  # a file with tables is left alone
    ensure_schema(sqlite_url(migrated))

    def described(path: Path) -> tuple[list[tuple[str, ...]], list[tuple[object, ...]]]:
        raw = sqlite3.connect(path)
        try:
            query = "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name"
            schema = raw.execute(query).fetchall()
            rows = raw.execute("SELECT * FROM candidate").fetchall()
            rows += raw.execute("SELECT * FROM alembic_version").fetchall()
            return schema, rows
        finally:
            raw.close()

    assert described(made) == described(migrated)
    store = open_store(sqlite_url(made))  # and SQLAlchemy takes it as current
    try:
        assert store.load_facts() == Facts()
    finally:
        store.close()
