"""Keep searching counts what was recorded: an application counts in the week of its `applied`
day, else in the week it was recorded (`recorded_at`, filled in by every way of adding one);
the planner, the store's reads and the Insights page agree; a missed week stays visible."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from followup.config import PlaybookSource
from followup.core.actions import week_days
from followup.core.applications import count_between, counted_day, per_week
from followup.core.interchange import dump_document, parse_document
from followup.core.model import Facts, Opportunity, Profile
from followup.core.planner import plan, search_of
from followup.core.playbook import Playbook
from followup.errors import InvalidDocument, UsageError
from followup.services import documents, record
from followup.services.workspace import Workspace
from followup.store import Store, open_store, sqlite_url
from followup.store.fastpath import read_today, sqlite_path_from_url
from followup.store.planver import planner_version
from followup.store.version import LOCAL_CANDIDATE
from followup.web.app import create_app
from followup.web.settings import WebSettings
from test_cli_support import Cli

LA = "America/Los_Angeles"
MONDAY = date(2030, 11, 11)  # the week under test: Mon 11 .. Sun 17 Nov 2030
NOW = datetime(2030, 11, 13, 20, 0, tzinfo=UTC)  # Wednesday 12:00 in Los Angeles


def local(day: date, hour: int, minute: int = 0, tz: str = LA) -> datetime:
    return datetime.combine(day, time(hour, minute), ZoneInfo(tz))


def opportunity(
    opp_id: str, applied: date | None = None, recorded_at: datetime | None = None
) -> Opportunity:
    return Opportunity(
        id=opp_id, company=opp_id.title(), role="PM", applied=applied, recorded_at=recorded_at
    )


def keep_searching(facts: Facts, now: datetime) -> Any:
    (weekly,) = [a for a in plan(facts, Playbook(), now) if a.rule == "keep-searching"]
    return weekly


# -- the rule -------------------------------------------------------------------------------


def test_the_applied_day_counts_else_the_day_it_was_recorded_on_the_candidates_clock() -> None:
    la, tokyo = ZoneInfo(LA), ZoneInfo("Asia/Tokyo")
    sunday_night = local(date(2030, 11, 10), 23, 30)  # Monday in UTC, Monday in Tokyo

    assert counted_day(date(2030, 11, 1), sunday_night, la) == date(2030, 11, 1)
    assert counted_day(None, sunday_night, la) == date(2030, 11, 10)
    assert counted_day(None, sunday_night, tokyo) == date(2030, 11, 11)
    assert counted_day(None, None, la) is None  # recorded before followup kept the moment

    entries = [(None, sunday_night), (date(2030, 11, 17), None), (None, None)]
    assert count_between(entries, la, MONDAY, MONDAY + timedelta(days=6)) == 1
    assert count_between(entries, tokyo, MONDAY, MONDAY + timedelta(days=6)) == 2
    mondays = [MONDAY - timedelta(weeks=1), MONDAY, MONDAY + timedelta(weeks=1)]
    assert per_week(entries, la, mondays) == [1, 1, 0]


def test_keep_searching_counts_an_application_without_a_date_in_the_week_it_was_recorded() -> None:
    profile = Profile(name="Alex", timezone=LA, weekly_target=2)
    facts = Facts(
        profile=profile,
        opportunities=(
            opportunity("recorded-today", recorded_at=NOW - timedelta(hours=1)),
            opportunity("recorded-last-week", recorded_at=NOW - timedelta(days=7)),
            opportunity("applied-last-week", date(2030, 11, 8), recorded_at=NOW),
            opportunity("from-before", None, None),
        ),
    )
    weekly = keep_searching(facts, NOW)
    assert search_of(facts, Playbook(), NOW).applied_this_week == 1
    assert weekly.status == "due" and "(1 so far)" in weekly.reason

    more = Facts(
        profile=profile,
        opportunities=(*facts.opportunities, opportunity("another", recorded_at=NOW)),
    )
    assert keep_searching(more, NOW).status == "done"  # the target of 2 is met


# -- the store agrees with the planner ------------------------------------------------------

#: (id, applied, recorded_at as local (day, hour, minute) or None)
ROWS: list[tuple[str, date | None, tuple[date, int, int] | None]] = [
    ("prev-sunday-night", None, (date(2030, 11, 10), 23, 59)),
    ("monday-first-minute", None, (MONDAY, 0, 1)),
    ("wednesday", None, (date(2030, 11, 13), 12, 0)),
    ("sunday-last-minute", None, (date(2030, 11, 17), 23, 59)),
    ("next-monday", None, (date(2030, 11, 18), 0, 0)),
    ("applied-before", date(2030, 11, 10), (date(2030, 11, 13), 9, 0)),  # applied wins
    ("applied-friday", date(2030, 11, 15), None),  # recorded before 0007
    ("applied-monday", MONDAY, (date(2030, 10, 20), 9, 0)),
    ("never-known", None, None),
    ("long-ago", None, (date(2030, 10, 24), 9, 0)),
]
#: moment (local day, hour, minute, second) -> applications counted in its week
EXPECTED = {
    (date(2030, 11, 10), 23, 59, 30): 2,  # the week before: Sunday night + applied Sunday
    (MONDAY, 0, 0, 30): 5,
    (date(2030, 11, 13), 12, 0, 0): 5,
    (date(2030, 11, 17), 23, 59, 59): 5,
    (date(2030, 11, 18), 0, 0, 1): 1,
}


@pytest.mark.parametrize("tz", [LA, "Pacific/Auckland"])
def test_the_store_counts_the_week_as_the_planner_does(store: Store, tz: str) -> None:
    zone = ZoneInfo(tz)
    opps = tuple(
        opportunity(
            i, applied, local(r[0], r[1], r[2], tz).astimezone(UTC) if r is not None else None
        )
        for i, applied, r in ROWS
    )
    with store.unit_of_work() as work:
        work.replace_all(Facts(profile=Profile(timezone=tz, weekly_target=5), opportunities=opps))
    ws = Workspace.of(store, PlaybookSource.of(Playbook()))
    facts = store.load_facts()
    agenda = ws.agenda()
    path = sqlite_path_from_url(store.url)

    for (day, hour, minute, second), expected in EXPECTED.items():
        now = datetime.combine(day, time(hour, minute, second), zone)
        first, last = week_days(now, zone)
        core = search_of(facts, Playbook(), now).applied_this_week
        assert core == expected, now
        # the agenda every front end reads: the same weekly action as the pure planner's
        assert agenda.keep_searching(now) == [keep_searching(facts, now)]
        # `followup today` by the store's own queries (any database) ...
        today = store.read_today(_at(now), None)
        assert count_between(today.applications, zone, first, last) == expected, now
        # ... and by the SQLite fast path, without SQLAlchemy
        if path is not None:
            fast = read_today(
                path, LOCAL_CANDIDATE, ws.source.fingerprint, planner_version(),
                now.timestamp(), None,
            )  # fmt: skip
            assert fast is not None
            assert count_between(fast.applications, zone, first, last) == expected, now


def _at(now: datetime) -> Callable[[str], float]:
    """``now`` as `Store.read_today` asks for it (given the profile's time zone)."""
    return lambda _tz: now.timestamp()


# -- every way of adding an opportunity records when --------------------------------------------


def test_adding_an_opportunity_records_the_moment(store: Store) -> None:
    ws = Workspace.of(store)
    record.add_opportunity(ws, opportunity("kite"), now=NOW + timedelta(microseconds=250))
    given = datetime(2030, 11, 1, 9, tzinfo=UTC)
    record.add_opportunity(ws, opportunity("own", recorded_at=given), now=NOW)

    stored = {o.id: o.recorded_at for o in store.load_facts().opportunities}
    assert stored == {"kite": NOW, "own": given}  # to the second, in UTC


def test_a_bad_applied_day_is_refused_before_anything_is_written(store: Store) -> None:
    with pytest.raises(UsageError, match=r"opportunity\.applied"):
        record.add_opportunity(
            Workspace.of(store), opportunity("kite", date(1066, 10, 14)), now=NOW
        )
    assert store.load_facts().opportunities == ()


def _document(**opportunity_fields: Any) -> dict[str, Any]:
    return {
        "version": 2,
        "profile": {"name": "Alex", "timezone": LA, "country": "US", "weekly_target": 3},
        "opportunities": [
            {"id": "acme", "company": "Acme", "role": "PM", **opportunity_fields},
            {"id": "kite", "company": "Kite", "role": "PM"},
        ],
        "achievements": [],
        "decisions": [],
    }


def test_an_import_keeps_the_documents_moment_and_records_the_others_now(store: Store) -> None:
    facts = documents.import_document(
        Workspace.of(store), _document(recorded_at="2030-10-02T09:15-07:00"), now=NOW
    )
    assert [o.recorded_at for o in facts.opportunities] == [
        datetime(2030, 10, 2, 16, 15, tzinfo=UTC),
        None,  # the document's facts say nothing; the store's do
    ]
    stored = {o.id: o.recorded_at for o in store.load_facts().opportunities}
    assert stored == {"acme": datetime(2030, 10, 2, 16, 15, tzinfo=UTC), "kite": NOW}

    exported = documents.export_document(Workspace.of(store))
    assert [o.get("recorded_at") for o in exported["opportunities"]] == [  # type: ignore[union-attr]
        "2030-10-02T09:15-07:00",
        "2030-11-13T12:00-08:00",  # shown on the candidate's clock
    ]
    old = documents.export_document(Workspace.of(store), version=1)
    assert not any("recorded_at" in o for o in old["opportunities"])  # type: ignore[union-attr]


def test_the_demo_is_recorded_when_it_is_loaded(store: Store) -> None:
    documents.load_demo(Workspace.of(store), NOW, LA)
    assert {o.recorded_at for o in store.load_facts().opportunities} == {NOW}


@pytest.mark.parametrize(
    ("document", "path", "message"),
    [
        (
            _document(recorded_at="2030-10-02 09:15"),
            "opportunities[0].recorded_at",
            "is not an ISO 8601 time with a UTC offset",
        ),
        (
            _document(recorded_at=20301002),
            "opportunities[0].recorded_at",
            "expected an ISO 8601 time",
        ),
        (
            {**_document(recorded_at="2030-10-02T09:15-07:00"), "version": 1},
            "opportunities[0].recorded_at",
            'only a version 2 document says when an opportunity was recorded: set "version": 2',
        ),
    ],
)
def test_a_bad_recorded_at_is_named_with_its_place(
    document: dict[str, Any], path: str, message: str
) -> None:
    facts, problems = parse_document(document)
    assert facts is None
    assert [(p.path, message in p.message) for p in problems] == [(path, True)], problems


def test_the_interchange_round_trips_recorded_at_in_version_2_only() -> None:
    facts, problems = parse_document(_document(recorded_at="2030-10-02T09:15:30-07:00"))
    assert problems == [] and facts is not None
    assert dump_document(facts)["opportunities"][0]["recorded_at"] == "2030-10-02T09:15:30-07:00"  # type: ignore[index]
    assert "recorded_at" not in dump_document(facts, 1)["opportunities"][0]  # type: ignore[index]


# -- the command line ----------------------------------------------------------------------------


def _weekly(run: Cli) -> dict[str, Any]:
    (weekly,) = [a for a in run.json("plan", "--json", "--all") if a["rule"] == "keep-searching"]
    return weekly


def test_opportunity_add_counts_in_the_week_it_is_added(tmp_path: Path) -> None:
    run = Cli(tmp_path / "cli.db", NOW)
    run(
        "profile",
        "set",
        "--name",
        "Alex",
        "--timezone",
        LA,
        "--country",
        "US",
        "--weekly-target",
        "1",
    )
    assert _weekly(run)["status"] == "due"

    run("opportunity", "add", "--company", "Old Co", "--role", "PM", "--applied", "2030-10-01")
    assert _weekly(run)["status"] == "due"  # applied a month ago: not this week
    run("opportunity", "add", "--company", "Kite Labs", "--role", "PM")
    assert _weekly(run)["status"] == "done"

    exported = json.loads(run.export())
    assert [o.get("recorded_at") for o in exported["opportunities"]] == [
        "2030-11-13T12:00-08:00",
        "2030-11-13T12:00-08:00",
    ]
    next_week = Cli(tmp_path / "cli.db", NOW + timedelta(days=7))
    assert _weekly(next_week)["status"] == "due"  # counted in the week it was recorded


def test_import_records_its_moment_and_refuses_a_bad_one_clearly(tmp_path: Path) -> None:
    run = Cli(tmp_path / "cli.db", NOW)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(_document(recorded_at="yesterday")), encoding="utf-8")
    refused = run("import", str(bad), expect=InvalidDocument.exit_code)
    assert "opportunities[0].recorded_at: 'yesterday' is not" in refused.output
    assert "Traceback" not in refused.output

    run.load(_document(), folder=tmp_path)
    exported = json.loads(run.export())
    assert {o["recorded_at"] for o in exported["opportunities"]} == {"2030-11-13T12:00-08:00"}
    assert "recorded_at" not in run("export", "--version", "1").stdout


