"""Drafts: personal to each person, every rule renders, no clichés, no silent form letter,
user templates win, hostile notes stay plain text. Real SQLite and PostgreSQL stores."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from draft_facts import NOTES, NOW, OWN_WORDS, document
from followup.config import PlaybookSource
from followup.core.interchange import parse_document
from followup.core.model import Action, Facts
from followup.core.playbook import Playbook
from followup.core.rules import DRAFTED_RULES
from followup.drafts.context import gather
from followup.drafts.render import CLICHES, environment, render
from followup.errors import UsageError
from followup.services import drafting
from followup.services.workspace import Workspace
from followup.store import Store

PLAYBOOK = PlaybookSource.of(Playbook())


def _facts(doc: dict | None = None) -> Facts:
    facts, problems = parse_document(doc or document())
    assert facts is not None, problems
    return facts


def _load(store: Store, doc: dict | None = None) -> Workspace:
    with store.unit_of_work() as uow:
        uow.replace_all(_facts(doc))
    return Workspace.of(store)


def _action(rule: str, person: str, anchor: str, channel: str = "email", opp: str = "brightwave"):
    return Action(
        f"{rule}:{opp}:{person}:{anchor}",
        rule,
        opp,
        person,
        channel,
        NOW,
        NOW + timedelta(days=1),
        "due",
        "reason",
    )


#: One action per rule (and per channel where a rule can be a call or a message).
EVERY_RULE = [
    _action("thank-you", "owen", "panel"),
    _action("value-add", "nadia", "panel"),
    _action("phone-call", "nadia", "panel", "phone"),
    _action("continued-interest", "nadia", "panel"),
    _action("cycle", "lucia", "20300310T1500Z"),
    _action("cycle", "lucia", "20300320T1500Z", "phone"),
    _action("callback", "ravi", "panel-next", "phone"),
    _action("callback", "ravi", "panel-next"),
    _action("still-in-running", "ravi", "once"),
    _action("still-in-running", "ravi", "once", "phone"),
    _action("counter-offer", "nadia", "harbor.offer", "phone"),
    _action("counter-offer", "nadia", "harbor.offer"),
    _action("set-apart", "nadia", "talk"),
    _action("next-step", "ravi", "panel", "any"),
    _action("withdrawal", "ravi", "harbor.offer"),
]


def _render(action: Action, facts: Facts, config_dir: Path | None = None):
    got = gather(action, facts, NOW, [])
    return render(environment(config_dir), action.id, got.data, got.warnings, "to")


def test_every_rule_has_a_template_that_renders() -> None:
    facts = _facts()
    assert {a.rule for a in EVERY_RULE} == set(DRAFTED_RULES)
    for action in EVERY_RULE:
        draft = _render(action, facts)
        assert draft.body.strip(), action.id
        assert "Jamie Rivera" in draft.body or action.rule == "still-in-running", action.id
        if action.channel in ("email", "any"):
            assert draft.subject, action.id
            assert draft.body.startswith("Hi "), action.id
            assert draft.body.rstrip().endswith("Jamie Rivera"), action.id
        else:
            assert draft.subject == "" and "talking points" in draft.body, action.id
        lines = draft.body.splitlines()
        assert not [x for x in lines if "  " in x or x != x.strip()], action.id
        assert "\n\n\n" not in draft.body


def test_no_draft_uses_a_cliche() -> None:
    facts = _facts()
    for action in EVERY_RULE:
        draft = _render(action, facts)
        lowered = f"{draft.subject}\n{draft.body}".lower()
        assert not [c for c in CLICHES if c in lowered], action.id
        assert not [w for w in draft.warnings if "cliché" in w]


def test_each_thank_you_names_that_persons_topics_and_no_one_elses(store: Store) -> None:
    database = _load(store)
    drafts, report = drafting.pending_drafts(database, NOW)
    thanks = {
        d.action.split(":")[2]: d
        for d in drafts
        if d.rule == "thank-you" and d.action.startswith("thank-you:brightwave:")
    }
    assert set(thanks) == {"nadia", "owen", "lucia"}  # the recruiter has no vote
    for person, draft in thanks.items():
        body = draft.body
        assert any(w in body for w in OWN_WORDS[person]), (person, body)
        others = [w for p, ws in OWN_WORDS.items() if p != person for w in ws]
        assert not [w for w in others if w in body], (person, body)
        assert body.startswith(f"Hi {draft.to.split('@')[0].capitalize()},")
        assert body.rstrip().endswith("Jamie Rivera")
        assert draft.warnings == [], draft.warnings
        assert len(body.split()) < 140  # concise
    assert report.flags == []  # the built-in letters are not form letters


def _planned(facts: Facts, action_id: str) -> Action:
    from followup.core.planner import plan

    return next(a for a in plan(facts, Playbook(), NOW) if a.id == action_id)


def test_the_counter_offer_names_the_first_choice_and_the_date_the_plan_says() -> None:
    facts = _facts()
    action = _planned(facts, "counter-offer:brightwave:nadia:harbor.offer")
    draft = _render(action, facts)
    assert "Brightwave Freight is my first choice" in draft.body  # ranked first of all
    assert "Friday 8 March" in draft.body  # the other offer's expiry
    # the answer asked for: the day the reason gives, in the draft too
    assert "their answer by Wed 6 Mar" in action.reason
    assert "let you know by Wednesday 6 March" in draft.body  # a call: talking points


def test_only_the_top_ranked_employer_hears_first_choice() -> None:
    doc = document()
    doc["opportunities"].append(
        {
            "id": "cobalt",
            "company": "Cobalt Pay",
            "role": "PM",
            "rank": 1,
            "people": [{"id": "rae", "name": "Rae Kim", "role": "hiring-manager"}],
        }
    )
    doc["opportunities"][0]["rank"] = 2  # Brightwave, now second
    doc["opportunities"][1]["rank"] = 3  # Harbor, which made the offer
    facts = _facts(doc)
    action = _planned(facts, "counter-offer:brightwave:nadia:harbor.offer")
    draft = _render(action, facts)
    assert "first choice" not in draft.body and "first choice" not in action.reason
    assert "Brightwave Freight is one of my top choices" in draft.body
    assert action.reason.startswith("Tell Nadia Haddad (hiring manager) they are one of your top")


def test_set_apart_names_the_achievement_and_why_it_matters() -> None:
    draft = _render(_action("set-apart", "nadia", "talk"), _facts())
    assert "gave a talk" in draft.body and "Cutting onboarding churn for shippers" in draft.body
    assert "churn in the first 60 days" in draft.body.lower()


def test_still_in_running_asks_once_with_the_decision_date() -> None:
    draft = _render(_action("still-in-running", "ravi", "once"), _facts())
    assert "Friday 15 March" in draft.body
    assert draft.body.count("?") == 1


def test_a_thank_you_without_notes_says_so_and_warns() -> None:
    doc = document()
    del doc["opportunities"][0]["interviews"][0]["notes"]["owen"]
    draft = _render(_action("thank-you", "owen", "panel"), _facts(doc))
    assert "[Personal part missing: no notes were recorded for Owen." in draft.body
    assert any("no notes for Owen Price" in w for w in draft.warnings)
    assert "Windows CE" not in draft.body and "carrier" not in draft.body


def test_a_user_template_overrides_the_built_in_one(tmp_path: Path) -> None:
    folder = tmp_path / "config" / "templates"
    folder.mkdir(parents=True)
    (folder / "thank-you.txt").write_text(
        "Subject: Thanks, {{ person.first_name }}\n\nDear {{ person.name }}: {{ topics[0] }}.\n",
        encoding="utf-8",
    )
    draft = _render(_action("thank-you", "owen", "panel"), _facts(), tmp_path / "config")
    assert draft.subject == "Thanks, Owen"
    assert draft.body.startswith("Dear Owen Price: we talked about moving the warehouse scanners")
    assert draft.template.endswith("thank-you.txt")
    other = _render(_action("value-add", "nadia", "panel"), _facts(), tmp_path / "config")
    assert other.template == "built-in"


def test_a_broken_user_template_is_a_clear_error(tmp_path: Path) -> None:
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "thank-you.txt").write_text("Hi {{ person.first_name }\n", encoding="utf-8")
    with pytest.raises(UsageError, match=r"thank-you\.txt, line 1 is broken"):
        _render(_action("thank-you", "owen", "panel"), _facts(), tmp_path)
    (folder / "thank-you.txt").write_text("Hi {{ person.nickname }}\n", encoding="utf-8")
    with pytest.raises(UsageError, match="nickname"):
        _render(_action("thank-you", "owen", "panel"), _facts(), tmp_path)


def test_the_sandbox_refuses_unsafe_template_code(tmp_path: Path) -> None:
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "thank-you.txt").write_text(
        "{{ person.__class__.__mro__[1].__subclasses__() }}\n", encoding="utf-8"
    )
    with pytest.raises(UsageError, match="failed"):
        _render(_action("thank-you", "owen", "panel"), _facts(), tmp_path)


HOSTILE = (
    "{{ 7 * 7 }} and {% for x in range(3) %}loop{% endfor %}; "
    "<script>alert('x')</script> &amp; {{ person.__class__ }}"
)


def test_hostile_text_in_notes_and_names_comes_out_as_written() -> None:
    doc = document()
    doc["opportunities"][0]["interviews"][0]["notes"]["owen"] = HOSTILE
    doc["opportunities"][0]["people"][1]["name"] = "{{ sender }} <b>Owen</b>"
    draft = _render(_action("thank-you", "owen", "panel"), _facts(doc))
    assert "{{ 7 * 7 }}" in draft.body and "49" not in draft.body
    assert "{% for x in range(3) %}loop{% endfor %}" in draft.body
    assert "<script>alert('x')</script>" in draft.body  # plain text: not escaped here
    assert "&lt;" not in draft.body
    assert draft.body.startswith("Hi {{,")  # the name's first word, as written


def test_notes_become_second_person() -> None:
    draft = _render(_action("thank-you", "nadia", "panel"), _facts())
    assert "your biggest worry" in draft.body
    assert "you want onboarding measured" in draft.body


def test_drafts_cover_every_pending_message_of_the_demo(store: Store) -> None:
    from followup.demo import demo_document

    doc = demo_document(NOW)  # a Tuesday morning: the panel's thank-yous are due
    database = _load(store, doc)
    drafts, report = drafting.pending_drafts(database, NOW)
    rules = {d.rule for d in drafts}
    # the follow-up calls are the counter-offer calls and the callback on the recruiter's date
    assert {"thank-you", "counter-offer", "value-add"} <= rules
    assert any(d.body.startswith("Call ") for d in drafts)  # a call has its talking points
    assert report.flags == [], [(f.first, f.second, f.similarity) for f in report.flags]
    people = {p["id"]: p["name"] for o in doc["opportunities"] for p in o["people"]}
    for d in drafts:
        assert "{" not in d.body and "}" not in d.body
        if d.channel != "phone":
            first = people[d.action.split(":")[2]].split()[0]
            assert d.body.startswith(f"Hi {first},\n"), d.body


def test_notes_missing_for_every_person_warn_on_each_personal_draft(store: Store) -> None:
    doc = document()
    doc["opportunities"][0]["interviews"][0]["notes"] = {}
    database = _load(store, doc)
    drafts, _ = drafting.pending_drafts(database, NOW)
    thanks = [d for d in drafts if d.action.startswith("thank-you:brightwave:")]
    assert len(thanks) == 3
    assert all(any("no notes" in w for w in d.warnings) for d in thanks)


def test_notes_are_not_needed_for_a_thank_you_to_compare(store: Store) -> None:
    """Notes for another person never leak: each person's note is looked up by their id."""
    database = _load(store)
    draft = drafting.draft(database, "thank-you:brightwave:lucia:panel", NOW)
    assert "carrier invoices" in draft.body
    assert NOTES["owen"][:20].lower() not in draft.body.lower()


