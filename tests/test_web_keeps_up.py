"""The web page keeps up (issue 10, part 6), in process with a fixed clock: Today's counts and
sections after done, skip, snooze and undo; errors in words beside their action; "Mark as sent"
on the Send page; drafts edited and saved on the page; the coverage grid with touches logged by
hand and each interview's round; the settings by their labels; charts whose labels never
overlap; "Sign out" when sign-in is on."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.test_web import NOW, THANK_DANA, make_client, pending_ids, token

from followup.web.app import create_app
from followup.web.settings import WebSettings

HTMX_TODAY = {"HX-Request": "true", "HX-Target": "today"}
#: what a message for a person on the page never holds: command names, options, quoting
CLI_WORDS = re.compile(r"followup |--[a-z]|`|plan --all")


@pytest.fixture
def client(db_url: str) -> Iterator[TestClient]:
    with make_client(db_url, demo=True) as client:
        yield client


def counts(html: str) -> dict[str, int]:
    """Today's sections as drawn: their status and the count in their header."""
    found = re.findall(
        r'<section class="group (\w+)" id="group-\w+">\s*<h2>[^<]*<span class="count">(\d+)',
        html,
    )
    return {status: int(n) for status, n in found}


def group_ids(client: TestClient, status: str) -> list[str]:
    groups = client.get("/").context["groups"]  # type: ignore[attr-defined]
    group = next(g for g in groups if g["status"] == status)
    return [item.id for item in group["actions"]]


def act(client: TestClient, action_id: str, verb: str, **data: str) -> Any:
    return client.post(
        f"/actions/{action_id}/{verb}",
        data={"csrf_token": token(client), **data},
        headers=HTMX_TODAY,
    )


# -- counts and sections --------------------------------------------------------------------------


def test_done_on_today_draws_the_lists_again_with_their_counts(client: TestClient) -> None:
    before = counts(client.get("/").text)
    assert THANK_DANA in group_ids(client, "due")
    response = act(client, THANK_DANA, "done")
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="today">')  # the fragment, not a page
    assert "<html" not in response.text
    after = counts(response.text)
    assert after["due"] < before["due"]
    assert after == counts(client.get("/").text)  # as a reload would show them
    assert f'data-action-id="{THANK_DANA}"' not in response.text
    assert 'id="flash" hx-swap-oob="innerHTML"' in response.text
    assert "Done: Thank-you e-mail to Dana Lee." in response.text


def test_skip_and_snooze_lower_the_count_too(client: TestClient) -> None:
    before = counts(client.get("/").text)
    first, second = group_ids(client, "due")[:2]
    skipped = counts(act(client, first, "skip").text)
    assert skipped["due"] == before["due"] - 1
    snoozed = act(client, second, "snooze", until="2026-11-27T09:00")
    assert "Snoozed until Fri 27 Nov 09:00." in snoozed.text
    assert counts(snoozed.text)["due"] == before["due"] - 2


def test_a_section_left_empty_disappears(client: TestClient) -> None:
    html = client.get("/").text
    assert 'id="group-upcoming"' in html
    for _ in range(30):  # skip all of "Next 7 days", one by one
        ids = group_ids(client, "upcoming")
        if not ids:
            break
        html = act(client, ids[0], "skip").text
    assert not group_ids(client, "upcoming")
    assert 'id="group-upcoming"' not in html and "Next 7 days" not in html
    assert 'id="group-due"' in html  # the others stay
    assert 'id="group-upcoming"' not in client.get("/").text


def test_today_without_anything_to_do_says_so(client: TestClient) -> None:
    for _ in range(60):
        ids = [
            i
            for status in ("overdue", "due", "upcoming", "missed")
            for i in group_ids(client, status)
        ]
        if not ids:
            break
        act(client, ids[0], "skip")
    html = client.get("/").text
    assert counts(html) == {}
    assert "Nothing to do right now." in html


def test_undo_brings_the_counts_back(client: TestClient) -> None:
    before = counts(client.get("/").text)
    assert counts(act(client, THANK_DANA, "done").text) != before
    undone = client.post("/undo", data={"csrf_token": token(client)}, headers=HTMX_TODAY)
    assert undone.status_code == 204 and undone.headers["HX-Refresh"] == "true"
    assert counts(client.get("/").text) == before


def test_elsewhere_the_action_just_leaves_its_list(client: TestClient) -> None:
    target = "action-" + THANK_DANA.replace(":", "-")
    response = client.post(
        f"/actions/{THANK_DANA}/done",
        data={"csrf_token": token(client)},
        headers={"HX-Request": "true", "HX-Target": target},
    )
    assert response.status_code == 200
    assert 'id="today"' not in response.text and "Done: " in response.text
    page = client.get("/opportunities/brightline").text
    assert f'hx-target="#{target}"' not in page  # it is done: no more buttons
    assert 'hx-target="#today"' not in page  # the opportunity's plan removes its items


