"""The planner: ``plan(facts, playbook, now) -> actions``. (Being written; signatures are final.)"""

from __future__ import annotations

from datetime import datetime

from followup.core.model import Action, Facts, Touch
from followup.core.playbook import Playbook


class Schedule:
    """The now-independent part of a plan; ``at(now)`` gives the actions with their status."""

    def at(self, now: datetime) -> list[Action]:
        raise NotImplementedError

    def to_json(self) -> str:
        raise NotImplementedError

    @classmethod
    def from_json(cls, text: str) -> Schedule:
        raise NotImplementedError


def schedule(facts: Facts, playbook: Playbook) -> Schedule:
    raise NotImplementedError


def plan(facts: Facts, playbook: Playbook, now: datetime) -> list[Action]:
    return schedule(facts, playbook).at(now)


def completing_touch(action: Action, now: datetime) -> Touch:
    """The touch that `followup done ACTION_ID` logs to complete ``action``."""
    raise NotImplementedError
