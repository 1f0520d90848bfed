"""Persistence: the facts in SQLite (embedded, the default) or PostgreSQL (by URL).

``import followup.store`` is cheap: SQLAlchemy is imported only when `open_store`, `Store` or
`UnitOfWork` is first used. The CLI's fast path (`followup.store.fastpath`) never imports it.

    store = open_store(sqlite_url("~/followup.db"))
    with store.unit_of_work() as work:
        work.add_opportunity(opportunity)
    facts = store.load_facts()
"""

from __future__ import annotations

import os

from followup.store.version import HEAD_REVISION

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: importing typing costs ~10 ms
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any

    from followup.store.store import Store, open_store
    from followup.store.uow import UnitOfWork

__all__ = ["HEAD_REVISION", "Store", "UnitOfWork", "open_store", "sqlite_url"]

_LAZY = {
    "Store": "followup.store.store",
    "open_store": "followup.store.store",
    "UnitOfWork": "followup.store.uow",
}


def sqlite_url(path: str | Path) -> str:
    """The SQLAlchemy URL of the SQLite file at ``path`` (made absolute, ``~`` expanded)."""
    absolute = os.path.realpath(os.path.expanduser(os.fspath(path)))
    # SQLAlchemy URL-decodes the path and cuts it at '?': keep '%' and '?' literal.
    return "sqlite:///" + absolute.replace("%", "%25").replace("?", "%3F")


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'followup.store' has no attribute '{name}'")
