"""What the pages show about one action, built from a Today line or from a full ``Action``.

Today is read from the compiled agenda, which gives each line's moment, id and reason without
building ``Action`` objects (fast with thousands of actions). The rest is in the id itself:
``rule:opportunity:person:anchor`` ("-" for the candidate's own actions).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo
from typing import TYPE_CHECKING

from followup.core.rules import DONE_KIND, WRITTEN_RULES
from followup.errors import Conflict, FollowupError, NotFound, UsageError
from followup.render import format_when, shown_moment
from followup.web.drafts import has_draft

if TYPE_CHECKING:
    from followup.core.model import Action
    from followup.services.agenda import Agenda


@dataclass(frozen=True)
class ActionItem:
    id: str
    rule: str
    opportunity: str | None
    opportunity_label: str
    person: str | None
    when: str
    reason: str
    status: str
    has_draft: bool

    @property
    def can_be_done(self) -> bool:
        """Candidate-level actions (keep-searching) are done by applying, not by a contact;
        a decide-by by your answer to the offer."""
        return (
            self.opportunity is not None
            and self.rule in DONE_KIND
            and self.status not in ("done", "replaced", "skipped")
        )

    @property
    def sendable(self) -> bool:
        """A message that is always written (not a call): one click to the Send page."""
        return self.has_draft and self.rule in WRITTEN_RULES

    @property
    def pending(self) -> bool:
        return self.status in ("upcoming", "due", "overdue", "missed", "snoozed")

    @property
    def missed(self) -> bool:
        return self.status == "missed"


def from_today(action: Action, when: str, status: str, agenda: Agenda) -> ActionItem:
    """A line of Today: the action, shown at ``when`` (its deadline or opening)."""
    opp = action.opportunity
    return ActionItem(
        id=action.id,
        rule=action.rule,
        opportunity=opp,
        opportunity_label=agenda.opportunities.get(opp, "") if opp else "Your search",
        person=action.person,
        when=when,
        reason=action.reason,
        status=status,
        has_draft=has_draft(action.rule, status),
    )


def from_action(action: Action, tz: tzinfo, labels: dict[str, str]) -> ActionItem:
    return ActionItem(
        id=action.id,
        rule=action.rule,
        opportunity=action.opportunity,
        opportunity_label=labels.get(action.opportunity, "") if action.opportunity else "",
        person=action.person,
        when=format_when(shown_moment(action), tz, with_date=True),
        reason=action.reason,
        status=action.status,
        has_draft=has_draft(action.rule, action.status),
    )


def dom_id(action_id: str) -> str:
    """The part of an action's element ids after ``action-`` / ``error-`` (as the template
    makes them: ``:`` and ``.`` become ``-``)."""
    return action_id.replace(":", "-").replace(".", "-")


class Said(UsageError):
    """A refusal the page words itself (a snooze time in the past): shown as it is."""


def in_words(exc: FollowupError, action: Action | None, tz: tzinfo) -> str:
    """Why acting on ``action`` (as it stands now; None when the plan no longer has it)
    failed, for a person on the page: no action ids, command names or options, which the
    services' messages and hints carry for the command line."""
    if isinstance(exc, Said):
        return exc.message
    if isinstance(exc, NotFound) or action is None:
        return (
            "This action is no longer in your plan: what it came from has changed. Reload the "
            "page to see the plan as it is now."
        )
    if isinstance(exc, Conflict) or action.status in ("done", "replaced"):
        if action.status == "done":
            return "This was already marked done."
        if action.status == "replaced":
            return "This was already done: another contact you logged counts for it."
        return _plain(exc)
    done_otherwise = "not by a contact" in exc.message  # a done the page does elsewhere
    if done_otherwise and action.opportunity is None:
        return (
            "This one is done by applying: record a new application and it counts toward "
            "this week's target."
        )
    if done_otherwise and action.rule == "decide-by":
        return (
            "This one is done by your answer to the offer: accept it, decline it or ask for "
            "more time on the opportunity's page."
        )
    if "cannot be done yet" in exc.message:
        opens = format_when(action.window_start, tz, with_date=True)
        return (
            f"This cannot be marked done yet: it follows something that has not happened "
            f"(it opens {opens}). If a time was recorded wrong, correct it first."
        )
    if "neither skipped nor snoozed" in exc.message:
        return "This is not skipped or snoozed any more."
    if "only an action already open" in exc.message:
        return f"Only an action that is open can be done anyway; this one is {action.status}."
    return _plain(exc)


def _plain(exc: FollowupError) -> str:
    """A message as a sentence, with its hint only when the hint names no command."""
    message = exc.message
    text = (message[:1].upper() + message[1:]).rstrip(".") + "."
    hint = exc.hint or ""
    if hint and "`" not in hint and "--" not in hint:
        text += f" {hint[:1].upper()}{hint[1:].rstrip('.')}."
    return text
