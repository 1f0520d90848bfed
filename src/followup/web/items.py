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
