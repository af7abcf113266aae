"""The web inbox of deadline notices, in real headless Chromium."""
from __future__ import annotations

from collections.abc import Callable
from io import StringIO
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from scheduler.models import Notification
from tests.conftest import Staff, call_command_en, penalty
from tests.test_pages import CHROMIUM, browser, page  # noqa: F401 - fixtures

pytestmark = [pytest.mark.django_db(transaction=True)]


def _signed_in(page: Any, live_server: Any, staff: Staff) -> None:
    """The workspace login page is the workspace issue's; a session made by Django stands in."""
    client = Client()
    client.force_login(staff.user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}])


def test_inbox_lists_notices_and_marks_them_read(
    live_server: Any, page: Any, clerk: Staff, clock: Callable[..., None]
) -> None:
    clock("2026-09-28")
    for title in ("甲公司销售不合格产品案", "乙公司虚假宣传案"):
        assert clerk.client().post("/api/v1/records/", penalty(title=title), format="json").status_code == 201
    clock("2026-10-14")
    call_command_en("check_deadlines", stdout=StringIO(), stderr=StringIO())
    clock("2026-10-14", hour=11)

    page.goto(live_server.url + "/workspace/inbox/")
    assert "/login/" in page.url  # not signed in: to the login page

    _signed_in(page, live_server, clerk)
    page.goto(live_server.url + "/workspace/inbox/")
    assert page.locator("h1").inner_text() == "时限提醒"
    items = page.locator("li.notice")
    assert items.count() == 2
    assert "已逾期" in items.first.inner_text()
    assert "截止 2026-10-13" in items.first.inner_text()
    assert "已逾期 1 个工作日" in items.first.inner_text()
    assert page.locator("li.notice.unread").count() == 2

    items.first.get_by_role("button", name="标为已读").click()
    page.wait_for_load_state()
    assert page.locator("li.notice.unread").count() == 1
    page.get_by_role("button", name="全部标为已读").click()
    page.wait_for_load_state()
    assert page.locator("li.notice.unread").count() == 0
    assert not Notification.objects.filter(user=clerk.user, read_at__isnull=True).exists()

    page.get_by_role("link", name="只看未读").click()
    page.wait_for_load_state()
    assert page.locator("li.notice").count() == 0
    assert "暂无提醒" in page.locator("main").inner_text()
