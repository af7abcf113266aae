"""The web inbox of deadline notices, in real headless Chromium."""
from __future__ import annotations

from collections.abc import Callable
from io import StringIO
from typing import Any

import pytest

from scheduler.models import Notification
from tests.conftest import Staff, call_command_en, needs_chromium, penalty, sign_in

pytestmark = [pytest.mark.django_db(transaction=True), needs_chromium]


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

    sign_in(page, live_server, clerk.user)
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