# -- errors beside their action, in words ---------------------------------------------------------


def error_of(response: Any, action_id: str) -> str:
    slot = "#error-" + action_id.replace(":", "-").replace(".", "-")
    assert response.headers["HX-Retarget"] == slot
    assert response.headers["HX-Reswap"] == "innerHTML"
    text = re.sub(r"<[^>]+>", " ", response.text)
    message = " ".join(text.split())
    assert not CLI_WORDS.search(message), message
    assert action_id not in message  # ids are for the command line
    return message


def test_each_action_has_its_error_slot(client: TestClient) -> None:
    html = client.get("/").text
    ids = re.findall(r'data-action-id="([^"]+)"', html)
    assert ids
    for action_id in ids:
        assert f'id="error-{action_id.replace(":", "-").replace(".", "-")}"' in html


def test_a_second_done_says_it_was_done_already(client: TestClient) -> None:
    assert act(client, THANK_DANA, "done").status_code == 200
    again = act(client, THANK_DANA, "done")
    assert again.status_code == 409
    assert error_of(again, THANK_DANA) == "This was already marked done."


def test_a_snooze_in_the_past_or_not_a_time_says_why(client: TestClient) -> None:
    action = group_ids(client, "due")[0]
    past = act(client, action, "snooze", until="2026-11-20T09:00")
    assert past.status_code == 400
    assert error_of(past, action).startswith("Fri 20 Nov 09:00 has already passed")
    empty = act(client, action, "snooze", until="")
    assert error_of(empty, action) == "Pick the day and time to snooze until."
    assert action in pending_ids(client)


def test_done_too_early_or_done_elsewhere_says_what_to_do(client: TestClient) -> None:
    recorded = client.post(
        "/record/interview?opportunity=northwind",
        data={"csrf_token": token(client), "at": "2026-11-26T10:00", "with": "sam"},
        follow_redirects=False,
    )
    assert recorded.status_code == 303
    early = "thank-you:northwind:sam:i1"  # thanks for an interview still to come
    refused = act(client, early, "done")
    assert refused.status_code == 400
    said = error_of(refused, early)
    assert said.startswith("This cannot be marked done yet") and "it opens Thu 26 Nov" in said
    plan = client.get("/api/plan").json()
    weekly = next(a["id"] for a in plan if a["rule"] == "keep-searching")
    assert "done by applying" in error_of(act(client, weekly, "done"), weekly)
    gone = act(client, "thank-you:brightline:nobody:x", "skip")
    assert gone.status_code == 404
    assert "no longer in your plan" in error_of(gone, "thank-you:brightline:nobody:x")


def test_without_script_the_error_page_uses_the_same_words(client: TestClient) -> None:
    client.post(f"/actions/{THANK_DANA}/done", data={"csrf_token": token(client)})
    again = client.post(f"/actions/{THANK_DANA}/done", data={"csrf_token": token(client)})
    assert again.status_code == 409
    assert "This was already marked done." in again.text
    assert "plan --all" not in again.text


# -- the Send page --------------------------------------------------------------------------------


def test_the_send_page_offers_mark_as_sent_after_the_mailto_link(client: TestClient) -> None:
    page = client.get(f"/send/{THANK_DANA}").text
    assert "mailto:dana.lee%40brightlinehealth.example" in page
    assert page.index("mailto:") < page.index("Mark as sent")
    assert f'hx-post="/actions/{THANK_DANA}/done"' in page
    assert "followup mail settings" not in page
    marked = client.post(
        f"/actions/{THANK_DANA}/done",
        data={"csrf_token": token(client)},
        headers={"HX-Request": "true", "HX-Target": "mark-sent"},
    )
    assert marked.status_code == 200
    assert 'id="mark-sent"' in marked.text and "Marked as sent." in marked.text
    assert "Done: Thank-you e-mail to Dana Lee." in marked.text
    assert THANK_DANA not in pending_ids(client)
    after = client.get(f"/send/{THANK_DANA}")
    assert after.status_code == 200 and "Nothing to send" in after.text
    assert "marked done already" in after.text


# -- drafts edited on the page --------------------------------------------------------------------


def save(client: TestClient, action_id: str, text: str, *, htmx: bool = True) -> Any:
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(
        f"/drafts/{action_id}",
        data={"csrf_token": token(client), "text": text},
        headers=headers,
        follow_redirects=False,
    )


