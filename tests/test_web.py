"""The web pages, in process: every route's status, key content and template context.

The app runs over a real database (SQLite, and PostgreSQL when configured) with a fixed clock,
so the demo data and the plan derived from it are the same on every run.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from followup.web import HTMX_SHA256
from followup.web.app import STATIC_DIR, create_app
from followup.web.settings import WebSettings

NOW = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)  # a Tuesday, 10:00 in New York
THANK_DANA = "thank-you:brightline:dana:final-panel"


def make_client(db_url: str, *, demo: bool) -> TestClient:
    app = create_app(WebSettings(database_url=db_url, clock=lambda: NOW))
    client = TestClient(app)
    client.get("/")  # sets the CSRF cookie
    if demo:
        response = client.post("/demo", data={"csrf_token": token(client)})
        assert response.status_code == 200 and "Today" in response.text
    return client


def token(client: TestClient) -> str:
    value = client.cookies.get("followup_csrf")
    assert value
    return value


@pytest.fixture
def empty(db_url: str) -> Iterator[TestClient]:
    with make_client(db_url, demo=False) as client:
        yield client


@pytest.fixture
def client(db_url: str) -> Iterator[TestClient]:
    with make_client(db_url, demo=True) as client:
        yield client


@pytest.fixture
def sqlite_client(tmp_path: Path) -> Iterator[TestClient]:
    with make_client(f"sqlite:///{tmp_path / 'web.db'}", demo=True) as client:
        yield client


def pending_ids(client: TestClient) -> set[str]:
    plan = client.get("/api/plan").json()
    return {a["id"] for a in plan if a["status"] in ("due", "overdue", "upcoming")}


# -- first run, Today, acting -------------------------------------------------------------------


def test_first_run_offers_the_demo(empty: TestClient) -> None:
    page = empty.get("/")
    assert page.status_code == 200
    assert page.template.name == "welcome.html"  # type: ignore[attr-defined]
    assert 'action="/demo"' in page.text and "Load the demo data" in page.text


def test_forms_without_the_csrf_token_change_nothing(empty: TestClient) -> None:
    refused = empty.post("/demo", data={"csrf_token": "forged.token"})
    assert refused.status_code == 403
    assert "did not come from this page" in refused.text
    assert empty.get("/").template.name == "welcome.html"  # type: ignore[attr-defined]
    fresh = TestClient(empty.app)  # another site: the browser sends no cookie of ours
    assert fresh.post("/demo", data={"csrf_token": token(empty)}).status_code == 403


def test_today_lists_overdue_due_and_next_days_with_reasons(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    groups = page.context["groups"]  # type: ignore[attr-defined]
    assert [g["status"] for g in groups] == ["overdue", "due", "upcoming", "missed"]
    shown = {item.id: item for g in groups for item in g["actions"]}
    assert THANK_DANA in shown
    assert shown[THANK_DANA].reason.startswith("Thank Dana Lee")
    assert shown[THANK_DANA].has_draft  # loaded when opened: hx-get="/drafts/<id>"
    assert f'hx-get="/drafts/{THANK_DANA}"' in page.text
    assert f'href="/send/{THANK_DANA}"' in page.text  # two clicks: Send…, then Send
    assert 'href="/send/phone-call:' not in page.text  # calls are made, not sent
    assert f'hx-post="/actions/{THANK_DANA}/done"' in page.text
    assert 'name="csrf_token"' in page.text and "X-CSRF-Token" in page.text


def test_a_draft_opens_in_place_and_as_a_page(client: TestClient) -> None:
    part = client.get(f"/drafts/{THANK_DANA}", headers={"HX-Request": "true"})
    assert part.status_code == 200
    assert part.template.name == "partials/draft.html"  # type: ignore[attr-defined]
    assert "Hi Dana," in part.text
    assert f'href="/send/{THANK_DANA}"' in part.text
    assert "mailto:dana.lee%40brightlinehealth.example?subject=" in part.text
    whole = client.get(f"/drafts/{THANK_DANA}")
    assert whole.template.name == "draft.html"  # type: ignore[attr-defined]
    assert "Hi Dana," in whole.text
    call = client.get("/drafts/counter-offer:brightline:dana:cobalt.offer")
    assert "Voicemail" in call.text
    assert "/send/" not in call.text  # talking points are said, not sent
    assert client.get("/drafts/nope:x:y:z").status_code == 404


def test_done_in_place_logs_the_touch_and_leaves_the_list(client: TestClient) -> None:
    assert THANK_DANA in pending_ids(client)
    response = client.post(
        f"/actions/{THANK_DANA}/done",
        data={"csrf_token": token(client)},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert (
        'hx-swap-oob="innerHTML"' in response.text
        and "Done: Thank-you e-mail to Dana Lee." in response.text
    )
    assert THANK_DANA not in pending_ids(client)
    assert THANK_DANA not in client.get("/").text
    touches = client.get("/api/opportunities/brightline").json()["touches"]
    assert any(t["person"] == "dana" and t["kind"] == "thank-you" for t in touches)


def test_skip_and_snooze_without_javascript_redirect_back(client: TestClient) -> None:
    skip = "value-add:brightline:dana:final-panel"
    back = client.post(
        f"/actions/{skip}/skip",
        data={"csrf_token": token(client)},
        headers={"Referer": "http://testserver/opportunities/brightline"},
        follow_redirects=False,
    )
    assert back.status_code == 303 and back.headers["location"] == "/opportunities/brightline"
    snooze = "counter-offer:brightline:dana:cobalt.offer"
    client.post(
        f"/actions/{snooze}/snooze", data={"csrf_token": token(client), "until": "2026-11-27T09:00"}
    )
    statuses = {a["id"]: a for a in client.get("/api/plan").json()}
    assert statuses[skip]["status"] == "skipped"
    assert statuses[snooze]["status"] == "snoozed"
    assert statuses[snooze]["snoozed_until"].startswith("2026-11-27T09:00")


def test_a_bad_snooze_says_why_in_the_message_area(client: TestClient) -> None:
    action = "counter-offer:brightline:dana:cobalt.offer"
    response = client.post(
        f"/actions/{action}/snooze",
        data={"csrf_token": token(client), "until": "next week"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 400
    assert response.headers["HX-Retarget"] == "#flash"
    assert "is not a date and time" in response.text
    assert action in pending_ids(client)


def test_no_state_change_on_get(client: TestClient) -> None:
    assert client.get(f"/actions/{THANK_DANA}/done").status_code == 405
    assert client.get("/demo").status_code == 405
    assert THANK_DANA in pending_ids(client)


# -- pages ----------------------------------------------------------------------------------------


def test_pipeline_groups_by_status_with_offers_and_deadlines(client: TestClient) -> None:
    page = client.get("/pipeline")
    assert page.status_code == 200
    columns = page.context["columns"]  # type: ignore[attr-defined]
    assert [c["status"] for c in columns] == ["active", "offer"]
    ranks = [row["opp"].rank for row in columns[0]["rows"]]
    assert ranks == sorted(ranks)
    assert "Offers on the table" in page.text and "expires" in page.text


def test_opportunity_shows_people_coverage_timeline_and_plan(client: TestClient) -> None:
    page = client.get("/opportunities/brightline")
    assert page.status_code == 200
    context = page.context  # type: ignore[attr-defined]
    grid = dict(context["grid"])
    tactics = [rule for rule, _ in context["tactics"]]
    assert grid["Dana Lee"][tactics.index("thank-you")].state == "pending"
    assert grid["Dana Lee"][tactics.index("value-add")].state == "pending"
    client.post(f"/actions/{THANK_DANA}/done", data={"csrf_token": token(client)})
    regrid = dict(client.get("/opportunities/brightline").context["grid"])  # type: ignore[attr-defined]
    assert regrid["Dana Lee"][tactics.index("thank-you")].state == "done"
    assert {e["kind"] for e in context["timeline"]} >= {"interview", "touch in"}
    assert any(item.id == THANK_DANA for item in context["ahead"])
    assert "dana@" in page.text.lower() or "Dana Lee" in page.text


def test_unknown_things_are_404_pages(client: TestClient) -> None:
    page = client.get("/opportunities/nowhere")
    assert page.status_code == 404 and "unknown opportunity &#39;nowhere&#39;" in page.text
    assert client.get("/record/spaceship").status_code == 404


def test_insights_draws_charts_as_inline_svg(client: TestClient) -> None:
    page = client.get("/insights")
    assert page.status_code == 200
    assert page.text.count("<svg") == 3
    assert "new applications this week" in page.text
    assert page.context["target"] == 5  # type: ignore[attr-defined]


def test_data_page_shows_the_playbook_and_exports(client: TestClient) -> None:
    page = client.get("/data")
    assert page.status_code == 200 and "thank_you_hours" in page.text
    export = client.get("/export.json")
    assert export.status_code == 200
    assert "attachment" in export.headers["content-disposition"]
    assert export.json()["version"] == 2


def test_playbook_settings_are_saved_and_the_plan_follows(tmp_path: Path) -> None:
    config = tmp_path / "config" / "config.toml"
    app = create_app(
        WebSettings(
            database_url=f"sqlite:///{tmp_path / 'web.db'}", clock=lambda: NOW, config_file=config
        )
    )
    with TestClient(app) as client:
        client.get("/")
        client.post("/demo", data={"csrf_token": token(client)})

        def thanks_window() -> float:
            plan = client.get("/api/plan").json()
            dana = next(a for a in plan if a["id"] == THANK_DANA)
            ends = datetime.fromisoformat(dana["window_end"])
            return (ends - datetime.fromisoformat(dana["window_start"])).total_seconds() / 3600

        assert thanks_window() == 24
        form = {"csrf_token": token(client), "thank_you_hours": "12", "cycle_channels": "email"}
        saved = client.post("/playbook", data=form, follow_redirects=False)
        assert saved.status_code == 303
        assert "thank_you_hours = 12" in config.read_text()
        assert 'cycle_channels = ["email"]' in config.read_text()
        assert "Saved" in client.get(saved.headers["location"]).text
        assert thanks_window() == 12  # the plan follows at once

        before = config.read_text()
        bad = {"csrf_token": token(client), "thank_you_hours": "soon", "cycle_min_days": "30"}
        refused = client.post("/playbook", data=bad)
        assert refused.status_code == 422
        assert "thank_you_hours: &#39;soon&#39; is not a whole number" in refused.text
        assert "cycle_min_days must be smaller than" in refused.text
        assert 'value="soon"' in refused.text  # the form comes back as typed
        assert config.read_text() == before  # nothing written
        forged = client.post("/playbook", data={"csrf_token": "x", "thank_you_hours": "1"})
        assert forged.status_code == 403
        assert config.read_text() == before


def test_import_checks_everything_first(client: TestClient) -> None:
    bad = {"version": 1, "opportunities": [{"id": "x", "company": "X"}]}
    files = {"file": ("bad.json", json.dumps(bad), "application/json")}
    page = client.post("/import", data={"csrf_token": token(client), "force": "on"}, files=files)
    assert page.status_code == 422 and "nothing was imported" in page.text
    assert "opportunities[0]" in page.text
    assert len(client.get("/api/opportunities").json()) == 3
    document = client.get("/export.json").json()
    document["opportunities"] = document["opportunities"][:1]
    files = {"file": ("one.json", json.dumps(document), "application/json")}
    refused = client.post("/import", data={"csrf_token": token(client)}, files=files)
    assert refused.status_code == 422 and "already has 3 opportunities" in refused.text
    done = client.post("/import", data={"csrf_token": token(client), "force": "on"}, files=files)
    assert done.status_code == 200
    assert len(client.get("/api/opportunities").json()) == 1


# -- recording ------------------------------------------------------------------------------------


def test_record_an_interview_with_two_interviewers(client: TestClient) -> None:
    form = client.get("/record/interview?opportunity=northwind")
    assert form.status_code == 200 and 'name="with"' in form.text
    response = client.post(
        "/record/interview?opportunity=northwind",
        data={
            "csrf_token": token(client),
            "at": "2026-11-24T08:00",
            "duration_minutes": "45",
            "with": ["sam", "mei"],
            "notes_sam": "Scaling the routing team",
            "next_step_what": "Jordan calls with feedback",
            "next_step_when": "2026-11-30",
            "next_step_who": "jordan",
        },
        follow_redirects=False,
    )
    assert (
        response.status_code == 303 and response.headers["location"] == "/opportunities/northwind"
    )
    ids = pending_ids(client)
    assert {"thank-you:northwind:sam:i1", "thank-you:northwind:mei:i1"} <= ids


def test_an_invalid_form_shows_errors_by_the_fields_and_saves_nothing(client: TestClient) -> None:
    before = client.get("/api/opportunities/northwind").json()
    page = client.post(
        "/record/interview?opportunity=northwind",
        data={"csrf_token": token(client), "at": "yesterday", "notes_sam": "<b>kept</b>"},
    )
    assert page.status_code == 422
    errors = page.context["errors"]  # type: ignore[attr-defined]
    assert set(errors) >= {"at", "with"}
    assert "is not a date and time" in errors["at"]
    assert re.search(r'id="err-at">[^<]*not a date and time', page.text)
    assert "&lt;b&gt;kept&lt;/b&gt;" in page.text  # the typed text is kept, escaped
    assert client.get("/api/opportunities/northwind").json() == before


def test_service_problems_land_next_to_their_field(client: TestClient) -> None:
    page = client.post(
        "/record/person?opportunity=northwind",
        data={"csrf_token": token(client), "name": "Kim", "timezone": "Mars/Olympus"},
    )
    assert page.status_code == 422
    assert "timezone" in page.context["errors"]  # type: ignore[attr-defined]
    taken = client.post(
        "/record/opportunity",
        data={"csrf_token": token(client), "company": "X", "role": "Y", "id": "northwind"},
    )
    assert taken.status_code == 422 and "id" in taken.context["errors"]  # type: ignore[attr-defined]


def test_record_every_kind_of_fact(client: TestClient) -> None:
    t = token(client)
    steps = [
        ("/record/opportunity", {"company": "Quill & Co", "role": "Analyst", "rank": "4"}),
        ("/record/person?opportunity=quill-co", {"name": "Ana Ruiz", "role": "hiring-manager",
                                                  "has_vote": "on", "email": "ana@quill.example"}),
        ("/record/touch?opportunity=quill-co", {"person": "ana", "at": "2026-11-24T09:00",
                                                 "direction": "in", "channel": "email",
                                                 "kind": "other", "summary": "Call me Monday",
                                                 "states_date": "2026-11-30"}),
        ("/record/offer?opportunity=quill-co", {"received": "2026-11-24", "expires": "2026-12-01"}),
        ("/record/achievement", {"title": "Talk at PyCon", "kind": "talk", "at": "2026-11-20",
                                 "tags": "python, data"}),
    ]  # fmt: skip
    for url, data in steps:
        response = client.post(url, data={"csrf_token": t, **data}, follow_redirects=False)
        assert response.status_code == 303, (url, response.text[:500])
    opp = client.get("/api/opportunities/quill-co").json()
    assert opp["people"][0]["name"] == "Ana Ruiz" and opp["offers"][0]["id"] == "o1"
    assert opp["touches"][0]["states_date"] == "2026-11-30"
    assert any(a.startswith("callback:quill-co:ana:") for a in pending_ids(client))


def test_user_text_is_escaped_everywhere(client: TestClient) -> None:
    script = "<script>alert('x')</script>"
    client.post(
        "/record/touch?opportunity=brightline",
        data={"csrf_token": token(client), "person": "dana", "at": "2026-11-24T09:00",
              "direction": "out", "channel": "email", "kind": "other", "summary": script},
    )  # fmt: skip
    client.post(
        "/record/opportunity",
        data={"csrf_token": token(client), "company": script, "role": "R", "id": "evil"},
    )
    for url in ("/opportunities/brightline", "/pipeline", "/", "/record"):
        text = client.get(url).text
        assert "<script>alert" not in text, url
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in client.get("/pipeline").text


# -- the server itself ----------------------------------------------------------------------------


def test_other_host_names_are_refused(sqlite_client: TestClient) -> None:
    assert sqlite_client.get("/", headers={"Host": "evil.example"}).status_code == 400


def test_htmx_is_vendored_pinned_and_nothing_loads_from_elsewhere(
    sqlite_client: TestClient,
) -> None:
    data = (STATIC_DIR / "htmx.min.js").read_bytes()
    assert hashlib.sha256(data).hexdigest() == HTMX_SHA256
    assert sqlite_client.get("/static/htmx.min.js").content == data
    for url in ("/", "/pipeline", "/opportunities/brightline", "/record", "/insights", "/data"):
        page = sqlite_client.get(url)
        assert page.status_code == 200, url
        assert not re.search(r"""(src|href)=["']?(https?:)?//""", page.text), url


