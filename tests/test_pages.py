"""The pages this issue serves, in real headless Chromium (Debian's, driven by Playwright)."""
from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model

from tests.conftest import needs_chromium

pytestmark = [pytest.mark.django_db(transaction=True), needs_chromium]


def test_home_in_chinese_then_english(live_server: Any, page: Any) -> None:
    page.goto(live_server.url + "/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert "监管信息归集公示系统" in page.locator("h1").inner_text()
    page.select_option("#language", "en")
    page.get_by_role("button", name="切换").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Supervision information disclosure system" in page.locator("h1").inner_text()


def test_api_docs_render_without_any_cdn(live_server: Any, page: Any) -> None:
    outside: list[str] = []
    page.on("request", lambda request: None if request.url.startswith(live_server.url) or request.url.startswith(
        "data:") else outside.append(request.url))
    page.goto(live_server.url + "/api/docs/")
    page.wait_for_selector("text=/api/v1/records/", timeout=15_000)
    assert outside == []


def test_admin_shows_versions_read_only(live_server: Any, page: Any, clerk: Any, clock: Any) -> None:
    from tests.conftest import penalty

    clock("2026-09-29")
    record = clerk.client().post("/api/v1/records/", penalty(), format="json").json()
    get_user_model().objects.create_superuser("admin", "admin@example.org", "correct-horse-battery-42")
    clock("2026-09-29", hour=11)
    page.goto(live_server.url + "/admin/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", "correct-horse-battery-42")
    page.click("input[type=submit]")
    page.goto(live_server.url + f"/admin/disclosure/recordversion/?record__id__exact={record['id']}")
    rows = page.locator("#result_list tbody tr")
    assert rows.count() == 1
    # No "add" button, no delete action: versions are append-only.
    assert page.locator(".object-tools a.addlink").count() == 0
    assert page.locator("select[name=action] option[value=delete_selected]").count() == 0
    rows.first.locator("a").first.click()
    assert page.locator("input[name=_save]").count() == 0


def test_an_english_browser_gets_english(live_server: Any, browser: Any) -> None:
    context = browser.new_context(locale="en-US")
    page = context.new_page()
    page.goto(live_server.url + "/")
    assert page.locator("html").get_attribute("lang") == "en"
    context.close()
