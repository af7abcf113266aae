"""The subject's statement (当事人陈述, issue 15) through HTTP: submission and its refusals, the
agency's check (accept / reject with reasons), the statement beside the record on the public API,
the portal page and the feed, masked with the record's context and never searchable; a later
statement replaces the earlier; the audit trail and the transparency log still verify."""
from __future__ import annotations

import base64
import io
import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client, override_settings
from pypdf import PdfReader
from rest_framework.test import APIClient

from disclosure import merkle
from disclosure.models import CitizenRequest, FeedEvent, Record, Role, User
from disclosure.services.privacy import fold
from disclosure.services.transparency import tlog_verify, tree_head_sign
from disclosure.services.users import user_create
from tests.conftest import PASSWORD, Staff, call_command_en, publish_record

pytestmark = pytest.mark.django_db

URL = "/api/v1/public/statements/"
SAID = "本公司已于十月整改完毕，处罚决定已履行。"


@pytest.fixture(autouse=True)
def _fresh_throttles() -> None:
    cache.clear()


@pytest.fixture
def platform(superuser: User) -> APIClient:
    _user, _m, token = user_create(actor=superuser, username="province", password=PASSWORD, agency_code="city",
                                   role=Role.PLATFORM)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def submit(record: Any, statement: str = SAID, **extra: Any) -> Any:
    cache.clear()  # the submission throttle: these tests send more than an hour's worth
    body = {"record": record, "requester_name": "某商贸有限公司 王经理", "contact": "13900001111",
            "statement": statement, **extra}
    return APIClient().post(URL, body, format="json")


def answer(staff: Staff, request_id: int, decision: str, reply: str = "经审核，予以展示。") -> Any:
    return staff.client().post(f"/api/v1/requests/{request_id}/answer/", {"decision": decision, "reply": reply},
                               format="json")


def is_json_error(response: Any) -> bool:
    return response["Content-Type"].startswith("application/json") and set(response.json()) == {"detail", "errors"}


def digits(text: str) -> str:
    return re.sub(r"[^0-9]", "", fold(text))


# -- submission ------------------------------------------------------------------------------------
def test_a_statement_is_received_with_a_tracking_code_and_checked_within_five_working_days(
        clerk: Staff, clock: Callable[..., None]) -> None:
    clock("2026-09-29")
    record = publish_record(clerk)
    made = submit(record)
    assert made.status_code == 201, made.json()
    body = made.json()
    # 5 working days from Tuesday 2026-09-29: 09-30, the National Day holiday (10-01..07) skipped,
    # 10-08, 10-09, the make-up working Saturday 10-10, and Monday 10-12.
    assert (body["kind"], body["status"], body["due_date"]) == ("statement", "open", "2026-10-12")
    assert set(body) >= {"id", "tracking_code", "status", "due_date"}
    status = APIClient().get(f"/api/v1/public/requests/{body['tracking_code']}/").json()
    assert status["kind"] == "statement" and status["status"] == "open" and status["statement_version"] is None
    assert "13900001111" not in json.dumps(status, ensure_ascii=False) and "王经理" not in json.dumps(
        status, ensure_ascii=False)
    queue = clerk.client().get("/api/v1/requests/", {"kind": "statement", "open": "true"}).json()["results"]
    assert [(r["id"], r["text"], r["contact"]) for r in queue] == [(body["id"], SAID, "13900001111")]
    rule = APIClient().get("/api/v1/public/deadline/", {"kind": "statement_reply", "date": "2026-09-29"}).json()
    assert (rule["due_date"], rule["period"], rule["unit"]) == ("2026-10-12", 5, "working_days")


def test_a_form_post_works_too_and_the_text_is_kept_as_written(clerk: Staff, clock: Callable[..., None]) -> None:
    clock("2026-09-29")
    record = publish_record(clerk)
    made = APIClient().post(URL, {"record": str(record), "requester_name": "王五", "contact": "wang@example.org",
                                  "statement": "  第一行\r\n第二行  "})
    assert made.status_code == 201, made.json()
    assert CitizenRequest.objects.get(pk=made.json()["id"]).text == "第一行\n第二行"


