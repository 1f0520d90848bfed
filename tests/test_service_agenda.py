"""The compiled agenda (what the plan cache holds) says exactly what the planner says, and the
cache serves it only while it is current."""

from __future__ import annotations

import importlib.util
import sys
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import ModuleType

import pytest

from followup.core.interchange import parse_document
from followup.core.model import ActionDecision, Facts, Person
from followup.core.planner import schedule
from followup.core.playbook import Playbook
from followup.demo import demo_document
from followup.render import render_today, today_text
from followup.services.agenda import FORMAT, Agenda, compile_agenda, decode, encode
from followup.services.database import Database
from followup.services.plan_cache import cache_key, compute_plan, core_fingerprint, load_agenda
from followup.store import Store, sqlite_url
from test_cli_support import sample_document

GENERATOR = Path(__file__).resolve().parents[1] / "bench" / "generate.py"
CENTER = datetime(2030, 3, 5, 15, 0, tzinfo=UTC)


def _facts(document: dict[str, object]) -> Facts:
    facts, problems = parse_document(document)
    assert problems == []
    assert facts is not None
    return facts


def _generated(n: int) -> Facts:
    spec = importlib.util.spec_from_file_location("bench_generate_for_agenda", GENERATOR)
    assert spec is not None
    assert spec.loader is not None
    module: ModuleType = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return _facts(module.generate(n, seed=3, now=CENTER))


def _with_decisions(facts: Facts, playbook: Playbook) -> Facts:
    """Skip every 7th action, snooze every 5th until a moment in the next days."""
    actions = schedule(facts, playbook).at(CENTER)
    decisions = [
        ActionDecision(a.id, "skipped")
        if n % 7 == 0
        else ActionDecision(a.id, "snoozed", CENTER + timedelta(hours=9 * n % 200))
        for n, a in enumerate(actions)
        if n % 7 == 0 or n % 5 == 0
    ]
    return replace(facts, decisions=tuple(decisions))


def _cases() -> list[tuple[str, Facts]]:
    playbook = Playbook()
    sample = _facts(sample_document())
    demo = _facts(demo_document(date(2030, 3, 5), "America/New_York"))
    generated = _generated(25)
    return [
        ("sample", sample),
        ("demo", demo),
        ("demo+decisions", _with_decisions(demo, playbook)),
        ("generated", generated),
        ("generated+decisions", _with_decisions(generated, playbook)),
        ("empty", Facts()),
    ]


CASES = _cases()
MOMENTS = [CENTER + timedelta(hours=h) for h in range(-24 * 50, 24 * 300, 37)]


@pytest.mark.parametrize(("name", "facts"), CASES, ids=[c[0] for c in CASES])
def test_agenda_at_equals_the_planner_at_any_moment(name: str, facts: Facts) -> None:
    playbook = Playbook()
    planned = schedule(facts, playbook)
    agenda = decode(encode(compile_agenda(facts, playbook, CENTER)))
    assert agenda is not None

    for now in MOMENTS:
        assert agenda.covers(now)
        assert agenda.at(now) == planned.at(now), now


@pytest.mark.parametrize(("name", "facts"), CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("limit", [None, 1, 5])
def test_fast_today_prints_what_the_actions_print(
    name: str, facts: Facts, limit: int | None
) -> None:
    playbook = Playbook()
    planned = schedule(facts, playbook)
    agenda = decode(encode(compile_agenda(facts, playbook, CENTER)))
    assert agenda is not None
    tz = agenda.tz
    has = bool(facts.opportunities)

    for now in MOMENTS[::3]:
        groups = [(g.lines, g.total) for g in agenda.today(now, limit)]
        later = None if any(total for _, total in groups) else agenda.next_upcoming(now)
        fast = today_text(groups, later, tz, has_opportunities=has)
        slow = render_today(planned.at(now), now, tz, has_opportunities=has, limit=limit)
        assert fast == slow, now


def test_weekly_action_outside_the_coverage_is_not_answered() -> None:
    agenda = compile_agenda(_facts(sample_document()), Playbook(), CENTER)

    assert agenda.covers(CENTER + timedelta(weeks=40))
    assert not agenda.covers(CENTER + timedelta(weeks=60))
    assert not agenda.covers(CENTER - timedelta(weeks=10))


def test_text_with_tabs_and_newlines_survives() -> None:
    document = sample_document()
    document["opportunities"][0]["interviews"][0]["notes"]["dana"] = "a\tb\nc \\t d"
    facts = _facts(document)
    agenda = decode(encode(compile_agenda(facts, Playbook(), CENTER)))
    assert agenda is not None

    assert agenda.at(CENTER) == schedule(facts, Playbook()).at(CENTER)


@pytest.mark.parametrize(
    "payload",
    [None, "", "not json", '{"format": 999}', f'{{"format": {FORMAT}}}\nAAAA\n\n-', "\n\n\n"],
)
def test_unreadable_payloads_are_misses(payload: str | None) -> None:
    assert decode(payload) is None


# -- the cache -------------------------------------------------------------------------------


def test_cache_key_names_the_playbook_and_the_code() -> None:
    key = cache_key(Playbook())

    assert key != cache_key(Playbook(thank_you_hours=12))
    assert Playbook().fingerprint() in key
    assert core_fingerprint() in key
    assert len(core_fingerprint()) == 16


def test_hit_miss_and_staleness(store: Store) -> None:
    playbook = Playbook()
    with store.unit_of_work() as work:
        work.replace_all(_facts(sample_document()))

    first = Database(store.url)
    miss = load_agenda(first, playbook, CENTER)
    assert first.is_open  # planned: the store had to be opened
    first.close()

    second = Database(store.url)
    hit = load_agenda(second, playbook, CENTER)
    if store.url.startswith("sqlite"):
        assert not second.is_open, "a hit on SQLite needs no store (and no SQLAlchemy)"
    assert hit.at(CENTER) == miss.at(CENTER)

    with store.unit_of_work() as work:
        work.add_person("globex", Person(id="lee", name="Lee Chan", role="panel"))
    second.close()
    after = _load(store, playbook)
    assert after.at(CENTER) == schedule(store.load_facts(), playbook).at(CENTER)

    other = _load(store, Playbook(thank_you_hours=2))
    assert other.at(CENTER) != after.at(CENTER)


def _load(store: Store, playbook: Playbook) -> Agenda:
    database = Database(store.url)
    try:
        return load_agenda(database, playbook, CENTER)
    finally:
        database.close()


def test_fast_path_on_a_missing_file_is_a_miss(tmp_path: Path) -> None:
    database = Database(sqlite_url(tmp_path / "new.db"))
    agenda = load_agenda(database, Playbook(), CENTER)
    database.close()

    assert agenda.opportunities == {}
    assert (tmp_path / "new.db").exists()


def test_compute_plan_from_a_url(store: Store) -> None:
    with store.unit_of_work() as work:
        work.replace_all(_facts(sample_document()))

    actions = compute_plan(store.url, Playbook(), CENTER)

    assert actions == schedule(store.load_facts(), Playbook()).at(CENTER)
    assert compute_plan(Database.of(store), Playbook(), CENTER) == actions
