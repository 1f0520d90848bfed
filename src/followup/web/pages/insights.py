"""Insights: activity per week, the funnel, and this week's search target against what was done."""

from __future__ import annotations

from datetime import date, datetime, timedelta, tzinfo
from typing import Final

from fastapi import APIRouter, Request
from fastapi.responses import Response

from followup.core.model import Facts
from followup.web.charts import bar_chart, funnel_chart
from followup.web.render import page
from followup.web.state import WebState

router = APIRouter()
WEEKS: Final = 12


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _day(value: date | datetime, tz: tzinfo) -> date:
    return value.astimezone(tz).date() if isinstance(value, datetime) else value


def weekly_activity(facts: Facts, today: date, tz: tzinfo) -> dict[str, list[tuple[str, int]]]:
    """Per week (Monday first), the last ``WEEKS`` weeks: follow-ups sent, replies received,
    interviews, and new applications."""
    first = week_start(today) - timedelta(weeks=WEEKS - 1)
    weeks = [first + timedelta(weeks=n) for n in range(WEEKS)]
    series: dict[str, dict[date, int]] = {
        k: dict.fromkeys(weeks, 0) for k in ("sent", "received", "interviews", "applications")
    }

    def count(kind: str, when: date | datetime | None) -> None:
        if when is None:
            return
        week = week_start(_day(when, tz))
        if week in series[kind]:
            series[kind][week] += 1

    for o in facts.opportunities:
        count("applications", o.applied)
        for i in o.interviews:
            count("interviews", i.at)
        for t in o.touches:
            count("sent" if t.direction == "out" else "received", t.at)
    return {
        k: [(f"{w.day} {w.strftime('%b')}", v) for w, v in by_week.items()]
        for k, by_week in series.items()
    }


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
    state: WebState = request.app.state.web
    now = state.now()
    facts = state.facts(now)
    tz = state.tz(now)
    today = now.astimezone(tz).date()
    activity = weekly_activity(facts, today, tz)
    target = facts.profile.weekly_target or state.playbook.playbook.weekly_target
    this_week = activity["applications"][-1][1]
    active = sum(1 for o in facts.opportunities if o.status in ("active", "offer"))
    context = {
        "title": "Insights",
        "sent_chart": bar_chart(activity["sent"], title="Follow-ups sent per week"),
        "applications_chart": bar_chart(
            activity["applications"], target=target, title="New applications per week"
        ),
        "funnel_chart": funnel_chart(funnel(facts), title="From opportunity to offer"),
        "target": target,
        "this_week": this_week,
        "active": active,
        "thin": active < state.playbook.playbook.thin_pipeline,
        "totals": {k: sum(v for _, v in series) for k, series in activity.items()},
    }
    return page(request, "insights.html", context)