def test_a_folded_set_apart_rides_along_with_its_host_touch(store: Store) -> None:
    database = _load(store)
    drafts, _ = drafting.pending_drafts(database, NOW)
    by_id = {d.action: d for d in drafts}
    assert "set-apart:brightwave:nadia:talk" not in by_id  # no message of its own
    # Nadia's follow-up call is her counter-offer call (no place for a talk): the talk rides
    # along with the next touch to her, the article
    assert "phone-call:brightwave:nadia:panel" not in by_id
    article = by_id["value-add:brightwave:nadia:panel"]
    assert "P.S. I recently gave a talk, “Cutting onboarding churn for shippers”" in article.body


def test_postscript_in_a_written_host() -> None:
    got = gather(_action("thank-you", "nadia", "panel"), _facts(), NOW, [], ["talk"])
    draft = render(environment(None), "x", got.data, got.warnings, "to")
    assert draft.body.rstrip().endswith(
        "P.S. I recently gave a talk, “Cutting onboarding churn for shippers”; it grew out of the "
        "same question as our talk, where you mentioned that churn in the first 60 days is your "
        "biggest worry."
    )


def test_a_part_left_to_fill_in_carries_a_warning() -> None:
    draft = _render(_action("cycle", "lucia", "20300310T1500Z"), _facts())
    assert "carrier invoices by hand" in draft.body
    (warning,) = draft.warnings
    assert warning.startswith("has a part for you to fill in: [One new idea")
    no_article = _render(_action("value-add", "nadia", "panel"), _facts())
    assert [w for w in no_article.warnings if "no article on your reading list" in w]
    assert not [w for w in no_article.warnings if "fill in" in w]  # one warning per gap
