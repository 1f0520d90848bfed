"""Fixtures shared by every test.

- Every test runs with the user's data and config folders inside its own ``tmp_path``
  (``FOLLOWUP_DATA_DIR``, ``FOLLOWUP_CONFIG_DIR``) and without ``FOLLOWUP_DATABASE_URL``, so no
  test can read or change real data.
- ``db_url``: a fresh, empty database URL, once per backend: ``sqlite`` (a file in
  ``tmp_path``) and ``postgres`` (a new schema of the server named by
  ``FOLLOWUP_TEST_DATABASE_URL``, dropped afterwards; skipped when that variable is unset). The
  database is not migrated yet: `open_store` does that, as on a user's first run. Tests that use
  it run on both backends; the PostgreSQL ones carry the ``postgres`` marker
  (``pytest -m postgres``).
- ``store``: an opened (migrated, empty) `Store` on ``db_url``, closed afterwards.
- Hypothesis profiles: ``ci`` (the default: short runs) and ``fuzz`` (`make fuzz`, long runs),
  chosen with ``HYPOTHESIS_PROFILE``; tests that set their own ``max_examples`` keep it.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from followup.store import Store, open_store, sqlite_url

settings.register_profile(
    "ci", max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "fuzz", max_examples=2000, deadline=None, suppress_health_check=list(HealthCheck)
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

TEST_DATABASE_ENV = "FOLLOWUP_TEST_DATABASE_URL"


@pytest.fixture(autouse=True)
def _isolated_user_folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FOLLOWUP_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("FOLLOWUP_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.delenv("FOLLOWUP_DATABASE_URL", raising=False)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database URL (see the module docstring)."""
    if request.param == "sqlite":
        yield sqlite_url(tmp_path / "followup-test.db")
        return
    yield from _fresh_postgres()


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL schema's URL, for the server mode's tests (which need
    PostgreSQL: skipped without FOLLOWUP_TEST_DATABASE_URL, which CI sets)."""
    yield from _fresh_postgres()


def _fresh_postgres() -> Iterator[str]:
    server_url = os.environ.get(TEST_DATABASE_ENV)
    if not server_url:
        pytest.skip(f"{TEST_DATABASE_ENV} is not set (e.g. postgresql+psycopg://user@host/db)")
    with postgres_schema(server_url) as url:
        yield url


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    """An opened, migrated, empty store on ``db_url``."""
    opened = open_store(db_url)
    yield opened
    opened.close()


def postgres_schema(server_url: str) -> _PostgresSchema:
    return _PostgresSchema(server_url)


class _PostgresSchema:
    """A new schema on the server, as a URL whose connections see only it (``search_path``)."""

    def __init__(self, server_url: str) -> None:
        from sqlalchemy import make_url

        self.name = f"followup_test_{uuid.uuid4().hex[:12]}"
        server = make_url(server_url)
        self._conninfo = server.set(drivername="postgresql").render_as_string(hide_password=False)
        self.url = server.update_query_dict(
            {"options": f"-csearch_path={self.name}"}
        ).render_as_string(hide_password=False)

    def _execute(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self._conninfo, autocommit=True) as conn:
            conn.execute("SET lock_timeout = '10s'")
            conn.execute(sql)

    def __enter__(self) -> str:
        self._execute(f'CREATE SCHEMA "{self.name}"')
        return self.url

    def __exit__(self, *_exc: object) -> None:
        self._execute(f'DROP SCHEMA "{self.name}" CASCADE')
