"""Reading one received message: threads, auto-replies and their return dates, bounces, and
messages that are broken in every way a mailbox allows."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest

from followup.integrations.mailparse import SNIPPET_CHARS, parse, return_date
from mailfixtures import messages

WHEN = datetime(2026, 3, 5, 13, 0, tzinfo=UTC)
TODAY = date(2026, 3, 5)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I will be back on March 16.", date(2026, 3, 16)),
        ("I am out of the office until Monday, 16th March 2026.", date(2026, 3, 16)),
        ("Returning 2026-04-02; for urgent matters call Sam.", date(2026, 4, 2)),
        ("I'm away until 3 Jan.", date(2027, 1, 3)),  # no year: the next 3 January
        ("Back in the office on Feb 30.", None),  # no such day
        ("Thanks for your note, we will get back to you.", None),
    ],
)
def test_return_dates(text: str, expected: date | None) -> None:
    assert return_date(text, TODAY) == expected


def test_a_reply_names_what_it_answers_and_keeps_only_its_own_words() -> None:
    raw = messages.reply(
        "Dana Lee <Dana@Acme.example>", "Re: Thanks", "Great talking!\n\nOn Mon, Alex wrote:\n> hi",
        WHEN, message_id="<r@acme>", in_reply_to="<m1@me.example>",
    )  # fmt: skip
    got = parse(raw, TODAY)
    assert got.from_address == "dana@acme.example"
    assert got.refers_to == ("<m1@me.example>",)
    assert got.snippet == "Great talking!"
    assert got.date == WHEN and not got.auto_reply and not got.bounce


def test_auto_replies_by_header_or_wording() -> None:
    auto = {"Auto-Submitted": "auto-replied"}
    by_header = messages.reply("d@acme.example", "Re: Thanks", "Back on March 9.", WHEN,
                               message_id="<a1@x>", headers=auto)  # fmt: skip
    by_subject = messages.reply("d@acme.example", "Automatic reply: Thanks", "Away.", WHEN,
                                message_id="<a2@x>")  # fmt: skip
    human = messages.reply("d@acme.example", "Re: Thanks", "I'll be back on March 9!", WHEN,
                           message_id="<a3@x>", headers={"Auto-Submitted": "no"})  # fmt: skip
    assert parse(by_header, TODAY).returns_on == date(2026, 3, 9)
    assert parse(by_subject, TODAY).auto_reply and parse(by_subject, TODAY).returns_on is None
    assert not parse(human, TODAY).auto_reply and parse(human, TODAY).returns_on is None


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("I am out of the office and back on 9999-12-31.", None),  # a joke or a typo, not a day
        ("I am out of the office and back on 1899-12-31.", None),
        ("Back on 9999-12-31 (sorry: back on 2026-03-16).", date(2026, 3, 16)),  # the next one
        ("I am out of the office and back on 2026-03-16.", date(2026, 3, 16)),
        ("I am out of the office and back on 2999-12-31.", None),  # in the years, but absurd
        ("I am out of the office and back on 2027-03-06.", date(2027, 3, 6)),  # a year on: fine
        ("I am out of the office and back on 2027-03-07.", None),  # more than a year on
        ("Back on 2031-01-01, I mean back on April 2.", date(2026, 4, 2)),
    ],
)
def test_an_auto_reply_gives_only_a_return_date_within_the_years_a_search_can_mean(
    body: str, expected: date | None
) -> None:
    """A date the planner could not add a day to must never reach it (the same year bounds as
    every other way in: followup.core.problems.check_years), nor a date more than a year after
    the message; each date ignored is said in the message's problems (the sync reports them)."""
    auto = {"Auto-Submitted": "auto-replied"}
    raw = messages.reply("d@acme.example", "Automatic reply: Thanks", body, WHEN,
                         message_id="<ooo@x>", headers=auto)  # fmt: skip
    got = parse(raw, TODAY)
    assert got.auto_reply
    assert got.returns_on == expected
    ignored = [p for p in got.problems if p.startswith("return date ")]
    named = len(re.findall(r"\d{4}-\d{2}-\d{2}|April 2", body))
    assert len(ignored) == named - (expected is not None)


def test_a_delivery_status_notification_is_a_bounce() -> None:
    got = parse(messages.bounce("<m1@me.example>", "Dana@acme.example", WHEN, "<d@mx>"), TODAY)
    assert got.bounce and not got.auto_reply
    assert got.failed_recipients == ("dana@acme.example",)
    assert got.bounced_ids == ("<m1@me.example>",)


def test_hostile_messages_are_read_without_raising() -> None:
    huge, broken, odd, bare, binary = (parse(raw, TODAY) for raw in messages.hostile(WHEN))
    assert huge.from_address == "dana@acme.example" and huge.snippet.startswith("Here are")
    assert broken.from_address == "someone@unknown.example"
    assert odd.from_address == "bjorn@odd.example" and odd.date is None
    assert len(odd.snippet) <= SNIPPET_CHARS
    assert bare.from_address == "" and bare.message_id is None
    assert binary.message_id is None
