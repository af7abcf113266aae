"""Citizens' corrections (Art. 10) and queries (Art. 11) through HTTP: submission with evidence
files and their limits, the tracking code, the agency's queue and answers, the written reply PDF."""
from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader
from rest_framework.test import APIClient

from disclosure.models import CitizenRequest, Evidence
from tests.conftest import Staff, penalty, publish_record

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _isolated(settings: Any, tmp_path: Path) -> None:
    cache.clear()
    settings.MEDIA_ROOT = str(tmp_path / "media")




def _correction(anonymous: APIClient, record: int, *files: SimpleUploadedFile, **extra: Any) -> Any:
    body: dict[str, Any] = {"record": record, "requester_name": "王五", "contact": "13912345678",
                            "description": "罚款金额应为一万元，见复议决定书。", **extra}
    if files:
        body["evidence"] = list(files)
    return anonymous.post("/api/v1/public/corrections/", body, format="multipart")


def _stored_files(settings: Any) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_correction_accepted_makes_a_correct_version_the_requester_sees(
        clerk: Staff, anonymous: APIClient, clock: Callable[..., None], settings: Any) -> None:
    clock("2026-09-29")
    record = publish_record(clerk)
    made = _correction(anonymous, record, SimpleUploadedFile("复议决定书.pdf", PDF, "application/pdf"),
                       SimpleUploadedFile("photo.png", PNG, "image/png"))
    assert made.status_code == 201, made.json()
    body = made.json()
    # 15 working days from 2026-09-29: 09-30, then the National Day holiday (10-01..10-07) is skipped
    # and the make-up working Saturday 10-10 counts: the 15th is Monday 10-26.
    assert body["status"] == "open" and body["due_date"] == "2026-10-26" and body["due_provisional"] is False
    code = body["tracking_code"]
    assert len(code) == 19 and code.count("-") == 3
    assert len(_stored_files(settings)) == 2
    status = anonymous.get(f"/api/v1/public/requests/{code.lower()}/").json()
    assert status["status"] == "open" and "contact" not in status and "13912345678" not in str(status)
    assert "requester_name" not in status

    queue = clerk.client().get("/api/v1/requests/", {"kind": "correction", "status": "open"}).json()
    assert [r["tracking_code"] for r in queue["results"]] == [code]
    assert queue["results"][0]["contact"] == "13912345678" and len(queue["results"][0]["evidence"]) == 2
    evidence = queue["results"][0]["evidence"][0]
    download = clerk.client().get(f"/api/v1/requests/{body['id']}/evidence/{evidence['id']}/")
    assert download.status_code == 200 and download.getvalue() == PDF

    clock("2026-10-12")
    answered = clerk.client().post(f"/api/v1/requests/{body['id']}/answer/", {
        "decision": "accepted", "reply": "经核实，罚款金额有误，已更正。", "changes": {"content": "罚款人民币一万元。"},
        "document_number": "连市监更〔2026〕1号"}, format="json")
    assert answered.status_code == 200, answered.json()
    assert answered.json()["status"] == "accepted" and answered.json()["corrected_version"] == 3

    versions = clerk.client().get(f"/api/v1/records/{record}/versions/").json()
    assert [v["action"] for v in versions] == ["create", "publish", "correct"]
    # The public history gives the correction's reason, not the letter addressed to the requester.
    assert versions[-1]["reason"] != "经核实，罚款金额有误，已更正。" and "王五" not in versions[-1]["reason"]
    assert versions[-1]["document_number"] == "连市监更〔2026〕1号"
    public = anonymous.get(f"/api/v1/public/records/{record}/").json()
    assert public["status"] == "corrected" and public["content"] == "罚款人民币一万元。"
    seen = anonymous.get(f"/api/v1/public/requests/{code}/").json()
    assert seen["status"] == "accepted" and seen["corrected_version"] == 3 and seen["reply"].startswith("经核实")
    again = clerk.client().post(f"/api/v1/requests/{body['id']}/answer/", {"decision": "rejected", "reply": "x"},
                                format="json")
    assert again.status_code == 409


