"""A person's topics: what the drafts should mention to them, in the user's own words (issue
12): set from the command line, the web page and the interchange document, and used by every
draft to that person instead of topics taken from the interview notes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from followup.core.interchange import dump_document, parse_document
from test_cli_support import Cli, sample_document


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    run = Cli(tmp_path / "f.db")
    run.load(folder=tmp_path)
    return run


def _dana(cli: Cli) -> dict[str, object]:
    return json.loads(cli.export())["opportunities"][0]["people"][0]


def test_topics_lead_the_drafts_to_that_person(cli: Cli) -> None:
    before = cli.json("draft", "thank-you:acme:dana:i1", "--json")["body"]
    assert "Kafka" in before  # from the interview notes
    cli("person", "edit", "acme", "dana", "--topic", "the billing cut-over in Q3")
    assert _dana(cli)["topics"] == ["the billing cut-over in Q3"]
    body = cli.json("draft", "thank-you:acme:dana:i1", "--json")["body"]
    assert "the billing cut-over in Q3" in body
    assert "“the billing cut-over in Q3”" not in body  # the user's words, not a quote
    sam = cli.json("draft", "thank-you:acme:sam:i1", "--json")["body"]
    assert "billing cut-over" not in sam  # only to that person


def test_person_add_takes_topics_and_refuses_too_many(cli: Cli) -> None:
    cli("person", "add", "acme", "--name", "Lee Park", "--role", "panel", "--topic", "HL7 feeds")
    people = json.loads(cli.export())["opportunities"][0]["people"]
    assert people[-1]["topics"] == ["HL7 feeds"]
    many = [a for n in range(6) for a in ("--topic", f"topic {n}")]
    refused = cli("person", "edit", "acme", "dana", *many, expect=2)
    assert "--topic" in refused.stderr and "at most 5 topics" in refused.stderr
    cli("person", "edit", "acme", "dana", "--topic", "x", "--json")
    cleared = cli.json("person", "edit", "acme", "dana", "--topic", "", "--json")
    assert "topics" not in cleared  # an empty --topic clears the list


def test_topics_are_in_version_2_documents_only() -> None:
    document = sample_document() | {"version": 2}
    document["opportunities"][0]["people"][0]["topics"] = ["pricing", "the Q3 launch"]
    facts, problems = parse_document(document)
    assert problems == [] and facts is not None
    assert facts.opportunities[0].people[0].topics == ("pricing", "the Q3 launch")
    assert dump_document(facts)["opportunities"][0]["people"][0]["topics"] == [  # type: ignore[index]
        "pricing",
        "the Q3 launch",
    ]
    assert "topics" not in dump_document(facts, 1)["opportunities"][0]["people"][0]  # type: ignore[index]
    document["opportunities"][0]["people"][0]["topics"] = ["x" * 121, " "]
    _, problems = parse_document(document)
    assert [p.path for p in problems] == [
        "opportunities[0].people[0].topics[0]",
        "opportunities[0].people[0].topics[1]",
    ]


def test_the_web_edit_form_takes_one_topic_per_line(tmp_path: Path) -> None:
    from test_web import make_client, token
    from test_web_editing import _form_values

    with make_client(f"sqlite:///{tmp_path / 'w.db'}", demo=True) as client:
        url = "/opportunities/brightline/people/dana/edit"
        assert 'name="topics"' in client.get(url).text
        values = _form_values(client, url)
        values |= {"csrf_token": token(client), "topics": "care coordination, at scale\nHL7"}
        saved = client.post(url, data=values, follow_redirects=False)
        assert saved.status_code in (200, 303), saved.text[:300]
        dana = client.get("/api/opportunities/brightline").json()["people"][0]
        assert dana["topics"] == ["care coordination, at scale", "HL7"]
