"""The bodies of `followup today` and `followup plan`, without click.

The click commands in ``plan`` and the click-free fast path in ``fast`` both call these, so the
two paths print exactly the same thing.
"""

from __future__ import annotations

import json
import sys
from datetime import date, datetime, tzinfo
from typing import TYPE_CHECKING, Final

from followup.errors import NotFound
from followup.render import (
    PENDING,
    action_json,
    render_plan,
    render_today,
    today_groups,
    today_text,
)

if TYPE_CHECKING:
    from followup.cli.app import App
    from followup.core.model import Action
    from followup.store.fastpath import Today

#: Lines per group of `followup today` unless --limit says otherwise, and the most it takes.
DEFAULT_LIMIT: Final = 20
MAX_LIMIT: Final = 10_000


def show_today(app: App, as_of: date | datetime | None, as_json: bool, limit: int) -> None:
    """Overdue, due now, the next 7 days and what was missed lately (``limit`` lines per group;
    0: all). The stored plan's indexed queries answer for the present; a moment in the past
    (``as_of``) is worked out from the whole plan, since what was done later was not done
    yet then."""
    from followup.services.agenda import today_of

    found = None if as_json else _stored_today(app, as_of, limit or None)
    if found is None:
        agenda, now = app.agenda_at(as_of)
        actions = agenda.at(now)
        if as_json:
            echo_actions([a for group in today_groups(actions, now) for a in group], agenda.tz)
            return
        text = render_today(
            actions,
            now,
            agenda.tz,
            has_opportunities=bool(agenda.opportunities),
            limit=limit or None,
            color=app.color,
        )
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    agenda, groups, later = today_of(found, app.playbook.playbook, limit or None)
    text = today_text(
        [(g.lines, g.total) for g in groups],
        later,
        agenda.tz if later is not None else None,
        has_opportunities=bool(agenda.opportunities),
        color=app.color,
        width=app.width,
    )
    sys.stdout.write(text)
    sys.stdout.flush()


def _stored_today(app: App, as_of: date | datetime | None, limit: int | None) -> Today | None:
    """What `followup today` shows, by the indexed queries on the stored plan: straight from a
    SQLite file with the standard library when its plan is current (``store.fastpath``: no
    SQLAlchemy to import), else through the store, which plans what is stale first. None for
    a moment in the past: the stored plan counts as done what was done after it."""
    from followup.store.fastpath import read_today, sqlite_path_from_url
    from followup.store.planver import planner_version
    from followup.store.version import LOCAL_CANDIDATE

    now = app.now().timestamp()
    past = False

    def moment(timezone: str) -> float:
        nonlocal past
        if as_of is None:
            return now
        from zoneinfo import ZoneInfo

        from followup.cli.when import localize

        at = localize(as_of, ZoneInfo(timezone)).timestamp()
        past = at < now
        return at

    path = sqlite_path_from_url(app.config.database_url)
    if path is not None:
        source = app.playbook.fingerprint
        found = read_today(path, LOCAL_CANDIDATE, source, planner_version(), moment, limit)
        if found is not None:
            return None if past else found
    ws = app.workspace
    found = ws.units.read_today(moment, limit, ws.source, ws.candidate_pk)
    return None if past else found


def show_plan(
    app: App, opportunity: str | None, as_of: date | datetime | None, as_json: bool, every: bool
) -> None:
    """The pending actions (``every``: all of them), of one opportunity or all."""
    agenda, now = app.agenda_at(as_of)
    if opportunity is not None and opportunity not in agenda.opportunities:
        raise NotFound(
            f"unknown opportunity '{opportunity}'",
            hint="`followup opportunity list` shows the opportunities and their ids",
        )
    actions = [
        a
        for a in agenda.at(now)
        if (every or a.status in PENDING) and (opportunity is None or a.opportunity == opportunity)
    ]
    tz = agenda.tz
    if as_json:
        echo_actions(actions, tz)
        return
    labels = agenda.opportunities
    if opportunity is not None:
        labels = {opportunity: labels[opportunity]}
    sys.stdout.write(render_plan(actions, tz, labels, color=app.color, width=app.width))
    sys.stdout.flush()


def echo_actions(actions: list[Action], tz: tzinfo) -> None:
    """The stable `--json` list of actions (docs/json.md)."""
    items = [action_json(a, tz) for a in actions]
    sys.stdout.write(json.dumps(items, indent=2, ensure_ascii=False) + "\n")
    sys.stdout.flush()