def test_correction_rejected_with_reasons(clerk: Staff, anonymous: APIClient, clock: Callable[..., None]) -> None:
    clock("2026-09-29")
    record = publish_record(clerk)
    made = _correction(anonymous, record, SimpleUploadedFile("a.pdf", PDF)).json()
    no_reason = clerk.client().post(f"/api/v1/requests/{made['id']}/answer/", {"decision": "rejected", "reply": " "},
                                    format="json")
    assert no_reason.status_code == 400
    wrong = clerk.client().post(f"/api/v1/requests/{made['id']}/answer/", {"decision": "answered", "reply": "x"},
                                format="json")
    assert wrong.status_code == 400 and "decision" in wrong.json()["errors"]
    no_change = clerk.client().post(f"/api/v1/requests/{made['id']}/answer/", {"decision": "accepted", "reply": "x"},
                                    format="json")
    assert no_change.status_code == 400 and "changes" in no_change.json()["errors"]
    done = clerk.client().post(f"/api/v1/requests/{made['id']}/answer/", {
        "decision": "rejected", "reply": "所附材料不能证明原信息有误。"}, format="json")
    assert done.status_code == 200
    seen = anonymous.get(f"/api/v1/public/requests/{made['tracking_code']}/").json()
    assert seen["status"] == "rejected" and seen["reply"] == "所附材料不能证明原信息有误。"
    assert [v["action"] for v in clerk.client().get(f"/api/v1/records/{record}/versions/").json()] == [
        "create", "publish"]


@pytest.mark.parametrize(("files", "status", "field"), [
    ([], 400, "evidence"),
    ([("evil.exe", b"MZ\x90\x00")], 400, "evidence"),
    ([("fake.pdf", b"GIF89a not a pdf")], 400, "evidence"),
    ([("empty.pdf", b"")], 400, "evidence"),
])
def test_bad_evidence_is_refused_and_nothing_is_stored(
        clerk: Staff, anonymous: APIClient, clock: Callable[..., None], settings: Any,
        files: list[tuple[str, bytes]], status: int, field: str) -> None:
    clock("2026-09-29")
    record = publish_record(clerk)
    good = SimpleUploadedFile("ok.pdf", PDF)
    uploads = [SimpleUploadedFile(name, content) for name, content in files]
    response = _correction(anonymous, record, *([good, *uploads] if uploads else []))
    assert response.status_code == status and field in response.json()["errors"], response.json()
    assert CitizenRequest.objects.count() == 0 and Evidence.objects.count() == 0 and _stored_files(settings) == []


def test_too_large_file_and_too_many_files(clerk: Staff, anonymous: APIClient, clock: Callable[..., None],
                                           settings: Any) -> None:
    clock("2026-09-29")
    record = publish_record(clerk)
    settings.PUBLIC_EVIDENCE_MAX_BYTES = 1024
    big = _correction(anonymous, record, SimpleUploadedFile("ok.pdf", PDF),
                      SimpleUploadedFile("big.pdf", PDF + b"0" * 2048))
    assert big.status_code == 413 and "big.pdf" in big.json()["detail"]
    settings.PUBLIC_EVIDENCE_MAX_FILES = 2
    many = _correction(anonymous, record, *[SimpleUploadedFile(f"{n}.pdf", PDF) for n in range(3)])
    assert many.status_code == 400
    settings.PUBLIC_REQUEST_MAX_BYTES = 200
    body = _correction(anonymous, record, SimpleUploadedFile("ok.pdf", PDF))
    assert body.status_code == 413
    assert CitizenRequest.objects.count() == 0 and _stored_files(settings) == []