def test_serve_has_help() -> None:
    from click.testing import CliRunner

    from followup.cli.root import cli

    result = CliRunner().invoke(cli, ["serve", "--help"])
    assert result.exit_code == 0 and "--port" in result.output and "127.0.0.1" in result.output


def test_serve_says_when_the_port_is_taken(tmp_path: Path) -> None:
    import socket

    from click.testing import CliRunner

    from followup.cli.root import cli

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(
            cli, ["--db", str(tmp_path / "s.db"), "serve", "--port", str(port)]
        )
    assert result.exit_code == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.output
    assert "--port 8080" in result.output


def test_set_the_profile_on_a_fresh_database(empty: TestClient) -> None:
    assert 'href="/record/profile"' in empty.get("/").text
    form = empty.get("/record/profile")
    assert form.status_code == 200 and 'value="UTC"' in form.text
    bad = empty.post(
        "/record/profile",
        data={"csrf_token": token(empty), "timezone": "Europe/Nowhere", "country": "Germany"},
    )
    assert bad.status_code == 422
    assert set(bad.context["errors"]) >= {"timezone", "country"}  # type: ignore[attr-defined]
    saved = empty.post(
        "/record/profile",
        data={"csrf_token": token(empty), "name": "Alex", "timezone": "Europe/Berlin",
              "country": "de", "weekly_target": "3"},
        follow_redirects=False,
    )  # fmt: skip
    assert saved.status_code == 303
    assert 'value="Europe/Berlin"' in empty.get("/record/profile").text


