"""The public portal's pages: through Django's test client, and the citizen's path in real
headless Chromium (search, open a record, file a correction with a file, follow the code)."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from tests.conftest import VALID_CODE, Staff, publish_record

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _isolated(settings: Any, tmp_path: Path) -> None:
    cache.clear()
    settings.MEDIA_ROOT = str(tmp_path / "media")




@pytest.mark.django_db
def test_pages_show_only_public_records(clerk: Staff, client: Client, clock: Callable[..., None]) -> None:
    clock("2026-09-29")
    shown = publish_record(clerk, title="公开的处罚")
    hidden = publish_record(clerk, title="依申请公开的处罚", disclosure="on_request")
    home = client.get("/").content.decode()
    assert "公开的处罚" in home and "依申请公开的处罚" not in home and '<html lang="zh-hans">' in home
    found = client.get("/search/", {"q": "处罚"}).content.decode()
    assert "公开的处罚" in found and "依申请" not in found
    assert client.get(f"/records/{shown}/").status_code == 200
    assert client.get(f"/records/{hidden}/").status_code == 404
    assert "公开的处罚" in client.get(f"/entity/{VALID_CODE}/").content.decode()


@pytest.mark.django_db
def test_revoked_record_page_says_when_and_why(clerk: Staff, client: Client, clock: Callable[..., None]) -> None:
    clock("2026-09-29")
    pk = publish_record(clerk)
    clock("2026-10-12")
    clerk.client().post(f"/api/v1/records/{pk}/revoke/", {
        "reason": "经行政复议撤销", "legal_basis": "复议决定", "document_number": "葫复决〔2026〕3号"}, format="json")
    page = client.get(f"/records/{pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Revoked on 2026-10-12 because 经行政复议撤销" in page
    assert "CitizenRequest a correction" not in page
    assert "经行政复议撤销" not in client.get("/search/").content.decode()


@pytest.mark.django_db
def test_query_form_and_calculator_page(clerk: Staff, client: Client, clock: Callable[..., None]) -> None:
    clock("2026-09-29")
    missing = client.post("/queries/new/", {"requester_name": "李四", "contact": "x", "question": ""})
    assert missing.status_code == 400
    made = client.post("/queries/new/", {"requester_name": "李四", "contact": "li@example.org", "question": "问题",
                                         "agency": "lianshan-amr"})
    assert made.status_code == 302 and "/track/" in made["Location"]
    status = client.get(made["Location"]).content.decode()
    assert "li@example.org" not in status and "李四" not in status
    calc = client.get("/deadline/", {"kind": "query_reply", "date": "2026-09-30"}, HTTP_ACCEPT_LANGUAGE="en")
    text = calc.content.decode()
    assert calc.status_code == 200 and "2026-11-03" in text and "make-up working day: counted" in text
    assert client.get("/deadline/", {"kind": "nope", "date": "x"}).status_code == 400


@pytest.mark.django_db
def test_search_page_query_count_does_not_grow(clerk: Staff, client: Client, clock: Callable[..., None],
                                               django_assert_max_num_queries: Any) -> None:
    clock("2026-09-29")
    for n in range(6):
        publish_record(clerk, title=f"案{n}")
    with django_assert_max_num_queries(4):  # count, page with agencies, the agency list
        assert client.get("/search/").status_code == 200


# -- in the browser ------------------------------------------------------------------------------
@pytest.mark.django_db(transaction=True)
def test_citizen_searches_opens_a_record_files_a_correction_and_follows_it(
        live_server: Any, browser: Any, clerk: Staff, tmp_path: Path) -> None:
    record = publish_record(clerk, event_date="2026-01-05", title="某商贸公司销售不合格产品案",
                      content="当事人联系电话13812345678。")
    evidence = tmp_path / "复议决定书.pdf"
    evidence.write_bytes(PDF)
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")  # a phone
    page = context.new_page()
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="按关键词、统一社会信用代码、机关、类别或日期搜索").click()
    page.get_by_label("关键词").fill("不合格")
    page.get_by_role("button", name="搜索").click()
    page.get_by_role("link", name="某商贸公司销售不合格产品案").click()
    assert page.locator("h1").inner_text() == "某商贸公司销售不合格产品案"
    assert "13812345678" not in page.content() and "138****5678" in page.content()
    page.get_by_role("link", name="申请更正").click()
    assert page.get_by_label("记录编号").input_value() == str(record)
    page.get_by_label("您的姓名").fill("王五")
    page.get_by_label("联系方式（电话或电子邮箱）").fill("13912345678")
    page.get_by_label("哪些信息不准确，正确的是什么").fill("罚款金额应为一万元。")
    page.get_by_label("证据文件（PDF、JPG 或 PNG）").set_input_files(str(evidence))
    page.get_by_role("button", name="提交").click()
    code = page.locator("#tracking-code").inner_text().strip()
    assert page.locator("#status").inner_text() == "待处理"
    # The agency accepts; the requester follows the code and sees the outcome.
    from disclosure.models import CitizenRequest

    pk = CitizenRequest.objects.get(tracking_code=code).pk
    answered = clerk.client().post(f"/api/v1/requests/{pk}/answer/", {
        "decision": "accepted", "reply": "已更正罚款金额。", "changes": {"content": "罚款人民币一万元。"}},
        format="json")
    assert answered.status_code == 200
    page.goto(live_server.url + "/track/")
    page.get_by_label("跟踪码").fill(code.lower())
    page.get_by_role("button", name="查看状态").click()
    assert page.locator("#status").inner_text() == "已采纳"
    assert "已更正罚款金额。" in page.locator("#reply").inner_text()
    assert "13912345678" not in page.content()
    context.close()
