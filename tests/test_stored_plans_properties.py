"""Property: for any job search, the stored plan equals a fresh ``plan()``, after an import
and after an incremental write (a touch, a decision) that re-plans one opportunity."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from followup.core.model import ActionDecision, Facts, Touch
from followup.core.planner import plan
from followup.core.playbook import DEFAULT
from followup.services.plan import load_agenda
from followup.services.workspace import Workspace
from followup.store import Store, open_store, sqlite_url
from test_planner_properties import worlds

World = tuple[Facts, datetime]


@pytest.fixture(scope="module")
def one_store() -> Iterator[Store]:
    """One SQLite store for every example (each example replaces all its facts)."""
    with tempfile.TemporaryDirectory() as folder:
        store = open_store(sqlite_url(Path(folder) / "properties.db"))
        try:
            yield store
        finally:
            store.close()


def _same(store: Store, now: datetime) -> None:
    facts = store.load_facts()
    stored = load_agenda(Workspace.of(store), DEFAULT).at(now)
    assert stored == plan(facts, DEFAULT, now)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(world=worlds(), data=st.data())
def test_the_stored_plan_is_the_fresh_plan_after_any_write(
    one_store: Store, world: World, data: st.DataObject
) -> None:
    facts, now = world
    with one_store.unit_of_work() as work:
        work.replace_all(facts)
    _same(one_store, now)

    opp = data.draw(st.sampled_from(facts.opportunities))
    if opp.people:
        person = data.draw(st.sampled_from(opp.people))
        touch = Touch(
            now - timedelta(hours=data.draw(st.integers(0, 400))),
            person.id,
            data.draw(st.sampled_from(["email", "phone"])),
            data.draw(st.sampled_from(["out", "in"])),
            data.draw(st.sampled_from(["thank-you", "call", "check-in", "other"])),
        )
        with one_store.unit_of_work() as work:
            work.add_touch(opp.id, touch)
        _same(one_store, now)

    pending = [a for a in plan(one_store.load_facts(), DEFAULT, now) if a.opportunity]
    if pending:
        action = data.draw(st.sampled_from(pending))
        with one_store.unit_of_work() as work:
            work.set_decision(ActionDecision(action.id, "skipped"))
        _same(one_store, now)
