"""The schema revision this code expects, in a module that imports nothing.

The fast read path compares it with the database's ``alembic_version`` before trusting a cached
plan, so a database from another version of `followup` is never read by stale assumptions.
A test keeps it equal to the newest Alembic revision in ``migrations/versions``.
"""

from __future__ import annotations

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: this module is on the start-up path
if TYPE_CHECKING:
    from typing import Final

HEAD_REVISION: Final = "0016"
#: The candidate of the local, single-user app (migration 0004 creates it).
LOCAL_CANDIDATE: Final = "me"
