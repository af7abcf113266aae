"""The audit dashboard (/audit/): who may open it, what it shows, query counts, and a real
headless Chromium session (auditor logs in, sees the ranking, opens a district, then a bureau)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.shortcuts import resolve_url
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.conftest import Staff, penalty
from tests.test_audit_stats import Dataset, build

AUGUST = {"from": "2026-08-01", "to": "2026-08-31"}


@pytest.fixture
def data(make_staff: Callable[[str, str], Staff], clock: Callable[..., None], settings: Any) -> Dataset:
    settings.AUDIT_MIN_RECORDS_TO_RANK = 3
    return build(make_staff, clock)


def web(staff: Staff | None) -> Client:
    client = Client()
    if staff is not None:
        client.force_login(staff.user)
    return client


@pytest.mark.django_db
class TestAccess:
    def test_anonymous_is_sent_to_log_in(self, data: Dataset) -> None:
        response = web(None).get("/audit/")
        assert response.status_code == 302
        assert response["Location"] == f"{resolve_url(django_settings.LOGIN_URL)}?next=/audit/"

    @pytest.mark.parametrize("path", ["/audit/", "/audit/withheld/", "/audit/incomplete/", "/audit/classes/",
                                      "/audit/reports/", "/audit/reports/2026-08/pdf/"])
    def test_agency_staff_are_refused(self, data: Dataset, path: str) -> None:
        assert web(data.clerk).get(path).status_code == 403
        assert web(data.outsider).get(path).status_code == 403

    def test_unknown_agency_is_404(self, data: Dataset) -> None:
        assert web(data.auditor).get("/audit/", {"agency": "nowhere"}).status_code == 404


@pytest.mark.django_db
class TestDashboard:
    def test_ranking_summary_and_overdue_list(self, data: Dataset) -> None:
        page = web(data.auditor).get("/audit/", AUGUST).content.decode()
        assert '<dd id="summary-due">10</dd>' in page
        assert '<dd id="summary-rate">60.0%</dd>' in page
        ranking = page.split('id="ranking"')[1].split("</table>")[0]
        # Lianshan is the only one with enough decided records; the others follow unranked (*).
        names = ("葫芦岛市连山区人民政府", "葫芦岛市市场监督管理局", "葫芦岛市应急管理局", "葫芦岛市龙港区人民政府")
        order = [ranking.index(name) for name in names]
        assert order == sorted(order)
        assert "57.1%" in ranking and "100.0%" in ranking
        overdue = page.split('id="overdue"')[1].split("</table>")[0]
        assert f'/workspace/records/{data.ids["ls4"]}/' in overdue
        assert f'/workspace/records/{data.ids["em1"]}/' in overdue
        assert f'/workspace/records/{data.ids["ls3"]}/' not in overdue
        assert "<svg" in page and "2026-08: 60.0%" in page  # the trend bar's tooltip

    def test_drill_down_to_a_district_shows_its_bodies(self, data: Dataset) -> None:
        page = web(data.auditor).get("/audit/", {**AUGUST, "agency": "lianshan"}).content.decode()
        assert '<dd id="summary-due">7</dd>' in page
        ranking = page.split('id="ranking"')[1].split("</table>")[0]
        assert "葫芦岛市连山区市场监督管理局" in ranking and "葫芦岛市龙港区" not in ranking
        bureau = web(data.auditor).get("/audit/", {**AUGUST, "agency": "lianshan-amr"}).content.decode()
        assert "连山区市场监督管理局钢屯市场监督管理所" in bureau.split('id="ranking"')[1]

    def test_completeness_lists(self, data: Dataset) -> None:
        withheld = web(data.auditor).get("/audit/withheld/", AUGUST).content.decode()
        assert "涉及国家秘密，依《保守国家秘密法》不予公开" in withheld
        assert f"#{data.ids['st3']} " in withheld
        incomplete = web(data.auditor).get("/audit/incomplete/", AUGUST).content.decode()
        table = incomplete.split('id="incomplete"')[1]
        # lg2 is a penalty without a document number; st1 (an inspection result) needs none.
        assert f"#{data.ids['lg2']} " in table and f"#{data.ids['st1']} " not in table

    def test_dashboard_query_count_does_not_grow_with_records(self, data: Dataset) -> None:
        client = web(data.auditor)

        def count() -> int:
            with CaptureQueriesContext(connection) as ctx:
                assert client.get("/audit/", AUGUST).status_code == 200
            return len(ctx)

        before = count()
        for _ in range(5):
            data.clerk.client().post("/api/v1/records/", penalty("lianshan-amr-station", event_date="2026-08-03"),
                                     format="json")
        assert count() == before

    @pytest.mark.parametrize("path", ["/audit/withheld/", "/audit/incomplete/"])
    def test_completeness_list_query_count(self, data: Dataset, path: str) -> None:
        """Three more rows on the list (published, so past draft) cost no more queries."""
        client = web(data.auditor)
        year = {"from": "2026-01-01", "to": "2026-12-31"}
        with CaptureQueriesContext(connection) as first:
            before = client.get(path, year).content.decode()
        added = []
        for _ in range(3):
            # Backfilled (补录): published with what it has, on the completeness list.
            created = data.clerk.client().post("/api/v1/records/", penalty(
                legal_basis="", disclosure="withheld", withheld_reason="依法不予公开", event_date="2026-09-01",
                backfill=True),
                format="json")
            assert created.status_code == 201, created.content
            record = created.json()["id"]
            published = data.clerk.client().post(f"/api/v1/records/{record}/publish/", {}, format="json")
            assert published.status_code == 200, published.content
            added.append(record)
        with CaptureQueriesContext(connection) as second:
            after = client.get(path, year).content.decode()
        assert all(f"#{r} " not in before and f"#{r} " in after for r in added)
        assert len(first) == len(second)


@pytest.mark.django_db(transaction=True)
def test_auditor_sees_the_ranking_and_opens_a_district_in_chromium(
    live_server: Any, browser: Any, make_staff: Callable[[str, str], Staff], clock: Callable[..., None],
    settings: Any,
) -> None:
    settings.AUDIT_MIN_RECORDS_TO_RANK = 3
    data = build(make_staff, clock)
    client = web(data.auditor)
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")  # a phone
    context.add_cookies([{"name": django_settings.SESSION_COOKIE_NAME,
                          "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
                          "url": live_server.url}])
    outside: list[str] = []
    page = context.new_page()
    page.on("request", lambda r: None if r.url.startswith(live_server.url) else outside.append(r.url))
    page.goto(live_server.url + "/audit/")
    assert page.locator("h1").inner_text() == "公示及时性审核"
    page.fill("#from", "2026-08-01")
    page.fill("#to", "2026-08-31")
    page.get_by_role("button", name="查看").click()
    page.wait_for_load_state()
    first = page.locator("#ranking tbody tr").first
    assert first.locator("td").first.inner_text() == "1"
    assert "葫芦岛市连山区人民政府" in first.inner_text()
    assert page.locator("#summary-rate").inner_text() == "60.0%"
    first.get_by_role("link").click()
    page.wait_for_load_state()
    assert "葫芦岛市连山区人民政府" in page.locator("h1").inner_text()
    assert page.locator("#summary-due").inner_text() == "7"
    page.locator("#ranking").get_by_role("link", name="葫芦岛市连山区市场监督管理局").click()
    page.wait_for_load_state()
    assert "连山区市场监督管理局钢屯市场监督管理所" in page.locator("#ranking").inner_text()
    assert page.locator("#overdue tbody tr").count() == 1
    # The trail back up the tree.
    page.get_by_role("navigation", name="机关层级").get_by_role("link", name="全部机关").click()
    page.wait_for_load_state()
    assert page.locator("#summary-due").inner_text() == "10"
    assert outside == []
    context.close()


def test_the_auditor_opens_an_overdue_record_in_the_workspace(tree: object, make_staff: Any) -> None:
    """The dashboard's links lead to the workspace's record page, which an auditor may read."""
    clerk = make_staff("lianshan-amr", "clerk")
    auditor = make_staff("city-amr", "auditor")
    record_id = clerk.client().post("/api/v1/records/", penalty(), format="json").json()["id"]
    browser = Client()
    browser.force_login(auditor.user)
    page = browser.get(f"/workspace/records/{record_id}/")
    assert page.status_code == 200
    assert "葫芦岛市某商贸有限公司销售不合格产品案" in page.content.decode()
