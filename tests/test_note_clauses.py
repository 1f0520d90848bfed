"""Notes become sentences: a corpus of notes as candidates write them, each with the exact
clause a draft says to that person (`followup.drafts.notes.clause`)."""

# ruff: noqa: E501  (the corpus: one note and its sentence per line, unbroken)
from __future__ import annotations

import re

import pytest

from followup.drafts.notes import MAX_CLAUSES, Clause, clause, clauses, split

# (the person the note is about, the note, "sentence" or "topic", what the draft says)
CORPUS: list[tuple[str, str, str, str]] = [
    ("Kevin Lu", "pricing model", "topic", "we talked about “pricing model”"),
    ("Kevin Lu", "SQL skills", "topic", "we talked about “SQL skills”"),
    ("Kevin Lu", "asked about my SQL skills", "sentence", "you asked about my SQL skills"),
    ("Kevin Lu", "kevin asked about my SQL skills", "sentence", "you asked about my SQL skills"),
    ("Kevin Lu", "Kevin worries about HIPAA", "sentence", "you worry about HIPAA"),
    ("Kevin Lu", "Kevin's team is small", "sentence", "your team is small"),
    (
        "Kevin Lu",
        "Kevin needs someone who can own the API roadmap",
        "sentence",
        "you need someone who can own the API roadmap",
    ),
    (
        "Kevin Lu",
        "Lu thinks the data model is wrong",
        "sentence",
        "you think the data model is wrong",
    ),
    (
        "Kevin Lu",
        "Kevin and I sketched the rollout plan",
        "sentence",
        "you and I sketched the rollout plan",
    ),
    (
        "Kevin Lu",
        "drivers, discovery, zones",
        "topic",
        "we talked about “drivers, discovery and zones”",
    ),
    (
        "Kevin Lu",
        "onboarding, activation, retention",
        "topic",
        "we talked about “onboarding, activation and retention”",
    ),
    (
        "Kevin Lu",
        "relocation is not required",
        "sentence",
        "you mentioned that relocation is not required",
    ),
    ("Kevin Lu", "Salary band 150-170k", "topic", "we talked about “salary band 150-170k”"),
    (
        "Kevin Lu",
        "Remote-first team, two offsites a year",
        "topic",
        "we talked about “remote-first team, two offsites a year”",
    ),
    ("Kevin Lu", "budget approved for Q3", "topic", "we talked about “budget approved for Q3”"),
    (
        "Kevin Lu",
        "Hiring freeze possible in Q1",
        "topic",
        "we talked about “hiring freeze possible in Q1”",
    ),
    (
        "Kevin Lu",
        "Lots of tech debt in the billing system",
        "topic",
        "we talked about “lots of tech debt in the billing system”",
    ),
    ("Kevin Lu", "onboarding churn", "topic", "we talked about “onboarding churn”"),
    ("Kevin Lu", "- onboarding metrics", "topic", "we talked about “onboarding metrics”"),
    ("Kevin Lu", "1. retention cohorts", "topic", "we talked about “retention cohorts”"),
    (
        "Rachel Kim",
        "Walked her through my onboarding teardown",
        "sentence",
        "I walked you through my onboarding teardown",
    ),
    (
        "Rachel Kim",
        "38% of small merchants abandon sign-up at the KYC document step",
        "sentence",
        "you mentioned that 38% of small merchants abandon sign-up at the KYC document step",
    ),
    (
        "Rachel Kim",
        "she wants self-serve onboarding for them by Q3",
        "sentence",
        "you want self-serve onboarding for them by Q3",
    ),
    (
        "Rachel Kim",
        "we agreed a first project would be a document checklist with instant feedback",
        "sentence",
        "we agreed a first project would be a document checklist with instant feedback",
    ),
    (
        "Sam Okafor",
        "Late deliveries in the Northeast cost them two grocery contracts last quarter",
        "sentence",
        "you mentioned that late deliveries in the Northeast cost you two grocery contracts last quarter",
    ),
    (
        "Sam Okafor",
        "he wants routing judged on on-time rate, not miles saved",
        "sentence",
        "you want routing judged on on-time rate, not miles saved",
    ),
    (
        "Lucia Moretti",
        "Her analysts spend Mondays reconciling carrier invoices by hand",
        "sentence",
        "your analysts spend Mondays reconciling carrier invoices by hand",
    ),
    (
        "Lucia Moretti",
        "we discussed matching them automatically against rate cards",
        "sentence",
        "we discussed matching them automatically against rate cards",
    ),
    (
        "Dana Lee",
        "My first 90 days: unify the coordinators' task list before adding features",
        "sentence",
        "we talked about my first 90 days (unify the coordinators' task list before adding features)",
    ),
    (
        "Dana Lee",
        "She pushed on how I would measure adoption on the wards",
        "sentence",
        "you pushed on how I would measure adoption on the wards",
    ),
    (
        "Dana Lee",
        "Cutting 30-day readmissions is her team's goal for the year",
        "sentence",
        "you mentioned that cutting 30-day readmissions is your team's goal for the year",
    ),
    (
        "Dana Lee",
        "care coordinators juggle four tools and follow-ups fall between them",
        "sentence",
        "you mentioned that care coordinators juggle four tools and follow-ups fall between them",
    ),
    (
        "Tom Alvarez",
        "Nurses lose about 40 minutes a shift to phone tag with skilled-nursing facilities",
        "sentence",
        "you mentioned that nurses lose about 40 minutes a shift to phone tag with skilled-nursing facilities",
    ),
    (
        "Tom Alvarez",
        "he liked a discharge checklist both sides see",
        "sentence",
        "you liked a discharge checklist both sides see",
    ),
    (
        "Elena Novak",
        "Growing from 3 to 7 hospital systems next year with the board watching margin per member",
        "sentence",
        "we talked about growing from 3 to 7 hospital systems next year with the board watching margin per member",
    ),
    (
        "Elena Novak",
        "how I would sequence payer integrations",
        "sentence",
        "we talked about how I would sequence payer integrations",
    ),
    (
        "Priya Raman",
        "Moving scheduling off the legacy HL7 interface engine while shipping roadmap work",
        "sentence",
        "we talked about moving scheduling off the legacy HL7 interface engine while shipping roadmap work",
    ),
    (
        "Priya Raman",
        "she wants PMs who write crisp acceptance criteria",
        "sentence",
        "you want PMs who write crisp acceptance criteria",
    ),
    (
        "Nadia Farouk",
        "Moving upmarket to mid-size retailers and what that means for onboarding SLAs",
        "sentence",
        "we talked about moving upmarket to mid-size retailers and what that means for onboarding SLAs",
    ),
    (
        "Nadia Farouk",
        "she asked how I priced a product for a new segment",
        "sentence",
        "you asked how I priced a product for a new segment",
    ),
    (
        "Ben Foster",
        "Card-network rules force manual review of high-risk merchant categories",
        "sentence",
        "you mentioned that card-network rules force manual review of high-risk merchant categories",
    ),
    (
        "Mei Chen",
        "Her route-optimisation model beats dispatchers on paper, but drivers override 30% of its routes",
        "sentence",
        "your route-optimisation model beats dispatchers on paper, but drivers override 30% of its routes",
    ),
    (
        "Kim Park",
        "Dock scheduling is a mess at their Newark hub",
        "sentence",
        "you mentioned that dock scheduling is a mess at your Newark hub",
    ),
    (
        "Nadia Haddad",
        "Churn in the first 60 days is her biggest worry",
        "sentence",
        "you mentioned that churn in the first 60 days is your biggest worry",
    ),
    (
        "Nadia Haddad",
        "She pushed on how I would run pricing experiments",
        "sentence",
        "you pushed on how I would run pricing experiments",
    ),
    (
        "Owen Price",
        "he is wary of big-bang rollouts",
        "sentence",
        "you are wary of big-bang rollouts",
    ),
    (
        "Ana Silva",
        "How would I handle on-call?",
        "sentence",
        "you asked how I would handle on-call",
    ),
    ("Ana Silva", "Why PM?", "sentence", "you asked: “Why PM?”"),
    ("Ana Silva", "keen on async work", "sentence", "you were keen on async work"),
    (
        "Ana Silva",
        "Interested in my Kafka experience",
        "sentence",
        "you were interested in my Kafka experience",
    ),
    (
        "Ana Silva",
        "Concerned that I have not managed a team",
        "sentence",
        "you were concerned that I have not managed a team",
    ),
    (
        "Ana Silva",
        "wants PMs who write crisp acceptance criteria",
        "sentence",
        "you want PMs who write crisp acceptance criteria",
    ),
    (
        "Ana Silva",
        "Struggles to hire data engineers",
        "sentence",
        "you struggle to hire data engineers",
    ),
    ("Ana Silva", "explained the team structure", "sentence", "you explained the team structure"),
    (
        "Ana Silva",
        "explained my approach to pricing",
        "sentence",
        "I explained my approach to pricing",
    ),
    ("Ana Silva", "told me about the reorg", "sentence", "you told me about the reorg"),
    ("Ana Silva", "Discussed pricing", "sentence", "we discussed pricing"),
    (
        "Ana Silva",
        "Talked through the roadmap for Q2",
        "sentence",
        "we talked through the roadmap for Q2",
    ),
    (
        "Ana Silva",
        "Mentioned a reorg coming in January",
        "sentence",
        "you mentioned a reorg coming in January",
    ),
    (
        "Ana Silva",
        "Gave me a take-home on pricing",
        "sentence",
        "you gave me a take-home on pricing",
    ),
    (
        "Ana Silva",
        "She was skeptical of my lack of healthcare experience",
        "sentence",
        "you were skeptical of my lack of healthcare experience",
    ),
    (
        "Ana Silva",
        "Loved the dashboard I built at Parcelway",
        "sentence",
        "you loved the dashboard I built at Parcelway",
    ),
    (
        "Ana Silva",
        "Wanted to know why I left Parcelway",
        "sentence",
        "you wanted to know why I left Parcelway",
    ),
    (
        "Ana Silva",
        "She'd like to see a 30-60-90 plan",
        "sentence",
        "you'd like to see a 30-60-90 plan",
    ),
    (
        "Ana Silva",
        "She's hiring two more PMs next quarter",
        "sentence",
        "you're hiring two more PMs next quarter",
    ),
    (
        "Ana Silva",
        "She's been burned by big-bang launches",
        "sentence",
        "you've been burned by big-bang launches",
    ),
    (
        "Ana Silva",
        "Questioned my estimate for the migration",
        "sentence",
        "you questioned my estimate for the migration",
    ),
    ("Ana Silva", "shared the 2025 roadmap", "sentence", "you shared the 2025 roadmap"),
    (
        "Ana Silva",
        "I promised to send the case study",
        "sentence",
        "I promised to send the case study",
    ),
    (
        "Ana Silva",
        "The team ships weekly and hates long specs",
        "sentence",
        "you mentioned that the team ships weekly and hates long specs",
    ),
    (
        "Ana Silva",
        "The VP cares about NPS more than revenue",
        "sentence",
        "you mentioned that the VP cares about NPS more than revenue",
    ),
    (
        "Ana Silva",
        "Pricing a product for a new segment",
        "sentence",
        "we talked about pricing a product for a new segment",
    ),
    (
        "Ana Silva",
        "Compliance: HIPAA audit next spring",
        "sentence",
        "we talked about compliance (HIPAA audit next spring)",
    ),
    (
        "Ana Silva",
        "Q3 goals: she wants self-serve onboarding live",
        "sentence",
        "you want self-serve onboarding live",
    ),
    ("Ana Silva", "they ship weekly", "sentence", "you ship weekly"),
    ("Ana Silva", "Her team owns the mobile app.", "sentence", "your team owns the mobile app"),
    ("Ana Silva", "She doesn't like long specs", "sentence", "you don't like long specs"),
    (
        "Ana Silva",
        "Sent her the deck after the call",
        "sentence",
        "I sent you the deck after the call",
    ),
]


