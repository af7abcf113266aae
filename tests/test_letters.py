"""The letters a citizen's request is closed with (issue 17): the written reply to a query and the
decision on a correction, as PDF through the tracking code. Their text is read back with pypdf."""
from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import Client
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader
from rest_framework.test import APIClient

from backend.pdf import CLOSING_PUNCTUATION
from disclosure.models import Record
from tests.conftest import Staff, publish_record

pytestmark = pytest.mark.django_db
EVIDENCE = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
TITLE = "葫芦岛市某商贸有限公司销售不合格产品案"


@pytest.fixture(autouse=True)
def _isolated(settings: Any, tmp_path: Path) -> None:
    cache.clear()
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.SITE_URL = "https://gs.huludao.example.cn"




def _query(anonymous: APIClient, record: int | None = None, agency: str = "", question: str = "该处罚是否已执行完毕？"
           ) -> dict[str, Any]:
    body: dict[str, Any] = {"requester_name": "李四", "contact": "li@example.org", "question": question}
    body |= {"record": record} if record else {"agency": agency}
    made = anonymous.post("/api/v1/public/queries/", body, format="json")
    assert made.status_code == 201, made.json()
    return dict(made.json())


def _answer(staff: Staff, request_id: int, **body: Any) -> dict[str, Any]:
    done = staff.client().post(f"/api/v1/requests/{request_id}/answer/", body, format="json")
    assert done.status_code == 200, done.json()
    return dict(done.json())


