"""Credit repair (信用修复, NDRC Order 2025 No. 36; issue 15) through the public surface: the
application and its refusals (too early, with the date; a record of another kind; one open at a
time; the evidence files), the agency's decision and what it does (an accepted repair takes the
record out of search, its page, the entity page, the feed, open data and the exchange's "shown";
a rejection keeps it and tells the reasons by tracking code), the reply deadline from the rule
table and the sweep that chases it, the letter, the auditor's counts and ``verify_audit``.

The story is pinned to Friday 2026-10-09. A 一般 penalty (没收违法所得) decided on 2026-06-09 has its
minimum publicity period of 3 months behind it; a 严重 one (吊销许可证件) decided on 2026-08-10 is a
year away from its earliest repair date. Which day that is comes from the record (``repair_from``,
fixed at publication from the severity class): the tests read it, and move the clock to it.
"""
from __future__ import annotations

import io
import json
from collections.abc import Callable
from datetime import date
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import CommandError
from django.test import Client
from pypdf import PdfReader
from rest_framework.test import APIClient

from disclosure.models import CitizenRequest, Evidence, Record
from disclosure.selectors.open_data import dump_dir
from disclosure.services.open_data import open_data_dump
from scheduler.models import DeadlineRule
from scheduler.selectors import calendar_invalidate
from tests.conftest import VALID_CODE, Staff, call_command_en, penalty, publish_record, standard_details

pytestmark = pytest.mark.django_db
Clock = Callable[..., None]

TODAY = "2026-10-09"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
NO_SUCH_RECORD = "没有该编号的公示信息。"
COMMITMENT = "本公司承诺已缴清罚款、没收违法所得已上缴国库，今后严格遵守法律法规，诚信经营。"
# 一般: confiscating illegal gains (minimum 3 months); 严重: revoking a licence (minimum 1 year).
GENERAL: dict[str, Any] = {
    "penalty_types": ["confiscate_gains"], "event_date": "2026-06-09", "title": "某商贸公司没收违法所得案",
    "document_number": "连市监罚〔2026〕8号",
    "details": {**standard_details("penalty"), "confiscated_amount": "5000.00"}}
SERIOUS: dict[str, Any] = {
    "penalty_types": ["revoke_licence"], "event_date": "2026-08-10", "title": "某商贸公司吊销许可证案",
    "document_number": "连市监罚〔2026〕15号",
    "details": {**standard_details("penalty"), "licence_name_number": "食品经营许可证 JY12114020012345"}}


@pytest.fixture(autouse=True)
def _isolated(settings: Any, tmp_path: Path) -> None:
    cache.clear()
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.OPEN_DATA_ROOT = tmp_path / "open-data"


