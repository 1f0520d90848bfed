"""Undo, redo and history: every write of a candidate's facts is journalled and can be
reverted, on SQLite and PostgreSQL, keeping action ids (and so skips and snoozes) stable."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from followup.core.interchange import dump_document
from followup.core.model import Achievement, ActionDecision, Offer, Person, Profile, Touch
from followup.demo import demo_document
from followup.errors import NotFound
from followup.services import acting, documents, history, record
from followup.services.workspace import Workspace
from followup.store import Store, journal
from test_cli_support import Cli

NOW = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)


def _loaded(store: Store) -> Workspace:
    ws = Workspace.of(store)
    documents.load_demo(ws, NOW, "America/New_York")
    return ws


def _export(ws: Workspace) -> str:
    return json.dumps(dump_document(ws.facts()), sort_keys=True)


def _statuses(ws: Workspace) -> dict[str, str]:
    return {a.id: a.status for a in ws.agenda().at(NOW)}


WRITES: dict[str, Callable[[Workspace], object]] = {
    "touch": lambda ws: record.add_touch(
        ws, "northwind", Touch(NOW, "sam", "email", "in", "other", summary="news")
    ),
    "person": lambda ws: record.add_person(ws, "cobalt", Person("zoe", "Zoe Quinn", "panel")),
    "offer": lambda ws: record.add_offer(ws, "northwind", Offer("o2", date(2026, 11, 24))),
    "profile": lambda ws: record.set_profile(ws, Profile("Alex", "Europe/London", "GB", 3)),
    "achievement": lambda ws: record.add_achievement(
        ws, Achievement(date(2026, 11, 23), "talk", "Routing at scale", tags=("routing",))
    ),
    "skip": lambda ws: acting.skip(ws, "value-add:brightline:dana:final-panel", NOW),
    "done": lambda ws: acting.done(ws, "thank-you:brightline:dana:final-panel", NOW),
    "import": lambda ws: documents.import_document(
        ws, demo_document(NOW - timedelta(days=3)), now=NOW, force=True
    ),
}


@pytest.mark.parametrize("kind", list(WRITES))
def test_undo_puts_back_exactly_what_the_write_changed_and_redo_makes_it_again(
    store: Store, kind: str
) -> None:
    ws = _loaded(store)
    skipped = "continued-interest:northwind:sam:onsite"
    acting.skip(ws, skipped, NOW)  # a decision the undone write must not disturb
    before, plan_before = _export(ws), _statuses(ws)

    WRITES[kind](ws)
    after = _export(ws)
    assert after != before, kind  # the write did change something

    entry = history.undo(ws)
    assert entry.undone and entry.lines, entry.label
    assert _export(ws) == before
    if kind != "import":  # an import replaces decisions too; the others keep them
        assert _statuses(ws) == plan_before
        assert _statuses(ws)[skipped] == "skipped"

    history.redo(ws)
    assert _export(ws) == after


def test_undo_again_reverts_the_one_before_and_a_new_write_drops_the_redo(store: Store) -> None:
    ws = _loaded(store)
    start = _export(ws)
    WRITES["touch"](ws)
    WRITES["person"](ws)
    lines = [e.lines for e in history.history(ws)]
    assert lines[0] == ["opportunity cobalt changed (1 person added)"]
    assert lines[1] == ["opportunity northwind changed (1 touch added)"]
    history.undo(ws)
    history.undo(ws)
    assert _export(ws) == start
    assert [e.undone for e in history.history(ws)][:2] == [True, True]
    WRITES["skip"](ws)  # a new change: what was undone can no longer be redone
    with pytest.raises(NotFound, match="nothing to redo"):
        history.redo(ws)


def test_nothing_to_undo_says_so(store: Store) -> None:
    ws = Workspace.of(store)
    with pytest.raises(NotFound, match="nothing to undo"):
        history.undo(ws)
    assert history.history(ws) == []


def test_the_journal_keeps_the_last_writes_only(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(journal, "KEEP", 3)
    ws = _loaded(store)
    for n in range(5):
        record.add_touch(ws, "northwind", Touch(NOW, "sam", "email", "in", "other", summary=str(n)))
    assert [e.seq for e in history.history(ws)] == [6, 5, 4]


def test_the_command_line_undoes_and_lists_the_history(tmp_path: Path) -> None:
    cli = Cli(tmp_path / "f.db")
    cli("demo")
    cli("touch", "add", "northwind", "--person", "sam", "--summary", "quick note")
    listed = cli.json("history", "--json")
    assert (
        listed[0]["command"] == "followup touch add northwind --person sam --summary 'quick note'"
    )
    assert listed[0]["changed"] == ["opportunity northwind changed (1 touch added)"]
    assert not listed[0]["undone"]
    undone = cli("undo").stdout
    assert undone.startswith("Undid #2: followup touch add northwind")
    summaries = [
        t.get("summary")
        for o in json.loads(cli.export())["opportunities"]
        if o["id"] == "northwind"
        for t in o["touches"]
    ]
    assert "quick note" not in summaries
    assert "(undone)" in cli("history").stdout
    assert cli("redo").stdout.startswith("Redid #2")
    cli("undo")
    cli("undo")  # the demo itself
    assert json.loads(cli.export())["opportunities"] == []
    refused = cli("undo", expect=3)
    assert "nothing to undo" in refused.output


def test_skips_survive_undoing_a_touch_that_moved_the_plan(store: Store) -> None:
    ws = _loaded(store)
    decision = ActionDecision("value-add:brightline:dana:final-panel", "skipped")
    acting.skip(ws, decision.action, NOW)
    WRITES["done"](ws)
    history.undo(ws)
    assert _statuses(ws)[decision.action] == "skipped"
    assert _statuses(ws)["thank-you:brightline:dana:final-panel"] == "due"