@pytest.mark.parametrize("which", ["draft", "on_request", "revoked", "missing"])
def test_only_a_record_in_the_public_search_takes_a_statement(clerk: Staff, clock: Callable[..., None],
                                                              which: str) -> None:
    clock("2026-09-29")
    client = clerk.client()
    if which == "draft":
        record = int(client.post("/api/v1/records/", {"kind": "other", "agency": "lianshan-amr", "title": "草稿",
                                                      "subject_name": "某公司", "event_date": "2026-09-28"},
                                 format="json").json()["id"])
    elif which == "on_request":
        record = publish_record(clerk, disclosure="on_request")
    elif which == "revoked":
        record = publish_record(clerk)
        client.post(f"/api/v1/records/{record}/revoke/", {"reason": "复议撤销", "legal_basis": "复议决定",
                                                           "document_number": "复〔2026〕1号"}, format="json")
    else:
        record = 999_999
    refused = submit(record)
    assert refused.status_code == 400 and is_json_error(refused)
    assert refused.json()["errors"]["record"] == ["没有该编号的公示信息。"]
    assert not CitizenRequest.objects.exists()


def test_the_text_must_be_there_and_short(clerk: Staff, clock: Callable[..., None], settings: Any) -> None:
    clock("2026-09-29")
    record = publish_record(clerk)
    for empty in ("", "   ", "\n\t "):
        refused = submit(record, empty)
        assert refused.status_code == 400 and is_json_error(refused) and "statement" in refused.json()["errors"]
    too_long = submit(record, "陈" * 501)
    assert too_long.status_code == 400 and "500" in too_long.json()["errors"]["statement"][0]
    # A line break is one character however it was sent: 499 characters and a CRLF fit in 500.
    assert submit(record, "陈" * 250 + "\r\n" + "陈" * 249).status_code == 201
    settings.PUBLIC_STATEMENT_MAX_CHARS = 10  # a setting, read on every request
    other = publish_record(clerk, title="另一案")
    assert submit(other, "陈" * 11).status_code == 400
    schema = APIClient().get("/api/schema/?format=json").json()
    assert schema["components"]["schemas"]["StatementInput"]["properties"]["statement"]["maxLength"] == 10


def test_one_statement_at_a_time_waits_per_record(clerk: Staff, clock: Callable[..., None]) -> None:
    clock("2026-09-29")
    record = publish_record(clerk)
    first = submit(record).json()
    again = submit(record, "另一份陈述")
    assert again.status_code == 400
    assert again.json()["errors"]["record"] == ["该信息已有一份陈述正在等待行政机关审核；审核结束后方可再次提交。"]
    assert answer(clerk, first["id"], "rejected", "含有与该信息无关的内容。").status_code == 200
    assert submit(record, "修改后的陈述").status_code == 201  # decided: the subject may send another


@pytest.mark.parametrize("record", ["１２", "١٢", "²", "12345678901234567890", -1, 0, 1.5, True, "1 2", "a", None])
def test_bad_record_ids_are_a_json_400(clerk: Staff, clock: Callable[..., None], record: Any) -> None:
    clock("2026-09-29")
    publish_record(clerk)  # id 1 exists and is public: "１" must not reach it
    refused = submit(record)
    assert refused.status_code == 400 and is_json_error(refused) and "record" in refused.json()["errors"]


