"""Correcting the record (services.editing): edit and remove every kind of fact, on SQLite and
PostgreSQL, with the interchange document's checks, stable ids and one undo per change."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from followup.core.interchange import dump_document
from followup.errors import Conflict, Dependents, InvalidInput, NotFound, UsageError
from followup.services import acting, documents, editing, history
from followup.services.workspace import Workspace
from followup.store import Store

NOW = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)


def _loaded(store: Store) -> Workspace:
    ws = Workspace.of(store)
    documents.load_demo(ws, NOW, "America/New_York")
    return ws


def _doc(ws: Workspace) -> dict:
    return dump_document(ws.facts())


def _opp(ws: Workspace, opp_id: str) -> dict:
    return next(o for o in _doc(ws)["opportunities"] if o["id"] == opp_id)


def _export(ws: Workspace) -> str:
    return json.dumps(_doc(ws), sort_keys=True)


def test_edit_a_person_normalises_the_address_and_keeps_everything_else(store: Store) -> None:
    ws = _loaded(store)
    before = _opp(ws, "brightline")
    edited = editing.edit(
        ws,
        "person",
        ["brightline", "dana"],
        {"email": " Dana.Lee@Brightline.EXAMPLE ", "key": True},
    )
    assert edited["email"] == "Dana.Lee@brightline.example"  # the domain is lower-cased
    assert edited["key"] is True
    after = _opp(ws, "brightline")
    assert [p["id"] for p in after["people"]] == [p["id"] for p in before["people"]]
    assert after["interviews"] == before["interviews"]
    assert after["touches"] == before["touches"]
    # the opportunity keeps its place in the list
    assert [o["id"] for o in _doc(ws)["opportunities"]] == ["brightline", "northwind", "cobalt"]


def test_a_bad_value_names_its_field_and_writes_nothing(store: Store) -> None:
    ws = _loaded(store)
    before = _export(ws)
    with pytest.raises(InvalidInput) as caught:
        editing.edit(ws, "person", ["brightline", "dana"], {"email": "not-an-email"})
    assert [p.path for p in caught.value.problems] == ["person.email"]
    with pytest.raises(InvalidInput) as caught:
        editing.edit(ws, "touch", ["brightline", "screen-call"], {"channel": "pigeon"})
    assert [p.path for p in caught.value.problems] == ["touch.channel"]
    assert "pigeon" in caught.value.problems[0].message
    with pytest.raises(InvalidInput) as caught:
        editing.edit(ws, "interview", ["brightline", "screen"], {"with": ["dana", "nobody"]})
    assert caught.value.problems[0].path.startswith("interview.with")
    with pytest.raises(InvalidInput) as caught:
        editing.edit(ws, "opportunity", ["brightline"], {"id": "other", "colour": "red"})
    assert {p.path for p in caught.value.problems} == {"opportunity.id", "opportunity.colour"}
    with pytest.raises(UsageError, match="nothing to change"):
        editing.edit(ws, "offer", ["cobalt", "offer"], {})
    assert _export(ws) == before
    assert len(history.history(ws)) == 1  # the demo's load only: a refused edit is not journalled


def test_times_without_an_offset_are_read_in_the_profiles_zone(store: Store) -> None:
    ws = _loaded(store)
    edited = editing.edit(
        ws, "interview", ["northwind", "onsite"], {"at": "2026-11-20T09:30", "kind": "onsite, 4h"}
    )
    assert edited["at"] == "2026-11-20T09:30-05:00"  # New York in November
    assert edited["kind"] == "onsite, 4h"


def test_null_clears_a_field_and_objects_merge(store: Store) -> None:
    ws = _loaded(store)
    edited = editing.edit(
        ws, "interview", ["northwind", "onsite"], {"notes": {"sam": "roadmap for 2027"}}
    )
    assert edited["notes"]["sam"] == "roadmap for 2027"
    assert "mei" in edited["notes"]  # the other person's notes stay
    edited = editing.edit(ws, "interview", ["northwind", "onsite"], {"next_step": None})
    assert "next_step" not in edited


def test_editing_an_interview_time_moves_its_plan_and_undo_puts_it_back(store: Store) -> None:
    ws = _loaded(store)
    before = _export(ws)
    windows = {a.id: a.window_start for a in ws.agenda().at(NOW)}
    editing.edit(ws, "interview", ["brightline", "final-panel"], {"at": "2026-11-23T10:00-05:00"})
    moved = {a.id: a.window_start for a in ws.agenda().at(NOW)}
    thank_you = "thank-you:brightline:dana:final-panel"
    assert moved[thank_you] != windows[thank_you]  # re-planned from the new time
    entry = history.undo(ws)
    assert "brightline" in " ".join(entry.lines)
    assert _export(ws) == before
    assert {a.id: a.window_start for a in ws.agenda().at(NOW)} == windows


def test_an_unchanged_edit_writes_nothing(store: Store) -> None:
    ws = _loaded(store)
    count = len(history.history(ws))
    same = _opp(ws, "cobalt")["company"]
    editing.edit(ws, "opportunity", ["cobalt"], {"company": same})
    assert len(history.history(ws)) == count


def test_edit_an_achievement_and_the_opportunity_itself(store: Store) -> None:
    ws = _loaded(store)
    edited = editing.edit(ws, "achievement", ["discharge-article"], {"tags": ["routing", "ops"]})
    assert edited["tags"] == ["routing", "ops"]
    edited = editing.edit(ws, "opportunity", ["northwind"], {"rank": 2, "source": None})
    assert edited["rank"] == 2 and "source" not in edited
    assert "people" not in edited  # the opportunity's own fields only
    with pytest.raises(NotFound, match="unknown achievement 'nope'"):
        editing.edit(ws, "achievement", ["nope"], {"title": "x"})
    with pytest.raises(NotFound, match=r"unknown touch 'nope'.*known: screen-thanks"):
        editing.edit(ws, "touch", ["brightline", "nope"], {"summary": "x"})


def test_removing_a_person_named_elsewhere_refuses_then_cascades(store: Store) -> None:
    ws = _loaded(store)
    before = _export(ws)
    with pytest.raises(Dependents) as caught:
        editing.remove(ws, "person", ["northwind", "mei"])
    assert caught.value.dependents == ["interview 'onsite'", "touch 'onsite-thanks-mei'"]
    assert "--cascade" in (caught.value.hint or "")
    assert _export(ws) == before
    gone = editing.remove(ws, "person", ["northwind", "mei"], cascade=True)
    assert gone[0].startswith("person 'mei'")
    assert "touch 'onsite-thanks-mei'" in gone
    opp = _opp(ws, "northwind")
    assert [p["id"] for p in opp["people"]] == ["sam", "jordan"]
    onsite = opp["interviews"][0]
    assert onsite["with"] == ["sam"] and "mei" not in onsite["notes"]
    assert all(t["person"] != "mei" for t in opp["touches"])
    assert all(a.person != "mei" for a in ws.agenda().at(NOW) if a.opportunity == "northwind")
    history.undo(ws)
    assert _export(ws) == before


def test_an_interview_left_with_nobody_goes_with_its_only_person(store: Store) -> None:
    ws = _loaded(store)
    gone = editing.remove(ws, "person", ["brightline", "dana"], cascade=True)
    assert "interview 'screen' (nobody else was in it)" in gone
    opp = _opp(ws, "brightline")
    assert [i["id"] for i in opp["interviews"]] == ["final-panel"]


def test_remove_touches_offers_interviews_achievements_and_opportunities(store: Store) -> None:
    ws = _loaded(store)
    before = _export(ws)
    assert editing.remove(ws, "touch", ["cobalt", "final-article", "final-interest"]) == [
        "touch 'final-article'",
        "touch 'final-interest'",
    ]
    assert editing.remove(ws, "offer", ["cobalt", "offer"]) == ["offer 'offer'"]
    assert editing.remove(ws, "interview", ["cobalt", "first-round"]) == ["interview 'first-round'"]
    assert editing.remove(ws, "achievement", ["discharge-article"])[0].startswith("achievement")
    with pytest.raises(Dependents, match="holds 3 people, 1 interview and 6 touches"):
        editing.remove(ws, "opportunity", ["northwind", "brightline"])
    gone = editing.remove(ws, "opportunity", ["northwind"], cascade=True)
    assert gone[0].startswith("opportunity 'northwind' (") and gone[1:] == [
        "3 people",
        "1 interview",
        "6 touches",
    ]
    assert [o["id"] for o in _doc(ws)["opportunities"]] == ["brightline", "cobalt"]
    with pytest.raises(NotFound):
        editing.remove(ws, "touch", ["cobalt", "final-article"])
    for _ in range(5):
        history.undo(ws)
    assert _export(ws) == before


def test_undone_takes_back_a_done_and_keeps_its_id(store: Store) -> None:
    ws = _loaded(store)
    action = "thank-you:brightline:dana:final-panel"
    acting.done(ws, action, NOW)
    assert {a.id: a.status for a in ws.agenda().at(NOW)}[action] == "done"
    touch_id = editing.undone(ws, action)
    assert touch_id.startswith("t")
    assert {a.id: a.status for a in ws.agenda().at(NOW)}[action] != "done"
    assert all(t.get("completes") is None for t in _opp(ws, "brightline")["touches"])
    with pytest.raises(Conflict, match="not marked done"):
        editing.undone(ws, action)
    with pytest.raises(NotFound):
        editing.undone(ws, "thank-you:nowhere:nobody:x")


def test_a_removed_offer_takes_the_counter_offers_it_gave_the_others(store: Store) -> None:
    """The other employers' plans read an opportunity's offers: correcting a person re-plans
    that opportunity only, removing the offer re-plans theirs too (no counter-offer call)."""
    ws = _loaded(store)
    call = "counter-offer:brightline:dana:cobalt.offer"
    before = {a.id: (a.window_start, a.status) for a in ws.agenda().at(NOW)}
    assert call in before
    editing.edit(ws, "person", ["cobalt", "rachel"], {"phone": "+1 212 555 0100"})
    assert {a.id: (a.window_start, a.status) for a in ws.agenda().at(NOW)} == before
    editing.remove(ws, "offer", ["cobalt", "offer"])
    after = {a.id for a in ws.agenda().at(NOW)}
    assert call not in after and not any(a.startswith("counter-offer:") for a in after)
