"""The agency workspace in real headless Chromium (Debian's, driven by Playwright): a clerk's day."""
from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from disclosure.credit_code import make_credit_code
from disclosure.models import Record, RecordStatus, StaffMembership
from tests.conftest import PASSWORD, needs_chromium

GOOD_CODE = make_credit_code("91211402MA0T2468X")
BAD_CODE = GOOD_CODE[:17] + ("1" if GOOD_CODE[17] != "1" else "2")

pytestmark = [
    pytest.mark.django_db(transaction=True),
    needs_chromium,
]


@pytest.fixture
def page(browser: Any, live_server: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    outside: list[str] = []
    page = context.new_page()
    page.on("request", lambda r: None if r.url.startswith(live_server.url) or r.url.startswith("data:")
            else outside.append(r.url))
    yield page
    context.close()
    assert outside == []  # no CDN, nothing fetched from elsewhere


def log_in(page: Any, base: str, username: str, password: str = PASSWORD) -> None:
    page.goto(base + "/workspace/")
    assert "/workspace/login/" in page.url
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()


def test_a_clerk_creates_publishes_and_changes_a_penalty(
    live_server: Any, page: Any, browser: Any, clerk: Any, outsider: Any, clock: Any,
) -> None:
    clock("2026-09-29")
    base = live_server.url
    log_in(page, base, clerk.user.username)
    assert page.get_by_role("heading", name="我的信息").is_visible()
    page.get_by_role("navigation", name="工作台").get_by_role("link", name="新建信息").click()

    page.click("#kind-choice a[href='?kind=penalty']")  # the kind first: the form shows its fields
    page.wait_for_load_state()
    assert page.locator("#record-kind").inner_text() == "行政处罚"
    assert page.locator("#id_d_permit_category").count() == 0
    page.fill("#id_d_legal_representative", "张某某")
    page.fill("#id_d_violation_type", "销售不合格产品")
    page.fill("#id_d_violation_facts", "经抽检，当事人销售的产品不合格。")
    page.fill("#id_d_penalty_valid_to", "2027-09-27")
    page.fill("#id_title", "葫芦岛市某商贸有限公司销售不合格产品案")
    page.fill("#id_subject_name", "葫芦岛市某商贸有限公司")
    page.fill("#id_subject_code", BAD_CODE)
    # Checked as it is typed...
    assert "校验码" in page.locator("#id_subject_code_live").inner_text()
    page.fill("#id_event_date", "2026-09-28")
    page.fill("#id_content", "罚款人民币二万元。")
    page.fill("#id_legal_basis", "《中华人民共和国产品质量法》第四十九条")
    page.fill("#id_document_number", "连市监罚〔2026〕12号")
    page.check("input[name=penalty_types][value=fine]")
    page.fill("#id_fine_amount", "20000")
    page.get_by_role("button", name="保存草稿").click()
    page.wait_for_load_state()
    # ...and again by the server, whose message stands at the field.
    assert "校验码" in page.locator("#id_subject_code_error").inner_text()
    assert not Record.objects.exists()

    page.fill("#id_subject_code", GOOD_CODE.lower())
    assert page.locator("#id_subject_code_live").inner_text() == "代码格式正确。"
    page.get_by_role("button", name="保存草稿").click()
    page.wait_for_url(re.compile(r"/workspace/records/\d+/$"))
    record = Record.objects.get()
    assert record.subject_code == GOOD_CODE

    page.get_by_role("link", name="公示", exact=True).click()
    assert "按时" in page.locator("#verdict").inner_text()
    assert "2026-10-13" in page.content()  # 7 working days over the National Day holiday
    page.get_by_role("button", name="确认公示").click()
    page.wait_for_url(re.compile(r"/workspace/records/\d+/$"))
    assert "按时" in page.locator("#timeliness").inner_text()

    page.get_by_role("link", name="变更", exact=True).click()
    page.fill("#id_reason", "行政复议决定变更罚款数额")
    page.fill("#id_legal_basis", "《中华人民共和国行政复议法》第六十三条")
    page.fill("#id_document_number", "葫政复决〔2026〕7号")
    page.fill("#id_new-content", "罚款人民币一万元。")
    page.fill("#id_new-fine_amount", "10000")
    page.get_by_role("button", name="保存变更").click()
    page.wait_for_url(re.compile(r"/workspace/records/\d+/$"))
    assert Record.objects.get().status == RecordStatus.CHANGED

    versions = page.locator("#versions tbody tr")
    assert versions.count() == 3  # created, published, changed
    assert "行政复议决定变更罚款数额" in versions.nth(2).inner_text()
    # Compare the published version with the changed one (the default pair).
    diff = page.locator("#diff")
    assert "二" in diff.locator("del").all_inner_texts()
    assert "一" in diff.locator("ins").all_inner_texts()
    # Any two versions: the first against the last.
    page.check("#versions tbody tr:nth-child(1) input[name=a]")
    page.check("#versions tbody tr:nth-child(3) input[name=b]")
    page.get_by_role("button", name="比较所选版本").click()
    page.wait_for_load_state()
    assert "第1版与第3版的差异" in page.locator("#h-diff").inner_text()
    # The deadline arithmetic names the holidays it skipped.
    assert "国庆" in page.locator("#calendar-notes").inner_text() or "法定节假日" in page.locator(
        "#calendar-notes").inner_text()
    assert "已变更" in page.locator("#audit").inner_text()  # the action in words, not record.change

    # A clerk of another district cannot open it.
    other = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    other_page = other.new_page()
    log_in(other_page, base, outsider.user.username)
    response = other_page.goto(f"{base}/workspace/records/{record.pk}/")
    assert response.status == 404
    other.close()


def test_an_agency_admin_adds_a_clerk(live_server: Any, page: Any, make_staff: Any) -> None:
    admin = make_staff("lianshan-amr", "agency_admin")
    base = live_server.url
    log_in(page, base, admin.user.username)
    page.get_by_role("link", name="用户").click()
    page.fill("#id_username", "gangtun-clerk")
    page.fill("#id_password", "short")
    page.select_option("#id_agency", "lianshan-amr-station")
    page.select_option("#id_role", "clerk")
    page.get_by_role("button", name="添加用户").click()
    page.wait_for_load_state()
    assert page.locator("#id_password_error").is_visible()
    page.fill("#id_username", "gangtun-clerk")
    page.fill("#id_password", PASSWORD)
    page.select_option("#id_agency", "lianshan-amr-station")
    page.get_by_role("button", name="添加用户").click()
    page.wait_for_load_state()
    assert "gangtun-clerk" in page.locator("#staff").inner_text()
    membership = StaffMembership.objects.get(user__username="gangtun-clerk")
    assert (membership.agency.code, membership.role) == ("lianshan-amr-station", "clerk")
    # The new clerk can sign in.
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_load_state()
    log_in(page, base, "gangtun-clerk")
    assert page.get_by_role("heading", name="我的信息").is_visible()


def test_repeated_failed_logins_lock_the_account(live_server: Any, page: Any, clerk: Any, settings: Any) -> None:
    base = live_server.url
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        log_in(page, base, clerk.user.username, "not-the-password")
        assert "用户名或密码错误" in page.content()
    log_in(page, base, clerk.user.username, "not-the-password")
    assert page.get_by_role("heading", name="登录已锁定").is_visible()
    log_in(page, base, clerk.user.username)  # the right password, too late
    assert page.get_by_role("heading", name="登录已锁定").is_visible()


def test_the_list_on_a_phone(live_server: Any, browser: Any, clerk: Any, clock: Any) -> None:
    clock("2026-09-29")
    from tests.conftest import penalty

    clerk.client().post("/api/v1/records/", penalty(event_date="2026-09-10"), format="json")
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    log_in(page, live_server.url, clerk.user.username)
    assert "逾期" in page.locator("table.cards tbody").inner_text()
    # No sideways scrolling of the whole page on a phone.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    context.close()
