"""Stored plans: what the store holds is what a fresh ``plan()`` says, after any write, and a
write plans again only what it touched. Run on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import shutil
import sqlite3
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

import bench_scripts
from followup.config import PlaybookSource
from followup.core.interchange import parse_document
from followup.core.model import Achievement, Action, ActionDecision, Facts, Offer, Touch
from followup.core.planner import plan
from followup.core.playbook import Playbook
from followup.demo import demo_document
from followup.render import cap, today_groups
from followup.services.agenda import Group, today_of
from followup.services.plan import load_agenda
from followup.services.workspace import Workspace
from followup.store import Store, open_store, sqlite_url
from followup.store.fastpath import read_today
from followup.store.migrate import upgrade
from followup.store.planver import planner_version
from followup.store.schema import OpportunityPlanRow, OpportunityRow

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
CENTER = datetime(2030, 3, 5, 15, 0, tzinfo=UTC)
MOMENTS = [CENTER + timedelta(hours=h) for h in (-400, -50, 0, 7, 30, 200, 900)]


def _facts(document: dict[str, object], *, stored: bool = False) -> Facts:
    facts, problems = parse_document(document, stored=stored)
    assert problems == []
    assert facts is not None
    return facts


def _generated(n: int, seed: int = 3) -> Facts:
    return _facts(bench_scripts.load("generate").generate(n, seed=seed, now=CENTER))


def _with_decisions(facts: Facts, playbook: Playbook) -> Facts:
    """Skip every 7th action, snooze every 5th until a moment in the next days."""
    actions = plan(facts, playbook, CENTER)
    decisions = [
        ActionDecision(a.id, "skipped")
        if n % 7 == 0
        else ActionDecision(a.id, "snoozed", CENTER + timedelta(hours=9 * n % 200))
        for n, a in enumerate(actions)
        if n % 7 == 0 or n % 5 == 0
    ]
    return replace(facts, decisions=tuple(decisions))


def _stored_equals_fresh(store: Store, playbook: Playbook) -> None:
    facts = store.load_facts()
    database = Workspace.of(store)
    for now in MOMENTS:
        assert load_agenda(database, playbook).at(now) == plan(facts, playbook, now)


def test_the_stored_plan_of_a_generated_search_is_the_fresh_plan(store: Store) -> None:
    playbook = Playbook()
    facts = _with_decisions(_generated(40), playbook)
    with store.unit_of_work() as work:
        work.replace_all(facts)
    _stored_equals_fresh(store, playbook)


def test_every_kind_of_write_keeps_the_stored_plan_equal_to_the_fresh_plan(store: Store) -> None:
    playbook = Playbook()
    facts = _generated(12, seed=5)
    with store.unit_of_work() as work:
        work.replace_all(facts)
    actions = plan(store.load_facts(), playbook, CENTER)
    open_ones = [a for a in actions if a.opportunity and a.status in ("upcoming", "due")]
    second = next(o for o in facts.opportunities if o.id == open_ones[0].opportunity)
    first = next(o for o in facts.opportunities if o is not second and o.people)
    someone = first.people[0].id
    pending = open_ones[:2]
    with store.unit_of_work() as work:
        work.add_touch(first.id, Touch(CENTER, someone, "email", "in", "other", summary="hi"))
    _stored_equals_fresh(store, playbook)
    with store.unit_of_work() as work:
        work.set_decision(ActionDecision(pending[0].id, "skipped"))
        work.set_decision(ActionDecision(pending[1].id, "snoozed", CENTER + timedelta(days=2)))
    _stored_equals_fresh(store, playbook)
    with store.unit_of_work() as work:  # an offer elsewhere: counter-offers to ranked ones
        work.update_opportunity(first.id, rank=1)
        work.add_offer(second.id, Offer("o9", CENTER.date(), CENTER.date() + timedelta(days=5)))
    _stored_equals_fresh(store, playbook)
    with store.unit_of_work() as work:
        work.add_achievement(Achievement(CENTER.date(), "talk", "A talk on data"))
    _stored_equals_fresh(store, playbook)
    with store.unit_of_work() as work:
        work.update_opportunity(second.id, status="rejected")
        work.clear_decision(pending[0].id)
    _stored_equals_fresh(store, playbook)


def _fact_revisions(store: Store) -> dict[str, int]:
    with store._transaction("read", write=False) as conn:
        rows = conn.execute(
            sa.select(OpportunityRow.id, OpportunityPlanRow.fact_revision).join(
                OpportunityPlanRow, OpportunityPlanRow.opportunity_pk == OpportunityRow.pk
            )
        ).all()
    return dict(rows)  # type: ignore[arg-type]


def test_a_write_plans_again_only_the_opportunity_it_touched(store: Store) -> None:
    facts = _generated(10, seed=7)
    with store.unit_of_work() as work:
        work.replace_all(facts)
    before = _fact_revisions(store)
    target = facts.opportunities[3]
    with store.unit_of_work() as work:
        work.add_touch(target.id, Touch(CENTER, target.people[0].id, "phone", "out", "call"))
    after = _fact_revisions(store)
    changed = {k for k in before if before[k] != after[k]}
    assert changed == {target.id}


def test_an_offer_plans_again_the_other_opportunities_still_in_play(store: Store) -> None:
    """Active ones (counter-offers) and those holding offers (an accepted offer elsewhere asks
    them to withdraw); not those with an outcome."""
    facts = _generated(10, seed=6)  # three rejected, one holding an offer
    with store.unit_of_work() as work:
        work.replace_all(facts)
    before = _fact_revisions(store)
    target = facts.opportunities[2]
    with store.unit_of_work() as work:
        work.add_offer(target.id, Offer("x1", CENTER.date()))
    after = _fact_revisions(store)
    changed = {k for k in before if before[k] != after[k]}
    in_play = {o.id for o in facts.opportunities if o.status in ("active", "offer")}
    assert changed == in_play | {target.id}
    assert {o.status for o in facts.opportunities if o.id not in changed} == {"rejected"}


def test_another_playbook_plans_everything_again_on_read(store: Store) -> None:
    facts = _generated(8)
    with store.unit_of_work() as work:
        work.replace_all(facts)
    other = Playbook(thank_you_hours=12, cycle_min_days=9)
    seen: list[tuple[int, int]] = []
    database = Workspace.of(store)
    agenda = load_agenda(
        database, PlaybookSource.of(other), progress=lambda d, t: seen.append((d, t))
    )
    assert agenda.at(CENTER) == plan(store.load_facts(), other, CENTER)
    assert seen and seen[-1] == (8, 8)
    seen.clear()
    load_agenda(database, PlaybookSource.of(other), progress=lambda d, t: seen.append((d, t)))
    assert seen == []  # current now: nothing planned again


def test_a_stored_row_that_cannot_be_read_says_less_but_never_fails(store: Store) -> None:
    with store.unit_of_work() as work:
        work.replace_all(_facts(demo_document(CENTER.date())))
    with store._transaction("write", write=True) as conn:
        conn.execute(sa.text("UPDATE planned_action SET params = 'not json', why = 'gone'"))
    actions = load_agenda(Workspace.of(store), Playbook()).at(CENTER)
    assert actions and all(a.reason for a in actions)


def _expected_today(
    actions: list[Action], now: datetime, limit: int | None
) -> list[tuple[list[str], int]]:
    """Today's groups worked out from every action of the plan, as `today --json` does: the
    ids shown (the latest overdue ones, the first due and opening ones) and the totals. The
    stored plan is read for the present, where nothing was done later than now: an action
    done after ``now`` (the generated facts hold touches on both sides) counts as done."""
    actions = [a for a in actions if a.done_at is None]
    overdue, due, soon, missed = today_groups(actions, now)
    return [
        ([a.id for a in cap(overdue, limit, latest=True)], len(overdue)),
        ([a.id for a in cap(due, limit)], len(due)),
        ([a.id for a in cap(soon, limit)], len(soon)),
        ([a.id for a in cap(missed, limit, latest=True)], len(missed)),
    ]


def _shown(groups: list[Group]) -> list[tuple[list[str], int]]:
    return [([a.id for a in g.actions], g.total) for g in groups]


def test_the_fast_path_of_today_shows_what_the_whole_plan_says(tmp_path: Path) -> None:
    """The SQLite fast path's indexed queries give the groups that the full plan gives."""
    path = tmp_path / "f.db"
    source = PlaybookSource.of(Playbook())
    store = open_store(sqlite_url(path), source)
    try:
        with store.unit_of_work() as work:
            work.replace_all(_with_decisions(_generated(30), Playbook()))
        agenda = load_agenda(Workspace.of(store), source)
        for now in MOMENTS:
            for limit in (None, 3):
                quick = read_today(
                    str(path), "me", source.fingerprint, planner_version(), now.timestamp(), limit
                )
                assert quick is not None
                _, groups, _ = today_of(quick, Playbook(), limit)
                assert _shown(groups) == _expected_today(agenda.at(now), now, limit)
        stale = read_today(str(path), "me", "another", planner_version(), CENTER.timestamp(), 3)
        assert stale is None
    finally:
        store.close()