def test_a_draft_is_edited_saved_and_sent_as_edited(client: TestClient) -> None:
    shown = client.get(f"/drafts/{THANK_DANA}", headers={"HX-Request": "true"}).text
    assert '<textarea id="draft-' in shown and 'name="text"' in shown
    assert "Back to the template" not in shown  # nothing to go back from yet
    text = "Subject: Thank you, Dana\r\n\r\nHi Dana,\r\n\r\nMy own words.\r\n"
    saved = save(client, THANK_DANA, text)
    assert saved.status_code == 200
    assert "Saved: this text is your draft from now on." in saved.text
    assert "My own words." in saved.text and "your edit" in saved.text
    assert "Back to the template's draft" in saved.text
    send = client.get(f"/send/{THANK_DANA}").text
    assert "Thank you, Dana" in send and "My own words." in send  # what goes out
    client.post(f"/actions/{THANK_DANA}/done", data={"csrf_token": token(client)})
    touches = client.get("/api/opportunities/brightline").json()["touches"]
    assert any("My own words." in (t.get("body") or "") for t in touches)


def test_back_to_the_template_forgets_the_edit(client: TestClient) -> None:
    save(client, THANK_DANA, "Hi Dana,\n\nMine.\n")
    back = client.post(
        f"/drafts/{THANK_DANA}/discard",
        data={"csrf_token": token(client)},
        headers={"HX-Request": "true"},
    )
    assert back.status_code == 200
    assert "Back to the template&#39;s draft." in back.text
    assert "Mine." not in back.text and "your edit" not in back.text


def test_a_draft_form_without_script_comes_back_to_the_page(client: TestClient) -> None:
    saved = save(client, THANK_DANA, "Hi Dana,\n\nMine, without script.\n", htmx=False)
    assert saved.status_code == 303 and saved.headers["location"].endswith("?saved=1")
    page = client.get(saved.headers["location"])
    assert page.template.name == "draft.html"  # type: ignore[attr-defined]
    assert "Mine, without script." in page.text and "Saved:" in page.text


def test_an_empty_or_unchanged_draft_is_not_kept(client: TestClient) -> None:
    empty = save(client, THANK_DANA, "   ")
    assert empty.status_code == 400
    assert "The draft is empty" in empty.text and 'aria-invalid="true"' in empty.text
    current = client.get(f"/drafts/{THANK_DANA}", headers={"HX-Request": "true"})
    text = re.search(r"<textarea[^>]*>(.*?)</textarea>", current.text, re.S)
    assert text is not None
    same = save(client, THANK_DANA, html.unescape(text.group(1)))
    assert "No changes to save." in same.text and "your edit" not in same.text


def test_saving_a_draft_needs_the_csrf_token(client: TestClient) -> None:
    refused = client.post(f"/drafts/{THANK_DANA}", data={"text": "Hi", "csrf_token": "forged"})
    assert refused.status_code == 403
    assert "your edit" not in client.get(f"/drafts/{THANK_DANA}").text


# -- the coverage grid ----------------------------------------------------------------------------


def grid(client: TestClient, opp: str) -> dict[str, dict[str, Any]]:
    context = client.get(f"/opportunities/{opp}").context  # type: ignore[attr-defined]
    tactics = [rule for rule, _ in context["tactics"]]
    return {name: dict(zip(tactics, cells, strict=True)) for name, cells in context["grid"]}


def test_the_grid_counts_touches_logged_by_hand(client: TestClient) -> None:
    assert grid(client, "northwind")["Mei Chen"]["value-add"].state == ""  # none planned
    logged = client.post(
        "/record/touch?opportunity=northwind",
        data={
            "csrf_token": token(client),
            "person": "mei",
            "at": "2026-11-24T09:00",
            "direction": "out",
            "channel": "email",
            "kind": "value-add",
        },
        follow_redirects=False,
    )
    assert logged.status_code == 303
    cell = grid(client, "northwind")["Mei Chen"]["value-add"]
    assert cell.state == "done" and cell.by_hand == 1 and cell.count == 0
    assert cell.title == "done; 1 touch logged by hand"


def test_the_grid_shows_each_interview_s_round(client: TestClient) -> None:
    thanks = grid(client, "brightline")["Dana Lee"]["thank-you"]
    assert [(r.number, r.name, r.state) for r in thanks.rounds] == [
        (1, "hiring-manager screen (video)", "done"),
        (2, "final panel (onsite)", "pending"),
    ]
    assert thanks.state == "pending"
    assert thanks.label == "R1 done · R2 pending"
    assert "Round 2 (final panel (onsite)): pending" in thanks.title
    single = grid(client, "northwind")["Sam Okafor"]["thank-you"]
    assert len(single.rounds) == 1 and single.label == "done"


# -- the settings by their labels -----------------------------------------------------------------


def settings_client(tmp_path: Path) -> TestClient:
    config = tmp_path / "config" / "config.toml"
    settings = WebSettings(
        database_url=f"sqlite:///{tmp_path / 'web.db'}", clock=lambda: NOW, config_file=config
    )
    return TestClient(create_app(settings))


