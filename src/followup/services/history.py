"""Undo, redo and the history of writes: the candidate's undo journal (``store.journal``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from followup.services.workspace import Workspace
    from followup.store.journal import Entry


def undo(ws: Workspace) -> Entry:
    """Revert the newest write not undone yet (again: the one before it)."""
    from followup.store.journal import step

    with ws.unit_of_work(journal=False) as work:
        return step(work, back=True)


def redo(ws: Workspace) -> Entry:
    """Make again the oldest write that was undone (until a new write drops them)."""
    from followup.store.journal import step

    with ws.unit_of_work(journal=False) as work:
        return step(work, back=False)


def history(ws: Workspace, limit: int | None = None) -> list[Entry]:
    """The journalled writes, newest first."""
    from followup.store.journal import history as read

    with ws.units.reading(ws.candidate_pk) as work:
        return read(work.db, work.candidate_pk, limit)