def test_missed_actions_show_once_with_do_it_anyway_and_dismiss(tmp_path: Path) -> None:
    clock = [NOW]
    app = create_app(
        WebSettings(database_url=f"sqlite:///{tmp_path / 'w.db'}", clock=lambda: clock[0])
    )
    with TestClient(app) as client:
        client.get("/")
        client.post("/demo", data={"csrf_token": token(client)})
        clock[0] = NOW + timedelta(days=10)  # the demo's week went by with nothing done
        page = client.get("/").text
        assert "Missed" in page
        missed = [a["id"] for a in client.get("/api/plan").json() if a["status"] == "missed"]
        assert missed
        section = page.split("<h2>Missed")[1]
        assert "Do it anyway" in section and "Dismiss" in section
        assert all(f'data-action-id="{m}"' not in page.split("<h2>Missed")[0] for m in missed)
        again, gone = missed[0], missed[-1]
        client.post(f"/actions/{again}/reopen", data={"csrf_token": token(client)})
        if gone != again:
            client.post(f"/actions/{gone}/skip", data={"csrf_token": token(client)})
        plan = {a["id"]: a["status"] for a in client.get("/api/plan").json()}
        assert plan[again] in ("due", "upcoming")  # open again, from now
        if gone != again:
            assert plan[gone] == "skipped"


