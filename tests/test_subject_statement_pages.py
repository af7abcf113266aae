"""The subject's statement (当事人陈述) on the pages: the portal's form, record page and tracking page,
the workspace's check; and the whole journey in real Chromium at 1366 and 390 px (the subject files
it, the clerk accepts it, a citizen reads it beside the record)."""
from __future__ import annotations

import os
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from rest_framework.test import APIClient

from disclosure.models import CitizenRequest, Record
from disclosure.services.privacy import fold
from tests.conftest import Staff, needs_chromium, publish_record, sign_in
from tests.support.axe import assert_accessible

SHOTS = os.environ.get("SCREENSHOT_DIR", "")
SAID = "本公司已于2026年10月完成整改，罚款已缴清。联系电话１３８ １２３４ ５６７８。"


@pytest.fixture(autouse=True)
def _fresh_throttles() -> None:
    cache.clear()


def staff_browser(staff: Staff) -> Client:
    client = Client()
    client.force_login(staff.user)
    return client


def statement(record: int, text: str = SAID) -> dict[str, Any]:
    cache.clear()
    made = APIClient().post("/api/v1/public/statements/", {
        "record": record, "requester_name": "某商贸有限公司", "contact": "13900001111", "statement": text},
        format="json")
    assert made.status_code == 201, made.json()
    return dict(made.json())


# -- through Django's test client -----------------------------------------------------------------------
@pytest.mark.django_db
def test_the_form_refuses_with_reasons_and_then_gives_the_tracking_code(
        clerk: Staff, client: Client, clock: Callable[..., None]) -> None:
    clock("2026-09-29")
    record = publish_record(clerk, title="某商贸公司销售不合格产品案")
    page = client.get(f"/records/{record}/").content.decode()
    assert f'href="/statements/new/?record={record}">当事人提交陈述</a>' in page
    form = client.get("/statements/new/", {"record": record}).content.decode()
    assert "<h1>当事人提交陈述</h1>" in form and "某商贸公司销售不合格产品案" in form and 'maxlength="500"' in form
    assert "陈述内容" in form and "不代表行政机关意见" in form
    refused = client.post("/statements/new/", {"record": str(record), "requester_name": "王五", "contact": "x",
                                               "statement": "陈" * 501})
    text = refused.content.decode()
    assert refused.status_code == 400 and 'id="error-summary"' in text and "最多500个字符（当前为501个）" in text
    assert 'aria-describedby="statement-help statement-error" aria-invalid="true"' in text
    unknown = client.post("/statements/new/", {"record": "１２", "requester_name": "王五", "contact": "x",
                                               "statement": "陈述"})
    assert unknown.status_code == 400 and "没有该编号的公示信息。" in unknown.content.decode()
    made = client.post("/statements/new/", {"record": str(record), "requester_name": "王五",
                                            "contact": "wang@example.org", "statement": "整改已完成。"})
    assert made.status_code == 302 and made["Location"].startswith("/track/") and made["Location"].endswith("?new=1")
    status = client.get(made["Location"]).content.decode()
    assert "<h1>当事人陈述</h1>" in status and "待处理" in status and "wang@example.org" not in status
    assert "王五" not in status
    assert CitizenRequest.objects.get(kind="statement").text == "整改已完成。"


@pytest.mark.django_db
def test_a_revoked_record_offers_no_statement(clerk: Staff, client: Client, clock: Callable[..., None]) -> None:
    clock("2026-09-29")
    record = publish_record(clerk)
    clerk.client().post(f"/api/v1/records/{record}/revoke/", {"reason": "复议撤销", "legal_basis": "复议决定",
                                                               "document_number": "复〔2026〕1号"}, format="json")
    assert "/statements/new/" not in client.get(f"/records/{record}/").content.decode()


@pytest.mark.django_db
def test_the_clerk_checks_it_in_the_workspace(clerk: Staff, make_staff: Callable[[str, str], Staff],
                                              client: Client, clock: Callable[..., None]) -> None:
    clock("2026-09-29")
    record = publish_record(clerk)
    made = statement(record)
    web = staff_browser(clerk)
    queue = web.get("/workspace/requests/", {"kind": "statement"})
    assert [r.pk for r in queue.context["page"]] == [made["id"]]
    assert "更正、查询、陈述与信用修复" in queue.content.decode()
    page = web.get(f"/workspace/requests/{made['id']}/").content.decode()
    assert SAID in page  # as written, for the agency
    preview = re.search(r'id="statement-preview"[^>]*>(.*?)</dd>', page, re.S)
    assert preview and "138 **** 5678" in preview.group(1) and "13812345678" not in re.sub(
        r"[^0-9]", "", fold(preview.group(1)))
    assert "予以展示（无不当内容）" in page and "不予展示（须说明理由）" in page and 'id="statement-check"' in page
    assert '<option value="" selected>请选择：是否展示</option>' in page
    assert "new-title" not in page  # no correction fields: a statement changes nothing of the record
    empty = web.post(f"/workspace/requests/{made['id']}/", {"decision": "rejected", "reply": ""})
    assert empty.status_code == 400
    undecided = web.post(f"/workspace/requests/{made['id']}/", {"decision": "", "reply": "经审核。"})
    assert undecided.status_code == 400 and undecided.context["form"].errors["decision"]
    viewer = staff_browser(make_staff("lianshan-amr", "viewer"))
    assert viewer.get(f"/workspace/requests/{made['id']}/").context["may_answer"] is False
    done = web.post(f"/workspace/requests/{made['id']}/", {"decision": "accepted", "reply": "经审核，予以展示。"})
    assert done.status_code == 302
    assert Record.objects.get(pk=record).subject_statement == SAID
    closed = web.get(f"/workspace/requests/{made['id']}/").content.decode()
    assert 'id="statement-version"' in closed and "该信息的第3版" in closed
    record_page = web.get(f"/workspace/records/{record}/", {"a": "2", "b": "3"}).content.decode()
    assert "当事人陈述（在该信息旁展示）" in record_page and "陈述日期" in record_page
    public = client.get(f"/records/{record}/").content.decode()
    assert 'id="subject-statement"' in public and "138 **** 5678" in public
    assert "2026-09-29附当事人陈述" in public


