"""The public API: what is public (status, disclosure, display period, embargo), search, the record
page with its history, the entity page, throttles, and the expiry job (Art. 7, 8, 9, 13)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from disclosure.models import Record, RecordVersion
from disclosure.services.expiry import records_expire
from tests.conftest import OTHER_CODE, VALID_CODE, Staff, penalty

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_throttles() -> None:
    cache.clear()


def publish(staff: Staff, **overrides: Any) -> dict[str, Any]:
    client = staff.client()
    created = client.post("/api/v1/records/", penalty(**overrides), format="json")
    assert created.status_code == 201, created.json()
    published = client.post(f"/api/v1/records/{created.json()['id']}/publish/", {}, format="json")
    assert published.status_code == 200, published.json()
    return dict(client.get(f"/api/v1/records/{created.json()['id']}/").json())


def ids(response: Any) -> list[int]:
    assert response.status_code == 200, response.json()
    return [r["id"] for r in response.json()["results"]]


def test_only_published_public_records_are_listed(clerk: Staff, anonymous: APIClient,
                                                  clock: Callable[..., None]) -> None:
    clock("2026-09-29")
    shown = publish(clerk)
    draft = clerk.client().post("/api/v1/records/", penalty(title="草稿"), format="json").json()
    on_request = publish(clerk, disclosure="on_request", title="依申请")
    withheld = publish(clerk, disclosure="withheld", withheld_reason="涉及国家秘密", title="不予公开")
    assert ids(anonymous.get("/api/v1/public/records/")) == [shown["id"]]
    for hidden in (draft, on_request, withheld):
        assert anonymous.get(f"/api/v1/public/records/{hidden['id']}/").status_code == 404
    body = anonymous.get(f"/api/v1/public/records/{shown['id']}/").json()
    assert body["title"] == shown["title"] and body["agency"] == "lianshan-amr"
    assert "created_by" not in body and "withheld_reason" not in body
    assert [h["action"] for h in body["history"]] == ["publish"]


def test_search_filters(clerk: Staff, make_staff: Callable[[str, str], Staff], anonymous: APIClient,
                        clock: Callable[..., None]) -> None:
    clock("2026-09-29")
    a = publish(clerk, title="某商贸公司销售过期食品案", event_date="2026-09-01")
    b = publish(clerk, kind="permit", title="食品经营许可", subject_code=OTHER_CODE, subject_name="某餐饮店",
                event_date="2026-09-20")
    c = publish(make_staff("longgang-amr", "clerk"), agency="longgang-amr", title="龙港区处罚", event_date="2026-09-10")
    assert ids(anonymous.get("/api/v1/public/records/", {"q": "过期食品"})) == [a["id"]]
    assert ids(anonymous.get("/api/v1/public/records/", {"q": "某餐饮"})) == [b["id"]]
    assert ids(anonymous.get("/api/v1/public/records/", {"subject_code": OTHER_CODE.lower()})) == [b["id"]]
    assert ids(anonymous.get("/api/v1/public/records/", {"agency": "longgang"})) == [c["id"]]
    assert ids(anonymous.get("/api/v1/public/records/", {"agency": "nowhere"})) == []
    assert sorted(ids(anonymous.get("/api/v1/public/records/", {"kind": "penalty"}))) == sorted([a["id"], c["id"]])
    between = {"date_from": "2026-09-05", "date_to": "2026-09-15"}
    assert ids(anonymous.get("/api/v1/public/records/", between)) == [c["id"]]
    bad = anonymous.get("/api/v1/public/records/", {"kind": "gossip"})
    assert bad.status_code == 400 and "kind" in bad.json()["errors"]


def test_search_is_paginated_and_one_query_per_page(clerk: Staff, anonymous: APIClient,
                                                    clock: Callable[..., None]) -> None:
    clock("2026-09-29")
    for n in range(5):
        publish(clerk, title=f"案件{n}")
    with CaptureQueriesContext(connection) as queries:
        page = anonymous.get("/api/v1/public/records/", {"page_size": 2})
    assert page.json()["count"] == 5 and len(page.json()["results"]) == 2 and page.json()["next"]
    assert len(queries) == 2  # the count and the page, agencies joined
    assert len(anonymous.get("/api/v1/public/records/", {"page_size": 2, "page": 3}).json()["results"]) == 1


def test_surprise_plan_invisible_until_its_result_is_published(clerk: Staff, anonymous: APIClient,
                                                               clock: Callable[..., None]) -> None:
    clock("2026-09-29")
    client = clerk.client()
    task = client.post("/api/v1/records/", penalty(kind="inspection_task", surprise=True, title="突击检查计划"),
                       format="json").json()
    assert client.post(f"/api/v1/records/{task['id']}/publish/", {}, format="json").status_code == 409
    for path in ("/api/v1/public/records/", f"/api/v1/public/records/{task['id']}/",
                 f"/api/v1/public/entities/{VALID_CODE}/"):
        assert "突击检查计划" not in anonymous.get(path).content.decode()
    result = publish(clerk, kind="inspection_result", task=task["id"], title="突击检查结果")
    assert client.post(f"/api/v1/records/{task['id']}/publish/", {}, format="json").status_code == 200
    assert sorted(ids(anonymous.get("/api/v1/public/records/"))) == sorted([task["id"], result["id"]])


def test_revoked_record_leaves_search_and_its_page_says_why(clerk: Staff, anonymous: APIClient,
                                                            clock: Callable[..., None]) -> None:
    clock("2026-09-29")
    record = publish(clerk)
    clock("2026-10-12")
    revoked = clerk.client().post(f"/api/v1/records/{record['id']}/revoke/", {
        "reason": "经行政复议撤销", "legal_basis": "《行政复议法》第二十八条", "document_number": "葫复决〔2026〕3号"},
        format="json")
    assert revoked.status_code == 200
    assert ids(anonymous.get("/api/v1/public/records/")) == []
    assert ids(anonymous.get(f"/api/v1/public/entities/{VALID_CODE}/")) == []
    page = anonymous.get(f"/api/v1/public/records/{record['id']}/").json()
    assert page["status"] == "revoked"
    assert page["history"][-1]["action"] == "revoke" and page["history"][-1]["reason"] == "经行政复议撤销"
    assert page["history"][-1]["at"].startswith("2026-10-12")


def test_changed_record_shows_current_version_and_history(clerk: Staff, anonymous: APIClient,
                                                         clock: Callable[..., None]) -> None:
    clock("2026-09-29")
    record = publish(clerk)
    clerk.client().post(f"/api/v1/records/{record['id']}/change/", {
        "reason": "复议变更罚款数额", "legal_basis": "复议决定", "document_number": "葫复决〔2026〕4号",
        "changes": {"content": "罚款人民币一万元。"}}, format="json")
    page = anonymous.get(f"/api/v1/public/records/{record['id']}/").json()
    assert page["content"] == "罚款人民币一万元。" and page["status"] == "changed"
    assert [(h["action"], h["reason"]) for h in page["history"]] == [("publish", ""), ("change", "复议变更罚款数额")]


def test_entity_page_lists_one_code_in_time_order(clerk: Staff, anonymous: APIClient,
                                                  clock: Callable[..., None]) -> None:
    clock("2026-09-29")
    later = publish(clerk, event_date="2026-09-20", title="后")
    earlier = publish(clerk, kind="permit", event_date="2026-09-02", title="前")
    publish(clerk, subject_code=OTHER_CODE, title="别家")
    assert ids(anonymous.get(f"/api/v1/public/entities/{VALID_CODE}/")) == [earlier["id"], later["id"]]


@pytest.mark.parametrize(("types", "fine", "expires"), [
    # NDRC Order 2025 No. 36 (the rule table in force): minor 3 months, general 1 year, serious 3
    # years, from the decision date; ``expires_on`` is the first day after the period's last day
    # (tests/test_publicity.py pins every category and combination).
    ([], None, "2027-09-29"),                       # no type named: general
    (["warning"], None, "2026-12-29"),
    (["criticism"], None, "2026-12-29"),
    (["fine"], "5000.00", "2026-12-29"),            # a low fine
    (["fine"], "60000.00", "2027-09-29"),           # over an organisation's low amount
    (["fine"], None, "2027-09-29"),                 # amount unknown: not presumed low
    (["warning", "confiscate_gains"], None, "2027-09-29"),  # several: the heaviest class applies
    (["revoke_licence"], None, "2029-09-29"),
])
def test_display_period_of_penalties(clerk: Staff, clock: Callable[..., None], types: list[str], fine: str | None,
                                     expires: str) -> None:
    clock("2026-09-29")
    # Backfilled: published with what it has (a new record without its types or its fine amount is
    # refused at publication, tests/test_standard_fields.py), so every combination can be shown.
    record = publish(clerk, penalty_types=types, fine_amount=fine, backfill=True)
    assert record["expires_on"] == expires


def test_display_period_of_other_kinds_from_the_rule_table(clerk: Staff, clock: Callable[..., None]) -> None:
    clock("2026-09-29")
    assert publish(clerk, kind="permit")["expires_on"] == "2029-09-29"  # 36 months (Art. 8), shown through 09-28
    assert publish(clerk, kind="dishonest_list")["expires_on"] == "2029-09-29"  # Order 36: at most 3 years
    bad = clerk.client().post("/api/v1/records/", penalty(kind="permit", penalty_types=["fine"]), format="json")
    assert bad.status_code == 400 and "penalty_types" in bad.json()["errors"]
    bad = clerk.client().post("/api/v1/records/", penalty(penalty_types=["flogging"]), format="json")
    assert bad.status_code == 400 and "penalty_types" in bad.json()["errors"]


def test_expired_record_gone_from_search_and_archived(clerk: Staff, anonymous: APIClient,
                                                      clock: Callable[..., None]) -> None:
    clock("2026-09-29")
    short = publish(clerk, penalty_types=["warning"], title="警告")
    long = publish(clerk, penalty_types=["detention"], title="拘留")
    clock("2026-12-28")  # the warning's three months end today: still shown
    assert records_expire() == 0
    assert sorted(ids(anonymous.get("/api/v1/public/records/"))) == sorted([short["id"], long["id"]])
    clock("2026-12-29")
    # Out of the public view the day after, before the job has run.
    assert ids(anonymous.get("/api/v1/public/records/")) == [long["id"]]
    assert anonymous.get(f"/api/v1/public/records/{short['id']}/").status_code == 404
    assert records_expire() == 1
    assert records_expire() == 0  # re-run: nothing more
    stored = Record.objects.get(pk=short["id"])
    assert stored.status == "expired"
    assert list(RecordVersion.objects.filter(record=stored).values_list("action", flat=True)) == [
        "create", "publish", "expire"]
    # The agency still sees it in its own list.
    assert clerk.client().get(f"/api/v1/records/{short['id']}/").json()["status"] == "expired"


def test_expiry_task_through_celery_name(clerk: Staff, clock: Callable[..., None]) -> None:
    from disclosure.tasks import expire_records

    clock("2026-09-29")
    publish(clerk, penalty_types=["warning"])
    clock("2027-01-05")
    assert expire_records.name == "disclosure.expire_records"
    assert expire_records.apply().get() == 1


def test_search_is_throttled(clerk: Staff, anonymous: APIClient, settings: Any) -> None:
    settings.PUBLIC_SEARCH_RATE = "3/minute"
    for _ in range(3):
        assert anonymous.get("/api/v1/public/records/").status_code == 200
    refused = anonymous.get("/api/v1/public/records/")
    assert refused.status_code == 429 and refused.json()["detail"]


def test_deadline_calculator_shows_the_arithmetic(anonymous: APIClient) -> None:
    # 2026-09-30 + 20 working days: the National Day holiday (10-01..10-07) is skipped and the
    # make-up working Saturday 10-10 counts; Sunday 10-11 does not.
    body = anonymous.get("/api/v1/public/deadline/", {"kind": "query_reply", "date": "2026-09-30"}).json()
    assert body["first_day"] == "2026-10-01"
    days = {d["date"]: (d["kind"], d["counted"]) for d in body["days"]}
    assert days["2026-10-01"] == ("holiday", False)
    assert days["2026-10-10"] == ("makeup_workday", True)
    assert days["2026-10-11"] == ("weekend", False)
    assert body["due_date"] == "2026-11-03" and body["provisional"] is False
    assert anonymous.get("/api/v1/public/deadline/", {"kind": "penalty", "date": "2026-09-28"}).json()["due_date"]
    assert anonymous.get("/api/v1/public/deadline/", {"kind": "x", "date": "2026-09-28"}).status_code == 400