def test_the_corpus_is_large_and_varied() -> None:
    assert len(CORPUS) >= 60
    kinds = {kind for _, _, kind, _ in CORPUS}
    assert kinds == {"sentence", "topic"}


@pytest.mark.parametrize(("name", "note", "kind", "said"), CORPUS, ids=[c[1][:40] for c in CORPUS])
def test_each_note_becomes_the_clause_addressed_to_that_person(
    name: str, note: str, kind: str, said: str
) -> None:
    found = clause(note, name)
    assert (found.kind, found.sentence) == (kind, said)
    words = set(re.findall(r"[\w'’]+", found.sentence.lower()))
    assert not words & {n.lower() for n in name.split()}  # "you" instead of their name
    assert not words & {"she", "he", "her", "his", "him"}


def test_a_fact_is_never_said_to_have_stuck() -> None:
    found = clause("relocation is not required", "Ana Silva")
    assert not found.addressed and found.practical
    assert found.text == "relocation is not required"
    assert found.sentence == "you mentioned that relocation is not required"


def test_a_topic_is_quoted() -> None:
    assert clause("pricing model").quoted == "“pricing model”"
    assert clause("you asked about SQL").quoted == "you asked about SQL"


def test_a_note_splits_into_its_points() -> None:
    note = "Churn is her worry. She pushed on pricing; relocation is optional\n- SQL skills"
    assert split(note) == [
        "Churn is her worry.",
        "She pushed on pricing",
        "relocation is optional",
        "SQL skills",
    ]
    found = clauses(note, "Nadia Haddad")
    assert len(found) == MAX_CLAUSES
    assert [c.sentence for c in found] == [
        "churn is your worry",
        "you pushed on pricing",
        "you mentioned that relocation is optional",
    ]


def test_nothing_to_say_is_nothing() -> None:
    assert clauses(None) == [] and clauses("  ") == []
    assert clause("  .") == Clause("", "topic")