# -- in the browser ---------------------------------------------------------------------------------------
def _shot(page: Any, name: str) -> None:
    if SHOTS:
        os.makedirs(SHOTS, exist_ok=True)
        page.screenshot(path=os.path.join(SHOTS, name), full_page=True)


def _no_sideways_scroll(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1")


@needs_chromium
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [1366, 390])
def test_the_subject_files_the_clerk_accepts_and_a_citizen_reads_it(
        live_server: Any, browser: Any, clerk: Staff, clock: Callable[..., None], width: int) -> None:
    clock("2026-09-29")
    record = publish_record(clerk, title="某商贸有限公司销售不合格产品案")
    viewport = {"width": width, "height": 900}

    # The subject: the record page, the form, the tracking code.
    subject = browser.new_context(viewport=viewport, locale="zh-CN")
    page = subject.new_page()
    page.goto(f"{live_server.url}/records/{record}/")
    page.get_by_role("link", name="当事人提交陈述").click()
    assert page.get_by_label("记录编号").input_value() == str(record)
    page.get_by_label("您的姓名（或当事人名称）").fill("某商贸有限公司 王经理")
    page.get_by_label("联系方式（电话或电子邮箱）").fill("13900001111")
    page.get_by_label("陈述内容").fill(SAID)
    _no_sideways_scroll(page)
    _shot(page, f"{width}-1-statement-form.png")
    assert_accessible(page)
    page.get_by_role("button", name="提交").click()
    code = page.locator("#tracking-code").inner_text().strip()
    assert page.locator("#status").inner_text() == "待处理" and page.locator("h1").inner_text() == "当事人陈述"
    _no_sideways_scroll(page)
    _shot(page, f"{width}-2-tracking-code.png")
    assert_accessible(page)

    # The clerk: the queue, the statement, accept.
    office = browser.new_context(viewport=viewport, locale="zh-CN")
    desk = office.new_page()
    sign_in(desk, live_server, clerk.user)
    desk.goto(f"{live_server.url}/workspace/")
    desk.get_by_role("link", name="更正、查询、陈述与信用修复").click()
    _shot(desk, f"{width}-3-clerk-queue.png")
    desk.get_by_role("link", name=code).click()
    assert "138 **** 5678" in desk.locator("#statement-preview").inner_text()
    _no_sideways_scroll(desk)
    _shot(desk, f"{width}-4-clerk-statement.png")
    assert_accessible(desk)
    desk.get_by_label("处理决定").select_option(label="予以展示（无不当内容）")
    desk.get_by_role("textbox", name="答复").fill("经审核，您的陈述无不当内容，予以展示。")
    desk.get_by_role("button", name="提交答复").click()
    assert desk.locator("#request-status").inner_text() == "已采纳"
    _shot(desk, f"{width}-5-clerk-accepted.png")

    # A citizen reads the record with the statement beside it.
    citizen = browser.new_context(viewport=viewport, locale="zh-CN")
    reader = citizen.new_page()
    reader.goto(f"{live_server.url}/records/{record}/")
    box = reader.locator("#subject-statement")
    assert box.is_visible()
    assert box.get_by_role("heading", name="当事人陈述").is_visible()
    assert "以下内容为当事人自述，不代表行政机关意见" in box.inner_text()
    assert "138 **** 5678" in box.inner_text() and "2026-09-29" in box.inner_text()
    assert "13812345678" not in re.sub(r"[^0-9]", "", fold(reader.content()))
    _no_sideways_scroll(reader)
    box.scroll_into_view_if_needed()
    _shot(reader, f"{width}-6-record-with-statement.png")
    assert_accessible(reader)

    # The subject follows the code: accepted, with a link to the record.
    page.goto(f"{live_server.url}/track/{code}/")
    assert page.locator("#status").inner_text() == "已采纳"
    assert "您的陈述已在该信息旁展示（第3版）" in page.locator("#statement-shown").inner_text()
    _shot(page, f"{width}-7-tracking-accepted.png")
    for context in (subject, office, citizen):
        context.close()