def chinese(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def repair_from(record: int) -> date:
    day = Record.objects.get(pk=record).repair_from
    assert day is not None
    return day


def apply(client: APIClient, record: object, *files: SimpleUploadedFile, **extra: Any) -> Any:
    body: dict[str, Any] = {"record": record, "requester_name": "葫芦岛市某商贸有限公司", "contact": "0429-2123456",
                            "commitment": COMMITMENT, **extra}
    body["evidence"] = list(files) if files else [SimpleUploadedFile("罚款缴纳凭证.pdf", PDF, "application/pdf")]
    return client.post("/api/v1/public/repairs/", body, format="multipart")


def stored_files(settings: Any) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def answer(staff: Staff, request_id: int, decision: str, reply: str, **extra: Any) -> Any:
    return staff.client().post(f"/api/v1/requests/{request_id}/answer/",
                               {"decision": decision, "reply": reply, **extra}, format="json")


def verify_audit() -> int:
    try:
        call_command_en("verify_audit", stdout=StringIO(), stderr=StringIO())
    except CommandError:
        return 1
    return 0


# -- the application -----------------------------------------------------------------------------------
def test_before_the_earliest_repair_date_it_is_refused_with_the_date(
        clerk: Staff, anonymous: APIClient, clock: Clock, settings: Any) -> None:
    clock(TODAY)
    record = publish_record(clerk, **SERIOUS)
    earliest = repair_from(record)
    assert earliest > date.fromisoformat(TODAY)
    refused = apply(anonymous, record)
    assert refused.status_code == 400
    body = refused.json()
    expected = f"可申请信用修复的最早日期为{chinese(earliest)}"
    assert expected in body["errors"]["record"][0] and expected in body["detail"]
    in_english = anonymous.post("/api/v1/public/repairs/", {
        "record": record, "requester_name": "某公司", "contact": "x", "commitment": COMMITMENT,
        "evidence": [SimpleUploadedFile("a.pdf", PDF)]}, format="multipart", HTTP_ACCEPT_LANGUAGE="en")
    assert "Credit repair may be applied for from" in in_english.json()["errors"]["record"][0]
    assert CitizenRequest.objects.count() == 0 and Evidence.objects.count() == 0 and stored_files(settings) == []
    # The portal says it before anything is written, and refuses the same way.
    page = Client().get("/repairs/new/", {"record": record}).content.decode()
    assert expected in page
    # On the day itself the application is taken.
    clock(earliest.isoformat())
    made = apply(anonymous, record)
    assert made.status_code == 201, made.json()
    assert made.json()["status"] == "open" and made.json()["kind"] == "repair"


def test_a_general_penalty_past_its_minimum_period_is_taken_with_a_five_working_day_deadline(
        clerk: Staff, anonymous: APIClient, clock: Clock, settings: Any) -> None:
    clock(TODAY)
    record = publish_record(clerk, **GENERAL)
    assert repair_from(record) <= date.fromisoformat(TODAY)
    made = apply(anonymous, record, SimpleUploadedFile("罚款缴纳凭证.pdf", PDF, "application/pdf"),
                 SimpleUploadedFile("整改照片.png", PNG, "image/png"))
    assert made.status_code == 201, made.json()
    body = made.json()
    assert set(body) >= {"id", "tracking_code", "status", "due_date"}
    # 5 working days from Friday 10-09: 10-10 is the Saturday worked for National Day, then 12-15.
    assert body["due_date"] == "2026-10-15" and body["due_provisional"] is False
    assert len(stored_files(settings)) == 2
    queue = clerk.client().get("/api/v1/requests/", {"kind": "repair"}).json()["results"]
    assert [(r["tracking_code"], r["record"], r["text"]) for r in queue] == [
        (body["tracking_code"], record, COMMITMENT)]
    assert len(queue[0]["evidence"]) == 2 and queue[0]["contact"] == "0429-2123456"
    assert clerk.client().get("/api/v1/requests/", {"kind": "correction"}).json()["results"] == []
    status = anonymous.get(f"/api/v1/public/requests/{body['tracking_code']}/").json()
    assert status["kind"] == "repair" and status["status"] == "open" and "0429-2123456" not in str(status)


def test_the_reply_deadline_is_a_row_of_the_rule_table_an_administrator_edits(
        clerk: Staff, superuser: Any, anonymous: APIClient, clock: Clock) -> None:
    clock(TODAY)
    rule = DeadlineRule.objects.get(key="repair_reply")
    assert (rule.period, rule.unit, rule.display_months) == (5, "working_days", None)
    assert "第36号" in rule.article and "3个工作日" in rule.description
    admin = Client()
    admin.force_login(superuser)
    edited = admin.post("/admin/scheduler/deadlinerule/repair_reply/change/", {
        "key": "repair_reply", "period": 3, "unit": "working_days", "display_months": "",
        "article": rule.article, "description": rule.description})
    assert edited.status_code == 302, edited.content.decode()[:2000]
    calendar_invalidate()
    record = publish_record(clerk, **GENERAL)
    made = apply(anonymous, record).json()
    assert made["due_date"] == "2026-10-13"  # 10-10 (worked), 10-12, 10-13


@pytest.mark.parametrize("overrides", [
    {"kind": "permit", "title": "食品经营许可"},
    {"kind": "inspection_result", "title": "双随机检查结果"},
])
def test_only_penalties_and_the_dishonest_list_are_repaired(
        clerk: Staff, anonymous: APIClient, clock: Clock, overrides: dict[str, Any]) -> None:
    clock(TODAY)
    record = publish_record(clerk, **overrides)
    refused = apply(anonymous, record)
    assert refused.status_code == 400
    assert refused.json()["errors"]["record"] == ["信用修复仅适用于行政处罚信息和失信主体名单信息。"]
    assert CitizenRequest.objects.count() == 0
    page = Client().get(f"/records/{record}/").content.decode()
    assert "申请信用修复" not in page and 'id="repair"' not in page


def test_a_dishonest_list_record_is_offered_repair(clerk: Staff, client: Client, clock: Clock) -> None:
    clock(TODAY)
    record = publish_record(clerk, kind="dishonest_list", title="严重违法失信名单", event_date="2026-09-01")
    earliest = repair_from(record)
    page = client.get(f"/records/{record}/").content.decode()
    assert f"可申请信用修复的最早日期为{chinese(earliest)}" in page
    assert ('id="repair-link"' in page) == (earliest <= date.fromisoformat(TODAY))


@pytest.mark.parametrize("raw", ["", "abc", "١٢", "１２", "²", "1\x002", "12345678901234567890", "0", "-3", "999999"])
def test_a_bad_record_number_is_a_json_400(clerk: Staff, anonymous: APIClient, clock: Clock, raw: str) -> None:
    clock(TODAY)
    publish_record(clerk, **GENERAL)
    response = apply(anonymous, raw)
    assert response.status_code == 400, response.content
    assert response["Content-Type"].startswith("application/json")
    assert set(response.json()) == {"detail", "errors"} and "record" in response.json()["errors"]


def test_nul_bytes_and_missing_texts_are_a_json_400(clerk: Staff, anonymous: APIClient, clock: Clock) -> None:
    clock(TODAY)
    record = publish_record(clerk, **GENERAL)
    for extra in ({"commitment": "承诺\x00"}, {"requester_name": "a\x00b"}, {"commitment": "   "}, {"contact": ""}):
        response = apply(anonymous, record, **extra)
        assert response.status_code == 400, (extra, response.content)
        assert set(response.json()) == {"detail", "errors"}
    assert CitizenRequest.objects.count() == 0


def test_a_draft_or_a_withheld_record_is_no_public_record(clerk: Staff, anonymous: APIClient, clock: Clock) -> None:
    clock(TODAY)
    draft = clerk.client().post("/api/v1/records/", penalty(**GENERAL), format="json").json()["id"]
    withheld = publish_record(clerk, **GENERAL, disclosure="withheld", withheld_reason="涉及商业秘密")
    for record in (draft, withheld):
        response = apply(anonymous, record)
        assert response.status_code == 400
        assert response.json()["errors"]["record"] == [NO_SUCH_RECORD]


def test_one_open_application_per_record(clerk: Staff, anonymous: APIClient, clock: Clock) -> None:
    clock(TODAY)
    record = publish_record(clerk, **GENERAL)
    first = apply(anonymous, record)
    assert first.status_code == 201
    second = apply(anonymous, record)
    assert second.status_code == 400
    assert second.json()["errors"]["record"] == ["该信息已有正在办理的信用修复申请，请等待办理结果。"]
    assert CitizenRequest.objects.filter(kind="repair").count() == 1
    # Decided: a new application may be made.
    assert answer(clerk, first.json()["id"], "rejected", "罚款尚未缴清。").status_code == 200
    assert apply(anonymous, record).status_code == 201


@pytest.mark.parametrize("files", [
    [],
    [("evil.exe", b"MZ\x90\x00")],
    [("fake.pdf", b"GIF89a not a pdf")],
    [("empty.pdf", b"")],
])
def test_bad_evidence_is_refused_and_nothing_is_stored(
        clerk: Staff, anonymous: APIClient, clock: Clock, settings: Any, files: list[tuple[str, bytes]]) -> None:
    clock(TODAY)
    record = publish_record(clerk, **GENERAL)
    body = {"record": record, "requester_name": "某公司", "contact": "x", "commitment": COMMITMENT}
    uploads = [SimpleUploadedFile("ok.pdf", PDF), *(SimpleUploadedFile(n, c) for n, c in files)] if files else []
    if uploads:
        body["evidence"] = uploads
    response = anonymous.post("/api/v1/public/repairs/", body, format="multipart")
    assert response.status_code == 400 and "evidence" in response.json()["errors"], response.json()
    assert CitizenRequest.objects.count() == 0 and Evidence.objects.count() == 0 and stored_files(settings) == []


def test_too_large_and_too_many_files(clerk: Staff, anonymous: APIClient, clock: Clock, settings: Any) -> None:
    clock(TODAY)
    record = publish_record(clerk, **GENERAL)
    settings.PUBLIC_EVIDENCE_MAX_BYTES = 1024
    big = apply(anonymous, record, SimpleUploadedFile("ok.pdf", PDF), SimpleUploadedFile("big.pdf", PDF + b"0" * 2048))
    assert big.status_code == 413 and "big.pdf" in big.json()["detail"]
    settings.PUBLIC_EVIDENCE_MAX_FILES = 2
    many = apply(anonymous, record, *[SimpleUploadedFile(f"{n}.pdf", PDF) for n in range(3)])
    assert many.status_code == 400 and "evidence" in many.json()["errors"]
    assert CitizenRequest.objects.count() == 0 and stored_files(settings) == []


# -- the decision ----------------------------------------------------------------------------------------
def _feed(superuser: Any) -> list[dict[str, Any]]:
    client = APIClient()
    client.force_authenticate(superuser)
    return list(client.get("/api/v1/feed/", {"after": 0}).json()["events"])


def test_an_accepted_repair_ends_the_publication_everywhere(
        clerk: Staff, auditor: Staff, superuser: Any, anonymous: APIClient, client: Client, clock: Clock) -> None:
    clock(TODAY)
    record = publish_record(clerk, **GENERAL)
    kept = publish_record(clerk, title="另一起未修复的处罚案", document_number="连市监罚〔2026〕9号")
    open_data_dump(day=date.fromisoformat(TODAY))
    before = (dump_dir(date.fromisoformat(TODAY)) / "penalties_20261009.csv").read_text("utf-8-sig")
    assert "连市监罚〔2026〕8号" in before
    assert anonymous.get(f"/api/v1/public/records/{record}/").status_code == 200
    made = apply(anonymous, record).json()

    clock("2026-10-12")
    # A repair changes nothing in the record: naming changes is refused.
    with_changes = answer(clerk, made["id"], "accepted", "x", changes={"content": "改"})
    assert with_changes.status_code == 400 and "changes" in with_changes.json()["errors"]
    assert answer(clerk, made["id"], "answered", "x").status_code == 400
    done = answer(clerk, made["id"], "accepted", "经审核，罚款已缴清，违法所得已没收，予以信用修复。")
    assert done.status_code == 200, done.json()
    assert done.json()["status"] == "accepted" and done.json()["repair_version"] == 3
    assert done.json()["corrected_version"] is None

    versions = clerk.client().get(f"/api/v1/records/{record}/versions/").json()
    assert [v["action"] for v in versions] == ["create", "publish", "repair"]
    reason = versions[-1]["reason"]
    assert made["tracking_code"] in reason and "国家发展改革委令2025年第36号" in reason
    assert versions[-1]["document_number"].startswith("答复〔2026〕")
    staff_view = clerk.client().get(f"/api/v1/records/{record}/").json()
    assert staff_view["status"] == "repaired" and staff_view["expires_on"] == "2026-10-12"

    # Search, the record's own page, the entity page: gone, through the API and the portal.
    assert anonymous.get(f"/api/v1/public/records/{record}/").status_code == 404
    assert client.get(f"/records/{record}/").status_code == 404
    listed = [r["id"] for r in anonymous.get("/api/v1/public/records/", {"q": "某商贸"}).json()["results"]]
    assert record not in listed and kept in listed
    assert "没收违法所得案" not in client.get("/search/", {"q": "没收违法所得"}).content.decode()
    entity = anonymous.get(f"/api/v1/public/entities/{VALID_CODE}/").json()
    assert [r["id"] for r in entity["results"]] == [kept]
    assert "没收违法所得案" not in client.get(f"/entity/{VALID_CODE}/").content.decode()
    # The feed: a take-down event, with nothing of the record but its id and status.
    last = _feed(superuser)[-1]
    assert (last["record"], last["action"], last["public"], last["version"]) == (record, "repair", False, 3)
    assert last["payload"] == {"id": record, "status": "repaired"}
    assert made["tracking_code"] not in str(_feed(superuser))
    # The transparency log keeps its leaves but no longer serves the record's bytes.
    leaves = anonymous.get("/api/v1/transparency/leaves/", {"start": 0, "end": 100}).json()
    mine = [leaf for leaf in leaves if leaf["record"] == record]
    assert len(mine) == 2 and all(leaf["leaf"] is None for leaf in mine)
    # Open data of the day after: not there.
    open_data_dump(day=date(2026, 10, 12))
    after = (dump_dir(date(2026, 10, 12)) / "penalties_20261012.csv").read_text("utf-8-sig")
    assert "连市监罚〔2026〕8号" not in after and "连市监罚〔2026〕9号" in after
    # The exchange says it ended: not shown, 公示截止期 the day before the repair.
    response: Any = auditor.client().get("/api/v1/exchange/penalties/", {"from": TODAY, "to": TODAY, "format": "json"})
    exported = json.loads(b"".join(response.streaming_content))
    row = next(r for r in exported["rows"] if r["行政处罚决定书文号"] == "连市监罚〔2026〕8号")
    assert row["备注"] == "信用修复，已终止公示" and row["公示截止期"] == "2026-10-11"
    other = next(r for r in exported["rows"] if r["行政处罚决定书文号"] == "连市监罚〔2026〕9号")
    assert other["备注"] == "" and other["公示截止期"] > "2026-10-11"
    # The requester follows the code: granted, the record no longer linked.
    seen = anonymous.get(f"/api/v1/public/requests/{made['tracking_code']}/").json()
    assert seen["status"] == "accepted" and seen["repair_version"] == 3
    status_page = client.get(f"/track/{made['tracking_code']}/").content.decode()
    assert "予以信用修复" in status_page and "2026-10-12" in status_page
    assert f'href="/records/{record}/"' not in status_page
    # A repaired record is not repaired or changed again; an annulled decision is still recorded.
    assert apply(anonymous, record).status_code == 400
    assert clerk.client().post(f"/api/v1/records/{record}/change/", {
        "reason": "x", "legal_basis": "x", "document_number": "x", "changes": {"title": "改"}},
        format="json").status_code == 409
    assert verify_audit() == 0
    revoked = clerk.client().post(f"/api/v1/records/{record}/revoke/", {
        "reason": "经行政复议撤销原处罚决定", "legal_basis": "复议决定", "document_number": "葫复决〔2026〕9号"},
        format="json")
    assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"
    assert anonymous.get(f"/api/v1/public/records/{record}/").status_code == 404  # still nowhere public


def test_a_rejected_repair_keeps_the_record_and_tells_the_reasons(
        clerk: Staff, anonymous: APIClient, client: Client, clock: Clock) -> None:
    clock(TODAY)
    record = publish_record(clerk, **GENERAL)
    made = apply(anonymous, record).json()
    assert answer(clerk, made["id"], "rejected", " ").status_code == 400
    reasons = "经核查，没收的违法所得尚未上缴，不符合信用修复条件。"
    done = answer(clerk, made["id"], "rejected", reasons)
    assert done.status_code == 200 and done.json()["repair_version"] is None
    seen = anonymous.get(f"/api/v1/public/requests/{made['tracking_code']}/").json()
    assert seen["status"] == "rejected" and seen["reply"] == reasons and seen["reply_pdf"]
    page = client.get(f"/track/{made['tracking_code']}/").content.decode()
    assert "不予信用修复" in page and reasons in page
    assert [v["action"] for v in clerk.client().get(f"/api/v1/records/{record}/versions/").json()] == [
        "create", "publish"]
    assert anonymous.get(f"/api/v1/public/records/{record}/").json()["status"] == "published"
    assert answer(clerk, made["id"], "accepted", "x").status_code == 409


def _letter_text(response: Any) -> str:
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    return "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages).replace("\n", "")


def test_the_decision_letters(clerk: Staff, anonymous: APIClient, clock: Clock) -> None:
    clock(TODAY)
    granted_record = publish_record(clerk, **GENERAL)
    refused_record = publish_record(clerk, **{**GENERAL, "document_number": "连市监罚〔2026〕10号",
                                              "title": "某商贸公司没收违法所得案（二）"})
    granted = apply(anonymous, granted_record).json()
    refused = apply(anonymous, refused_record).json()
    assert anonymous.get(f"/api/v1/public/requests/{granted['tracking_code']}/reply.pdf").status_code == 404
    clock("2026-10-12")
    answer(clerk, granted["id"], "accepted", "罚款和没收的违法所得均已缴清。")
    answer(clerk, refused["id"], "rejected", "未提供罚款缴纳凭证。")
    text = _letter_text(anonymous.get(f"/api/v1/public/requests/{granted['tracking_code']}/reply.pdf"))
    for expected in ("关于信用修复申请的决定", "葫芦岛市某商贸有限公司：", granted["tracking_code"], "信用承诺书",
                     "决定予以信用修复", "罚款和没收的违法所得均已缴清。", "2026年10月12日终止公示",
                     "《信用修复管理办法》（国家发展改革委令2025年第36号）", "如对本决定不服", "葫芦岛市连山区人民政府",
                     "答复〔2026〕1号"):
        assert expected in text, expected
    text = _letter_text(clerk.client().get(f"/api/v1/requests/{refused['id']}/reply.pdf"))
    for expected in ("关于信用修复申请的决定", "决定不予信用修复，理由如下", "未提供罚款缴纳凭证。", "答复〔2026〕2号"):
        assert expected in text, expected
    assert "终止公示" not in text


def test_another_agencys_clerk_cannot_answer(clerk: Staff, outsider: Staff, make_staff: Callable[[str, str], Staff],
                                             anonymous: APIClient, clock: Clock) -> None:
    clock(TODAY)
    record = publish_record(clerk, **GENERAL)
    made = apply(anonymous, record).json()
    assert answer(outsider, made["id"], "accepted", "x").status_code == 404
    assert outsider.client().get("/api/v1/requests/", {"kind": "repair"}).json()["results"] == []
    viewer = make_staff("lianshan-amr", "viewer")
    assert answer(viewer, made["id"], "accepted", "x").status_code == 403
    for path in ("/api/v1/requests/%C2%B2/answer/", "/api/v1/requests/1%00/answer/"):
        response = clerk.client().post(path, {"decision": "accepted", "reply": "x"}, format="json")
        assert response.status_code in (400, 404) and set(response.json()) == {"detail", "errors"}
    assert anonymous.get(f"/api/v1/public/records/{record}/").status_code == 200
    assert CitizenRequest.objects.get(pk=made["id"]).status == "open"


def test_a_record_revoked_meanwhile_cannot_be_repaired(clerk: Staff, anonymous: APIClient, clock: Clock) -> None:
    clock(TODAY)
    record = publish_record(clerk, **GENERAL)
    made = apply(anonymous, record).json()
    assert clerk.client().post(f"/api/v1/records/{record}/revoke/", {
        "reason": "经行政复议撤销", "legal_basis": "复议决定", "document_number": "葫复决〔2026〕3号"},
        format="json").status_code == 200
    refused = answer(clerk, made["id"], "accepted", "予以修复。")
    assert refused.status_code == 409
    assert CitizenRequest.objects.get(pk=made["id"]).status == "open"
    assert answer(clerk, made["id"], "rejected", "该处罚决定已被撤销，无需修复。").status_code == 200


# -- supervision and the audit ---------------------------------------------------------------------------
def test_the_sweep_chases_an_overdue_application(clerk: Staff, anonymous: APIClient, clock: Clock) -> None:
    clock(TODAY)
    record = publish_record(clerk, **GENERAL)
    made = apply(anonymous, record).json()
    assert made["due_date"] == "2026-10-15"
    clock("2026-10-16")
    call_command_en("check_deadlines", stdout=StringIO(), stderr=StringIO())
    notices = clerk.client().get("/api/v1/notifications/").json()["results"]
    overdue = [n for n in notices if n["kind"] == "overdue" and n["request"] is not None]
    assert len(overdue) == 1 and overdue[0]["due_date"] == "2026-10-15"
    assert made["tracking_code"] in str(overdue[0]["title"]) and "信用修复申请" in str(overdue[0]["title"])


def test_the_auditor_sees_repairs_per_agency(clerk: Staff, auditor: Staff, make_staff: Callable[[str, str], Staff],
                                            anonymous: APIClient, clock: Clock) -> None:
    clock(TODAY)
    station = make_staff("lianshan-amr-station", "clerk")
    longgang = make_staff("longgang-amr", "clerk")
    records = [publish_record(clerk, **{**GENERAL, "document_number": f"连市监罚〔2026〕{20 + n}号"})
               for n in range(3)]
    at_station = publish_record(station, agency="lianshan-amr-station", **GENERAL)
    at_longgang = publish_record(longgang, agency="longgang-amr", **GENERAL)
    made = [apply(anonymous, r).json() for r in (*records, at_station, at_longgang)]
    clock("2026-10-12")
    assert answer(clerk, made[0]["id"], "accepted", "予以修复。").status_code == 200
    assert answer(clerk, made[1]["id"], "rejected", "不符合条件。").status_code == 200
    assert answer(longgang, made[4]["id"], "accepted", "予以修复。").status_code == 200
    clock("2026-10-16")  # made[2] (lianshan-amr) and made[3] (the station) are past their due date, open
    body = auditor.client().get("/api/v1/audit/timeliness/", {"from": "2026-10-01", "to": "2026-10-31"}).json()
    rows = {row["agency"]: row for row in body["results"]}
    assert rows["lianshan-amr-station"]["repairs"] == {
        "received": 1, "accepted": 0, "rejected": 0, "open": 1, "overdue": 1}
    # The bureau's row includes its station's.
    assert rows["lianshan-amr"]["repairs"] == {"received": 4, "accepted": 1, "rejected": 1, "open": 2, "overdue": 2}
    assert rows["longgang"]["repairs"] == {"received": 1, "accepted": 1, "rejected": 0, "open": 0, "overdue": 0}
    assert rows["city"]["repairs"] == {"received": 5, "accepted": 2, "rejected": 1, "open": 2, "overdue": 2}
    assert rows["city-emergency"]["repairs"] == {"received": 0, "accepted": 0, "rejected": 0, "open": 0, "overdue": 0}
    # The existing figures are still there, unchanged in shape.
    assert {"due", "published_on_time", "published_late", "overdue_unpublished", "on_time_rate",
            "median_latency_working_days"} <= set(rows["city"])
    # Outside the period: nothing received.
    september = auditor.client().get("/api/v1/audit/timeliness/", {"from": "2026-09-01", "to": "2026-09-30"}).json()
    assert {row["agency"]: row for row in september["results"]}["city"]["repairs"]["received"] == 0
    # The dashboard shows the same counts.
    web = Client()
    web.force_login(auditor.user)
    page = web.get("/audit/", {"from": "2026-10-01", "to": "2026-10-31"}).content.decode()
    table = page.split('id="repairs"')[1].split("</table>")[0]
    total = table.split('id="repairs-total"')[1].split("</tr>")[0]
    assert [cell.split(">")[-1] for cell in total.split("</td>")[:-1]] == ["5", "2", "1", "2", "2"]
    assert "信用修复申请" in page


@pytest.mark.django_db(transaction=True)
def test_two_applications_at_once_one_gets_in(clerk: Staff, clock: Clock) -> None:
    """Both pass the "already open?" check at the same moment; the partial unique index lets one
    in, and the other gets the same refusal as when it comes second."""
    from tests.test_concurrency import race

    clock(TODAY)
    record = publish_record(clerk, **GENERAL)
    responses = race([lambda: apply(APIClient(), record) for _ in range(2)])
    assert sorted(r.status_code for r in responses) == [201, 400]
    refused = next(r for r in responses if r.status_code == 400)
    assert refused.json()["errors"]["record"] == ["该信息已有正在办理的信用修复申请，请等待办理结果。"]
    assert CitizenRequest.objects.filter(kind="repair", record_id=record).count() == 1
    assert Evidence.objects.count() == 1


# -- where credit repair meets the other parts of issue 15 (review findings) ----------------------------
def test_the_minimum_period_is_checked_again_when_the_agency_decides(clerk: Staff, anonymous: APIClient,
                                                                     clock: Clock) -> None:
    """A correction after the application made the penalty serious: its first repair day moved
    into the future, so granting the application now is refused with the date."""
    clock(TODAY)
    record = publish_record(clerk, **GENERAL)
    made = apply(anonymous, record)
    assert made.status_code == 201, made.json()
    corrected = clerk.client().post(f"/api/v1/records/{record}/change/", {
        "reason": "复核发现漏记吊销许可证", "legal_basis": "复议决定", "document_number": "葫复决〔2026〕5号",
        "type": "correction",
        "changes": {"penalty_types": ["confiscate_gains", "revoke_licence"],
                    "details": {"licence_name_number": "食品经营许可证 JY12114020012345"}}}, format="json")
    assert corrected.status_code == 200, corrected.json()
    assert repair_from(record) > date.fromisoformat(TODAY)
    refused = answer(clerk, made.json()["id"], "accepted", "予以修复。")
    assert refused.status_code == 409 and "decision" in refused.json()["errors"]
    assert chinese(repair_from(record)) in refused.json()["detail"]
    assert Record.objects.get(pk=record).status != "repaired"
    assert answer(clerk, made.json()["id"], "rejected", "最短公示期尚未届满。").status_code == 200


def test_a_repair_withdraws_the_kept_open_data_dumps_until_they_are_made_again(
        clerk: Staff, anonymous: APIClient, clock: Clock, django_capture_on_commit_callbacks: Any) -> None:
    clock(TODAY)
    record = publish_record(clerk, **GENERAL)
    open_data_dump()
    name = f"penalties_{TODAY.replace('-', '')}.csv"
    web = Client()
    assert web.get(f"/open-data/{TODAY}/{name}").status_code == 200
    made = apply(anonymous, record).json()
    with django_capture_on_commit_callbacks(execute=False) as queued:
        assert answer(clerk, made["id"], "accepted", "予以修复。").status_code == 200
    assert queued  # the remake is queued once the repair commits
    assert web.get(f"/open-data/{TODAY}/{name}").status_code == 404  # no copy stays published
    from disclosure.tasks import remake_open_data
    assert remake_open_data.apply().get() == [TODAY]
    again = web.get(f"/open-data/{TODAY}/{name}")
    assert again.status_code == 200
    assert "连市监罚〔2026〕8号" not in again.getvalue().decode("utf-8-sig")


@pytest.mark.parametrize("path", ["/repairs/new/", "/corrections/new/"])
def test_a_name_longer_than_its_column_is_a_400_on_the_form(clerk: Staff, clock: Clock, path: str) -> None:
    clock(TODAY)
    record = publish_record(clerk, **GENERAL)
    response = Client().post(path, {"record": record, "requester_name": "名" * 150, "contact": "0429-2123456",
                                    "commitment": COMMITMENT, "description": "有误",
                                    "evidence": SimpleUploadedFile("凭证.pdf", PDF, "application/pdf")})
    assert response.status_code == 400
