"""The form-letter guard: a labelled set of message pairs, precision and recall, and scale."""

from __future__ import annotations

from pathlib import Path

import pytest

from followup.drafts.guard import THRESHOLD, Message, check, similarity, words

SIGN = "\n\nBest regards,\nAlex Morgan"

FORM = (
    "Thank you for taking the time to meet with me {day}. I enjoyed learning more about the "
    "role and the team, and I am excited about the opportunity to contribute. Our "
    "conversation confirmed my interest in the position. Please let me know if you need "
    "anything else from me; I look forward to hearing from you."
)

# (name A, text A, name B, text B, is a form letter)
PAIRS: list[tuple[str, str, str, str, bool]] = [
    # --- form letters: the same text with the name (and little else) changed
    ("Dana", FORM.format(day="yesterday"), "Priya", FORM.format(day="yesterday"), True),
    ("Tom", FORM.format(day="on Friday"), "Elena", FORM.format(day="on Thursday"), True),
    (
        "Sam",
        FORM.format(day="today") + " Thanks again, Sam.",
        "Mei",
        FORM.format(day="today").replace("excited", "thrilled"),
        True,
    ),
    (
        "Rachel",
        "Thank you for the interview. I really enjoyed our conversation about the role and I "
        "believe my background in product management makes me a strong fit. I am very "
        "interested in joining the team and look forward to the next steps.",
        "Omar",
        "Thank you for the interview. I really enjoyed our discussion about the role and I "
        "believe my background in product management makes me a strong fit. I am very "
        "interested in joining your team and look forward to the next steps.",
        True,
    ),
    (
        "Dana",
        "I wanted to follow up on my application for the Senior Product Manager role. I remain "
        "very interested and believe my experience would let me contribute from day one. "
        "Please let me know if there is anything else you need.",
        "Marcus",
        "I wanted to follow up on my application for the Senior Product Manager role. I remain "
        "very interested and believe my experience would let me contribute from day one. "
        "Please let me know if there is anything you need from me.",
        True,
    ),
    (
        "Priya",
        FORM.format(day="on Monday") + " It was great to hear about your priorities.",
        "Tom",
        FORM.format(day="on Monday") + " It was great to hear about the priorities.",
        True,
    ),
    # --- personalised: same occasion, each about that person's own topics
    (
        "Dana",
        "Thank you for your time at the final panel yesterday. One thing has stayed with me: "
        "unifying the coordinators' task list before adding features. I would measure adoption "
        "on the wards by weekly active coordinators and tasks closed on time.",
        "Priya",
        "Thank you for talking with me yesterday; I enjoyed the panel. I keep coming back to "
        "moving scheduling off the legacy HL7 interface engine while shipping roadmap work, and "
        "to your point that PMs must write crisp acceptance criteria.",
        False,
    ),
    (
        "Tom",
        "I appreciated your time yesterday. Nurses losing forty minutes a shift to phone tag "
        "with skilled-nursing facilities is a problem I want to solve; a discharge checklist "
        "both sides can see is where I would start.",
        "Elena",
        "Many thanks for meeting me yesterday. Growing from three to seven hospital systems "
        "with the board watching margin per member means sequencing payer integrations by "
        "revenue at risk; I sketched how I would order them.",
        False,
    ),
    (
        "Sam",
        "Late deliveries in the Northeast cost you two grocery contracts; judging routing on "
        "on-time rate rather than miles saved is the right call, and the carrier scorecard I "
        "built did exactly that.",
        "Mei",
        "Your route-optimisation model beats dispatchers on paper, yet drivers override a third "
        "of its routes. Logging the reason for each override would turn that friction into "
        "training data.",
        False,
    ),
    (
        "Rachel",
        "Thank you for the final round. Merchants abandoning onboarding at the document step "
        "is fixable: a checklist with instant feedback, as we agreed, would be my first "
        "project.",
        "Omar",
        "Thank you for the first round. Your fraud team reviews every new merchant by hand; "
        "risk scoring at sign-up could let most of them through in minutes.",
        False,
    ),
    (
        "Dana",
        "Since we talked about readmissions, I thought this AHRQ toolkit on care transitions "
        "might help your coordinators: sections 3 and 4 fit your pilot.",
        "Sam",
        "Since we talked about on-time delivery, this study on delivery-window reliability and "
        "grocery churn might interest you; the churn model in part two is the useful bit.",
        False,
    ),
    (
        "Priya",
        "Thank you for your time at the panel. One thing has stayed with me: the HL7 interface "
        "engine migration. I would love to work on this with you.",
        "Tom",
        "Thank you for your time at the panel. One thing has stayed with me: phone tag with "
        "skilled-nursing facilities. A shared discharge checklist is where I would begin.",
        False,
    ),
]


def _flagged(pair: tuple[str, str, str, str, bool]) -> bool:
    name_a, text_a, name_b, text_b, _ = pair
    found = check(
        [
            Message(
                "a", "opp:a", "opp", f"Hi {name_a},\n\n{text_a}{SIGN}", (name_a, "Alex Morgan")
            ),
            Message(
                "b", "opp:b", "opp", f"Dear {name_b},\n\n{text_b}{SIGN}", (name_b, "Alex Morgan")
            ),
        ]
    )
    return bool(found)


def test_precision_and_recall_on_the_labelled_pairs() -> None:
    tp = fp = fn = tn = 0
    for pair in PAIRS:
        flagged, form = _flagged(pair), pair[4]
        tp += flagged and form
        fp += flagged and not form
        fn += form and not flagged
        tn += not form and not flagged
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    print(
        f"guard at threshold {THRESHOLD}: precision {precision:.2f}, recall {recall:.2f} "
        f"({tp} TP, {fp} FP, {fn} FN, {tn} TN on {len(PAIRS)} pairs)"
    )
    assert precision >= 0.9
    assert recall >= 0.9


