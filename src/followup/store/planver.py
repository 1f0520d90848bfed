"""The planner version a stored plan is keyed to: what, besides the facts and the playbook,
decides which actions a plan holds and when.

It is the layout of a stored row (``PLAN_FORMAT``: bump it when the planner's rules or the
stored fields change), the package's version, and the versions of the data the planner reads:
public holidays (``holidays``) and time zones (the system's tz database, which ``zoneinfo``
reads first, and the ``tzdata`` package). Read with the standard library from the installed
files, without importing those packages, because `followup today` checks it on every run.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: this module is on the start-up path
if TYPE_CHECKING:
    from typing import Final

#: Bump when what the planner stores, or how it decides, changes within a package version.
PLAN_FORMAT: Final = 3

_cached: list[str] = []


def planner_version() -> str:
    if not _cached:
        from followup import __version__

        parts = [
            f"plan{PLAN_FORMAT}",
            f"followup {__version__}",
            f"holidays {_distribution_version('holidays')}",
            f"tzdata {_distribution_version('tzdata')}",
            f"tz {_system_tz_version()}",
        ]
        _cached.append("; ".join(parts))
    return _cached[0]


def holidays_version() -> str:
    """The installed ``holidays`` library's version (what the holiday cache is keyed by)."""
    return _distribution_version("holidays")


def _distribution_version(name: str) -> str:
    """The version in the name of the installed ``<name>-<version>.dist-info`` folder."""
    prefix = name + "-"
    for folder in sys.path:
        if not os.path.isdir(os.path.join(folder or ".", name)):
            continue
        try:
            entries = os.listdir(folder or ".")
        except OSError:
            continue
        for entry in entries:
            if entry.startswith(prefix) and entry.endswith(".dist-info"):
                return entry[len(prefix) : -len(".dist-info")]
    return "none"


def _system_tz_version() -> str:
    """The first line of the system's tzdata.zi ("# version 2025b"), where zoneinfo looks."""
    for folder in ("/usr/share/zoneinfo", "/usr/lib/zoneinfo", "/usr/share/lib/zoneinfo"):
        try:
            with open(os.path.join(folder, "tzdata.zi"), encoding="ascii") as f:
                return f.readline().strip().removeprefix("# version ")
        except (OSError, ValueError):
            continue
    return "none"