def test_files_are_removed_when_the_transaction_fails(clerk: Staff, clock: Callable[..., None],
                                                      settings: Any) -> None:
    """The second evidence row fails in the database: the first file, already written, goes too."""
    clock("2026-09-29")
    record = publish_record(clerk)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("CREATE TRIGGER evidence_full BEFORE INSERT ON disclosure_evidence WHEN "
                           "(SELECT count(*) FROM disclosure_evidence WHERE request_id = NEW.request_id) >= 1 "
                           "BEGIN SELECT RAISE(ABORT, 'disk full'); END")
        else:
            cursor.execute("CREATE FUNCTION evidence_full() RETURNS trigger AS $$ BEGIN IF (SELECT count(*) FROM "
                           "disclosure_evidence WHERE request_id = NEW.request_id) >= 1 THEN RAISE EXCEPTION "
                           "'disk full'; END IF; RETURN NEW; END; $$ LANGUAGE plpgsql")
            cursor.execute("CREATE TRIGGER evidence_full BEFORE INSERT ON disclosure_evidence FOR EACH ROW "
                           "EXECUTE FUNCTION evidence_full()")
    client = APIClient(raise_request_exception=False)
    response = _correction(client, record, SimpleUploadedFile("a.pdf", PDF), SimpleUploadedFile("b.pdf", PDF))
    assert response.status_code == 500
    assert CitizenRequest.objects.count() == 0 and _stored_files(settings) == []


def test_correction_needs_a_public_record(clerk: Staff, anonymous: APIClient, clock: Callable[..., None]) -> None:
    clock("2026-09-29")
    draft = clerk.client().post("/api/v1/records/", penalty(), format="json").json()["id"]
    response = _correction(anonymous, draft, SimpleUploadedFile("a.pdf", PDF))
    assert response.status_code == 400 and "record" in response.json()["errors"]


def test_query_reply_pdf_contains_the_answer(clerk: Staff, anonymous: APIClient, clock: Callable[..., None]) -> None:
    clock("2026-09-29")
    record = publish_record(clerk)
    made = anonymous.post("/api/v1/public/queries/", {"requester_name": "李四", "contact": "li@example.org",
                                                      "question": "该处罚是否已经执行完毕？", "record": record},
                          format="json")
    assert made.status_code == 201, made.json()
    body = made.json()
    assert body["due_date"] == "2026-11-02"  # 20 working days, National Day skipped, 10-10 worked
    code = body["tracking_code"]
    assert anonymous.get(f"/api/v1/public/requests/{code}/reply.pdf").status_code == 404
    answer = "罚款已于2026年10月9日缴纳，处罚执行完毕。"
    done = clerk.client().post(f"/api/v1/requests/{body['id']}/answer/", {"decision": "answered", "reply": answer},
                               format="json")
    assert done.status_code == 200, done.json()
    for path, client in ((f"/api/v1/public/requests/{code}/reply.pdf", anonymous),
                         (f"/api/v1/requests/{body['id']}/reply.pdf", clerk.client())):
        pdf = client.get(path)
        assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
        text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages).replace("\n", "")
        for expected in (answer, "该处罚是否已经执行完毕？", "李四", "葫芦岛市连山区市场监督管理局", code,
                         done.json()["reply_number"]):
            assert expected.replace("\n", "") in text, expected
        assert "li@example.org" not in text
    status = anonymous.get(f"/api/v1/public/requests/{code}/").json()
    assert status["reply_pdf"].endswith("reply.pdf") and "li@example.org" not in str(status)


def test_query_to_an_agency_without_record(clerk: Staff, anonymous: APIClient, clock: Callable[..., None]) -> None:
    clock("2026-09-29")
    ok = anonymous.post("/api/v1/public/queries/", {"requester_name": "李四", "contact": "x", "question": "问",
                                                    "agency": "lianshan-amr"}, format="json")
    assert ok.status_code == 201
    missing = anonymous.post("/api/v1/public/queries/", {"requester_name": "李四", "contact": "x", "question": "问"},
                             format="json")
    assert missing.status_code == 400 and "agency" in missing.json()["errors"]


