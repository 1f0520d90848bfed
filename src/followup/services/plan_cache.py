"""The plan, served from the plan cache whenever the facts have not changed.

A cache entry is keyed by:

- the playbook's fingerprint (a changed setting is a different plan; see ``PlaybookSource``),
- a checksum of the planner's source code (a new version never serves an old plan),
- and, inside the store, the facts' revision (any write makes every entry stale).

On SQLite the cache is read with the standard library alone (``followup.store.fastpath``), so a
cache hit never imports SQLAlchemy: that is what keeps `followup today` instant.
"""

from __future__ import annotations

import os
import zlib
from contextlib import suppress
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING

from followup.config import PlaybookSource
from followup.errors import StorageError
from followup.services.agenda import FORMAT, Agenda, compile_agenda, decode, encode
from followup.services.database import Database

if TYPE_CHECKING:
    from followup.core.model import Action, Facts
    from followup.core.playbook import Playbook


def load_agenda(
    database: Database,
    playbook: Playbook | PlaybookSource,
    now: datetime,
    facts: Facts | None = None,
    *,
    anytime: bool = False,
) -> Agenda:
    """The current agenda: from the cache when fresh, else planned (around ``now``) and cached.

    The agenda must cover ``now`` (its weekly actions), unless ``anytime``: a caller that
    only needs the profile's time zone to read ``--as-of`` takes any fresh one. A caller that
    has just loaded the facts passes them, to save loading them again on a miss (that plan is
    not cached: the facts may be older than the revision read afterwards).
    """
    source = as_source(playbook)
    key = cache_key(source)
    agenda = None
    path = None
    if not database.is_open:
        from followup.store.fastpath import read_cached_payload, sqlite_path_from_url

        path = sqlite_path_from_url(database.url)
        if path is not None:
            agenda = decode(read_cached_payload(path, key))
    if agenda is None and path is None:
        agenda = decode(database.store.read_cache(key))
    if agenda is not None and (anytime or agenda.covers(now)):
        return agenda
    if facts is not None:
        return compile_agenda(facts, source.playbook, now)
    store = database.store
    revision, current = store.load_snapshot()  # one read: the entry is keyed to these facts
    agenda = compile_agenda(current, source.playbook, now)
    with suppress(StorageError):  # a read-only database still gets its plan, just not cached
        store.write_cache(key, revision, encode(agenda))
    return agenda


def compute_plan(
    database: Database | str, playbook: Playbook | PlaybookSource, now: datetime
) -> list[Action]:
    """Every action of the plan as of ``now`` (through the cache), for any front end."""
    if isinstance(database, str):
        database = Database(database)
        try:
            return load_agenda(database, playbook, now).at(now)
        finally:
            database.close()
    return load_agenda(database, playbook, now).at(now)


def as_source(playbook: Playbook | PlaybookSource) -> PlaybookSource:
    return playbook if isinstance(playbook, PlaybookSource) else PlaybookSource.of(playbook)


def cache_key(playbook: Playbook | PlaybookSource) -> str:
    return f"plan/{FORMAT}/{as_source(playbook).fingerprint}/{core_fingerprint()}"


@cache
def core_fingerprint() -> str:
    """Checksums of the source of ``followup.core`` and of the agenda compiler: the code that
    shapes a cached plan is part of its key."""
    import followup.core
    import followup.services.agenda

    folder = os.path.dirname(followup.core.__file__)
    files = [os.path.join(folder, n) for n in sorted(os.listdir(folder)) if n.endswith(".py")]
    files.append(followup.services.agenda.__file__)
    crc, adler = 0, 1
    for name in files:
        with open(name, "rb") as source:
            data = os.path.basename(name).encode() + b"\0" + source.read()
        crc, adler = zlib.crc32(data, crc), zlib.adler32(data, adler)
    return f"{crc:08x}{adler:08x}"
