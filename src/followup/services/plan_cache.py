"""The plan of a workspace, read from the stored plans.

Every write plans again the opportunities it changed, in its own transaction, so reading the
plan is a query. Only a new playbook or planner version (or a database migrated from 0.1) makes
stored rows stale; the reader then plans them again once, in bulk (``Store.read_agenda``).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from followup.config import PlaybookSource
from followup.services.agenda import Agenda, agenda_of
from followup.services.database import Database

if TYPE_CHECKING:
    from followup.core.model import Action, Facts
    from followup.core.playbook import Playbook
    from followup.store.plans import Progress


def load_agenda(
    database: Database,
    playbook: Playbook | PlaybookSource,
    now: datetime | None = None,
    facts: Facts | None = None,
    *,
    anytime: bool = False,
    progress: Progress | None = None,
) -> Agenda:
    """The candidate's agenda. (``now``, ``facts`` and ``anytime`` are accepted for the
    callers of the old plan cache: a stored plan is valid at any moment.)"""
    source = as_source(playbook)
    found = database.store.read_agenda(source, database.candidate_pk, progress or database.progress)
    return agenda_of(
        found.rows,
        found.profile.timezone,
        found.opportunities,
        found.decisions,
        found.profile.weekly_target,
        source.playbook,
    )


def compute_plan(
    database: Database | str, playbook: Playbook | PlaybookSource, now: datetime
) -> list[Action]:
    """Every action of the plan as of ``now``, for any front end."""
    if isinstance(database, str):
        database = Database(database)
        try:
            return load_agenda(database, playbook, now).at(now)
        finally:
            database.close()
    return load_agenda(database, playbook, now).at(now)


def as_source(playbook: Playbook | PlaybookSource) -> PlaybookSource:
    return playbook if isinstance(playbook, PlaybookSource) else PlaybookSource.of(playbook)