def test_coverage_cells_know_every_status() -> None:
    from followup.core.model import ACTION_STATUSES
    from followup.web.pages.coverage import cell_state

    assert cell_state(["missed", "upcoming"]) == "overdue"
    assert cell_state(["replaced"]) == "done"
    for status in ACTION_STATUSES:  # none may break the page
        assert cell_state([status]) in ("overdue", "pending", "done", "skipped")


def test_undo_after_an_action_brings_it_back(client: TestClient) -> None:
    done = client.post(
        f"/actions/{THANK_DANA}/done",
        data={"csrf_token": token(client)},
        headers={"HX-Request": "true"},
    )
    assert 'hx-post="/undo"' in done.text and ">Undo</button>" in done.text
    assert THANK_DANA not in pending_ids(client)
    undone = client.post(
        "/undo", data={"csrf_token": token(client)}, headers={"HX-Request": "true"}
    )
    assert undone.status_code == 204 and undone.headers["HX-Refresh"] == "true"
    assert THANK_DANA in pending_ids(client)
    [last] = client.get("/api/history?limit=1").json()
    assert last["undone"] and last["command"] == f"web: POST /actions/{THANK_DANA}/done"
    assert last["changed"] == ["opportunity brightline changed (1 touch added)"]


def test_a_skipped_action_can_be_planned_again_from_the_page(client: TestClient) -> None:
    action = "value-add:brightline:dana:final-panel"
    client.post(f"/actions/{action}/skip", data={"csrf_token": token(client)})
    page = client.get("/opportunities/brightline").text
    assert f'action="/actions/{action}/unskip"' in page and ">Unskip</button>" in page
    client.post(f"/actions/{action}/unskip", data={"csrf_token": token(client)})
    assert action in pending_ids(client)
