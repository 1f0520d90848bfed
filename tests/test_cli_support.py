"""Helpers shared by the CLI and service tests (this module holds no tests of its own).

- ``sample_document()``: a small, fixed interchange document (two companies, March 2030).
- ``Cli``: runs `followup` in-process with click's test runner on a real SQLite file, with a
  fixed clock, and checks the exit code.
"""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from followup.cli.app import App
from followup.cli.root import cli

#: Tue 5 Mar 2030, 10:00 in New York: the day after the Acme interview.
NOW = datetime(2030, 3, 5, 15, 0, tzinfo=UTC)
AS_OF = "2030-03-05T10:00"

_SAMPLE: dict[str, Any] = {
    "version": 1,
    "profile": {
        "name": "Alex Morgan",
        "timezone": "America/New_York",
        "country": "US",
        "weekly_target": 3,
    },
    "opportunities": [
        {
            "id": "acme",
            "company": "Acme Corp",
            "role": "Staff Engineer",
            "applied": "2030-02-18",
            "rank": 1,
            "status": "active",
            "people": [
                {
                    "id": "dana",
                    "name": "Dana Lee",
                    "role": "hiring-manager",
                    "key": True,
                    "email": "dana@acme.example",
                },
                {"id": "sam", "name": "Sam Ortiz", "role": "recruiter"},
            ],
            "interviews": [
                {
                    "id": "i1",
                    "at": "2030-03-04T14:00-05:00",
                    "duration_minutes": 60,
                    "with": ["dana", "sam"],
                    "notes": {
                        "dana": "Moving billing to Kafka before the Q3 launch",
                        "sam": "The team doubles next year",
                    },
                }
            ],
        },
        {
            "id": "globex",
            "company": "Globex",
            "role": "Platform Lead",
            "rank": 2,
            "status": "active",
            "people": [{"id": "kim", "name": "Kim Park", "role": "hiring-manager"}],
            "interviews": [
                {"id": "i1", "at": "2030-02-25T11:00-05:00", "with": ["kim"]},
            ],
        },
    ],
    "achievements": [],
    "decisions": [],
}


def sample_document() -> dict[str, Any]:
    return copy.deepcopy(_SAMPLE)


class Cli:
    """`followup --db FILE ...` in-process, at a fixed moment."""

    def __init__(self, db: Path, now: datetime = NOW) -> None:
        self.db = db
        self.now = now

    def __call__(
        self,
        *args: str,
        expect: int = 0,
        input: str | None = None,
        env: dict[str, str] | None = None,
    ) -> Result:
        app = App(environ=os.environ, clock=lambda: self.now)
        result = CliRunner().invoke(
            cli, ["--db", str(self.db), *args], obj=app, input=input, env=env
        )
        assert result.exit_code == expect, (result.exit_code, result.output, result.exception)
        return result

    def json(self, *args: str) -> Any:
        return json.loads(self(*args).stdout)

    def load(self, document: dict[str, Any] | None = None, *, folder: Path) -> None:
        """Import ``document`` (the sample by default)."""
        path = folder / "in.json"
        path.write_text(json.dumps(document or sample_document()), encoding="utf-8")
        self("import", str(path))

    def export(self) -> str:
        return str(self("export").stdout)


def ids(actions: Sequence[dict[str, Any]]) -> set[str]:
    return {a["id"] for a in actions}
