"""The web page keeps up (issue 10, part 6), in a real browser (Debian's Chromium through
Playwright) against a real `followup serve` with the demo data, on the real clock: which actions
are due depends on the day, so each test picks what it acts on from the page."""

from __future__ import annotations

import re
from typing import Any

import pytest
from tests.browser.conftest import screenshot

#: what a message for a person on the page never holds: command names, options, quoting
CLI_WORDS = re.compile(r"followup |--[a-z]|`")


def headers(page: Any) -> dict[str, int]:
    """Today's sections as shown: their title and the count in their header."""
    found = {}
    for text in page.locator("section.group h2").all_inner_texts():
        title, _, number = text.strip().rpartition(" ")
        found[title] = int(number)
    return found


def _items(page: Any, selector: str) -> list[str]:
    ids = page.locator(f"li.action:has({selector})").evaluate_all(
        "els => els.map(e => e.dataset.actionId)"
    )
    return [str(i) for i in ids]


def _item(page: Any, action_id: str) -> Any:
    return page.locator(f'li.action[data-action-id="{action_id}"]')


def test_skip_done_and_undo_keep_the_counts_and_sections_right(page: Any) -> None:
    page.goto("/")
    page.evaluate("window.notReloaded = true")
    start = headers(page)
    assert start, "the demo has something to do"
    # the section with the fewest actions, emptied by skipping each (a skip works on any)
    title = min(start, key=lambda t: start[t])
    section = page.locator("section.group", has=page.locator("h2", has_text=title))
    for left in range(start[title], 0, -1):
        assert headers(page)[title] == left
        section.locator("li.action").first.get_by_role("button", name="Skip").click()
        page.locator("#flash .notice").wait_for()
        page.wait_for_function(
            "([t, n]) => ![...document.querySelectorAll('section.group h2')].some("
            "h => h.textContent.trim() === t + ' ' + n)",
            arg=[title, left],
        )
    assert title not in headers(page)  # the section left empty is gone
    assert page.evaluate("window.notReloaded") is True  # all in place, no reload
    screenshot(page, "today-section-gone")
    # Undo the last skip: the page reloads with the section and its count back
    page.locator("#flash").get_by_role("button", name="Undo").click()
    page.wait_for_function("window.notReloaded === undefined")
    page.locator("section.group h2").first.wait_for()
    assert headers(page)[title] == 1
    # done: the count of its section goes down by one, in place
    done = _items(page, "form[action$='/done']")
    if done:
        page.evaluate("window.notReloaded = true")
        before = headers(page)
        item = _item(page, done[0])
        where = item.locator("xpath=ancestor::section").locator("h2").inner_text()
        where = where.strip().rpartition(" ")[0]
        item.get_by_role("button", name="Done").click()
        page.locator("#flash .notice").wait_for()
        _item(page, done[0]).wait_for(state="detached")
        after = headers(page)
        assert after.get(where, 0) in (before[where] - 1, before[where] - 2)  # may fold one
        assert page.evaluate("window.notReloaded") is True


def test_a_failed_action_says_why_beside_it_in_words(page: Any) -> None:
    page.goto("/")
    [action_id, *_] = _items(page, "form.snooze")
    item = _item(page, action_id)
    item.locator("input[name=until]").fill("2020-01-01T09:00")
    item.get_by_role("button", name="Snooze").click()
    error = item.locator(".action-error .error-box")
    error.wait_for()
    text = error.inner_text()
    assert "has already passed" in text and "later moment" in text
    assert not CLI_WORDS.search(text) and action_id not in text
    assert page.locator("#flash .error-box").count() == 0  # not at the top of the page
    screenshot(page, "today-error-beside")
    # a second done of the same action (done in another tab meanwhile) says it in words
    done = _items(page, "form[action$='/done']")
    if done:
        other = page.context.new_page()
        other.goto("/")
        _item(other, done[0]).get_by_role("button", name="Done").click()
        other.locator("#flash .notice").wait_for()
        other.close()
        item = _item(page, done[0])
        item.get_by_role("button", name="Done").click()
        said = item.locator(".action-error .error-box")
        said.wait_for()
        assert said.inner_text().strip() == "This was already marked done."


