"""What the server benchmarks share: the database, the followup command, percentiles, progress.

Every database made here is on the local PostgreSQL named by ``--pg`` (default
``postgresql://postgres@127.0.0.1:5432``, trust authentication); followup reaches it through
SQLAlchemy's ``postgresql+psycopg://`` URL. The followup processes started here run with
throw-away data and config folders, so the user's own data and settings are never used.
"""

from __future__ import annotations

import math
import os
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

HERE = Path(__file__).resolve().parent
BENCH = HERE.parent
ROOT = BENCH.parent
OUT = BENCH / "out"
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432"
DEFAULT_DB = "followup_bench"
#: every seeded account's password (one argon2 hash for all: a bench, not a real server)
PASSWORD = "bench-password-1"  # noqa: S105 - a throw-away bench database
ADMIN = "admin@acme.example"
ORGANISATION = "acme"

if str(BENCH) not in sys.path:  # bench/generate.py
    sys.path.append(str(BENCH))


def followup_command() -> list[str]:
    """The followup command of this virtual environment."""
    return [str(Path(sys.executable).parent / "followup")]


_SCRATCH: list[str] = []


def followup_env() -> dict[str, str]:
    """The environment of a followup process: throw-away data and config folders."""
    if not _SCRATCH:
        _SCRATCH.append(tempfile.mkdtemp(prefix="followup-server-bench-"))
    scratch = _SCRATCH[0]
    return {**os.environ, "FOLLOWUP_DATA_DIR": scratch, "FOLLOWUP_CONFIG_DIR": scratch}


def libpq_url(pg: str, database: str) -> str:
    """``pg`` (a server URL) pointed at ``database``, for psycopg."""
    parts = urlsplit(pg)
    return urlunsplit((parts.scheme, parts.netloc, f"/{database}", parts.query, ""))


def followup_url(pg: str, database: str) -> str:
    """The SQLAlchemy URL followup takes (``--db``)."""
    return libpq_url(pg, database).replace("postgresql://", "postgresql+psycopg://", 1)


def create_database(pg: str, database: str, *, fresh: bool) -> bool:
    """Create ``database`` (dropped first when ``fresh``); False when it was there already."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(libpq_url(pg, "postgres"), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone()
        if exists and fresh:
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                [database],
            )
            conn.execute(sql.SQL("DROP DATABASE {}").format(sql.Identifier(database)))
            exists = None
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
            return True
    return False


def drop_database(pg: str, database: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(libpq_url(pg, "postgres"), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(database)))


def percentile(values: Sequence[float], q: float) -> float | None:
    """The ``q`` quantile (0..1) by the nearest rank; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(q * len(ordered)))
    return ordered[rank - 1]


def summary_ms(seconds: Sequence[float]) -> dict[str, Any]:
    """count, median, p95, p99 and max of durations in seconds, as milliseconds."""

    def ms(value: float | None) -> float | None:
        return None if value is None else round(value * 1000, 1)

    return {
        "count": len(seconds),
        "median_ms": ms(percentile(seconds, 0.5)),
        "p95_ms": ms(percentile(seconds, 0.95)),
        "p99_ms": ms(percentile(seconds, 0.99)),
        "max_ms": ms(max(seconds) if seconds else None),
    }


def say(text: str) -> None:
    """A progress line (stderr, so stdout keeps the table only)."""
    print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


@contextmanager
def step(what: str) -> Iterator[dict[str, float]]:
    """Say ``what`` starts, then how long it took; the block gets a dict with ``seconds``."""
    say(f"{what} ...")
    timing: dict[str, float] = {}
    start = time.perf_counter()
    try:
        yield timing
    finally:
        timing["seconds"] = time.perf_counter() - start
        say(f"{what}: {timing['seconds']:.1f} s")


def bar(done: int, total: int, what: str, start: float) -> None:
    """A one-line progress bar on stderr (a terminal: redrawn in place; else every 10 %)."""
    width = 30
    filled = width * done // max(1, total)
    elapsed = time.perf_counter() - start
    line = f"  [{'#' * filled}{'.' * (width - filled)}] {done:,}/{total:,} {what} {elapsed:5.1f} s"
    if sys.stderr.isatty():
        end = "\n" if done >= total else ""
        print(f"\r{line}", end=end, file=sys.stderr, flush=True)
    elif done >= total or (done * 10 // max(1, total)) != ((done - 1) * 10 // max(1, total)):
        print(line, file=sys.stderr, flush=True)
