"""Alembic's entry point for followup's migrations.

followup runs migrations from code (`followup.store.migrate`), which opens the transaction and
hands its connection over in ``config.attributes["connection"]``; there is no offline mode.
"""

from __future__ import annotations

from typing import Any, Literal

from alembic import context
from sqlalchemy.types import TypeDecorator

from followup.store.schema import Base


def _render_item(kind: str, obj: Any, _autogen_context: Any) -> str | Literal[False]:
    """Write our column types as their plain SQL type, so revision files stand on their own."""
    if kind == "type" and isinstance(obj, TypeDecorator):
        return f"sa.{obj.impl!r}"
    return False


connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError(
        "run followup's migrations through followup.store.migrate, which supplies a connection"
    )

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,  # SQLite alters tables by rebuilding them
    compare_type=True,
    render_item=_render_item,
)
with context.begin_transaction():
    context.run_migrations()