def test_the_release_0_1_database_keeps_every_fact(db_url: str, tmp_path: Path) -> None:
    """A database written by release 0.1 (its demo, one action skipped) upgrades with every
    fact, and its skip, kept."""
    fixture = FIXTURES / "release-0.1-demo.db"
    if db_url.startswith("sqlite"):
        copy = tmp_path / "old.db"
        shutil.copy(fixture, copy)
        db_url = sqlite_url(copy)
    else:
        upgrade(db_url, "0003")
        _copy_rows(fixture, db_url)
    store = open_store(db_url)
    try:
        facts = store.load_facts()
        # as 0.1 stored them: its phone numbers are read as they are, never normalised
        release = json.loads((FIXTURES / "release-0.1-demo.json").read_text("utf-8"))
        expected = _facts(release, stored=True)
        assert facts == expected
        assert facts.decisions == (
            ActionDecision("continued-interest:cobalt:rachel:final", "skipped"),
        )
        now = datetime(2026, 11, 28, 12, tzinfo=UTC)
        actions = load_agenda(Workspace.of(store), Playbook()).at(now)
        assert actions == plan(facts, Playbook(), now)
        skipped = [a for a in actions if a.id == "continued-interest:cobalt:rachel:final"]
        assert [a.status for a in skipped] == ["skipped"]
        assert store.revision() > 0  # the old counter goes on
    finally:
        store.close()