def test_nul_bytes_and_control_characters_are_a_400_never_a_500(clerk: Staff, clock: Callable[..., None]) -> None:
    clock("2026-09-29")
    record = publish_record(clerk)
    for field, value in (("statement", "陈述\x00内容"), ("requester_name", "王\x00五"), ("contact", "1\x003")):
        refused = submit(record, **{field: value}) if field != "statement" else submit(record, value)
        assert refused.status_code == 400 and is_json_error(refused) and field in refused.json()["errors"], field
    form = APIClient().post(URL, {"record": str(record), "requester_name": "王五", "contact": "x@example.org",
                                  "statement": "陈述\x07内容"}, format="multipart")
    assert form.status_code == 400 and is_json_error(form) and "statement" in form.json()["errors"]
    page = Client().post("/statements/new/", {"record": str(record), "requester_name": "王\x00五", "contact": "x",
                                              "statement": "陈述\x00"})
    assert page.status_code == 400 and page["Content-Type"].startswith("text/html")
    assert not CitizenRequest.objects.exists()


def test_hostile_bodies_get_the_json_error_format(clerk: Staff, clock: Callable[..., None]) -> None:
    clock("2026-09-29")
    record = publish_record(clerk)
    nested = APIClient().post(URL, data="[" * 100_000, content_type="application/json")
    assert nested.status_code == 400 and is_json_error(nested)
    broken = APIClient().post(URL, data='{"record": 1, "statement": "x', content_type="application/json")
    assert broken.status_code == 400 and is_json_error(broken)
    with override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=10_000):
        big = submit(record, "陈" * 20_000)
        assert big.status_code == 413 and is_json_error(big)
    with override_settings(PUBLIC_REQUEST_MAX_BYTES=1000):
        cache.clear()
        huge = APIClient().post(URL, {"record": record, "requester_name": "王五", "contact": "x",
                                      "statement": "陈" * 600}, format="json")
        assert huge.status_code == 413 and is_json_error(huge)
    assert not CitizenRequest.objects.exists()


# -- the agency's check ---------------------------------------------------------------------------------
NAME = "张三丰"
ID_RAW = "110105199003071234"
MOBILE_RAW = "13812345678"
LANDLINE_RAW = "04292345678"
# The subject's words as people write them: full-width digits, middle dots, a line break and wide
# spaces inside numbers, odd separators, the subject's own name (a natural person, outside the
# punitive kinds: de-identified on every public text of the record).
NASTY = ("本人张三丰（身份证号１１０１０５·１９９００３０７·１２３４）对该许可信息无异议，"
         "但经营地址已变更。联系电话138·1234·5678，备用１３８\n１２３４\u3000５６７８，座机0429－234 5678。"
         "另：张 三 丰系本人签名。")


def _natural_person_permit(clerk: Staff) -> int:
    return publish_record(clerk, kind="permit", subject_type="natural_person", subject_name=NAME, subject_code="",
                          title=f"{NAME}食品经营许可", content="准予食品经营许可。",
                          document_number="连市监许〔2026〕8号")


