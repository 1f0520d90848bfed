"""A database URL whose store is opened only when a use case needs it.

Reading a fresh plan from the cache needs no store at all (see ``agenda``), and opening one
imports SQLAlchemy and may create or migrate the database, so it waits until it is needed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from followup.store import Store


class Database:
    """The database of one run: its URL, and its store once opened."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._store: Store | None = None
        self._opened_at = -1

    @classmethod
    def of(cls, store: Store) -> Database:
        """Wrap a store that is already open (a long-running server keeps one)."""
        database = cls(store.url)
        database._store = store
        database._opened_at = store.revision()
        return database

    @property
    def is_open(self) -> bool:
        return self._store is not None

    @property
    def store(self) -> Store:
        """The store, opened (created and migrated if new) on first use."""
        if self._store is None:
            from followup.store import open_store

            self._store = open_store(self.url)
            self._opened_at = self._store.revision()
        return self._store

    @property
    def changed(self) -> bool:
        """Has anything been written since this run opened the store?"""
        return self._store is not None and self._store.revision() != self._opened_at

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None
