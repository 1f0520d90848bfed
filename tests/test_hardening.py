"""Regressions of the hardening issue that are not about mail (see test_hardening_mail.py): an
open action can always be marked done, and a double click completes an action once."""

from __future__ import annotations

import json
import random
import threading
from datetime import datetime

import pytest

import bench_scripts
from followup.errors import Conflict
from followup.services import acting, documents
from followup.services.workspace import Workspace
from followup.store import Store

NOW = datetime.fromisoformat("2026-11-29T10:00:00+00:00")
DOABLE = ("thank-you", "value-add", "phone-call", "continued-interest", "cycle", "callback")


def _generated(store: Store, n: int = 60) -> Workspace:
    generate = bench_scripts.load("generate").generate
    document = json.loads(json.dumps(generate(n, seed=3, now=NOW)))
    ws = Workspace.of(store)
    documents.import_document(ws, document, now=NOW)
    return ws


def test_every_open_action_whose_window_has_begun_can_be_marked_done(store: Store) -> None:
    """An overdue thank-you whose interview is long past was refused as if it opened later
    ("opens 2026-10-06…"): each open action that has begun must be accepted by `done`."""
    ws = _generated(store)
    open_ = [
        a
        for a in ws.agenda().at(NOW)
        if a.rule in DOABLE and a.status in ("due", "overdue", "missed")
    ]
    assert len(open_) > 30  # the data has plenty of them
    for action in random.Random(7).sample(open_, 30):  # noqa: S311 - a fixed sample
        touch = acting.done(ws, action.id, NOW)
        assert touch.completes == action.id
    statuses = {a.id: a.status for a in ws.agenda().at(NOW)}
    assert sum(statuses[a.id] == "done" for a in open_) >= 30


def test_two_dones_of_one_action_at_once_log_one_touch(store: Store) -> None:
    """A double click (two requests at the same moment) completes an action once; the other
    is told it is already done."""
    ws = _generated(store, 10)
    action = next(a for a in ws.agenda().at(NOW) if a.rule == "thank-you" and a.status != "done")
    results: list[object] = []
    start = threading.Barrier(4)

    def click() -> None:
        start.wait()
        try:
            results.append(acting.done(ws, action.id, NOW))
        except Conflict as error:
            results.append(error)
        except Exception as error:
            results.append(error)

    threads = [threading.Thread(target=click) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    done = [r for r in results if not isinstance(r, Exception)]
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(done) == 1, results
    assert all(isinstance(r, Conflict) and "already done" in str(r) for r in refused), refused
    opp = ws.facts().opportunity(action.opportunity or "")
    assert opp is not None
    assert sum(t.completes == action.id for t in opp.touches) == 1


def test_a_document_completing_one_action_twice_is_refused(store: Store) -> None:
    from followup.core.interchange import parse_document

    ws = _generated(store, 3)
    action = next(a for a in ws.agenda().at(NOW) if a.rule == "thank-you")
    acting.done(ws, action.id, NOW)
    from followup.core.interchange import dump_document

    document = dump_document(ws.facts())
    opp = next(o for o in document["opportunities"] if o["id"] == action.opportunity)
    logged = next(t for t in opp["touches"] if t.get("completes", {}).get("action") == action.id)
    opp["touches"].append(dict(logged, id="again"))
    facts, problems = parse_document(document)
    assert facts is None
    assert any("completes" in p.path and "already" in p.message for p in problems), problems


def test_last_weeks_weekly_action_is_said_to_be_over_not_unknown(store: Store) -> None:
    """A page shown on Sunday evening, its "keep searching" skipped after midnight: the answer
    says the week is over and names this week's action (it was "unknown action")."""
    from datetime import timedelta

    from followup.services.workspace import Workspace

    ws = Workspace.of(store)
    documents.load_demo(ws, NOW, "America/New_York")
    sunday = NOW + timedelta(days=(6 - NOW.weekday()) % 7)
    evening = sunday.replace(hour=23, minute=59, tzinfo=ws.agenda().tz)
    shown = [a for a in ws.agenda().at(evening) if a.rule == "keep-searching"]
    assert shown, "the demo's applications fall short of the weekly target"
    after_midnight = evening + timedelta(minutes=2)
    this_week = [a for a in ws.agenda().at(after_midnight) if a.rule == "keep-searching"]
    with pytest.raises(Conflict, match="was last week's: that week is over") as refused:
        acting.skip(ws, shown[0].id, after_midnight)
    assert this_week and this_week[0].id in (refused.value.hint or "")
