"""Drafts of the plan's messages and calls, their edits, and the form-letter check.

`draft` writes one action's draft; `pending_drafts` every pending one; `check` compares them,
and every outbound message body already logged, with the guard (``drafts/guard.py``), and
puts each flag on the drafts it concerns. Templates come from the package, or from
``<config folder>/templates`` when the user has their own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Final

from followup.core.model import Action, Facts
from followup.errors import NotFound, UsageError
from followup.services.acting import find_action
from followup.services.workspace import Workspace

if TYPE_CHECKING:
    from jinja2.sandbox import SandboxedEnvironment

    from followup.articles.model import Article, Suggestion
    from followup.core.actions import Planned
    from followup.drafts.guard import Flag, Message
    from followup.drafts.render import Draft

#: Channels whose drafts are messages (kept as the touch's body when the action is done).
WRITTEN: Final = frozenset({"email", "letter", "linkedin"})


@dataclass(frozen=True, slots=True)
class CheckReport:
    """The flagged pairs, and what each key names (an action's draft or a logged touch)."""

    flags: list[Flag]
    labels: dict[str, str]
    compared: int


class _Desk:
    """Everything drafting needs, read once: the plan, the facts, templates, articles, edits."""

    def __init__(
        self,
        database: Workspace,
        now: datetime,
        config_dir: Path | None,
    ) -> None:

        self.now = now
        agenda = database.agenda()
        self.actions = agenda.at(now)
        self.facts = database.facts()
        reading = database.reading()
        self.env = _environment(config_dir)
        self.articles = reading.articles()
        self.edits = reading.edited_drafts()
        self.folded = folded_anchors(agenda.rows)

    def draft(self, action: Action) -> Draft:
        edited, also = self.edits.get(action.id), self.folded.get(action.id, ())
        return build(action, self.facts, self.now, self.env, self.articles, edited, also)


def draft(
    database: Workspace,
    action_id: str,
    now: datetime,
    config_dir: Path | None = None,
    *,
    guard: bool = True,
) -> Draft:
    """The draft of ``action_id`` (the user's edit when there is one), with its warnings.

    ``guard``: also compare it with the other drafts and the messages already sent.
    """
    desk = _Desk(database, now, config_dir)
    action = find_action(desk.actions, action_id)
    one = desk.draft(action)
    if not guard:
        return one
    others = [desk.draft(a) for a in drafted(desk.actions) if a.id != action_id]
    report = _check([one, *others], desk.facts)
    return _flagged([one], report)[0]


def pending_drafts(
    database: Workspace,
    now: datetime,
    config_dir: Path | None = None,
) -> tuple[list[Draft], CheckReport]:
    """Every pending message or call's draft, flagged by the guard, and the guard's report."""
    desk = _Desk(database, now, config_dir)
    drafts = [desk.draft(a) for a in drafted(desk.actions)]
    report = _check(drafts, desk.facts)
    return _flagged(drafts, report), report


def check(
    database: Workspace,
    now: datetime,
    config_dir: Path | None = None,
) -> CheckReport:
    """The form-letter check of `followup check`."""
    return pending_drafts(database, now, config_dir)[1]


def save_edit(
    database: Workspace,
    action_id: str,
    text: str,
    now: datetime,
) -> None:
    """Keep ``text`` as the draft of ``action_id`` (it must be an action of the plan)."""

    database.action(action_id, now)  # it must be an action of the plan
    if not text.strip():
        raise UsageError("the edited draft is empty; nothing was kept")
    database.reading().save_draft(action_id, text.rstrip() + "\n", now)


def discard_edit(database: Workspace, action_id: str) -> None:

    if not database.reading().discard_draft(action_id):
        raise NotFound(f"action '{action_id}' has no edited draft")


def final_text(
    ws: Workspace,
    action: Action,
    facts: Facts,
    now: datetime,
    folded: Sequence[str] = (),
    position: int | None = None,
) -> str | None:
    """The text to keep as the body of the touch that completes ``action``.

    The user's edit when there is one; else, for a written message, the draft as it stands. A
    call's talking points are not what was said, so an unedited call keeps no body. ``facts``
    need hold only the action's opportunity, at ``position`` in the stored order; ``folded``:
    the achievements whose set-apart rides along with this touch.
    """
    from followup.core.rules import DRAFTED_RULES

    reading = ws.reading()
    edited = reading.edited_draft(action.id)
    if edited is not None:
        return edited
    if action.rule not in DRAFTED_RULES or (action.channel or "email") not in WRITTEN:
        return None
    try:
        env = _environment(ws.config_dir)
        made = build(action, facts, now, env, reading.articles(), None, folded, position)
    except UsageError:
        return None  # a broken user template must not stop the action being done
    return made.text


def drafted(actions: list[Action]) -> list[Action]:
    """The pending actions that get a draft."""
    from followup.core.rules import DRAFTED_RULES

    return [
        a
        for a in actions
        if a.rule in DRAFTED_RULES
        and a.status not in ("done", "replaced", "skipped")
        and a.person is not None
        and a.host is None  # a folded set-apart rides along with its host's draft
    ]


def folded_anchors(rows: Sequence[Planned]) -> dict[str, list[str]]:
    """Achievement ids by the action whose touch should mention them: a pending set-apart that
    the planner folded into another touch to the same person rides along with its draft."""
    found: dict[str, list[str]] = {}
    for row in rows:
        if row.host is not None and row.done_at is None and not row.skipped:
            found.setdefault(row.host, []).append(row.anchor)
    return found


def build(
    action: Action,
    facts: Facts,
    now: datetime,
    env: SandboxedEnvironment,
    articles: list[Article],
    edited: str | None,
    folded: Sequence[str] = (),
    position: int | None = None,
) -> Draft:
    """One action's draft from loaded facts (the user's edit wins over the template).

    ``folded``: achievements whose set-apart rides along with this touch; ``position``: the
    opportunity's place among all of them (``facts`` may hold it alone).
    """
    from followup.drafts.context import gather
    from followup.drafts.render import Draft, render, split_subject

    opp = facts.opportunity(action.opportunity or "")
    person = opp.person(action.person or "") if opp else None
    if opp is None or person is None:
        raise UsageError(f"action '{action.id}' has no draft: it is not addressed to a person")
    to = (person.phone if action.channel == "phone" else person.email) or person.name
    if edited is not None:
        subject, body = split_subject(edited)
        channel = action.channel or "email"
        return Draft(
            action.id, action.rule, channel, to, subject, body,
            edited=True, opportunity=opp.id, person=person.id,
        )  # fmt: skip
    wants = ("value-add", "continued-interest")  # an article, or something new to share
    suggestions = _suggestions(action, facts, articles) if action.rule in wants else []
    try:
        gathered = gather(action, facts, now, suggestions, folded, position)
    except ValueError as exc:
        raise UsageError(f"action '{action.id}' has no draft: {exc}") from exc
    made = render(env, action.id, gathered.data, gathered.warnings, to)
    return replace(made, opportunity=opp.id, person=person.id)


def suggestions_for(action: Action, facts: Facts, articles: list[Article]) -> list[Suggestion]:
    """The articles best suited to ``action``'s person (not already sent to them)."""
    return _suggestions(action, facts, articles)


def _suggestions(action: Action, facts: Facts, articles: list[Article]) -> list[Suggestion]:
    from followup.articles.suggest import already_sent, person_notes, suggest

    opp = facts.opportunity(action.opportunity or "")
    if opp is None or action.person is None:
        return []
    query = person_notes(opp, action.person)
    return suggest(query, articles, exclude=already_sent(opp, action.person))


def _environment(config_dir: Path | None) -> SandboxedEnvironment:
    from followup.drafts.render import environment

    return environment(config_dir)


def messages(drafts: list[Draft], facts: Facts) -> tuple[list[Message], dict[str, str]]:
    """What the guard compares: the drafts and every logged outbound body, with labels."""
    from zoneinfo import ZoneInfo

    from followup.drafts.guard import Message

    sender = facts.profile.name
    tz = ZoneInfo(facts.profile.timezone)
    out: list[Message] = []
    labels: dict[str, str] = {}
    for d in drafts:
        opp_id, person_id = d.opportunity, d.person
        opp = facts.opportunity(opp_id)
        person = opp.person(person_id) if opp else None
        if opp is None or person is None or (d.channel == "phone" and not d.edited):
            continue  # call scripts are notes to self, not letters
        names = (person.name, opp.company, sender)
        out.append(Message(d.action, f"{opp_id}:{person_id}", opp_id, d.body, names))
        labels[d.action] = f"draft {d.action} (to {person.name}, {opp.company})"
    for opp in facts.opportunities:
        for n, t in enumerate(opp.touches):
            person = opp.person(t.person)
            if t.direction != "out" or not t.body or person is None:
                continue
            key = f"touch:{opp.id}:{t.id or n}"
            names = (person.name, opp.company, sender)
            out.append(Message(key, f"{opp.id}:{t.person}", opp.id, t.body, names))
            when = t.at.astimezone(tz).date().isoformat()
            labels[key] = (
                f"sent {t.kind} {when} (touch {t.id or n}, to {person.name}, {opp.company})"
            )
    return out, labels


def _check(drafts: list[Draft], facts: Facts) -> CheckReport:
    from followup.drafts.guard import check

    found, labels = messages(drafts, facts)
    return CheckReport(check(found), labels, len(found))


def _flagged(drafts: list[Draft], report: CheckReport) -> list[Draft]:
    """Each draft with a warning per flagged pair it is part of."""
    warnings: dict[str, list[str]] = {}
    for f in report.flags:
        for mine, other in ((f.first, f.second), (f.second, f.first)):
            warnings.setdefault(mine, []).append(
                f"too much like {report.labels.get(other, other)}: "
                f"{f.similarity:.0%} alike, sharing “{_clip(f.shared)}”"
            )
    return [
        replace(d, warnings=[*d.warnings, *warnings[d.action]]) if d.action in warnings else d
        for d in drafts
    ]


def _clip(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
