"""Correcting the record in a real browser (Debian's Chromium through Playwright) against a real
`followup serve` with the demo data: an edit form opened in place, a delete confirmed in place,
and Undo."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import screenshot


def test_edit_a_persons_email_and_see_it_on_the_page(page: Any) -> None:
    page.goto("/opportunities/brightline")
    row = page.locator('tr[data-person-id="dana"]')
    row.locator("details.edit > summary").click()
    email = page.locator("#edit-person-brightline-dana-in-email")  # loaded into the page
    email.wait_for()
    assert email.input_value() == "dana.lee@brightlinehealth.example"
    email.fill("dana@brightline.example")
    screenshot(page, "edit-person")
    row.get_by_role("button", name="Save changes").click()
    page.locator("#flash .notice").wait_for()
    assert page.url.endswith("/opportunities/brightline")
    assert "Saved person 'dana' (Dana Lee)." in page.locator("#flash").inner_text()
    assert "dana@brightline.example" in row.inner_text()
    assert "dana.lee@brightlinehealth.example" not in page.content()


def test_delete_a_touch_after_confirming_then_undo(page: Any) -> None:
    page.goto("/opportunities/brightline")
    touch = page.locator('li[data-touch-id="screen-call"]')
    assert "Called Marcus to reaffirm my interest" in touch.inner_text()
    touch.locator("details.remove > summary").click()
    confirm = touch.get_by_role("button", name="Yes, delete")
    assert "Delete the touch 'screen-call'?" in touch.locator("details.remove").inner_text()
    confirm.click()
    page.locator("#flash .notice").wait_for()
    assert "Removed touch 'screen-call'." in page.locator("#flash").inner_text()
    assert touch.count() == 0
    assert "Called Marcus to reaffirm my interest" not in page.content()
    screenshot(page, "deleted-touch")
    page.locator("#flash").get_by_role("button", name="Undo").click()
    touch.wait_for()  # the page reloads with it back
    assert "Called Marcus to reaffirm my interest" in touch.inner_text()
    assert page.locator("#flash .notice").count() == 0