def test_the_settings_show_labels_not_names(tmp_path: Path) -> None:
    from followup.core.playbook import HELP
    from followup.web.pages.data import LABELS

    assert set(LABELS) == set(HELP)  # every setting has its label
    assert len(set(LABELS.values())) == len(LABELS)  # and no two read alike
    with settings_client(tmp_path) as client:
        page = client.get("/data").text
    table = page[page.index('<table class="settings">') :]
    labels = re.findall(r'<label for="pb-[a-z_]+"[^>]*>([^<]+)</label>', table)
    assert labels[:2] == [LABELS["next_step_lead_days"], LABELS["thank_you_hours"]]
    shown = re.sub(r"<[^>]+>", " ", table)  # what a person reads (names stay in attributes)
    assert not re.search(r"\b[a-z]+_[a-z_]+\b", shown), "a snake_case name is shown"


def test_a_wrong_setting_is_told_beside_its_field(tmp_path: Path) -> None:
    with settings_client(tmp_path) as client:
        client.get("/")
        bad = {"csrf_token": token(client), "thank_you_hours": "soon", "cycle_min_days": "30"}
        refused = client.post("/playbook", data=bad)
    assert refused.status_code == 422
    errors = dict(re.findall(r'<p class="error" id="pb-err-([a-z_]+)">([^<]+)</p>', refused.text))
    assert errors["thank_you_hours"] == "&#39;soon&#39; is not a whole number."
    assert (
        errors["cycle_min_days"] == "Must be smaller than “Keeping in touch: no later than (days)”."
    )
    assert "2 values to correct" in refused.text


# -- charts ---------------------------------------------------------------------------------------


def _extents(svg: str, css: str) -> list[tuple[float, float]]:
    """The estimated horizontal extent of each middle-anchored text of ``css`` in ``svg``."""
    from followup.web.charts import text_width

    found = re.findall(
        rf'<text x="([\d.]+)" y="[\d.]+" class="{css}" text-anchor="middle">'
        r"(?:<title>[^<]*</title>)?([^<]*)</text>",
        svg,
    )
    return [(float(x) - text_width(t) / 2, float(x) + text_width(t) / 2) for x, t in found]


@pytest.mark.parametrize("weeks", [4, 12, 26, 52])
def test_axis_labels_never_overlap(weeks: int) -> None:
    from followup.web.charts import bar_chart

    bars = [(f"{n % 28 + 1} Sep", n * 3) for n in range(weeks)]
    svg = str(bar_chart(bars, target=40, title="t"))
    for css in ("tick", "value"):
        spans = sorted(_extents(svg, css))
        assert all(a[1] <= b[0] for a, b in pairwise(spans)), css
    ticks = _extents(svg, "tick")
    assert 1 < len(ticks) <= weeks
    assert f"{weeks % 28} Sep" in svg  # the last week keeps its label
    assert 'class="tick target-label" text-anchor="start">target 40</text>' in svg


def test_a_long_label_is_cut_with_the_whole_in_its_tooltip() -> None:
    from followup.web.charts import funnel_chart

    name = "Interviewed by the whole panel, twice over"
    svg = str(funnel_chart([("Opportunities", 3), (name, 2)], title="t"))
    assert f"<title>{name}</title>" in svg
    assert re.search(r"</title>Interviewed by the[^<]*…</text>", svg)
    assert ">Opportunities</text>" in svg  # a short one stays whole


# -- sign out -------------------------------------------------------------------------------------


def test_sign_out_shows_only_when_sign_in_is_on(tmp_path: Path) -> None:
    from followup.services import access
    from followup.services.workspace import Workspace

    url = f"sqlite:///{tmp_path / 'web.db'}"
    with make_client(url, demo=False) as open_client:
        assert 'action="/logout"' not in open_client.get("/").text
    ws = Workspace(url)
    access.set_password(ws, "correct horse battery staple", NOW)
    ws.close()
    settings = WebSettings(database_url=url, clock=lambda: NOW, access_control=True)
    with TestClient(create_app(settings)) as client:
        client.get("/login")
        assert 'action="/logout"' not in client.get("/login").text.split("<main>")[0]
        data = {"csrf_token": token(client), "password": "correct horse battery staple"}
        assert client.post("/login", data=data, follow_redirects=False).status_code == 303
        page = client.get("/").text
        form = page[page.index('<form class="sign-out"') :]
        assert 'action="/logout"' in form and f'value="{token(client)}"' in form
        out = client.post("/logout", data={"csrf_token": token(client)}, follow_redirects=False)
        assert out.status_code == 303
        assert client.get("/", follow_redirects=False).status_code in (302, 303, 307)