def test_queue_is_scoped_and_answering_needs_the_agency(clerk: Staff, outsider: Staff, anonymous: APIClient,
                                                        make_staff: Callable[[str, str], Staff],
                                                        clock: Callable[..., None]) -> None:
    clock("2026-09-29")
    record = publish_record(clerk)
    made = anonymous.post("/api/v1/public/queries/", {"requester_name": "李四", "contact": "x", "question": "问",
                                                      "record": record}, format="json").json()
    assert outsider.client().get("/api/v1/requests/").json()["results"] == []
    assert outsider.client().get(f"/api/v1/requests/{made['id']}/").status_code == 404
    assert outsider.client().post(f"/api/v1/requests/{made['id']}/answer/", {"decision": "answered", "reply": "x"},
                                  format="json").status_code == 404
    viewer = make_staff("lianshan-amr", "viewer")
    assert viewer.client().get(f"/api/v1/requests/{made['id']}/").status_code == 200
    assert viewer.client().post(f"/api/v1/requests/{made['id']}/answer/", {"decision": "answered", "reply": "x"},
                                format="json").status_code == 403
    assert anonymous.get("/api/v1/requests/").status_code == 401
    # The district government's clerk sees its bureau's requests (a grant covers the subtree).
    district = make_staff("lianshan", "clerk")
    assert len(district.client().get("/api/v1/requests/").json()["results"]) == 1


def test_queue_query_count_is_constant(clerk: Staff, anonymous: APIClient, clock: Callable[..., None]) -> None:
    clock("2026-09-29")
    record = publish_record(clerk)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert clerk.client().get("/api/v1/requests/").status_code == 200
        return len(queries)

    _correction(anonymous, record, SimpleUploadedFile("a.pdf", PDF))
    one = count()
    for _ in range(3):
        _correction(anonymous, record, SimpleUploadedFile("a.pdf", PDF))
    assert count() == one


def test_open_queryset_for_the_deadline_sweep(clerk: Staff, anonymous: APIClient, clock: Callable[..., None]) -> None:
    clock("2026-09-29")
    record = publish_record(clerk)
    first = _correction(anonymous, record, SimpleUploadedFile("a.pdf", PDF)).json()
    anonymous.post("/api/v1/public/queries/", {"requester_name": "李四", "contact": "x", "question": "问",
                                               "record": record}, format="json")
    clerk.client().post(f"/api/v1/requests/{first['id']}/answer/", {"decision": "rejected", "reply": "无依据"},
                        format="json")
    from datetime import date

    assert CitizenRequest.objects.open().count() == 1
    assert CitizenRequest.objects.open().filter(due_date__lte=date(2026, 11, 2)).get().kind == "query"


def test_submissions_are_throttled(clerk: Staff, anonymous: APIClient, clock: Callable[..., None],
                                   settings: Any) -> None:
    clock("2026-09-29")
    settings.PUBLIC_SUBMIT_RATE = "2/hour"
    body = {"requester_name": "李四", "contact": "x", "question": "问", "agency": "lianshan-amr"}
    assert [anonymous.post("/api/v1/public/queries/", body, format="json").status_code for _ in range(3)] == [
        201, 201, 429]


def test_an_answered_correction_links_its_letter_and_takes_its_public_reason_from_the_api(
        clerk: Staff, anonymous: APIClient) -> None:
    record = publish_record(clerk)
    submitted = _correction(anonymous, record, SimpleUploadedFile("证据.pdf", PDF, content_type="application/pdf"))
    assert submitted.status_code == 201, submitted.json()
    code = submitted.json()["tracking_code"]
    assert anonymous.get(f"/api/v1/public/requests/{code}/").json()["reply_pdf"] is None  # not decided yet
    answered = clerk.client().post(f"/api/v1/requests/{submitted.json()['id']}/answer/", {
        "decision": "accepted", "reply": "王五：经核实，已予更正。", "changes": {"content": "罚款人民币一万元。"},
        "correction_reason": "罚款金额录入有误"}, format="json")
    assert answered.status_code == 200, answered.json()
    status = anonymous.get(f"/api/v1/public/requests/{code}/").json()
    assert status["reply_pdf"] == f"/api/v1/public/requests/{code}/reply.pdf"
    letter = anonymous.get(status["reply_pdf"])
    assert letter.status_code == 200 and letter["Content-Type"] == "application/pdf"
    history = anonymous.get(f"/api/v1/public/records/{record}/").json()["history"]
    assert history[-1]["action"] == "correct" and history[-1]["reason"] == "罚款金额录入有误"
    assert "王五" not in str(history)  # the letter to the requester is not the public reason