def letter(code: str) -> tuple[str, list[str]]:
    """The letter a citizen downloads with the tracking code: its text without line breaks, and its lines."""
    response = Client().get(f"/track/{code}/reply.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return "".join("".join(lines).split()), lines


def test_the_written_reply_to_a_query_reads_as_an_official_letter(
        clerk: Staff, anonymous: APIClient, clock: Callable[..., None]) -> None:
    clock("2026-09-29")
    record = publish_record(clerk)
    query = _query(anonymous, record)
    clock("2026-10-12")
    _answer(clerk, query["id"], decision="answered", reply="罚款已于2026年10月9日缴纳，处罚执行完毕。")
    text, lines = letter(query["tracking_code"])
    for expected in (
        "葫芦岛市连山区市场监督管理局",  # the issuing agency
        "答复〔2026〕1号",  # its first letter this year
        "关于监管信息查询申请的书面答复", "李四：",
        f"关于本机关公示的“{TITLE}”（信息编号{record}，文号连市监罚〔2026〕12号）",  # the record it answers
        "本机关于2026年9月29日收到您",  # dates as Chinese writes them
        f"（跟踪码：{query['tracking_code']}）",  # the portal's word for the code
        "该处罚是否已执行完毕？", "罚款已于2026年10月9日缴纳，处罚执行完毕。",
        "第十一条",
        "自收到本答复之日起60日内向葫芦岛市连山区人民政府申请行政复议",  # the remedy and to whom
        "自收到本答复之日起6个月内依法向有管辖权的人民法院提起行政诉讼",
        "联系机关：葫芦岛市连山区市场监督管理局", "https://gs.huludao.example.cn/track/",  # the contact
        "（印章）", "2026年10月12日",  # the seal's place over the agency's name and the date
    ):
        assert expected in text, expected
    assert "li@example.org" not in text and "2026-10-12" not in text and "查询码" not in text
    assert "— 1 —" in lines  # the page number
    assert not [line for line in lines if line[0] in CLOSING_PUNCTUATION]


def test_letters_are_numbered_per_agency_per_year(
        clerk: Staff, outsider: Staff, anonymous: APIClient, clock: Callable[..., None]) -> None:
    clock("2026-12-30")
    first, second = _query(anonymous, agency="lianshan-amr"), _query(anonymous, agency="lianshan-amr")
    other = _query(anonymous, agency="longgang-amr")
    assert _answer(clerk, first["id"], decision="answered", reply="答复一。")["reply_number"] == "答复〔2026〕1号"
    assert _answer(clerk, second["id"], decision="answered", reply="答复二。")["reply_number"] == "答复〔2026〕2号"
    # Another agency's series starts at 1 of its own.
    assert _answer(outsider, other["id"], decision="answered", reply="答复。")["reply_number"] == "答复〔2026〕1号"
    clock("2027-01-04")
    third = _query(anonymous, agency="lianshan-amr")
    assert _answer(clerk, third["id"], decision="answered", reply="新年的答复。")["reply_number"] == "答复〔2027〕1号"
    text, _lines = letter(third["tracking_code"])
    assert "答复〔2027〕1号" in text and "2027年1月4日" in text
    # An agency's query without a record names no record and still reads right.
    assert "您提出的查询申请" in text and "信息编号" not in text


def test_no_line_of_a_letter_starts_with_a_closing_mark(
        clerk: Staff, anonymous: APIClient, clock: Callable[..., None]) -> None:
    """Segments of every length from 1 to 45 characters, each closed by a mark: without the
    避头 rule some mark would fall at the start of a line."""
    clock("2026-10-09")
    query = _query(anonymous, agency="lianshan-amr")
    marks = "，。、；：？！）》”"
    reply = "".join("监" * n + marks[n % len(marks)] for n in range(1, 46))
    _answer(clerk, query["id"], decision="answered", reply=reply)
    _text, lines = letter(query["tracking_code"])
    assert len(lines) > 40
    assert not [line for line in lines if line[0] in CLOSING_PUNCTUATION]


def _correction(anonymous: APIClient, record: int) -> dict[str, Any]:
    made = anonymous.post("/api/v1/public/corrections/", {
        "record": record, "requester_name": "王五", "contact": "13912345678",
        "description": "罚款金额应为一万元，见复议决定书。",
        "evidence": [SimpleUploadedFile("a.pdf", EVIDENCE)]}, format="multipart")
    assert made.status_code == 201, made.json()
    return dict(made.json())


def test_an_accepted_correction_gets_its_letter_and_a_public_reason(
        clerk: Staff, anonymous: APIClient, clock: Callable[..., None]) -> None:
    clock("2026-09-29")
    record = publish_record(clerk)
    made = _correction(anonymous, record)
    clock("2026-10-12")
    # Answered in the workspace, with the reason the public history shows.
    web = Client()
    web.force_login(clerk.user)
    record_row = Record.objects.get(pk=record)
    content = {f"new-{name}": getattr(record_row, name) for name in (
        "title", "subject_name", "subject_type", "subject_code", "legal_basis", "document_number", "disclosure",
        "withheld_reason")}
    # The form comes filled with the record as it stands (the penalty types, the fine and the
    # standard fields too): a field left out would be a field taken away, which is refused.
    content |= {"new-penalty_types": record_row.penalty_types, "new-fine_amount": record_row.fine_amount,
                **{f"new-d_{name}": value for name, value in (record_row.details or {}).items()}}
    page = web.post(f"/workspace/requests/{made['id']}/", {
        "decision": "accepted", "reply": "经核实，您反映的情况属实。",
        "correction_reason": "罚款金额录入有误，依复议决定更正。",
        **content, "new-content": "罚款人民币一万元。"})
    assert page.status_code == 302, page.content.decode()[:3000]
    versions = clerk.client().get(f"/api/v1/records/{record}/versions/").json()
    assert versions[-1]["action"] == "correct"
    assert versions[-1]["reason"] == "罚款金额录入有误，依复议决定更正。"  # not the letter to 王五
    assert versions[-1]["document_number"] == "答复〔2026〕1号"  # the letter's number
    detail = web.get(f"/workspace/requests/{made['id']}/").content.decode()
    assert f'href="/workspace/records/{record}/?a=2&amp;b=3#diff"' in detail  # the version it produced
    text, lines = letter(made["tracking_code"])
    for expected in ("关于监管信息更正申请的答复", "王五：", f"对本机关公示的“{TITLE}”（信息编号{record}",
                     "提出的更正申请", "决定予以更正", "经核实，您反映的情况属实。",
                     "更正后的信息已于2026年10月12日公示（第3版）",
                     "第十条", "60日内向葫芦岛市连山区人民政府申请行政复议", "6个月内", "（印章）", "答复〔2026〕1号"):
        assert expected in text, expected
    assert "13912345678" not in text
    assert not [line for line in lines if line[0] in CLOSING_PUNCTUATION]
    status = Client().get(f"/track/{made['tracking_code']}/").content.decode()
    assert f'/track/{made["tracking_code"]}/reply.pdf' in status and f'href="/records/{record}/"' in status


def test_a_rejected_correction_gets_its_letter(clerk: Staff, anonymous: APIClient,
                                               clock: Callable[..., None]) -> None:
    clock("2026-09-29")
    made = _correction(anonymous, publish_record(clerk, agency="lianshan-amr-station"))
    _answer(clerk, made["id"], decision="rejected", reply="复议决定维持原处罚决定，原公示信息准确。")
    text, _lines = letter(made["tracking_code"])
    assert "决定不予更正，理由如下" in text and "复议决定维持原处罚决定，原公示信息准确。" in text
    # A dispatched body's letter: reconsideration at the district government above its bureau.
    assert "连山区市场监督管理局钢屯市场监督管理所" in text and "60日内向葫芦岛市连山区人民政府申请行政复议" in text
    response = Client().get(f"/track/{made['tracking_code']}/reply.pdf")
    assert "filename*=utf-8''" in response["Content-Disposition"]


def test_an_open_request_has_no_letter(anonymous: APIClient, tree: object, clock: Callable[..., None]) -> None:
    clock("2026-09-29")
    query = _query(anonymous, agency="lianshan-amr")
    assert Client().get(f"/track/{query['tracking_code']}/reply.pdf").status_code == 404


def test_a_missing_cjk_font_fails_the_check_outside_development(settings: Any) -> None:
    settings.PDF_CJK_FONT_PATHS = ["/nonexistent/wqy-microhei.ttc"]
    settings.DEBUG = False
    with pytest.raises(SystemCheckError, match="backend.E001"):
        call_command("check", stdout=io.StringIO(), stderr=io.StringIO())
    settings.DEBUG = True
    out = io.StringIO()
    call_command("check", stdout=out, stderr=out)  # a warning only, in development
    assert "backend.W001" in out.getvalue()
    settings.PDF_CJK_FONT_PATHS = ["/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"]
    settings.DEBUG = False
    call_command("check", stdout=io.StringIO(), stderr=io.StringIO())


def test_the_letter_gives_the_agency_contact_an_administrator_set(
        clerk: Staff, superuser: Any, anonymous: APIClient, clock: Callable[..., None]) -> None:
    from disclosure.models import Agency

    clock("2026-09-29")
    admin = Client()
    admin.force_login(superuser)
    agency = Agency.objects.get(code="lianshan-amr")
    changed = admin.post(f"/admin/disclosure/agency/{agency.pk}/change/", {
        "name": agency.name, "kind": agency.kind, "parent": agency.parent_id or "",
        "is_market_regulator": "", "address": "葫芦岛市连山区龙湾大街1号", "phone": "0429-1234567"})
    assert changed.status_code == 302, changed.content[:500]
    call_command("load_agencies", verbosity=0)  # the shipped tree names no contact: it keeps the one set
    agency.refresh_from_db()
    assert (agency.address, agency.phone) == ("葫芦岛市连山区龙湾大街1号", "0429-1234567")
    query = _query(anonymous, publish_record(clerk))
    _answer(clerk, query["id"], decision="answered", reply="已执行完毕。")
    text, _lines = letter(query["tracking_code"])
    assert "通讯地址：葫芦岛市连山区龙湾大街1号" in text and "联系电话：0429-1234567" in text


@settings(deadline=None, max_examples=60)
@given(before=st.integers(0, 40), code=st.text(alphabet="ABCDEFGHJKMNPQRSTUVWXYZ23456789", min_size=6, max_size=12),
       marks=st.sampled_from(["）。", "”，", "》：", "）；", "〕号。"]))
def test_no_line_of_a_letter_starts_with_closing_punctuation(before: int, code: str, marks: str) -> None:
    """Two closing marks in a row ("）。") at a line's end: the character before them moves down
    with them, where reportlab alone would start the next line with the second mark."""
    from reportlab.lib.styles import ParagraphStyle

    from backend.pdf import CLOSING_PUNCTUATION, ChineseParagraph, cjk_font, line_text

    style = ParagraphStyle("body", fontName=cjk_font(), fontSize=14, leading=24, wordWrap="CJK", alignment=4,
                           firstLineIndent=28)
    text = f"本机关于2026年9月29日收到您{'的' * before}（跟踪码：{code}{marks}您的查询内容为：该处罚是否已执行完毕？"
    paragraph = ChineseParagraph(text, style)
    paragraph.wrap(440, 2000)
    lines = [line_text(line) for line in getattr(paragraph, "blPara").lines]  # noqa: B009 (set by wrap, untyped)
    assert "".join(lines) == text  # nothing lost or repeated
    assert not [line for line in lines[1:] if line[0] in CLOSING_PUNCTUATION]
