"""The plain-text layout of action lists: one greppable line per action for a pipe, wrapped
under its time for a terminal."""

from __future__ import annotations

from followup.render import Painter, entry, today_text

REASON = (
    "Thank Dana Lee (hiring manager) by Sat 28 Nov 16:00 — within 24h of your interview, to "
    "each person with a vote; mention “My first 90 days: unify the coordinators' task list”"
)


def test_a_pipe_gets_one_line_per_action() -> None:
    line = entry("Sat 16:00", "thank-you:acme:dana:i1", REASON, Painter(False), None)
    assert "\n" not in line
    assert line == f"  Sat 16:00  thank-you:acme:dana:i1  {REASON}"


def test_a_terminal_gets_the_reason_wrapped_under_its_time_then_the_id() -> None:
    lines = entry("Sat 16:00", "thank-you:acme:dana:i1", REASON, Painter(False), 60).split("\n")
    assert len(lines) > 2
    assert all(len(line) < 60 for line in lines)
    assert lines[0].startswith("  Sat 16:00  Thank Dana Lee")
    assert all(line.startswith(" " * 13) for line in lines[1:])
    assert lines[-1].strip() == "thank-you:acme:dana:i1"
    assert " ".join(line.strip() for line in lines[:-1]).endswith("task list”")


def test_today_text_wraps_every_group_for_a_terminal() -> None:
    groups = [([("Sat 16:00", "a:b:c:d", REASON)], 1), ([], 0), ([], 0), ([], 0)]
    text = today_text(groups, None, None, has_opportunities=True, width=70)
    assert text.startswith("Overdue (1)\n")
    assert max(len(line) for line in text.splitlines()) < 70
