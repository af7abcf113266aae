"""Issue 17, the agency workspace in Chromium: inbox notices open their record, text search in
我的信息, bulk publication confirmed with the single publication's summary, the record page in the
page's words (labels, local time, normalised amounts, character diff for text only), one set of
labels, an error summary, the users page's e-mail box, and axe-core on each page."""
from __future__ import annotations

from collections.abc import Callable
from io import StringIO
from typing import Any

import pytest

from disclosure.credit_code import make_credit_code
from disclosure.models import Record, RecordStatus
from tests.conftest import Staff, call_command_en, needs_chromium, penalty, sign_in
from tests.support.axe import assert_accessible

pytestmark = [pytest.mark.django_db(transaction=True), needs_chromium]
THIRD_CODE = make_credit_code("91211400MA0Q5678X")


def create(staff: Staff, **overrides: Any) -> int:
    response = staff.client().post("/api/v1/records/", penalty(**overrides), format="json")
    assert response.status_code == 201, response.json()
    return int(response.json()["id"])


def test_inbox_notices_open_their_record(live_server: Any, page: Any, clerk: Staff,
                                         clock: Callable[..., None]) -> None:
    clock("2026-09-28")
    record = create(clerk, title="甲公司销售不合格产品案")
    clock("2026-10-14")
    call_command_en("check_deadlines", stdout=StringIO(), stderr=StringIO())
    sign_in(page, live_server, clerk.user)
    page.goto(live_server.url + "/workspace/inbox/")
    assert_accessible(page)
    page.locator("li.notice").first.get_by_role("link", name="甲公司销售不合格产品案").click()
    page.wait_for_load_state()
    assert page.url == f"{live_server.url}/workspace/records/{record}/"
    assert page.locator("h1").inner_text() == "甲公司销售不合格产品案"


def test_my_records_text_search(live_server: Any, page: Any, clerk: Staff, clock: Callable[..., None]) -> None:
    clock("2026-09-28")
    first = create(clerk, title="甲公司销售不合格产品案", subject_name="葫芦岛市甲商贸有限公司",
                   document_number="连市监罚〔2026〕12号")
    second = create(clerk, title="乙公司虚假宣传案", subject_name="葫芦岛市乙广告有限公司", subject_code=THIRD_CODE,
                    document_number="连市监罚〔2026〕31号")
    sign_in(page, live_server, clerk.user)
    page.goto(live_server.url + "/workspace/")

    def search(text: str) -> list[str]:
        page.fill("#f-q", text)
        page.get_by_role("button", name="筛选").click()
        page.wait_for_load_state()
        links = page.locator("table.cards tbody a")
        return [str(h) for h in links.evaluate_all("els => els.map(e => e.getAttribute('href'))")]

    assert search("虚假宣传") == [f"/workspace/records/{second}/"]  # title
    assert search("甲商贸") == [f"/workspace/records/{first}/"]  # subject
    # A credit code typed in full-width characters and lower case still finds its record.
    wide = "".join(chr(ord(c) + 0xFEE0) for c in THIRD_CODE.lower())
    assert search(wide) == [f"/workspace/records/{second}/"]
    assert search("〔2026〕12号") == [f"/workspace/records/{first}/"]  # document number
    assert search("案 葫芦岛市") == [f"/workspace/records/{second}/", f"/workspace/records/{first}/"]
    assert search("丙") == []
    assert page.locator("#f-q").input_value() == "丙"  # the box keeps what was searched
    assert_accessible(page)