def test_the_send_page_marks_the_message_as_sent(page: Any) -> None:
    page.goto("/")
    sendable = page.locator("li.action:has(a[href^='/send/'])").first
    sendable.wait_for()
    action_id = str(sendable.get_attribute("data-action-id"))
    page.goto(f"/send/{action_id}")
    link = page.locator("a[href^='mailto:']")
    assert link.count() == 1
    button = page.get_by_role("button", name="Mark as sent")
    assert link.evaluate("(a, b) => !!(a.compareDocumentPosition(b) & 4)", button.element_handle())
    screenshot(page, "send-mailto")
    button.click()
    page.locator("#mark-sent .done-note").wait_for()
    assert "Marked as sent." in page.locator("#mark-sent").inner_text()
    assert page.locator("#flash .notice").inner_text().startswith("Done: ")
    page.goto("/")
    assert _item(page, action_id).count() == 0
    page.goto(f"/send/{action_id}")
    assert "Nothing to send" in page.locator("h1").inner_text()


def test_a_draft_is_edited_and_saved_on_the_page(page: Any) -> None:
    page.goto("/")
    item = page.locator("li.action:has(details.draft)").first
    item.wait_for()
    item.locator("details.draft > summary").click()
    item.locator(".draft-body pre").wait_for()
    template = item.locator(".draft-body pre").inner_text()
    item.locator("details.edit-draft > summary").click()
    box = item.locator("details.edit-draft textarea")
    box.fill(box.input_value().replace("\n\n", "\n\nA line of my own.\n\n", 1))
    item.get_by_role("button", name="Save the draft").click()
    item.locator(".draft-body .notice").wait_for()
    assert "Saved" in item.locator(".draft-body .notice").inner_text()
    assert "A line of my own." in item.locator(".draft-body pre").inner_text()
    screenshot(page, "draft-edited")
    page.reload()  # kept: the draft opens with the edit
    item.locator("details.draft > summary").click()
    item.locator(".draft-body pre").wait_for()
    assert "A line of my own." in item.locator(".draft-body pre").inner_text()
    item.get_by_role("button", name="Back to the template's draft").click()
    item.locator(".draft-body .notice").wait_for()
    assert item.locator(".draft-body pre").inner_text() == template


def test_the_coverage_grid_counts_a_touch_logged_by_hand(page: Any) -> None:
    def mei_value_add() -> str:
        row = page.locator("#coverage tbody tr", has=page.locator("th", has_text="Mei Chen"))
        return str(row.locator("td").nth(2).inner_text()).strip()  # Next step, Thank-you, Value-add

    page.goto("/opportunities/northwind")
    assert page.locator("#coverage thead th").nth(3).inner_text() == "Value-add"
    assert mei_value_add() == "·"  # the plan asks no article of Mei
    page.goto("/record/touch?opportunity=northwind")
    page.select_option("#in-person", "mei")
    page.select_option("#in-kind", "value-add")
    page.fill("#in-summary", "Sent Mei the dispatcher-override study")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**/opportunities/northwind")
    assert mei_value_add() == "done"
    screenshot(page, "coverage-by-hand")


def test_the_settings_show_labels(page: Any) -> None:
    page.goto("/data")
    table = page.locator("table.settings")
    assert "Thank-you: due within (hours after an interview)" in table.inner_text()
    assert not re.search(r"\b[a-z]+_[a-z_]+\b", table.inner_text())
    page.fill("#pb-thank_you_hours", "soon")
    page.get_by_role("button", name="Save settings").click()
    error = page.locator("#pb-err-thank_you_hours")
    assert error.inner_text() == "'soon' is not a whole number."
    screenshot(page, "settings-labels")


@pytest.mark.parametrize("width", [1200, 390])
def test_chart_labels_do_not_overlap(page: Any, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    page.goto("/insights")
    charts = page.locator("svg.chart")
    assert charts.count() >= 3
    for n in range(charts.count()):
        boxes = (
            charts.nth(n)
            .locator("text")
            .evaluate_all(
                "els => els.filter(e => e.textContent.trim()).map(e => {"
                " const r = e.getBoundingClientRect();"
                " return [r.left, r.top, r.right, r.bottom, e.textContent]; })"
            )
        )
        assert boxes
        for i, a in enumerate(boxes):
            for b in boxes[i + 1 :]:
                apart = a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1]
                assert apart, f"{a[4]!r} overlaps {b[4]!r} at {width}px"
    screenshot(page, f"insights-{width}")
