"""The plan of a workspace, read from the stored plans.

Every write plans again the opportunities it changed, in its own transaction, so reading the
plan is a query. Only a new playbook or planner version (or a database migrated from 0.1) makes
stored rows stale; the reader then plans them again once, in bulk (``Store.read_agenda``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from followup.config import PlaybookSource
from followup.services.agenda import Agenda, agenda_of
from followup.services.workspace import Workspace

if TYPE_CHECKING:
    from datetime import datetime

    from followup.core.playbook import Playbook
    from followup.store.plans import Progress


def load_agenda(
    database: Workspace,
    playbook: Playbook | PlaybookSource | None = None,
    *,
    progress: Progress | None = None,
) -> Agenda:
    """The candidate's agenda, planned with ``playbook`` (the workspace's own when None). It
    is valid at any moment: statuses are worked out when asked for."""
    source = database.source if playbook is None else as_source(playbook)
    found = database.units.read_agenda(source, database.candidate_pk, progress or database.progress)
    return agenda_of(
        found.rows,
        found.profile.timezone,
        found.opportunities,
        found.decisions,
        found.profile.weekly_target,
        source.playbook,
    )


def agenda_as_of(database: Workspace, moment: datetime) -> Agenda:
    """The agenda as it stood at a past ``moment``: planned from the facts of then
    (``core.as_of``), not read from the stored plan, which knows what happened since."""
    from followup.core.as_of import facts_as_of
    from followup.core.planner import schedule

    facts = facts_as_of(database.facts(), moment)
    source = database.source
    return agenda_of(
        schedule(facts, source.playbook),
        facts.profile.timezone,
        [
            (o.id, o.company, o.role, o.status, o.applied, o.recorded_at)
            for o in facts.opportunities
        ],
        list(facts.decisions),
        facts.profile.weekly_target,
        source.playbook,
    )


def as_source(playbook: Playbook | PlaybookSource) -> PlaybookSource:
    return playbook if isinstance(playbook, PlaybookSource) else PlaybookSource.of(playbook)