def test_bulk_publish_shows_the_summary_before_it_acts(live_server: Any, page: Any, clerk: Staff,
                                                      clock: Callable[..., None]) -> None:
    clock("2026-09-01")
    late = create(clerk, title="迟到的案件", event_date="2026-08-03")  # due 2026-08-12: 33 working days ago
    clock("2026-09-28")
    timely = create(clerk, title="按时的案件", event_date="2026-09-28")
    sign_in(page, live_server, clerk.user)
    page.goto(live_server.url + "/workspace/")
    page.check(f"#pick-{late}")
    page.check(f"#pick-{timely}")
    page.get_by_role("button", name="公示所选草稿").click()
    page.wait_for_load_state()
    summary = page.locator("#bulk-summary").inner_text()
    assert "2026-09-28" in summary and "1条按时" in summary and "1条逾期" in summary
    rows = page.locator("#bulk-preview tbody tr")
    assert "逾期33个工作日" in rows.nth(0).inner_text()
    assert "按时" in rows.nth(1).inner_text()
    assert Record.objects.filter(status=RecordStatus.DRAFT).count() == 2  # nothing done yet
    assert_accessible(page)
    page.get_by_role("button", name="公示这2条草稿").click()
    page.wait_for_load_state()
    assert "已公示：2条" in page.get_by_role("status").inner_text()
    assert Record.objects.get(pk=late).late_working_days == 33  # what the summary said
    assert Record.objects.filter(status=RecordStatus.PUBLISHED).count() == 2


def test_record_page_speaks_the_pages_language(live_server: Any, page: Any, clerk: Staff,
                                               clock: Callable[..., None]) -> None:
    clock("2026-09-28", hour=9)
    record = create(clerk, penalty_types=["warning", "fine"], fine_amount="5000")
    client = clerk.client()
    clock("2026-09-29", hour=15)
    assert client.post(f"/api/v1/records/{record}/publish/", {}, format="json").status_code == 200
    changed = client.post(f"/api/v1/records/{record}/change/", {
        "reason": "更正文字", "legal_basis": "《行政处罚法》", "document_number": "连市监更〔2026〕2号",
        "changes": {"content": "罚款人民币五千元。", "fine_amount": "5000.00"}}, format="json")
    assert changed.status_code == 200, changed.json()
    sign_in(page, live_server, clerk.user)
    page.goto(f"{live_server.url}/workspace/records/{record}/?a=1&b=2")
    assert page.locator("#penalty-types").inner_text() == "警告、罚款"
    assert page.locator("#published-at").inner_text() == "2026-09-29 15:00"
    diff = page.locator("#diff")
    text = diff.inner_text()
    assert "fine" not in text and "draft" not in text and "T07:00" not in text and "+00:00" not in text
    status = diff.locator("tbody tr", has=page.locator("th", has_text="状态"))
    assert status.locator("del").inner_text() == "草稿" and status.locator("ins").inner_text() == "已公示"
    published = diff.locator("tbody tr", has=page.locator("th", has_text="公示时间"))
    assert published.locator("ins").inner_text() == "2026-09-29 15:00"
    # 5000 and 5000.00 are the same fine: no row for it between versions 2 and 3.
    page.goto(f"{live_server.url}/workspace/records/{record}/?a=2&b=3")
    rows = [page.locator("#diff tbody th").nth(i).inner_text() for i in range(page.locator("#diff tbody th").count())]
    assert rows == ["内容", "状态"] or rows == ["状态", "内容"]
    content = page.locator("#diff tbody tr", has=page.locator("th", has_text="内容"))
    assert content.locator("ins").first.inner_text() == "五千"  # a character diff, for text
    audit = page.locator("#audit").inner_text()
    assert "record." not in audit and "已公示" in audit and "已变更" in audit
    assert_accessible(page)
    # In English the labels are capitalised like the page's.
    page.goto(f"{live_server.url}/workspace/records/{record}/?a=1&b=2")
    page.select_option("#language", "en")
    page.get_by_role("button", name="切换").click()
    page.wait_for_load_state()
    heads = page.locator("#diff tbody th").all_inner_texts()
    assert "Status" in heads and all(h[0].isupper() for h in heads)


