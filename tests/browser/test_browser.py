"""What a person does in a real browser (Debian's Chromium through Playwright), against a real
`followup serve` with the demo data: a day's follow-ups without the CLI."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from tests.browser.conftest import screenshot


def _action(page: Any, action_id: str) -> Any:
    return page.locator(f'li.action[data-action-id="{action_id}"]')


def _first_with(page: Any, selector: str) -> tuple[Any, str]:
    """The first action on the page holding ``selector`` (the demo's day decides which:
    the tests run on the real clock), and its id."""
    item = page.locator(f"li.action:has({selector})").first
    item.wait_for()
    return item, str(item.get_attribute("data-action-id"))


def test_today_done_leaves_the_list_without_a_reload(page: Any) -> None:
    page.goto("/")
    assert page.title() == "Today · followup"
    item, action_id = _first_with(page, "form[action$='/done']")
    screenshot(page, "today")
    page.evaluate("window.notReloaded = true")
    item.get_by_role("button", name="Done").click()
    page.locator("#flash .notice").wait_for()
    assert "Done: " in page.locator("#flash").inner_text()
    assert _action(page, action_id).count() == 0
    assert page.evaluate("window.notReloaded") is True  # updated in place, not reloaded
    page.reload()
    assert _action(page, action_id).count() == 0


def test_a_draft_opens_in_place(page: Any) -> None:
    page.goto("/")
    item, action_id = _first_with(page, "details.draft")
    item.locator("details.draft summary").click()
    body = item.locator(".draft-body pre")
    body.wait_for()
    text = body.inner_text()
    assert text.startswith(("Hi ", "Call ")), text  # a message, or a call's talking points
    assert "{" not in text and action_id
    screenshot(page, "today-draft")


def test_record_an_interview_with_two_interviewers(page: Any) -> None:
    page.goto("/record/interview?opportunity=northwind")
    started = datetime.now(ZoneInfo("America/New_York")) - timedelta(hours=3)  # the demo's zone
    page.fill("#in-at", started.strftime("%Y-%m-%dT%H:%M"))
    page.check('input[name="with"][value="sam"]')
    page.check('input[name="with"][value="mei"]')
    page.fill("#in-notes_mei", "Routing for cold-chain fleets")
    screenshot(page, "record-interview")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**/opportunities/northwind")
    ahead = page.locator("li.action")
    ids = set(ahead.evaluate_all("els => els.map(e => e.dataset.actionId)"))
    assert {"thank-you:northwind:sam:i1", "thank-you:northwind:mei:i1"} <= ids
    screenshot(page, "opportunity")


def test_an_invalid_form_shows_the_message_by_the_field(page: Any) -> None:
    page.goto("/record/opportunity")
    page.fill("#in-company", "Kite Labs")
    page.fill("#in-rank", "0")
    page.get_by_role("button", name="Save").click()
    assert page.locator("#err-role").inner_text() == "Required."
    assert page.locator("#in-company").input_value() == "Kite Labs"  # kept
    screenshot(page, "record-invalid")
    page.goto("/pipeline")
    assert "Kite Labs" not in page.content()


@pytest.mark.parametrize("path", ["/", "/pipeline", "/opportunities/brightline", "/insights"])
def test_pages_fit_a_phone_screen(page: Any, path: str) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(path)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{path} is {overflow}px wider than the phone screen"
    name = "phone-" + (path.strip("/").replace("/", "-") or "today")
    screenshot(page, name)


def test_main_pages_on_a_laptop(page: Any) -> None:
    for path, name in [("/pipeline", "pipeline"), ("/insights", "insights"), ("/data", "data"),
                       ("/record", "record")]:  # fmt: skip
        page.goto(path)
        assert page.locator("h1").count() == 1
        screenshot(page, name)
