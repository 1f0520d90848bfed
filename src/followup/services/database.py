"""The workspace of one run: a database, the candidate whose data it is, and the playbook.

The store is opened (created and migrated if new, which imports SQLAlchemy) only when a use
case needs it. Writes made through it plan again, with this playbook, what they changed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from followup.config import PlaybookSource
    from followup.store import Store
    from followup.store.plans import Progress


class Database:
    """The database of one run: its URL, its store once opened, the candidate (the local
    one unless named) and the playbook that plans are made with."""

    def __init__(
        self,
        url: str,
        playbook: PlaybookSource | None = None,
        candidate: str | None = None,
        progress: Progress | None = None,
    ) -> None:
        self.url = url
        self.playbook = playbook
        self.candidate = candidate
        #: told how a long re-planning goes (a progress bar on a terminal)
        self.progress = progress
        self._store: Store | None = None
        self._opened_at = -1

    @classmethod
    def of(cls, store: Store, candidate: str | None = None) -> Database:
        """Wrap a store that is already open (a long-running server keeps one)."""
        database = cls(store.url, candidate=candidate)
        database._store = store
        database._opened_at = store.revision(database.candidate_pk)
        return database

    @property
    def is_open(self) -> bool:
        return self._store is not None

    @property
    def store(self) -> Store:
        """The store, opened (created and migrated if new) on first use."""
        if self._store is None:
            from followup.store import open_store

            self._store = open_store(self.url, self.playbook)
            self._opened_at = self._store.revision(self.candidate_pk)
        return self._store

    @property
    def candidate_pk(self) -> int:
        if self.candidate is None:
            return self.store.candidate_pk()
        return self.store.candidate_pk(self.candidate)

    @property
    def changed(self) -> bool:
        """Has anything been written since this run opened the store?"""
        return self._store is not None and self._store.revision() != self._opened_at

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None