def test_an_accepted_statement_is_shown_masked_with_the_record_and_never_searched(
        clerk: Staff, platform: APIClient, client: Client, clock: Callable[..., None]) -> None:
    clock("2026-09-29")
    record = _natural_person_permit(clerk)
    before = platform.get("/api/v1/feed/").json()["events"]
    made = submit(record, NASTY).json()
    assert CitizenRequest.objects.get(pk=made["id"]).text == NASTY  # the agency reads it as written
    # Nothing is shown before the check.
    assert APIClient().get(f"/api/v1/public/records/{record}/").json()["subject_statement"] == ""
    assert 'id="subject-statement"' not in client.get(f"/records/{record}/").content.decode()
    clock("2026-10-09")
    accepted = answer(clerk, made["id"], "accepted")
    assert accepted.status_code == 200, accepted.json()
    assert accepted.json()["status"] == "accepted" and accepted.json()["statement_version"] == 3

    versions = clerk.client().get(f"/api/v1/records/{record}/versions/").json()
    assert [(v["action"], v["status"]) for v in versions] == [
        ("create", "draft"), ("publish", "published"), ("statement", "published")]  # status unchanged
    assert Record.objects.get(pk=record).subject_statement == NASTY

    detail = APIClient().get(f"/api/v1/public/records/{record}/").json()
    shown = detail["subject_statement"]
    assert detail["subject_statement_on"] == "2026-09-29" and detail["status"] == "published"
    # Masked in place, separators kept: the first and last digits stay, the rest are stars.
    assert shown.startswith("本人张**（身份证号110***·********·**34）对该许可信息无异议") and "张**系本人签名" in shown
    assert "138·****·5678" in shown and "138 **** 5678" in shown and "0429-*** **78" in shown
    assert detail["history"][-1]["action"] == "statement"

    after = platform.get("/api/v1/feed/").json()["events"]
    [event] = after[len(before):]
    assert (event["action"], event["record"], event["version"], event["public"]) == ("statement", record, 3, True)
    assert event["payload"]["subject_statement"] == shown
    assert event["payload"]["subject_statement_on"] == "2026-09-29"
    # The publication's payload said there was no statement; it still does (its leaf is frozen).
    assert (after[0]["payload"]["subject_statement"], after[0]["payload"]["subject_statement_on"]) == ("", None)

    page = client.get(f"/records/{record}/").content.decode()
    assert 'id="subject-statement"' in page and "<h2 id=\"statement-h\">当事人陈述</h2>" in page
    assert "以下内容为当事人自述，不代表行政机关意见" in page and "2026-09-29" in page
    english = client.get(f"/records/{record}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "The subject’s own words; not the agency’s view." in english.replace("&#x27;", "’").replace("'", "’")
    assert "Subject’s statement" in english.replace("&#x27;", "’").replace("'", "’")

    outputs = [json.dumps(detail, ensure_ascii=False), json.dumps(after, ensure_ascii=False), page,
               json.dumps(APIClient().get("/api/v1/public/records/").json(), ensure_ascii=False),
               client.get(f"/track/{made['tracking_code']}/").content.decode()]
    for output in outputs:
        for raw in (ID_RAW, MOBILE_RAW, LANDLINE_RAW):
            assert raw not in digits(output), raw
        assert NAME not in output and "张 三 丰" not in output

    # The subject's words are not searchable: a word only the statement holds finds nothing.
    for word in ("无异议", "经营地址已变更", "备用"):
        assert APIClient().get("/api/v1/public/records/", {"q": word}).json()["count"] == 0, word
        assert "食品经营许可" not in client.get("/search/", {"q": word}).content.decode()
    assert APIClient().get("/api/v1/public/records/", {"q": "食品经营许可"}).json()["count"] == 1

    letter = APIClient().get(f"/api/v1/public/requests/{made['tracking_code']}/reply.pdf")
    assert letter.status_code == 200 and letter["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(letter.content)).pages).replace("\n", "")
    assert "关于当事人陈述的审核答复" in text and "予以展示" in text


def test_a_rejected_statement_is_not_shown_and_its_reasons_go_with_the_tracking_code(
        clerk: Staff, platform: APIClient, client: Client, clock: Callable[..., None]) -> None:
    clock("2026-09-29")
    record = publish_record(clerk)
    made = submit(record, "办案人员李某某收受贿赂，电话13712345678。").json()
    events = len(platform.get("/api/v1/feed/").json()["events"])
    no_reason = answer(clerk, made["id"], "rejected", "  ")
    assert no_reason.status_code == 400 and "reply" in no_reason.json()["errors"]
    wrong = answer(clerk, made["id"], "answered", "x")
    assert wrong.status_code == 400 and "decision" in wrong.json()["errors"]
    reasons = "陈述含有对他人的指控及他人的个人信息，不予展示。"
    assert answer(clerk, made["id"], "rejected", reasons).status_code == 200
    status = APIClient().get(f"/api/v1/public/requests/{made['tracking_code']}/").json()
    assert (status["status"], status["reply"], status["statement_version"]) == ("rejected", reasons, None)
    page = client.get(f"/track/{made['tracking_code']}/").content.decode()
    assert "不予采纳" in page and reasons in page and "修改后重新提交陈述" in page
    assert APIClient().get(f"/api/v1/public/records/{record}/").json()["subject_statement"] == ""
    assert 'id="subject-statement"' not in client.get(f"/records/{record}/").content.decode()
    assert [v["action"] for v in clerk.client().get(f"/api/v1/records/{record}/versions/").json()] == [
        "create", "publish"]
    assert len(platform.get("/api/v1/feed/").json()["events"]) == events
    again = answer(clerk, made["id"], "accepted")
    assert again.status_code == 409


def test_only_the_records_agency_answers(clerk: Staff, outsider: Staff, make_staff: Callable[[str, str], Staff],
                                         clock: Callable[..., None]) -> None:
    clock("2026-09-29")
    record = publish_record(clerk)
    made = submit(record).json()
    assert answer(outsider, made["id"], "accepted").status_code == 404
    assert outsider.client().get("/api/v1/requests/", {"kind": "statement"}).json()["results"] == []
    viewer = make_staff("lianshan-amr", "viewer")
    assert answer(viewer, made["id"], "accepted").status_code == 403
    web = Client()
    web.force_login(outsider.user)
    assert web.post(f"/workspace/requests/{made['id']}/", {"decision": "accepted", "reply": "x"}).status_code == 404
    assert CitizenRequest.objects.get(pk=made["id"]).status == "open"
    assert Record.objects.get(pk=record).subject_statement == ""


def test_a_later_accepted_statement_replaces_the_earlier(clerk: Staff, platform: APIClient, client: Client,
                                                         clock: Callable[..., None]) -> None:
    clock("2026-09-29")
    record = publish_record(clerk)
    first = submit(record, "第一次陈述：已整改。").json()
    assert answer(clerk, first["id"], "accepted").status_code == 200
    clock("2026-10-12")
    second = submit(record, "第二次陈述：罚款已全部缴纳。").json()
    assert answer(clerk, second["id"], "accepted").status_code == 200
    detail = APIClient().get(f"/api/v1/public/records/{record}/").json()
    assert detail["subject_statement"] == "第二次陈述：罚款已全部缴纳。"
    assert detail["subject_statement_on"] == "2026-10-12"
    page = client.get(f"/records/{record}/").content.decode()
    assert "第二次陈述" in page and "第一次陈述" not in page
    assert [h["action"] for h in detail["history"]] == ["publish", "statement", "statement"]
    versions = clerk.client().get(f"/api/v1/records/{record}/versions/").json()
    assert [v["number"] for v in versions if v["action"] == "statement"] == [3, 4]
    feed = [e for e in platform.get("/api/v1/feed/").json()["events"] if e["action"] == "statement"]
    assert [e["payload"]["subject_statement"] for e in feed] == ["第一次陈述：已整改。", "第二次陈述：罚款已全部缴纳。"]
    # A later change of the record keeps the statement with it.
    changed = clerk.client().post(f"/api/v1/records/{record}/change/", {
        "reason": "文号录入有误", "legal_basis": "第九条", "document_number": "连市监更〔2026〕2号",
        "changes": {"title": "某商贸有限公司销售不合格产品案（更新）"}}, format="json")
    assert changed.status_code == 200, changed.json()
    latest = platform.get("/api/v1/feed/").json()["events"][-1]
    assert latest["action"] == "change" and latest["payload"]["subject_statement"] == "第二次陈述：罚款已全部缴纳。"


def test_a_statement_is_not_shown_beside_a_record_no_longer_in_force(clerk: Staff, clock: Callable[..., None]) -> None:
    clock("2026-09-29")
    record = publish_record(clerk)
    made = submit(record).json()
    clerk.client().post(f"/api/v1/records/{record}/revoke/", {"reason": "复议撤销", "legal_basis": "复议决定",
                                                               "document_number": "复〔2026〕1号"}, format="json")
    refused = answer(clerk, made["id"], "accepted")
    assert refused.status_code == 409 and "decision" in refused.json()["errors"]
    assert answer(clerk, made["id"], "rejected", "该信息已撤销。").status_code == 200


def test_the_audit_trail_and_the_transparency_log_still_verify(clerk: Staff, clock: Callable[..., None]) -> None:
    clock("2026-09-29")
    record = _natural_person_permit(clerk)
    made = submit(record, NASTY).json()
    clock("2026-10-09")
    assert answer(clerk, made["id"], "accepted").status_code == 200
    other = publish_record(clerk, title="之后发布的案件")
    out = io.StringIO()
    call_command_en("verify_audit", stdout=out)
    assert "Audit trail intact" in out.getvalue()
    # The row carries its statement exactly as the latest sealed version says.
    row = Record.objects.get(pk=record)
    assert row.versions.get(number=3).data["subject_statement"] == NASTY == row.subject_statement
    head = tree_head_sign()
    assert tlog_verify(progress=False).ok
    api = APIClient()
    for version in (2, 3):  # the publication (before the statement) and the statement's own leaf
        proof = api.get("/api/v1/transparency/proof/inclusion/", {"record": record, "version": version}).json()
        assert proof["tree_size"] == head.tree_size
        leaf = base64.b64decode(proof["leaf"])  # served: still what the public sees of that version
        assert merkle.verify_inclusion(index=proof["leaf_index"], size=head.tree_size, leaf=merkle.leaf_hash(leaf),
                                       proof=[base64.b64decode(h) for h in proof["audit_path"]],
                                       root=bytes(head.root_hash))
        shown = json.loads(leaf)
        assert shown["version"] == version
        assert bool(shown["payload"]["subject_statement"]) == (version == 3)
        for raw in (ID_RAW, MOBILE_RAW, LANDLINE_RAW):
            assert raw not in digits(leaf.decode())
        assert NAME not in leaf.decode()
    assert other


def test_the_deadline_sweep_chases_an_unchecked_statement(clerk: Staff, clock: Callable[..., None]) -> None:
    clock("2026-09-29")
    record = publish_record(clerk)
    made = submit(record).json()
    clock("2026-10-13")
    call_command_en("check_deadlines", stdout=io.StringIO(), stderr=io.StringIO())
    notices = clerk.client().get("/api/v1/notifications/").json()["results"]
    [overdue] = [n for n in notices if n["request"] == made["id"]]
    assert (overdue["kind"], overdue["due_date"]) == ("overdue", "2026-10-12")
    assert "当事人陈述" in str(overdue["title"])


def test_a_statement_is_not_accepted_once_the_record_is_past_its_display_period(
        clerk: Staff, clock: Callable[..., None]) -> None:
    """The end of display has come but the expiry job has not run yet: the statement would not
    be shown, so accepting it is refused (409) and nothing is sent to the feed."""
    clock("2026-09-29")
    record = publish_record(clerk, penalty_types=["warning"], fine_amount=None)  # minor: three months
    made = submit(record).json()
    clock("2026-12-29")  # shown through 2026-12-28
    events = FeedEvent.objects.count()
    refused = answer(clerk, made["id"], "accepted")
    assert refused.status_code == 409 and "decision" in refused.json()["errors"]
    assert FeedEvent.objects.count() == events
    assert answer(clerk, made["id"], "rejected", "该信息已届满公示期。").status_code == 200


def test_changes_are_refused_with_a_statement(clerk: Staff, clock: Callable[..., None]) -> None:
    clock("2026-09-29")
    record = publish_record(clerk)
    made = submit(record).json()
    response = clerk.client().post(f"/api/v1/requests/{made['id']}/answer/", {
        "decision": "accepted", "reply": "予以展示。", "changes": {"title": "改"}}, format="json")
    assert response.status_code == 400 and "changes" in response.json()["errors"]