def test_greeting_sign_off_and_names_are_removed_before_comparing() -> None:
    text = "Hi Dana,\n\nThe HL7 engine migration is hard.\n\nBest regards,\nAlex Morgan\nPM"
    assert words(text, ("Dana", "Alex Morgan")) == [
        "the",
        "hl7",
        "engine",
        "migration",
        "is",
        "hard",
    ]


def test_only_the_name_changed_scores_one() -> None:
    a = "Hi Dana,\n\n" + FORM.format(day="today") + SIGN
    b = "Hello Priya,\n\n" + FORM.format(day="today").replace("Dana", "Priya") + SIGN
    assert similarity(a, b, ("Dana", "Priya")) == pytest.approx(1.0)


def test_a_flag_names_the_shared_passage_and_the_opportunity_order() -> None:
    body = FORM.format(day="today")
    found = check(
        [
            Message("x1", "other:x", "other", body),
            Message("d", "acme:dana", "acme", body),
            Message("p", "acme:priya", "acme", body),
            Message("d2", "acme:dana", "acme", body),  # the same person: never compared
        ]
    )
    pairs = {(f.first, f.second) for f in found}
    assert ("d", "d2") not in pairs and ("d2", "d") not in pairs
    assert found[0].same_opportunity and not found[-1].same_opportunity
    assert "look forward to hearing from you" in found[0].shared
    assert all(f.similarity == 1.0 for f in found)


def test_short_messages_are_not_judged() -> None:
    assert check([Message("a", "o:a", "o", "Thanks!"), Message("b", "o:b", "o", "Thanks!")]) == []


def test_a_thousand_distinct_drafts_and_one_planted_copy() -> None:
    """Scale in miniature: 1,000 personalised drafts yield exactly the planted pair."""
    import random

    rng = random.Random(7)  # noqa: S311 (test data, not secrets)
    vocab = [f"w{n}" for n in range(3000)]
    msgs = [
        Message(f"m{n}", f"o:{n}", "o", "Hi X,\n\n" + " ".join(rng.choices(vocab, k=80)))
        for n in range(1000)
    ]
    msgs.append(Message("copy", "o:copy", "o", msgs[500].text))
    found = check(msgs)
    assert [(f.first, f.second) for f in found] == [("m500", "copy")]


def _demo_drafts(tmp_path: Path) -> list[tuple[str, str, str]]:
    """(action, recipient name, body) of every pending written draft of the demo."""
    from datetime import UTC, date, datetime

    from followup.config import PlaybookSource
    from followup.core.interchange import parse_document
    from followup.core.playbook import Playbook
    from followup.demo import demo_document
    from followup.services import drafting
    from followup.services.workspace import Workspace
    from followup.store import open_store, sqlite_url

    doc = demo_document(date(2030, 3, 5))  # a Tuesday: the panel's thank-yous are due
    facts, _ = parse_document(doc)
    assert facts is not None
    store = open_store(sqlite_url(tmp_path / "demo.db"))
    try:
        with store.unit_of_work() as uow:
            uow.replace_all(facts)
        now = datetime(2030, 3, 5, 15, tzinfo=UTC)
        playbook = PlaybookSource.of(Playbook())
        drafts, _ = drafting.pending_drafts(Workspace.of(store, playbook), now)
    finally:
        store.close()
    people = {p["id"]: p["name"] for o in doc["opportunities"] for p in o["people"]}
    return [
        (d.action, people[d.action.split(":")[2]], d.body) for d in drafts if d.channel != "phone"
    ]


def test_precision_and_recall_on_real_drafts(tmp_path: Path) -> None:
    """Negatives: every pair of the demo's drafts of one rule to different people (the same
    template, each personal). Positives: each draft sent again to someone else with only the
    name changed, or with the name changed and its shortest sentence reworded."""
    drafts = _demo_drafts(tmp_path)
    assert len(drafts) >= 6
    pairs: list[tuple[str, str, str, str, bool]] = []
    for i, (a_id, a_name, a_body) in enumerate(drafts):
        for b_id, b_name, b_body in drafts[i + 1 :]:
            if a_id.split(":")[0] == b_id.split(":")[0] and a_name != b_name:
                pairs.append((a_name, a_body, b_name, b_body, False))
        first = a_name.split()[0]
        copy = a_body.replace(first, "Jordan")
        pairs.append((a_name, a_body, "Jordan Reyes", copy, True))
        lines = copy.splitlines()
        body_lines = [n for n, x in enumerate(lines) if len(x.split()) > 4][:-1] or [0]
        shortest = min(body_lines, key=lambda n: len(lines[n]))
        lines[shortest] = "I really enjoyed our conversation and learned a lot about the team."
        pairs.append((a_name, a_body, "Jordan Reyes", "\n".join(lines), True))
    negatives = sum(1 for p in pairs if not p[4])
    assert negatives >= 5
    tp = fp = fn = 0
    for a_name, a_body, b_name, b_body, form in pairs:
        flagged = bool(
            check(
                [
                    Message("a", "o:a", "o", a_body, (a_name, "Alex Morgan")),
                    Message("b", "o:b", "o", b_body, (b_name, "Alex Morgan")),
                ]
            )
        )
        tp += flagged and form
        fp += flagged and not form
        fn += form and not flagged
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    print(
        f"guard on real drafts: precision {precision:.2f}, recall {recall:.2f} "
        f"({tp} TP, {fp} FP, {fn} FN; {len(pairs)} pairs, {negatives} personalised)"
    )
    assert precision >= 0.9
    assert recall >= 0.8