def test_one_wording_per_field_and_an_error_summary(live_server: Any, page: Any, clerk: Staff,
                                                   clock: Callable[..., None]) -> None:
    clock("2026-09-28")
    record = create(clerk)
    assert clerk.client().post(f"/api/v1/records/{record}/publish/", {}, format="json").status_code == 200
    sign_in(page, live_server, clerk.user)
    page.goto(f"{live_server.url}/workspace/records/{record}/")
    page_labels = set(page.locator("dl.props dt").all_inner_texts())
    page.goto(live_server.url + "/workspace/records/new/?kind=penalty")
    form_labels = {t.rstrip(" *") for t in page.locator(".field > label").all_inner_texts()}
    for label in ("当事人名称", "内容", "法律依据", "文书编号", "统一社会信用代码"):
        assert label in page_labels and label in form_labels, label
    page.goto(f"{live_server.url}/workspace/records/{record}/revoke/")
    revoke = page.locator("form").last.inner_text()
    assert "撤销的法律依据" in revoke and "本次变更" not in revoke
    # The long form, sent empty: a summary at the top names each problem and links to its field.
    page.goto(live_server.url + "/workspace/records/new/?kind=penalty")
    page.fill("#id_title", "")
    page.fill("#id_subject_name", "")
    page.get_by_role("button", name="保存草稿").click()
    page.wait_for_load_state()
    summary = page.get_by_role("alert").first
    assert "请更正以下" in summary.inner_text()
    summary.get_by_role("link", name="标题：该字段是必填项。").click()
    assert page.evaluate("document.activeElement.id") == "id_title"
    assert page.locator("#id_title_error").inner_text() == "该字段是必填项。"
    assert_accessible(page)


def test_users_page_email_box_is_as_wide_as_the_others(live_server: Any, page: Any,
                                                       make_staff: Callable[[str, str], Staff]) -> None:
    admin = make_staff("lianshan-amr", "agency_admin")
    sign_in(page, live_server, admin.user)
    page.goto(live_server.url + "/workspace/users/")
    username = page.locator("#id_username").bounding_box()
    email = page.locator("#id_email").bounding_box()
    assert username is not None and email is not None and email["width"] == username["width"]
    assert_accessible(page)


def test_every_other_workspace_page_passes_axe(live_server: Any, page: Any, clerk: Staff, anonymous: Any,
                                               clock: Callable[..., None]) -> None:
    clock("2026-09-28")
    draft = create(clerk, title="草稿案件")
    published = create(clerk)
    assert clerk.client().post(f"/api/v1/records/{published}/publish/", {}, format="json").status_code == 200
    query = anonymous.post("/api/v1/public/queries/", {"requester_name": "李四", "contact": "x", "question": "问",
                                                       "agency": "lianshan-amr"}, format="json").json()
    page.goto(live_server.url + "/workspace/login/")
    assert_accessible(page)
    sign_in(page, live_server, clerk.user)
    for path in (f"/workspace/records/{draft}/publish/", f"/workspace/records/{draft}/edit/",
                 f"/workspace/records/{published}/change/", f"/workspace/records/{published}/revoke/",
                 "/workspace/requests/", f"/workspace/requests/{query['id']}/", "/no/such/page/"):
        page.goto(live_server.url + path)
        assert_accessible(page)
    # The bulk result page, and the revoke form with its error summary.
    page.goto(live_server.url + "/workspace/")
    page.check(f"#pick-{draft}")
    page.get_by_role("button", name="公示所选草稿").click()
    page.wait_for_load_state()
    page.get_by_role("button", name="公示这1条草稿").click()
    page.wait_for_load_state()
    assert_accessible(page)
    page.goto(f"{live_server.url}/workspace/records/{published}/revoke/")
    page.get_by_role("button", name="撤销").last.click()
    page.wait_for_load_state()
    assert "请更正以下3处问题" in page.get_by_role("alert").first.inner_text()
    assert_accessible(page)
    # At 200% text size the record page still fits the office screen's width.
    page.goto(f"{live_server.url}/workspace/records/{published}/")
    page.add_style_tag(content="html { font-size: 200% !important; }")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
