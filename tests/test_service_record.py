"""The use cases on a real database (SQLite, and PostgreSQL when configured): validation before
any write, one transaction each, and the rules they own (an offer moves the status, done logs
the touch that completes an action...)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest

from followup.core.model import (
    Achievement,
    Interview,
    NextStep,
    Offer,
    Opportunity,
    Person,
    Profile,
    Touch,
)
from followup.core.playbook import Playbook
from followup.errors import Conflict, InvalidDocument, NotFound, UsageError
from followup.services import acting, documents, record
from followup.services.plan import load_agenda
from followup.services.workspace import Workspace
from followup.store import Store
from test_cli_support import sample_document

NOW = datetime(2030, 3, 5, 15, 0, tzinfo=UTC)
AT = datetime(2030, 3, 4, 19, 0, tzinfo=UTC)


@pytest.fixture
def loaded(store: Store) -> Store:
    documents.import_document(Workspace.of(store), sample_document(), now=NOW)
    return store


def test_add_opportunity_person_interview(store: Store) -> None:
    record.add_opportunity(
        Workspace.of(store), Opportunity(id="acme", company="Acme", role="SRE", rank=1), now=NOW
    )
    record.add_person(
        Workspace.of(store), "acme", Person(id="dana", name="Dana Lee", role="hiring-manager")
    )
    step = NextStep(what="decision", when=date(2030, 3, 8), who="dana")
    interview = Interview(
        id="i1", at=AT, with_=("dana",), notes={"dana": "pricing"}, next_step=step
    )
    record.add_interview(Workspace.of(store), "acme", interview)

    (opp,) = store.load_facts().opportunities
    assert opp.people[0].name == "Dana Lee"
    assert opp.interviews[0] == interview


@pytest.mark.parametrize(
    ("opp", "message"),
    [
        (Opportunity(id="Bad Id", company="A", role="B"), "opportunity.id"),
        (Opportunity(id="a", company=" ", role="B"), "opportunity.company: must not be empty"),
        (Opportunity(id="a", company="A", role="B", rank=0), "opportunity.rank: 0 must be"),
        (Opportunity(id="a", company="A", role="B", status="won"), "opportunity.status"),
        (Opportunity(id="a", company="A\x00", role="B"), "cannot be stored"),
    ],
)
def test_invalid_opportunities_are_refused(store: Store, opp: Opportunity, message: str) -> None:
    with pytest.raises(UsageError) as raised:
        record.add_opportunity(Workspace.of(store), opp, now=NOW)

    assert message in str(raised.value)
    assert store.load_facts().opportunities == ()


def test_every_problem_is_reported_at_once(store: Store) -> None:
    with pytest.raises(UsageError) as raised:
        record.set_profile(
            store, Profile(name="A", timezone="Mars/Base", country="usa", weekly_target=-1)
        )

    text = str(raised.value)
    for part in ("profile.timezone", "profile.country", "profile.weekly_target"):
        assert part in text


def test_unknown_ids(loaded: Store) -> None:
    before = loaded.revision()
    touch = Touch(at=AT, person="ghost", channel="email", direction="out", kind="other")

    with pytest.raises(NotFound, match="unknown opportunity 'nope'"):
        record.add_person(Workspace.of(loaded), "nope", Person(id="x", name="X"))
    with pytest.raises(NotFound, match="unknown person 'ghost' in opportunity 'acme'"):
        record.add_touch(Workspace.of(loaded), "acme", touch)
    with pytest.raises(NotFound, match="unknown interview 'i7'"):
        record.set_next_step(
            Workspace.of(loaded), "acme", "i7", NextStep(what="x", when=date(2030, 3, 9))
        )
    with pytest.raises(Conflict):
        record.add_person(Workspace.of(loaded), "acme", Person(id="dana", name="Another Dana"))
    assert loaded.revision() == before


def test_naive_times_are_refused(store: Store) -> None:
    acme = Opportunity(id="acme", company="Acme", role="SRE")
    record.add_opportunity(Workspace.of(store), acme, now=NOW)
    record.add_person(Workspace.of(store), "acme", Person(id="dana", name="Dana"))

    with pytest.raises(UsageError, match=r"interview\.at: a time needs its time zone"):
        record.add_interview(
            store, "acme", Interview(id="i1", at=datetime(2030, 3, 4, 14), with_=("dana",))
        )


def test_offer_sets_status_only_when_active(loaded: Store) -> None:
    record.set_status(Workspace.of(loaded), "globex", "withdrawn")
    record.add_offer(Workspace.of(loaded), "acme", Offer(id="o1", received=date(2030, 3, 6)))
    record.add_offer(Workspace.of(loaded), "globex", Offer(id="o1", received=date(2030, 3, 6)))

    statuses = {o.id: o.status for o in loaded.load_facts().opportunities}
    assert statuses == {"acme": "offer", "globex": "withdrawn"}


def test_touch_and_achievement_ids_are_assigned(loaded: Store) -> None:
    touch = Touch(
        at=AT,
        person="dana",
        channel="email",
        direction="in",
        kind="other",
        states_date=date(2030, 3, 11),
    )

    first = record.add_touch(Workspace.of(loaded), "acme", touch)
    second = record.add_touch(Workspace.of(loaded), "acme", touch)
    achievement = record.add_achievement(
        loaded, Achievement(at=date(2030, 3, 1), kind="talk", title="Kafka at scale")
    )

    assert (first, second, achievement) == ("t1", "t2", "a1")


def test_ids_for_new_things() -> None:
    assert record.next_id("i", ["i1", "i2", None]) == "i3"
    assert record.person_id("Dana Lee", []) == "dana"
    assert record.person_id("Dana Lee", ["dana"]) == "dana-lee"
    assert record.person_id("Dana Lee", ["dana", "dana-lee"]) == "dana-lee-1"
    assert record.person_id("Zoë Ørsted", []) == "zoe"
    assert record.slug("  ***  ") == ""


# -- acting ----------------------------------------------------------------------------------


def test_done_skip_snooze_unskip(loaded: Store) -> None:
    database = Workspace.of(loaded)
    playbook = Playbook()

    def status(action_id: str, now: datetime = NOW) -> str:
        agenda = load_agenda(database, playbook)
        return next(a.status for a in agenda.at(now) if a.id == action_id)

    touch = acting.done(database, "thank-you:acme:dana:i1", NOW, note="thanks!")
    assert (touch.id, touch.kind, touch.summary) == ("t1", "thank-you", "thanks!")
    assert status("thank-you:acme:dana:i1") == "done"
    with pytest.raises(Conflict, match="already done"):
        acting.skip(database, "thank-you:acme:dana:i1", NOW)

    acting.skip(database, "value-add:acme:dana:i1", NOW)
    assert status("value-add:acme:dana:i1") == "skipped"
    acting.unskip(database, "value-add:acme:dana:i1", NOW)
    assert status("value-add:acme:dana:i1") != "skipped"

    until = NOW + timedelta(days=2)
    acting.snooze(database, "phone-call:acme:sam:i1", until, NOW)
    assert status("phone-call:acme:sam:i1") == "snoozed"
    assert status("phone-call:acme:sam:i1", until) == "due"
    with pytest.raises(UsageError, match="not in the future"):
        acting.snooze(database, "phone-call:acme:sam:i1", NOW, NOW)

    acting.done(database, "phone-call:acme:sam:i1", NOW)  # lifts the snooze too
    assert status("phone-call:acme:sam:i1") == "done"
    assert loaded.load_facts().decisions == ()


def test_unknown_action_points_at_the_plan(loaded: Store) -> None:
    with pytest.raises(NotFound) as raised:
        acting.skip(Workspace.of(loaded), "ghost:action", NOW)

    assert raised.value.message == "unknown action 'ghost:action'"
    assert raised.value.hint is not None
    assert "followup plan" in raised.value.hint


# -- documents -------------------------------------------------------------------------------


def test_import_is_all_or_nothing(loaded: Store) -> None:
    before = documents.export_document(Workspace.of(loaded))
    revision = loaded.revision()
    bad = sample_document()
    bad["opportunities"][0]["people"][0]["role"] = "boss"
    bad["opportunities"][1]["rank"] = 0

    with pytest.raises(InvalidDocument) as raised:
        documents.import_document(Workspace.of(loaded), bad, now=NOW, force=True)

    assert len(raised.value.problems) == 2
    assert documents.export_document(Workspace.of(loaded)) == before
    assert loaded.revision() == revision


def test_export_text_is_stable(loaded: Store) -> None:
    text = documents.dumps(documents.export_document(Workspace.of(loaded)))

    assert text.endswith("}\n")
    assert json.loads(text) == documents.export_document(Workspace.of(loaded))
    assert documents.dumps(json.loads(text)) == text


def test_read_json_names_the_place() -> None:
    with pytest.raises(InvalidDocument) as raised:
        documents.read_json("{\n\n  oops", "backup.json")

    assert raised.value.message == "backup.json is not valid JSON"
    assert raised.value.problems[0].startswith("line 3, column 3:")


def test_demo_loads_once(store: Store) -> None:
    facts = documents.load_demo(Workspace.of(store), date(2030, 3, 5), "Europe/Berlin")

    assert len(facts.opportunities) == 3
    assert store.load_facts().profile.timezone == "Europe/Berlin"
    with pytest.raises(Conflict):
        documents.load_demo(Workspace.of(store), date(2030, 3, 5), "Europe/Berlin")
