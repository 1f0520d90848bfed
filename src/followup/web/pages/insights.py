"""Insights: activity per week, the funnel, and the weekly search target against what was done.

New applications are counted per week by the same rule as the keep-searching action
(``core.applications``): the ``applied`` day, else the day the opportunity was recorded. A past
week below the target stays visible as missed, from the week of the first application on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import Final

from fastapi import APIRouter, Request
from fastapi.responses import Response

from followup.core.applications import counted_day, per_week
from followup.core.model import Facts
from followup.web.charts import bar_chart, funnel_chart
from followup.web.render import page
from followup.web.state import WebState, web_state

router = APIRouter()
WEEKS: Final = 12


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _day(value: date | datetime, tz: tzinfo) -> date:
    return value.astimezone(tz).date() if isinstance(value, datetime) else value


def _label(monday: date) -> str:
    return f"{monday.day} {monday.strftime('%b')}"


@dataclass(frozen=True)
class Week:
    """New applications in one week (Monday first) against the weekly target."""

    monday: date
    applications: int
    target: int
    current: bool  # the week holding today: not over yet
    tracked: bool  # on or after the week of the first application

    @property
    def label(self) -> str:
        return _label(self.monday)

    @property
    def missed(self) -> bool:
        """A week that is over, counted, and fell short of the target."""
        return self.tracked and not self.current and self.applications < self.target


def application_weeks(facts: Facts, today: date, tz: tzinfo, target: int) -> list[Week]:
    """The last ``WEEKS`` weeks up to the one holding ``today``, oldest first."""
    mondays = [week_start(today) - timedelta(weeks=WEEKS - 1 - n) for n in range(WEEKS)]
    entries = [(o.applied, o.recorded_at) for o in facts.opportunities]
    counts = per_week(entries, tz, mondays)
    days = [d for applied, at in entries if (d := counted_day(applied, at, tz)) is not None]
    started = week_start(min(days)) if days else None
    return [
        Week(
            monday=m,
            applications=n,
            target=target,
            current=m == mondays[-1],
            tracked=started is not None and m >= started,
        )
        for m, n in zip(mondays, counts, strict=True)
    ]


def weekly_activity(facts: Facts, today: date, tz: tzinfo) -> dict[str, list[tuple[str, int]]]:
    """Per week (Monday first), the last ``WEEKS`` weeks: follow-ups sent, replies received and
    interviews (new applications: ``application_weeks``)."""
    first = week_start(today) - timedelta(weeks=WEEKS - 1)
    weeks = [first + timedelta(weeks=n) for n in range(WEEKS)]
    series: dict[str, dict[date, int]] = {
        k: dict.fromkeys(weeks, 0) for k in ("sent", "received", "interviews")
    }

    def count(kind: str, when: date | datetime | None) -> None:
        if when is None:
            return
        week = week_start(_day(when, tz))
        if week in series[kind]:
            series[kind][week] += 1

    for o in facts.opportunities:
        for i in o.interviews:
            count("interviews", i.at)
        for t in o.touches:
            count("sent" if t.direction == "out" else "received", t.at)
    return {k: [(_label(w), v) for w, v in by_week.items()] for k, by_week in series.items()}


def funnel(facts: Facts) -> list[tuple[str, int]]:
    opps = facts.opportunities
    return [
        ("Opportunities", len(opps)),
        ("Interviewed", sum(1 for o in opps if o.interviews)),
        ("Offer", sum(1 for o in opps if o.offers or o.status in ("offer", "accepted"))),
        ("Accepted", sum(1 for o in opps if o.status == "accepted")),
    ]


@router.get("/insights", name="insights")
def insights_page(request: Request) -> Response:
    state: WebState = web_state(request)
    now = state.now()
    facts = state.facts(now)
    tz = state.tz(now)
    today = now.astimezone(tz).date()
    activity = weekly_activity(facts, today, tz)
    own = facts.profile.weekly_target
    target = own if own is not None else state.playbook.playbook.weekly_target
    weeks = application_weeks(facts, today, tz, target)
    this_week = weeks[-1].applications
    missed = [w for w in weeks if w.missed]
    active = sum(1 for o in facts.opportunities if o.status in ("active", "offer"))
    context = {
        "title": "Insights",
        "sent_chart": bar_chart(activity["sent"], title="Follow-ups sent per week"),
        "applications_chart": bar_chart(
            [(w.label, w.applications) for w in weeks],
            target=target or None,
            title="New applications per week",
            marked=[w.missed for w in weeks],
        ),
        "funnel_chart": funnel_chart(funnel(facts), title="From opportunity to offer"),
        "target": target,
        "this_week": this_week,
        "weeks": weeks,
        "missed": missed,
        "active": active,
        "thin": active < state.playbook.playbook.thin_pipeline,
        "totals": {k: sum(v for _, v in series) for k, series in activity.items()},
    }
    return page(request, "insights.html", context)
