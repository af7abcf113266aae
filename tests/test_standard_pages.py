"""The kind's form and the public record's standard fields in real Chromium, at 1366 and 390 px."""
from __future__ import annotations

import os
from typing import Any

import pytest

from tests.conftest import Staff, needs_chromium, penalty, sign_in, standard_details
from tests.support.axe import assert_accessible

pytestmark = [pytest.mark.django_db(transaction=True), needs_chromium]
SHOTS = os.environ.get("SCREENSHOT_DIR", "")


def _shot(page: Any, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, name), full_page=True)


def _no_sideways_scroll(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1")


@pytest.mark.parametrize("width", [1366, 390])
def test_the_penalty_form_and_the_public_details(live_server: Any, page: Any, clerk: Staff, clock: Any,
                                                 width: int) -> None:
    clock("2026-09-29")
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server, clerk.user)
    page.goto(f"{live_server.url}/workspace/records/new/")
    _shot(page, f"kind-choice-{width}.png")
    page.click("#kind-choice a[href='?kind=penalty']")
    page.wait_for_load_state()
    assert page.locator("#kind-standard").is_visible() and page.locator("#id_d_violation_facts").is_visible()
    assert page.locator("#id_d_permit_category").count() == 0
    _no_sideways_scroll(page)
    _shot(page, f"penalty-form-{width}.png")
    assert_accessible(page)
    page.goto(f"{live_server.url}/workspace/records/new/?kind=inspection_result")
    assert page.locator("#id_d_inspectors").is_visible() and page.locator("#id_penalty_types_0").count() == 0
    _shot(page, f"inspection-form-{width}.png")

    body = penalty(details={**standard_details("penalty"), "confiscated_amount": "1500",
                            "licence_name_number": "食品经营许可证 JY12114020012345"},
                   penalty_types=["fine", "confiscate_gains", "suspend_licence"], fine_amount="20000.00")
    made = clerk.client().post("/api/v1/records/", body, format="json").json()
    assert clerk.client().post(f"/api/v1/records/{made['id']}/publish/", {}, format="json").status_code == 200
    page.goto(f"{live_server.url}/workspace/records/{made['id']}/")
    assert "经抽检" in page.locator("#standard-fields").inner_text()
    _no_sideways_scroll(page)
    _shot(page, f"workspace-record-{width}.png")
    page.goto(f"{live_server.url}/records/{made['id']}/")
    details = page.locator("#standard-details").inner_text()
    assert "违法事实" in details and "经抽检" in details and "暂扣许可证件" in page.content()
    _no_sideways_scroll(page)
    _shot(page, f"public-record-{width}.png")
    assert_accessible(page)