# -- the web: the form, the API, Insights ---------------------------------------------------------


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def web(db_url: str, clock: Clock) -> Iterator[TestClient]:
    with TestClient(create_app(WebSettings(database_url=db_url, clock=clock))) as client:
        client.get("/")  # sets the CSRF cookie
        yield client


def _csrf(client: TestClient) -> str:
    value = client.cookies.get("followup_csrf")
    assert value
    return value


def _set_profile(client: TestClient, target: int = 3) -> None:
    response = client.post(
        "/record/profile",
        data={
            "csrf_token": _csrf(client),
            "name": "Alex",
            "timezone": LA,
            "country": "US",
            "weekly_target": str(target),
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text


def test_the_record_form_sets_the_applied_day_to_today_on_the_candidates_clock(
    web: TestClient, clock: Clock
) -> None:
    _set_profile(web)
    clock.now = datetime(2030, 11, 14, 6, 30, tzinfo=UTC)  # still Wednesday 13th in LA
    form = web.get("/record/opportunity")
    assert form.status_code == 200
    assert form.context["values"]["applied"] == "2030-11-13"  # type: ignore[attr-defined]
    assert 'value="2030-11-13"' in form.text

    for opp_id, applied in (("kite", "2030-11-13"), ("lark", ""), ("moss", "2030-10-01")):
        saved = web.post(
            "/record/opportunity",
            data={"csrf_token": _csrf(web), "company": opp_id, "role": "PM", "id": opp_id}
            | {"applied": applied, "status": "active"},
            follow_redirects=False,
        )
        assert saved.status_code == 303, saved.text
    kite, lark, moss = (web.get(f"/api/opportunities/{i}").json() for i in ("kite", "lark", "moss"))
    assert kite["applied"] == "2030-11-13" and "applied" not in lark
    assert moss["applied"] == "2030-10-01"  # a month ago: not this week
    assert lark["recorded_at"] == kite["recorded_at"] == "2030-11-13T22:30-08:00"
    insights = web.get("/insights")
    assert insights.context["this_week"] == 2  # type: ignore[attr-defined]  # kite, lark

    bad = web.post(
        "/record/opportunity",
        data={"csrf_token": _csrf(web), "company": "Nope", "role": "PM", "applied": "13/11/2030"},
    )
    assert bad.status_code == 422 and "Traceback" not in bad.text
    assert web.get("/api/opportunities/nope").status_code == 404


def test_the_api_records_the_moment_too(web: TestClient, clock: Clock) -> None:
    _set_profile(web)
    created = web.post("/api/opportunities", json={"id": "kite", "company": "Kite", "role": "PM"})
    assert created.status_code == 201, created.text
    assert web.get("/api/opportunities/kite").json()["recorded_at"] == "2030-11-13T12:00-08:00"
    refused = web.post(
        "/api/opportunities",
        json={"id": "lark", "company": "Lark", "role": "PM", "recorded_at": "2030-01-01T00:00Z"},
    )
    assert refused.status_code == 422  # the moment is the server's to record


def test_insights_keeps_missed_weeks_in_view(web: TestClient, clock: Clock) -> None:
    """Target 2 a week. Four weeks ago: 2 (on target); three weeks ago: 1 (missed); two weeks
    ago: none (missed); last week: 3; this week: 1 so far (not missed: the week goes on)."""
    doc = _document()
    doc["profile"]["weekly_target"] = 2
    week = timedelta(weeks=1)
    moments = [
        (MONDAY - 4 * week, 1), (MONDAY - 4 * week, 2), (MONDAY - 3 * week, 3),
        (MONDAY - week, 0), (MONDAY - week, 4), (MONDAY - week, 6), (MONDAY, 1),
    ]  # fmt: skip
    doc["opportunities"] = [
        {"id": f"o{n}", "company": f"C{n}", "role": "PM"}
        | ({"applied": (m + timedelta(days=d)).isoformat()} if n % 2 else {})
        | ({} if n % 2 else {"recorded_at": local(m + timedelta(days=d), 10).isoformat()})
        for n, (m, d) in enumerate(moments)
    ]
    imported = web.post(
        "/import",
        data={"csrf_token": _csrf(web)},
        files={"file": ("weeks.json", json.dumps(doc), "application/json")},
        follow_redirects=False,
    )
    assert imported.status_code == 303, imported.text

    page = web.get("/insights")
    assert page.status_code == 200
    context = page.context  # type: ignore[attr-defined]
    weeks = {w.monday: w for w in context["weeks"]}
    assert len(weeks) == 12
    assert [(weeks[MONDAY - n * week].applications, weeks[MONDAY - n * week].missed) for n in (
        5, 4, 3, 2, 1, 0
    )] == [(0, False), (2, False), (1, True), (0, True), (3, False), (1, False)]  # fmt: skip
    assert [w.monday for w in context["missed"]] == [MONDAY - 3 * week, MONDAY - 2 * week]
    assert context["this_week"] == 1
    assert page.text.count('class="bar missed"') == 2
    assert "2 missed weeks" in page.text
    assert page.text.count("missed (") == 2 and "missed (1 short)" in page.text
    assert "before your first application" in page.text
    assert "this week: 1 to go" in page.text


def test_insights_with_a_target_of_zero_misses_nothing(tmp_path: Path) -> None:
    store = open_store(sqlite_url(tmp_path / "zero.db"))
    try:
        documents.import_document(Workspace.of(store), _document(), now=NOW)
        record.set_profile(Workspace.of(store), Profile("Alex", LA, "US", weekly_target=0))
    finally:
        store.close()
    settings = WebSettings(database_url=sqlite_url(tmp_path / "zero.db"), clock=lambda: NOW)
    with TestClient(create_app(settings)) as client:
        page = client.get("/insights")
    assert page.status_code == 200
    assert page.context["target"] == 0 and page.context["missed"] == []  # type: ignore[attr-defined]
    assert "missed" not in page.text.split("New applications per week")[1].split("Follow-ups")[0]
