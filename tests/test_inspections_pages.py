"""The inspection pages (/workspace/inspections/): server-rendered through the test client, and
the backfill upload in real headless Chromium."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client

from disclosure.models import Record
from inspections.models import Draw, Plan, Task
from tests.conftest import Staff, needs_chromium
from tests.test_inspections_draw import directory

GOOD = Path(__file__).parent / "data" / "inspections" / "backfill_good.csv"
BASE = "/workspace/inspections/"


def browser_client(staff: Staff) -> Client:
    client = Client()
    client.force_login(staff.user)
    return client


PLAN = {"agency": "lianshan-amr", "title": "双随机抽查", "scope": "辖区", "period_start": "2026-10-12",
        "period_end": "2026-11-30", "sample_count": "3", "inspectors_per_task": "2"}


@pytest.mark.django_db
class TestPages:
    def test_login_required(self, client: Client) -> None:
        response = client.get(BASE)
        assert response.status_code == 302 and "login" in response["Location"]

    def test_plan_draw_and_result_through_the_pages(self, clerk: Staff, clock: Any) -> None:
        clock("2026-10-09")
        directory(clerk, entities=5, inspectors=4)
        client = browser_client(clerk)
        response = client.post(BASE, PLAN)
        plan = Plan.objects.get()
        assert response.status_code == 302 and response["Location"] == f"{BASE}plans/{plan.pk}/"
        response = client.post(f"{BASE}plans/{plan.pk}/approve/")
        assert response.status_code == 302
        page = client.get(f"{BASE}plans/{plan.pk}/").content.decode()
        draw = Draw.objects.get()
        assert draw.seed in page and draw.entities_digest in page
        assert "从数据库和种子可重现" in page  # verification shown, in Chinese by default
        task = Task.objects.first()
        assert task is not None
        response = client.post(f"{BASE}tasks/{task.pk}/", {"outcome": "no_problem", "formed_on": "2026-10-09",
                                                           "findings": "无"})
        assert response.status_code == 302
        assert "未发现问题" in client.get(f"{BASE}tasks/{task.pk}/").content.decode()

    def test_page_shows_service_errors(self, clerk: Staff, clock: Any) -> None:
        clock("2026-10-09")
        client = browser_client(clerk)
        response = client.post(BASE, {**PLAN, "sample_percent": "10"})
        assert response.status_code == 200
        assert "不能同时" in response.content.decode() or "sample" in response.content.decode()
        assert not Plan.objects.exists()

    def test_other_agency_gets_404_and_viewer_403(self, clerk: Staff, outsider: Staff, make_staff: Any,
                                                  clock: Any) -> None:
        clock("2026-10-09")
        directory(clerk, entities=3, inspectors=2)
        browser_client(clerk).post(BASE, PLAN)
        plan = Plan.objects.get()
        assert browser_client(outsider).get(f"{BASE}plans/{plan.pk}/").status_code == 404
        assert browser_client(outsider).post(f"{BASE}plans/{plan.pk}/approve/").status_code == 404
        viewer = make_staff("lianshan-amr", "viewer")
        assert browser_client(viewer).get(f"{BASE}plans/{plan.pk}/").status_code == 200
        assert browser_client(viewer).post(f"{BASE}plans/{plan.pk}/approve/").status_code == 403
        assert not Draw.objects.exists()

    def test_backfill_dry_run_then_import(self, clerk: Staff, clock: Any) -> None:
        clock("2026-10-09")
        client = browser_client(clerk)
        with GOOD.open("rb") as fh:
            preview = client.post(f"{BASE}backfill/", {"file": fh, "action": "preview"}).content.decode()
        assert "LS-2019-001" in preview and not Record.objects.exists()
        with GOOD.open("rb") as fh:
            client.post(f"{BASE}backfill/", {"file": fh, "action": "import"})
        assert Record.objects.filter(backfill=True).count() == 5

    def test_lists_do_not_grow_queries_with_rows(self, clerk: Staff, clock: Any,
                                                 django_assert_max_num_queries: Any) -> None:
        clock("2026-10-09")
        directory(clerk, entities=20, inspectors=6)
        client = browser_client(clerk)
        for _n in range(3):
            client.post(BASE, PLAN)
        plan = Plan.objects.first()
        assert plan is not None
        client.post(f"{BASE}plans/{plan.pk}/approve/")
        # session + user + scope + page + count, per list; the plan page also verifies its draw
        for url, limit in [(BASE, 12), (f"{BASE}entities/", 14), (f"{BASE}plans/{plan.pk}/", 22)]:
            with django_assert_max_num_queries(limit):
                assert client.get(url).status_code == 200


# -- in Chromium ------------------------------------------------------------------------------------
@pytest.mark.django_db(transaction=True)
@needs_chromium
def test_backfill_page_in_chromium(live_server: Any, browser: Any, clerk: Staff) -> None:
    client = browser_client(clerk)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")  # a phone
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    page = context.new_page()
    page.goto(live_server.url + BASE + "backfill/")
    assert "补录" in page.locator("h1").inner_text()
    page.set_input_files("input[type=file]", str(GOOD))
    page.get_by_role("button", name="检查（试运行）").click()
    page.wait_for_load_state()
    assert "LS-2019-005" in page.content()
    assert Record.objects.count() == 0
    page.set_input_files("input[type=file]", str(GOOD))
    page.get_by_role("button", name="导入", exact=True).click()
    page.wait_for_load_state()
    assert Record.objects.filter(backfill=True).count() == 5
    context.close()
