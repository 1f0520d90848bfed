"""Days, moments and time zones as text: deterministic rendering, and looking zones up.

Reading them (strictly, with a problem that names the place) is in ``followup.core.problems``,
with every other input check.
"""

from __future__ import annotations

from datetime import date, datetime, tzinfo
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

#: Zone names that exist on some machines but mean "whatever this computer is set to".
_MACHINE_ZONES: Final = frozenset({"localtime", "posixrules"})


def zone_or_none(name: str) -> ZoneInfo | None:
    """The zone called ``name``, or None when it is unknown (or means "this computer")."""
    if name in _MACHINE_ZONES:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


def format_moment(value: datetime, zone: tzinfo | None = None) -> str:
    """ISO 8601 with offset, shown in ``zone`` when given; seconds only when they are not zero.

    The same instant always renders the same way for the same zone, which is what makes an
    export byte-for-byte repeatable.
    """
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"cannot render a time without a UTC offset: {value!r}")
    if zone is not None:
        value = value.astimezone(zone)
    if value.microsecond:
        return value.isoformat(timespec="microseconds")
    if value.second:
        return value.isoformat(timespec="seconds")
    return value.isoformat(timespec="minutes")


def format_when(value: date | datetime, zone: tzinfo | None = None) -> str:
    """A day as ``YYYY-MM-DD``, a moment as :func:`format_moment` renders it."""
    if isinstance(value, datetime):
        return format_moment(value, zone)
    return value.isoformat()
