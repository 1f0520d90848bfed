"""The benchmark generator makes valid, realistic, reproducible interchange documents.

The benchmarks are only as good as their data: a document the importer refuses, or one with no
history to plan from, would time the wrong thing.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import datetime, timedelta

import pytest

import bench_scripts
from followup.core.interchange import parse_document

NOW = datetime.fromisoformat("2024-11-04T16:30:00-05:00")  # the day after a DST change
ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


SCRIPT = str(bench_scripts.BENCH / "generate.py")
generate = bench_scripts.load("generate").generate


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_document_parses_without_problems(seed: int) -> None:
    document = json.loads(json.dumps(generate(120, seed=seed, now=NOW)))

    facts, problems = parse_document(document)

    assert problems == []
    assert facts is not None
    assert len(facts.opportunities) == 120


def test_empty_document_parses() -> None:
    facts, problems = parse_document(generate(0, now=NOW))

    assert problems == []
    assert facts is not None
    assert facts.opportunities == ()


def test_each_opportunity_has_a_realistic_history() -> None:
    facts, _ = parse_document(generate(200, seed=5, now=NOW))
    assert facts is not None
    horizon = NOW - timedelta(days=60)

    for opportunity in facts.opportunities:
        people = {p.id for p in opportunity.people}
        assert 4 <= len(people) <= 6
        assert len(opportunity.interviews) == 2
        assert 16 <= len(opportunity.touches) <= 24
        assert {t.direction for t in opportunity.touches} <= {"in", "out"}
        for interview in opportunity.interviews:
            assert horizon <= interview.at < NOW
            assert set(interview.with_) <= people
        for touch in opportunity.touches:
            assert horizon <= touch.at <= NOW
            assert touch.person in people
        assert all(ID.match(x) for x in [opportunity.id, *people])

    touches = [t for o in facts.opportunities for t in o.touches]
    assert 19 <= len(touches) / len(facts.opportunities) <= 21
    assert {t.channel for t in touches} >= {"email", "phone", "linkedin", "letter"}
    assert {t.kind for t in touches} >= {"thank-you", "value-add", "call", "check-in"}
    inbound = sum(t.direction == "in" for t in touches) / len(touches)
    assert 0.2 < inbound < 0.4
    statuses = {o.status for o in facts.opportunities}
    assert {"active", "offer", "rejected"} <= statuses
    assert all(o.offers for o in facts.opportunities if o.status == "offer")


def test_same_seed_same_document_other_seed_other_document() -> None:
    assert generate(20, seed=9, now=NOW) == generate(20, seed=9, now=NOW)
    assert generate(20, seed=9, now=NOW) != generate(20, seed=10, now=NOW)


def test_command_line_writes_the_same_document() -> None:
    result = subprocess.run(
        [
            sys.executable,
            SCRIPT,
            "3",
            "--seed",
            "4",
            "--now",
            NOW.isoformat(),
        ],
        capture_output=True,
        text=True,
        check=True,
    )

    assert json.loads(result.stdout) == generate(3, seed=4, now=NOW)


def test_command_line_refuses_a_time_without_offset() -> None:
    result = subprocess.run(
        [
            sys.executable,
            SCRIPT,
            "3",
            "--now",
            "2024-11-04T16:30:00",
        ],
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 2
    assert "needs a UTC offset" in result.stderr
    assert "Traceback" not in result.stderr
