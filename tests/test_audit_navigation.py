"""Issue 17, the audit side in Chromium: the drill-down's links, every role's menu and start page,
the translated 403 page, the audit pages as cards on a phone, making and downloading a month's
report, and axe-core on each audit page."""
from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from pypdf import PdfReader

from reports.models import MonthlyReport
from tests.conftest import Staff, sign_in
from tests.support.axe import assert_accessible
from tests.test_audit_stats import Dataset, build

AUGUST = "?from=2026-08-01&to=2026-08-31"


@pytest.fixture
def data(make_staff: Callable[[str, str], Staff], clock: Callable[..., None], settings: Any) -> Dataset:
    settings.AUDIT_MIN_RECORDS_TO_RANK = 3
    return build(make_staff, clock)


def hrefs(page: Any) -> list[str]:
    return [str(h) for h in page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")]


@pytest.mark.django_db(transaction=True)
def test_drill_down_tabs_crumbs_and_pager_have_one_question_mark(live_server: Any, page: Any, data: Dataset,
                                                                 settings: Any) -> None:
    settings.AUDIT_PAGE_SIZE = 1  # a pager on the overdue list
    sign_in(page, live_server, data.auditor.user)
    page.goto(live_server.url + "/audit/" + AUGUST)
    page.locator("#ranking").get_by_role("link", name="葫芦岛市连山区人民政府").click()
    page.wait_for_load_state()
    assert "??" not in page.url and "agency=lianshan" in page.url
    assert "葫芦岛市连山区人民政府" in page.locator("h1").inner_text()
    assert page.locator("#summary-due").inner_text() == "7"  # the district's figures, not the city's
    links = hrefs(page)
    assert links and not [h for h in links if "??" in h]
    # The tabs keep the agency and the period.
    page.get_by_role("navigation", name="审核页面").get_by_role("link", name="不予公开信息").click()
    page.wait_for_load_state()
    assert "agency=lianshan" in page.url and "from=2026-08-01" in page.url and "??" not in page.url
    assert_accessible(page)
    page.goto(live_server.url + "/audit/" + AUGUST)
    page.get_by_role("navigation", name="分页").get_by_role("link", name="下一页").click()
    page.wait_for_load_state()
    assert "page=2" in page.url and "??" not in page.url
    assert "第 2 页" in page.get_by_role("navigation", name="分页").inner_text()
    assert_accessible(page)


@pytest.mark.django_db(transaction=True)
def test_every_role_has_a_home_and_a_menu_of_what_it_may_use(live_server: Any, page: Any, data: Dataset,
                                                            make_staff: Callable[[str, str], Staff]) -> None:
    # The auditor starts at the audit, sees who they are, can sign out, and is offered no "new record".
    page.goto(live_server.url + "/workspace/login/")
    page.fill("#id_username", data.auditor.user.username)
    page.fill("#id_password", "correct-horse-battery-42")
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()
    assert page.url == live_server.url + "/audit/"
    menu = page.get_by_role("navigation", name="工作台")
    assert data.auditor.user.username in menu.inner_text()
    assert menu.get_by_role("button", name="退出登录").is_visible()
    assert menu.get_by_role("link", name="公示及时性审核").get_attribute("aria-current") == "page"
    assert menu.get_by_role("link", name="新建信息").count() == 0
    assert_accessible(page)
    # An auditor who opens 新建信息 anyway gets a translated 403 with the way back.
    response = page.goto(live_server.url + "/workspace/records/new/")
    assert response is not None and response.status == 403
    assert page.locator("h1").inner_text() == "您无权打开此页面"
    assert "Forbidden" not in page.content()
    assert page.get_by_role("navigation", name="工作台").is_visible()
    page.get_by_role("link", name="返回您的起始页").click()
    page.wait_for_load_state()
    assert page.url == live_server.url + "/audit/"
    menu.get_by_role("button", name="退出登录").click()
    page.wait_for_load_state()
    assert "/workspace/login/" in page.url

    # A clerk: records and new record, no audit; /audit/ is a translated 403 too.
    sign_in(page, live_server, data.clerk.user)
    page.goto(live_server.url + "/workspace/")
    menu = page.get_by_role("navigation", name="工作台")
    assert menu.get_by_role("link", name="新建信息").is_visible()
    assert menu.get_by_role("link", name="公示及时性审核").count() == 0
    response = page.goto(live_server.url + "/audit/")
    assert response is not None and response.status == 403
    assert page.locator("h1").inner_text() == "您无权打开此页面"
    assert_accessible(page)
    page.get_by_role("link", name="返回您的起始页").click()
    page.wait_for_load_state()
    assert page.url == live_server.url + "/workspace/"

    # A viewer (read-only) sees records but may not create.
    viewer = make_staff("lianshan-amr", "viewer")
    sign_in(page, live_server, viewer.user)
    page.goto(live_server.url + "/workspace/")
    menu = page.get_by_role("navigation", name="工作台")
    assert menu.get_by_role("link", name="我的信息").is_visible()
    assert menu.get_by_role("link", name="新建信息").count() == 0


@pytest.mark.django_db(transaction=True)
def test_audit_pages_are_cards_on_a_phone(live_server: Any, browser: Any, data: Dataset) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    sign_in(page, live_server, data.auditor.user)
    for path in ("/audit/" + AUGUST, "/audit/withheld/" + AUGUST, "/audit/incomplete/" + AUGUST):
        page.goto(live_server.url + path)
        # Nothing wider than the screen: no cut-off last column, no sideways scrolling.
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
        assert_accessible(page)
    page.goto(live_server.url + "/audit/" + AUGUST)
    name = page.locator("#ranking tbody tr").first.locator("th")
    box = name.bounding_box()
    assert box is not None and box["width"] > 300  # a name on a line or two, not a character a line
    assert name.evaluate("e => getComputedStyle(e, '::before').content") == '"机关: "'
    last = page.locator("#ranking tbody tr").first.locator("td").last
    last_box = last.bounding_box()
    assert last_box is not None and last_box["x"] + last_box["width"] <= 390
    assert "时长中位数" in last.evaluate("e => getComputedStyle(e, '::before').content")
    context.close()


@pytest.mark.django_db(transaction=True)
def test_auditor_makes_and_downloads_a_months_report(live_server: Any, page: Any, data: Dataset) -> None:
    sign_in(page, live_server, data.auditor.user)
    page.goto(live_server.url + "/audit/reports/")
    assert page.locator("#reports").count() == 0
    assert_accessible(page)
    page.select_option("#month", label="2026年8月")
    page.get_by_role("button", name="生成通报").click()
    page.wait_for_load_state()
    assert "2026年8月的通报已生成" in page.get_by_role("status").inner_text()
    assert MonthlyReport.objects.get().status == "ready"
    with page.expect_download() as info:
        page.get_by_role("link", name="2026年8月的PDF").click()
    download = info.value
    assert download.suggested_filename == "公示及时性通报-2026年8月.pdf"
    with open(download.path(), "rb") as pdf:
        text = "".join("".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf.read())).pages)
    assert "2026年8月监管信息公示及时性通报" in text
    with page.expect_download() as info:
        page.get_by_role("link", name="2026年8月的CSV").click()
    assert info.value.suggested_filename == "公示及时性通报-2026年8月.csv"
    # Asking again makes nothing new (the job's claim), and says so.
    page.select_option("#month", label="2026年8月 (已生成)")
    page.get_by_role("button", name="生成通报").click()
    page.wait_for_load_state()
    assert "未重复生成" in page.get_by_role("status").inner_text()
    assert MonthlyReport.objects.count() == 1


def test_making_a_report_of_a_month_not_over_is_refused(data: Dataset) -> None:
    client = Client()
    client.force_login(data.auditor.user)
    response = client.post("/audit/reports/", {"month": "2026-09"})
    assert response.status_code == 400
    assert MonthlyReport.objects.count() == 0
    clerk = Client()
    clerk.force_login(data.clerk.user)
    assert clerk.post("/audit/reports/", {"month": "2026-08"}).status_code == 403
    assert MonthlyReport.objects.count() == 0
