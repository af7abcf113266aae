"""Issue 17, the citizen's side: the deadline calculator explains like the workspace's record page,
in Chinese punctuation with the start date shown; translated 404 and 500 pages and a favicon; the
request forms announce errors next to their fields and in a summary; a keyboard-only citizen
searches, opens a record and files a query, always seeing where the focus is; axe-core on the
pages of this change."""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client, RequestFactory
from django.utils import translation
from django.views.defaults import server_error

from tests.conftest import Staff, needs_chromium, penalty, publish_record, sign_in
from tests.support.axe import assert_accessible


@pytest.mark.django_db
def test_not_found_and_server_error_pages_are_translated(tree: object) -> None:
    response = Client().get("/no/such/page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "<h1>页面不存在</h1>" in page and "Not Found" not in page
    assert 'rel="icon" href="/static/favicon.svg"' in page
    request = RequestFactory().get("/")
    with translation.override("zh-hans"):
        broken = server_error(request)
    assert broken.status_code == 500 and "<h1>服务器错误</h1>" in broken.content.decode()


@pytest.mark.django_db
def test_query_form_errors_are_next_to_their_fields_and_in_a_summary(tree: object) -> None:
    page = Client().post("/queries/new/", {"requester_name": "", "contact": "x", "question": "问",
                                           "agency": "lianshan-amr"}).content.decode()
    assert 'id="error-summary"' in page and '<a href="#requester_name">' in page
    assert re.search(r'id="requester_name"[^>]*aria-invalid="true" aria-describedby="requester_name-error"', page)
    assert '<p class="field-error" id="requester_name-error">' in page


@pytest.mark.django_db(transaction=True)
@needs_chromium
def test_the_calculator_explains_like_the_record_page(live_server: Any, page: Any, clerk: Staff,
                                                     clock: Callable[..., None]) -> None:
    clock("2026-09-28")
    record = clerk.client().post("/api/v1/records/", penalty(event_date="2026-09-28"), format="json").json()["id"]
    page.goto(live_server.url + "/deadline/?kind=penalty&date=2026-09-28")
    assert page.locator("#event-date").inner_text() == "2026-09-28"  # the start date shown
    assert page.locator("#due-date").inner_text() == "2026-10-13"
    portal_rule = page.locator("#deadline-rule").inner_text()
    portal_days = page.locator("#calendar-notes").inner_text()
    assert portal_rule.startswith("规则：7个工作日（") and "事件当日2026-09-28不计入；自2026-09-29起算" in portal_rule
    result = page.locator("section[aria-labelledby=result-h]").inner_text()
    assert not re.search(r"[\u4e00-\u9fff][.,:;()]|[.,:;()][\u4e00-\u9fff]", result), result  # Chinese punctuation
    assert "法定节假日：不计入" in portal_days and "调休上班日：计入" in portal_days
    assert_accessible(page)
    sign_in(page, live_server, clerk.user)
    page.goto(f"{live_server.url}/workspace/records/{record}/")
    assert page.locator("#deadline-rule").inner_text() == portal_rule
    assert page.locator("#calendar-notes").inner_text() == portal_days


@pytest.mark.django_db(transaction=True)
@needs_chromium
def test_a_citizen_searches_opens_a_record_and_asks_with_the_keyboard_alone(
        live_server: Any, page: Any, clerk: Staff, clock: Callable[..., None]) -> None:
    clock("2026-09-29")
    record = publish_record(clerk)

    def focus_is_visible() -> None:
        style = page.evaluate("""() => { const s = getComputedStyle(document.activeElement);
                                          return [s.outlineStyle, s.outlineWidth]; }""")
        assert style[0] != "none" and float(style[1].rstrip("px")) >= 2, style

    def tab_to(selector: str, limit: int = 60) -> None:
        """Press Tab until ``selector`` has the focus, checking the focus is visible at each stop."""
        for _ in range(limit):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement === document.querySelector(arguments[0])"
                             .replace("arguments[0]", repr(selector))):
                focus_is_visible()
                return
        raise AssertionError(f"Tab never reached {selector}")

    page.goto(live_server.url + "/")
    # The first Tab reaches the skip link, which leads past the header.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    focus_is_visible()
    tab_to("#q")
    page.keyboard.type("不合格产品")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    tab_to(f"a[href='/records/{record}/']")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == f"{live_server.url}/records/{record}/"
    tab_to(f"a[href='/queries/new/?record={record}']")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert_accessible(page)
    tab_to("#requester_name")
    page.keyboard.type("李四")
    page.keyboard.press("Tab")
    page.keyboard.type("li@example.org")
    tab_to("#question")
    page.keyboard.type("该处罚是否已经执行完毕？")
    tab_to("form[action='/queries/new/'] button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/track/" in page.url, page.locator("main").inner_text()
    code = page.locator("#tracking-code").inner_text()
    assert len(code) == 19
    assert_accessible(page)
    # The letter page and the tracking form are reachable the same way.
    page.goto(live_server.url + "/track/")
    assert_accessible(page)
