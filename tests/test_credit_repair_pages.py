"""Credit repair on the pages: the record's page says from which day repair may be applied for and
links the form once it may; the form refuses with the reason and, on success, gives the tracking
code; the status page gives the decision; the clerk reads the commitment and the proof in the
workspace and decides. Through Django's test client, then the whole journey in headless Chromium
(the citizen on a phone, the clerk at an office screen), with axe-core on every page."""
from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from disclosure.models import CitizenRequest, Record
from tests.conftest import VALID_CODE, Staff, publish_record, sign_in
from tests.support.axe import assert_accessible
from tests.test_credit_repair import GENERAL, PDF, SERIOUS, TODAY

Clock = Callable[..., None]
COMMITMENT = "本公司承诺已缴清罚款，违法所得已上缴国库，今后诚信经营。"


@pytest.fixture(autouse=True)
def _isolated(settings: Any, tmp_path: Path) -> None:
    cache.clear()
    settings.MEDIA_ROOT = str(tmp_path / "media")


def chinese(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def repair_from(record: int) -> date:
    day = Record.objects.get(pk=record).repair_from
    assert day is not None
    return day


def form(record: object, **extra: Any) -> dict[str, Any]:
    return {"record": record, "requester_name": "葫芦岛市某商贸有限公司", "contact": "0429-2123456",
            "commitment": COMMITMENT, "evidence": SimpleUploadedFile("罚款缴纳凭证.pdf", PDF), **extra}


@pytest.mark.django_db
def test_the_record_page_says_from_when_and_links_the_form_once_it_may(
        clerk: Staff, client: Client, clock: Clock) -> None:
    clock(TODAY)
    eligible = publish_record(clerk, **GENERAL)
    early = publish_record(clerk, **SERIOUS)
    fine = publish_record(clerk, title="罚款案", document_number="连市监罚〔2026〕16号", event_date="2026-09-28")
    page = client.get(f"/records/{eligible}/").content.decode()
    assert f"可申请信用修复的最早日期为{chinese(repair_from(eligible))}" in page
    assert f'href="/repairs/new/?record={eligible}"' in page and "申请信用修复" in page
    page = client.get(f"/records/{early}/").content.decode()
    assert f"可申请信用修复的最早日期为{chinese(repair_from(early))}" in page
    assert "/repairs/new/" not in page and "在此之前不能申请提前终止公示" in page
    assert 'id="repair"' in client.get(f"/records/{fine}/").content.decode()  # a penalty: repairable in time
    english = client.get(f"/records/{eligible}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Credit repair may be applied for from" in english and "Apply for credit repair" in english


@pytest.mark.django_db
def test_the_form_refuses_with_the_reason_and_gives_the_tracking_code(
        clerk: Staff, client: Client, clock: Clock) -> None:
    clock(TODAY)
    early = publish_record(clerk, **SERIOUS)
    eligible = publish_record(clerk, **GENERAL)
    shown = client.get("/repairs/new/", {"record": early}).content.decode()
    assert 'id="repair-refusal"' in shown and chinese(repair_from(early)) in shown
    refused = client.post("/repairs/new/", form(early))
    assert refused.status_code == 400
    assert f"可申请信用修复的最早日期为{chinese(repair_from(early))}" in refused.content.decode()
    missing = client.post("/repairs/new/", form(eligible, commitment=""))
    assert missing.status_code == 400 and 'id="commitment-error"' in missing.content.decode()
    for raw in ("١٢", "%00", "²"):
        odd = client.post("/repairs/new/", form(raw))
        assert odd.status_code == 400 and odd["Content-Type"].startswith("text/html")
    assert not CitizenRequest.objects.exists()

    made = client.post("/repairs/new/", form(eligible))
    assert made.status_code == 302 and "/track/" in made["Location"] and made["Location"].endswith("?new=1")
    status = client.get(made["Location"]).content.decode()
    request = CitizenRequest.objects.get()
    assert request.kind == "repair" and request.text == COMMITMENT and request.evidence.count() == 1
    assert request.tracking_code in status and "信用修复申请" in status and "待处理" in status
    assert "0429-2123456" not in status and "葫芦岛市某商贸有限公司" not in status


@pytest.mark.django_db
def test_the_clerk_reads_the_commitment_and_the_proof_and_decides(
        clerk: Staff, outsider: Staff, client: Client, clock: Clock) -> None:
    clock(TODAY)
    record = publish_record(clerk, **GENERAL)
    assert client.post("/repairs/new/", form(record)).status_code == 302
    request = CitizenRequest.objects.get()
    web = Client()
    web.force_login(clerk.user)
    queue = web.get("/workspace/requests/", {"kind": "repair"}).content.decode()
    assert request.tracking_code in queue and "信用修复申请" in queue
    page = web.get(f"/workspace/requests/{request.pk}/").content.decode()
    assert COMMITMENT in page and "信用承诺书" in page and "罚款缴纳凭证.pdf" in page
    assert repair_from(record).isoformat() in page and 'id="repair-consequence"' in page
    assert 'name="correction_reason"' not in page  # a repair changes no field
    other = Client()
    other.force_login(outsider.user)
    assert other.get(f"/workspace/requests/{request.pk}/").status_code == 404
    assert other.post(f"/workspace/requests/{request.pk}/", {"decision": "accepted", "reply": "x"}).status_code == 404

    clock("2026-10-12")
    done = web.post(f"/workspace/requests/{request.pk}/", {"decision": "accepted", "reply": "罚款已缴清，予以修复。"})
    assert done.status_code == 302
    assert Record.objects.get(pk=record).status == "repaired"
    page = web.get(f"/workspace/requests/{request.pk}/").content.decode()
    assert 'id="repair-version"' in page and "因信用修复终止公示" in page
    assert client.get(f"/records/{record}/").status_code == 404
    assert "没收违法所得案" not in client.get(f"/entity/{VALID_CODE}/").content.decode()
    status = client.get(f"/track/{request.tracking_code}/").content.decode()
    assert "予以信用修复" in status and "罚款已缴清，予以修复。" in status


# -- in the browser ------------------------------------------------------------------------------
@pytest.mark.django_db(transaction=True)
def test_the_citizen_applies_on_a_phone_and_the_clerk_accepts(
        live_server: Any, browser: Any, clerk: Staff, clock: Clock, tmp_path: Path) -> None:
    clock(TODAY)
    record = publish_record(clerk, **GENERAL)
    proof = tmp_path / "罚款缴纳凭证.pdf"
    proof.write_bytes(PDF)
    base = live_server.url

    citizen = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = citizen.new_page()
    page.goto(f"{base}/records/{record}/")
    assert chinese(repair_from(record)) in page.locator("#repair-offer").inner_text()
    assert_accessible(page)
    page.get_by_role("link", name="申请信用修复").click()
    page.wait_for_url(re.compile(r"/repairs/new/"))
    assert page.get_by_label("记录编号").input_value() == str(record)
    assert_accessible(page)
    page.get_by_label("申请人（信用主体或其代理人）").fill("葫芦岛市某商贸有限公司")
    page.get_by_label("联系方式（电话或电子邮箱）").fill("0429-2123456")
    page.get_by_label("信用承诺书").fill(COMMITMENT)
    page.get_by_label("已履行义务的证明材料（PDF、JPG或PNG）").set_input_files(str(proof))
    page.get_by_role("button", name="提交").click()
    page.wait_for_url(re.compile(r"/track/"))
    code = page.locator("#tracking-code").inner_text().strip()
    assert page.locator("#status").inner_text() == "待处理"
    assert page.locator("h1").inner_text() == "信用修复申请"
    assert_accessible(page)

    office = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    desk = office.new_page()
    sign_in(desk, live_server, clerk.user)
    desk.goto(f"{base}/workspace/inbox/")
    desk.get_by_role("navigation", name="工作台").get_by_role("link", name="更正、查询、陈述与信用修复").click()
    desk.get_by_label("类别").select_option("repair")
    desk.get_by_role("button", name="筛选").click()
    desk.get_by_role("link", name=code).click()
    assert COMMITMENT in desk.locator("#request-text").inner_text()
    assert_accessible(desk)
    desk.locator("#id_decision").select_option("accepted")
    desk.locator("#id_reply").fill("经审核，罚款已缴清，违法所得已没收，予以信用修复。")
    desk.get_by_role("button", name="提交答复").click()
    desk.wait_for_load_state()
    assert desk.locator("#request-status").inner_text() == "予以信用修复"
    assert "因信用修复终止公示" in desk.locator("#repair-version").inner_text()
    assert_accessible(desk)
    office.close()

    page.goto(f"{base}/track/{code}/")
    assert page.locator("#status").inner_text() == "予以信用修复"
    assert "终止公示" in page.locator("#repair-outcome").inner_text()
    assert_accessible(page)
    assert page.goto(f"{base}/records/{record}/").status == 404
    citizen.close()