def _copy_rows(fixture: Path, url: str) -> None:
    """Every row of the 0.1 SQLite file into a PostgreSQL database at revision 0003."""
    source = sqlite3.connect(fixture)
    engine = sa.create_engine(url)
    try:
        meta = sa.MetaData()
        meta.reflect(engine)
        with engine.begin() as conn:
            for table in meta.sorted_tables:
                if table.name == "alembic_version":
                    continue
                cursor = source.execute(f"SELECT * FROM {table.name}")
                names = [d[0] for d in cursor.description]
                rows = [dict(zip(names, r, strict=True)) for r in cursor]
                for row in rows:
                    for column in table.columns:
                        value = row.get(column.name)
                        if isinstance(column.type, sa.Boolean) and value is not None:
                            row[column.name] = bool(value)
                        elif isinstance(column.type, sa.DateTime) and isinstance(value, str):
                            row[column.name] = datetime.fromisoformat(value).replace(tzinfo=UTC)
                        elif isinstance(column.type, sa.Date) and isinstance(value, str):
                            row[column.name] = date.fromisoformat(value)
                conn.execute(sa.delete(table))
                if rows:
                    conn.execute(table.insert(), rows)
    finally:
        engine.dispose()
        source.close()


def test_a_large_re_planning_on_every_core_stores_what_one_core_would(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Above ``PARALLEL_FROM`` opportunities the re-planning is spread over processes; the
    stored plan is the same as planned in one."""
    import concurrent.futures

    from followup.store import plans

    pools: list[int] = []

    class Counted(concurrent.futures.ProcessPoolExecutor):
        def __init__(self, max_workers: int) -> None:
            pools.append(max_workers)
            super().__init__(max_workers=max_workers)

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", Counted)
    monkeypatch.setattr(plans, "PARALLEL_FROM", 4)
    monkeypatch.setattr(plans, "_cores", lambda: 2)
    facts = _with_decisions(_generated(24, seed=11), Playbook())
    with store.unit_of_work() as work:
        work.replace_all(facts)
    assert pools == [2]  # the import planned on two processes
    _stored_equals_fresh(store, Playbook())


def test_the_store_reads_today_as_the_whole_plan_says(store: Store) -> None:
    """The indexed queries behind Today (web page, any database) give the plan's groups."""
    with store.unit_of_work() as work:
        work.replace_all(_with_decisions(_generated(30), Playbook()))
    agenda = load_agenda(Workspace.of(store), Playbook())
    for now in MOMENTS:
        moment = now.timestamp()
        for limit in (None, 3):
            found = store.read_today(lambda _zone: moment, limit)  # noqa: B023 - used at once
            _, groups, _ = today_of(found, Playbook(), limit)
            assert _shown(groups) == _expected_today(agenda.at(now), now, limit)


def test_the_defaults_have_one_fingerprint_however_they_are_given(tmp_path: Path) -> None:
    """The CLI without a settings file and a server built with ``Playbook()`` plan with the
    same defaults: the plan one stores is current for the other (no re-planning back and
    forth, and `followup today` keeps its fast path while the web page is open)."""
    from followup.config import playbook_source

    cli = playbook_source(tmp_path / "no-such-config.toml")
    assert cli.fingerprint == PlaybookSource.of(Playbook()).fingerprint
    assert cli.fingerprint != PlaybookSource.of(Playbook(thank_you_hours=12)).fingerprint


def test_the_status_of_an_opportunity_without_offers_re_plans_it_alone(store: Store) -> None:
    """Rejected by an employer that made no offer: no other plan can change (counter-offers
    read only the opportunities holding offers), so no other is planned again."""
    facts = _generated(10, seed=7)
    with store.unit_of_work() as work:
        work.replace_all(facts)
    target = next(o for o in facts.opportunities if not o.offers and o.status == "active")
    holder = next(o for o in facts.opportunities if o.offers)
    before = _fact_revisions(store)
    with store.unit_of_work() as work:
        work.update_opportunity(target.id, status="rejected")
    after = _fact_revisions(store)
    assert {k for k in before if before[k] != after[k]} == {target.id}
    _stored_equals_fresh(store, Playbook())

    with store.unit_of_work() as work:  # the holder's rank moves: the active ones follow
        work.update_opportunity(holder.id, rank=9)
    again = _fact_revisions(store)
    changed = {k for k in after if after[k] != again[k]}
    active = {o.id for o in store.load_facts().opportunities if o.status == "active"}
    assert changed == active | {holder.id}
    _stored_equals_fresh(store, Playbook())
