"""Read models: what a listing shows about each opportunity, shared by every front end.

The `--json` shape of `followup opportunity list` is built here and documented in docs/json.md;
its keys and types do not depend on settings or locale.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import tzinfo
from typing import Any

from followup.core.model import Action, Facts, Opportunity
from followup.render import PENDING, shown_moment


def opportunity_summaries(
    facts: Facts, actions: Sequence[Action], tz: tzinfo
) -> list[dict[str, Any]]:
    """One summary per opportunity, in stored order."""
    pending: dict[str | None, list[Action]] = {}
    for action in actions:
        if action.status in PENDING:
            pending.setdefault(action.opportunity, []).append(action)
    return [_summary(o, pending.get(o.id, []), tz) for o in facts.opportunities]


def _summary(o: Opportunity, pending: list[Action], tz: tzinfo) -> dict[str, Any]:
    last = max((i.at for i in o.interviews), default=None)
    first = min(pending, key=shown_moment, default=None)
    return {
        "id": o.id,
        "company": o.company,
        "role": o.role,
        "status": o.status,
        "rank": o.rank,
        "applied": o.applied.isoformat() if o.applied else None,
        "people": len(o.people),
        "interviews": len(o.interviews),
        "last_interview": last.astimezone(tz).isoformat() if last else None,
        "pending_actions": len(pending),
        "next_action": first.id if first else None,
        "next_action_at": shown_moment(first).astimezone(tz).isoformat() if first else None,
    }
