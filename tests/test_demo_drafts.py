"""The demo's drafts, read as a career coach would: each person's own context, no form letter,
each rule saying its point; and docs/drafts.md showing one real draft per rule, regenerated
from the demo at a fixed moment (``FOLLOWUP_WRITE_DOCS=1 pytest tests/test_demo_drafts.py``
rewrites it; otherwise a stale page fails)."""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from followup.config import PlaybookSource
from followup.core.interchange import parse_document
from followup.core.playbook import Playbook
from followup.core.rules import DRAFTED_RULES
from followup.demo import demo_document
from followup.drafts.guard import Message, check
from followup.drafts.render import Draft
from followup.services import articles, drafting
from followup.services.workspace import Workspace
from followup.store import open_store, sqlite_url

#: Tue 5 Mar 2030, 10:00 in New York: the morning after the final panel, an offer in hand.
NOW = datetime(2030, 3, 5, 15, tzinfo=UTC)
DOCS = Path(__file__).resolve().parents[1] / "docs" / "drafts.md"
BEGIN, END = "<!-- demo drafts: begin -->", "<!-- demo drafts: end -->"
RECRUITERS = {"marcus", "jordan", "luis"}


def _drafts(tmp_path: Path, accept_cobalt: bool = False) -> dict[str, Draft]:
    """Every draft of the demo's plan at ``NOW`` (pending and done), by action id."""
    doc = demo_document(NOW)
    if accept_cobalt:  # the candidate took Cobalt's offer: the others hear a withdrawal
        cobalt = next(o for o in doc["opportunities"] if o["id"] == "cobalt")  # type: ignore[union-attr,index]
        cobalt["status"] = "accepted"
        cobalt["offers"][0].update(decision="accepted", decided=NOW.isoformat())
    facts, problems = parse_document(doc)
    assert facts is not None, problems
    store = open_store(sqlite_url(tmp_path / f"demo-{accept_cobalt}.db"))
    try:
        with store.unit_of_work() as uow:
            uow.replace_all(facts)
        ws = Workspace.of(store, PlaybookSource.of(Playbook()))
        articles.import_feeds(ws, [articles.sample_feed()], NOW)
        desk = drafting._Desk(ws, NOW, None)
        return {
            a.id: desk.draft(a)
            for a in desk.actions
            if a.rule in DRAFTED_RULES and a.person is not None
        }
    finally:
        store.close()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Draft]:
    path = tmp_path_factory.mktemp("demo")
    found = _drafts(path)
    found.update(
        {k: v for k, v in _drafts(path, accept_cobalt=True).items() if k.startswith("withdrawal")}
    )
    return found


def test_the_guard_flags_none_of_the_demos_drafts(demo: dict[str, Draft]) -> None:
    written = [d for d in demo.values() if d.channel != "phone"]
    assert len(written) >= 15
    messages = [
        Message(d.action, ":".join(d.action.split(":")[1:3]), d.action.split(":")[1], d.body)
        for d in written
    ]
    assert check(messages) == []


def test_every_rule_has_a_real_draft_in_the_demo(demo: dict[str, Draft]) -> None:
    assert {d.rule for d in demo.values()} == set(DRAFTED_RULES)


def test_no_one_is_thanked_for_a_meeting_they_were_not_in(demo: dict[str, Draft]) -> None:
    for d in demo.values():
        if d.action.split(":")[2] in RECRUITERS:
            text = d.body.lower()
            assert "thank you for your time at" not in text, d.action
            assert not re.search(r"thank (them|you) (again )?for the ", text), d.action
            assert not re.search(r"\bour (final|onsite|screen|first|panel)", text), d.action


def test_no_keyword_lists_or_generic_subjects(demo: dict[str, Draft]) -> None:
    for d in demo.values():
        assert "An article for you" not in d.subject
        assert "The part on" not in d.body
        assert "(you " not in d.body and "(we " not in d.body  # clauses are sentences
        assert ": “" not in d.body.split("\n")[2] if d.rule == "set-apart" else True
    adds = [d for d in demo.values() if d.rule == "value-add"]
    assert adds and all(d.subject.startswith("After our ") for d in adds)


def test_first_choice_only_to_the_top_ranked_employer(demo: dict[str, Draft]) -> None:
    dana = demo["counter-offer:brightline:dana:cobalt.offer"].body
    sam = demo["counter-offer:northwind:sam:cobalt.offer"].body
    assert "Brightline Health is your first choice" in dana
    assert "first choice" not in sam and "one of your top choices" in sam
    for body in (dana, sam):  # the offer's expiry once, the answer asked for once
        assert body.count("Monday 11 March") == 1
        assert body.count("let you know by Wednesday 6 March") == 1


def test_continued_interest_brings_something_new(demo: dict[str, Draft]) -> None:
    for aid, d in demo.items():
        if d.rule != "continued-interest":
            continue
        thanks = demo.get(aid.replace("continued-interest", "thank-you"))
        assert thanks is not None
        first_lines = {x for x in thanks.body.splitlines()[2:-3] if len(x.split()) > 6}
        assert not first_lines & set(d.body.splitlines()), aid  # no restated sentence


# --- docs/drafts.md ---------------------------------------------------------------------------

#: The draft shown for each rule (the first when several exist).
SHOWN = {
    "thank-you": "thank-you:brightline:tom:final-panel",
    "value-add": "value-add:northwind:sam:onsite",
    "phone-call": "phone-call:northwind:sam:onsite",
    "continued-interest": "continued-interest:northwind:sam:onsite",
    "cycle": "cycle:northwind:mei:",
    "callback": "callback:northwind:jordan:jordan-callback",
    "still-in-running": "still-in-running:brightline:marcus:once",
    "counter-offer": "counter-offer:brightline:dana:cobalt.offer",
    "set-apart": "set-apart:brightline:dana:discharge-article",
    "next-step": "next-step:brightline:marcus:final-panel",
    "withdrawal": "withdrawal:northwind:",
}


def _section(demo: dict[str, Draft]) -> str:
    parts = [
        BEGIN,
        "",
        "Generated by `tests/test_demo_drafts.py` from `followup demo` as it stands on Tuesday "
        "5 March 2030 at 10:00 in New York (the withdrawal: after accepting Cobalt Pay's offer).",
    ]
    for rule in DRAFTED_RULES:
        d = next(v for k, v in sorted(demo.items()) if k.startswith(SHOWN[rule]))
        text = f"Subject: {d.subject}\n\n{d.body}" if d.subject else d.body
        parts += ["", f"### {rule} (`{d.action}`)", "", "```text", text.rstrip(), "```"]
    parts += ["", END]
    return "\n".join(parts)


def test_docs_show_one_real_draft_per_rule(demo: dict[str, Draft]) -> None:
    page = DOCS.read_text(encoding="utf-8")
    fresh = _section(demo)
    if os.environ.get("FOLLOWUP_WRITE_DOCS") == "1":
        before, _, rest = page.partition(BEGIN)
        _, _, after = rest.partition(END)
        DOCS.write_text(before + fresh + after, encoding="utf-8")
        page = DOCS.read_text(encoding="utf-8")
    assert fresh in page, "docs/drafts.md is stale: FOLLOWUP_WRITE_DOCS=1 pytest " + __file__
