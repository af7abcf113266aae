"""The records API of API.md, through HTTP: lifecycle, deadlines, versions, conflicts, bad input."""
from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from rest_framework.test import APIClient

from disclosure.models import AuditEntry, Record, RecordVersion
from tests.conftest import OTHER_CODE, VALID_CODE, Staff, penalty

pytestmark = pytest.mark.django_db


def create(staff: Staff, **overrides: Any) -> dict[str, Any]:
    response = staff.client().post("/api/v1/records/", penalty(**overrides), format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def publish(staff: Staff, record_id: int) -> Any:
    return staff.client().post(f"/api/v1/records/{record_id}/publish/", {}, format="json")


CHANGE = {
    "reason": "行政复议决定变更罚款数额",
    "legal_basis": "《中华人民共和国行政复议法》第六十三条",
    "document_number": "葫政复决字〔2026〕3号",
}


class TestCreate:
    def test_penalty_gets_its_seven_working_day_deadline_across_national_day(self, clerk: Staff, clock: Any) -> None:
        clock("2026-09-29")
        body = create(clerk)
        assert body["status"] == "draft"
        assert body["version"] == 1
        assert body["kind"] == "penalty"
        assert body["agency"] == "lianshan-amr"
        # 9-29, 9-30, (10-1..10-7 National Day), 10-8, 10-9, 10-10 (make-up Saturday), 10-12, 10-13
        assert body["due_date"] == "2026-10-13"
        assert body["due_provisional"] is False
        assert Record.objects.get(pk=body["id"]).versions.count() == 1

    @pytest.mark.parametrize(
        ("kind", "event_date", "today", "due"),
        [
            ("inspection_task", "2026-09-30", "2026-10-08", "2026-10-20"),
            ("inspection_result", "2026-09-30", "2026-10-08", "2026-10-20"),
            ("permit", "2025-12-30", "2026-01-05", "2026-01-09"),  # 元旦 with make-up Sunday 2026-01-04
            ("coercive_measure", "2026-02-12", "2026-02-13", "2026-02-28"),  # 春节, make-up Saturdays counted
            ("administrative_order", "2026-09-28", "2026-09-29", "2026-10-13"),
            ("other", "2026-09-14", "2026-09-15", "2026-10-08"),  # 20 days end 10-04, in 国庆 -> next working day
            ("other", "2026-09-21", "2026-09-22", "2026-10-12"),  # ends Sunday 10-11 -> Monday
            ("filing", "2026-03-01", "2026-03-02", "2026-03-23"),  # ends Saturday 03-21 -> Monday 03-23
            ("dishonest_list", "2026-04-01", "2026-04-02", "2026-04-21"),
        ],
    )
    def test_every_kind_around_holidays(self, clerk: Staff, clock: Any, kind: str, event_date: str, today: str,
                                        due: str) -> None:
        clock(today)
        body = create(clerk, kind=kind, event_date=event_date)
        assert (body["due_date"], body["due_provisional"]) == (due, False)

    def test_deadline_in_an_unloaded_year_is_provisional(self, clerk: Staff, clock: Any) -> None:
        clock("2026-12-29")
        body = create(clerk, event_date="2026-12-28")
        assert body["due_provisional"] is True
        assert body["due_date"] == "2027-01-06"  # weekends only until the 2027 notice is loaded

    def test_surprise_task_has_no_deadline_of_its_own(self, clerk: Staff, clock: Any) -> None:
        clock("2026-10-09")
        body = create(clerk, kind="inspection_task", event_date="2026-10-09", surprise=True)
        assert body["surprise"] is True
        assert body["due_date"] is None

    def test_surprise_plan_is_published_only_after_its_result(self, clerk: Staff, clock: Any) -> None:
        clock("2026-10-09")
        task = create(clerk, kind="inspection_task", event_date="2026-10-09", surprise=True)
        early = publish(clerk, task["id"])
        assert early.status_code == 409
        assert "surprise" in early.json()["errors"]
        result = create(clerk, kind="inspection_result", event_date="2026-10-09", task=task["id"])
        assert publish(clerk, task["id"]).status_code == 409  # a result in draft is not enough
        assert publish(clerk, result["id"]).status_code == 200
        late = publish(clerk, task["id"])
        assert late.status_code == 200, late.json()
        assert late.json()["on_time"] is True
        assert Record.objects.get(pk=task["id"]).status == "published"

    def test_result_names_its_task(self, clerk: Staff, clock: Any) -> None:
        clock("2026-10-09")
        task = create(clerk, kind="inspection_task", event_date="2026-10-09", surprise=True)
        result = create(clerk, kind="inspection_result", event_date="2026-10-09", task=task["id"])
        assert result["task"] == task["id"]
        assert result["due_date"] == "2026-10-22"  # the make-up Saturday 10-10 counts

    def test_natural_person_without_code(self, clerk: Staff, clock: Any) -> None:
        """A natural person has no credit code, so none is required; an organization without one
        is refused, and so is a natural person whose type is left to the default with a code."""
        clock("2026-10-09")
        body = create(clerk, subject_name="张某", subject_code="", subject_type="natural_person",
                      event_date="2026-10-09")
        assert body["subject_code"] == ""
        assert body["subject_type"] == "natural_person"
        assert clerk.client().post(f"/api/v1/records/{body['id']}/publish/", {}, format="json").status_code == 200
        refused = clerk.client().post("/api/v1/records/", penalty(
            subject_code="", subject_type="organization", event_date="2026-10-09"), format="json")
        assert refused.status_code == 400
        assert "subject_code" in refused.json()["errors"]
        defaulted = create(clerk, subject_name="李某", subject_code="", event_date="2026-10-09")
        assert defaulted["subject_type"] == "natural_person"  # no code: a natural person by default

    def test_full_width_credit_code_is_normalized(self, clerk: Staff, clock: Any) -> None:
        clock("2026-10-09")
        full_width = VALID_CODE.translate({c: c + 0xFEE0 for c in range(0x21, 0x7F)})
        body = create(clerk, subject_code=f" {full_width} ", event_date="2026-10-09")
        assert body["subject_code"] == VALID_CODE


class TestBadInput:
    @pytest.mark.parametrize(
        ("overrides", "field"),
        [
            ({"kind": "speeding_ticket"}, "kind"),
            ({"agency": "no-such-agency"}, "agency"),
            ({"title": ""}, "title"),
            ({"title": "x" * 301}, "title"),
            ({"subject_name": "   "}, "subject_name"),
            ({"subject_code": VALID_CODE[:-1] + ("0" if VALID_CODE[-1] != "0" else "1")}, "subject_code"),
            ({"subject_code": "91211400MA0Q12"}, "subject_code"),
            ({"subject_code": "", "subject_type": "organization"}, "subject_code"),
            ({"subject_type": "robot"}, "subject_type"),
            ({"event_date": "2026/09/28"}, "event_date"),
            ({"event_date": "2026-10-01"}, "event_date"),  # in the future (today is 2026-09-29)
            ({"event_date": None}, "event_date"),
            ({"disclosure": "secret"}, "disclosure"),
            ({"disclosure": "withheld"}, "withheld_reason"),
            ({"surprise": True}, "surprise"),
            ({"task": 999999}, "task"),
            ({"backfill": "maybe"}, "backfill"),
            ({"surprise": "sometimes"}, "surprise"),
            ({"content": "x" * 20001}, "content"),
            ({"legal_basis": "x" * 2001}, "legal_basis"),
            ({"document_number": "x" * 101}, "document_number"),
            ({"withheld_reason": "x" * 2001}, "withheld_reason"),
            ({"task": "first"}, "task"),
            ({"agency": ""}, "agency"),
            ({"event_date": "2004-02-30"}, "event_date"),
        ],
    )
    def test_each_bad_field_is_named(self, clerk: Staff, clock: Any, overrides: dict[str, Any], field: str) -> None:
        clock("2026-09-29")
        response = clerk.client().post("/api/v1/records/", penalty(**overrides), format="json")
        assert response.status_code == 400, response.json()
        body = response.json()
        assert field in body["errors"], body
        assert body["detail"]
        assert all(isinstance(m, str) and m for m in body["errors"][field])
        assert not Record.objects.exists()

    def test_unknown_kind_lists_the_known_ones(self, clerk: Staff, clock: Any) -> None:
        clock("2026-09-29")
        body = clerk.client().post("/api/v1/records/", penalty(kind="license"), format="json").json()
        assert "penalty" in body["errors"]["kind"][0] and "dishonest_list" in body["errors"]["kind"][0]

    def test_task_must_be_an_inspection_task(self, clerk: Staff, clock: Any) -> None:
        clock("2026-10-09")
        other = create(clerk, event_date="2026-10-09")
        response = clerk.client().post(
            "/api/v1/records/", penalty(kind="inspection_result", task=other["id"], event_date="2026-10-09"),
            format="json")
        assert response.status_code == 400
        assert "task" in response.json()["errors"]

    def test_withheld_with_reason_is_accepted(self, clerk: Staff, clock: Any) -> None:
        """Not disclosing needs its reason (Art. 4); with one, the record is kept with the reason,
        publishes, and never reaches the public."""
        clock("2026-09-29")
        reason = "涉及国家秘密，依《保守国家秘密法》不予公开"
        refused = clerk.client().post("/api/v1/records/", penalty(disclosure="withheld", withheld_reason=" "),
                                      format="json")
        assert refused.status_code == 400
        assert "withheld_reason" in refused.json()["errors"]
        body = create(clerk, disclosure="withheld", withheld_reason=reason)
        assert (body["disclosure"], body["withheld_reason"]) == ("withheld", reason)
        published = clerk.client().post(f"/api/v1/records/{body['id']}/publish/", {}, format="json")
        assert published.status_code == 200
        assert published.json()["status"] == "published"
        assert APIClient().get(f"/api/v1/public/records/{body['id']}/").status_code == 404

    def test_not_json(self, clerk: Staff) -> None:
        response = clerk.client().post("/api/v1/records/", "{not json", content_type="application/json")
        assert response.status_code == 400
        assert "detail" in response.json()


class TestDraftEdit:
    def test_edit_with_current_version_then_stale_version_conflicts(self, clerk: Staff, clock: Any) -> None:
        clock("2026-09-29")
        record = create(clerk)
        url = f"/api/v1/records/{record['id']}/"
        first = clerk.client().patch(url, {"version": 1, "title": "更正后的标题"}, format="json")
        assert first.status_code == 200, first.json()
        assert first.json()["version"] == 2
        assert first.json()["title"] == "更正后的标题"
        stale = clerk.client().patch(url, {"version": 1, "title": "另一人的修改"}, format="json")
        assert stale.status_code == 409
        assert "version" in stale.json()["errors"]
        assert Record.objects.get(pk=record["id"]).title == "更正后的标题"

    def test_edit_needs_the_version(self, clerk: Staff, clock: Any) -> None:
        clock("2026-09-29")
        record = create(clerk)
        response = clerk.client().patch(f"/api/v1/records/{record['id']}/", {"title": "x"}, format="json")
        assert response.status_code == 400
        assert "version" in response.json()["errors"]

    def test_editing_the_event_date_recomputes_the_deadline(self, clerk: Staff, clock: Any) -> None:
        clock("2026-10-09")
        record = create(clerk)
        body = clerk.client().patch(f"/api/v1/records/{record['id']}/", {"version": 1, "event_date": "2026-10-09"},
                                    format="json").json()
        assert body["due_date"] == "2026-10-19"

    def test_bad_field_in_edit_is_named(self, clerk: Staff, clock: Any) -> None:
        clock("2026-09-29")
        record = create(clerk)
        response = clerk.client().patch(f"/api/v1/records/{record['id']}/", {"version": 1, "subject_code": "123"},
                                        format="json")
        assert response.status_code == 400
        assert "subject_code" in response.json()["errors"]
        assert Record.objects.get(pk=record["id"]).version == 1

    def test_published_record_cannot_be_patched(self, clerk: Staff, clock: Any) -> None:
        clock("2026-09-29")
        record = create(clerk)
        assert publish(clerk, record["id"]).status_code == 200
        response = clerk.client().patch(f"/api/v1/records/{record['id']}/", {"version": 2, "title": "x"},
                                        format="json")
        assert response.status_code == 409


class TestPublish:
    def test_on_time(self, clerk: Staff, clock: Any) -> None:
        clock("2026-09-29")
        record = create(clerk)
        clock("2026-10-13")  # the due date itself is on time
        response = publish(clerk, record["id"])
        assert response.status_code == 200
        body = response.json()
        assert body["status"] == "published"
        assert body["on_time"] is True
        assert body["late_working_days"] == 0
        assert body["published_at"].startswith("2026-10-13T10:00:00")
        assert body["published_at"].endswith("+08:00")

    @pytest.mark.parametrize(("day", "late"), [("2026-10-14", 1), ("2026-10-16", 3), ("2026-10-19", 4)])
    def test_late_counts_working_days_after_the_due_date(self, clerk: Staff, clock: Any, day: str, late: int) -> None:
        clock("2026-09-29")
        record = create(clerk)
        clock(day)
        body = publish(clerk, record["id"]).json()
        assert (body["on_time"], body["late_working_days"]) == (False, late)

    def test_lateness_skips_the_holiday(self, clerk: Staff, clock: Any) -> None:
        clock("2026-09-21")
        # Decided on the make-up Sunday 09-20; 中秋 09-25..27 skipped: due Wednesday 09-30.
        record = create(clerk, event_date="2026-09-20")
        assert record["due_date"] == "2026-09-30"
        clock("2026-10-08")  # the first working day after National Day: one working day late
        body = publish(clerk, record["id"]).json()
        assert (body["on_time"], body["late_working_days"]) == (False, 1)

    def test_lateness_counts_the_make_up_saturday(self, clerk: Staff, clock: Any) -> None:
        clock("2026-09-22")
        record = create(clerk, event_date="2026-09-21")  # 中秋 and 国庆 skipped: due 10-08
        assert record["due_date"] == "2026-10-08"
        clock("2026-10-12")  # 10-09, the make-up Saturday 10-10, and 10-12
        body = publish(clerk, record["id"]).json()
        assert (body["on_time"], body["late_working_days"]) == (False, 3)

    @pytest.mark.parametrize(("day", "on_time", "late"), [
        ("2026-11-13", True, 0),  # the due date, a Friday
        ("2026-11-14", False, 0),  # the Saturday after: late, though no working day has passed
        ("2026-11-15", False, 0),
        ("2026-11-16", False, 1),
    ])
    def test_after_a_friday_deadline(self, clerk: Staff, clock: Any, day: str, on_time: bool, late: int) -> None:
        clock("2026-11-05")
        record = create(clerk, event_date="2026-11-04")
        assert record["due_date"] == "2026-11-13"
        clock(day)
        body = publish(clerk, record["id"]).json()
        assert (body["on_time"], body["late_working_days"]) == (on_time, late)

    def test_publishing_twice_conflicts(self, clerk: Staff, clock: Any) -> None:
        clock("2026-09-29")
        record = create(clerk)
        assert publish(clerk, record["id"]).status_code == 200
        second = publish(clerk, record["id"])
        assert second.status_code == 409
        assert Record.objects.get(pk=record["id"]).versions.count() == 2

    def test_publish_with_stale_version_conflicts(self, clerk: Staff, clock: Any) -> None:
        clock("2026-09-29")
        record = create(clerk)
        response = clerk.client().post(f"/api/v1/records/{record['id']}/publish/", {"version": 7}, format="json")
        assert response.status_code == 409
        assert Record.objects.get(pk=record["id"]).status == "draft"


class TestChangeAndRevoke:
    def published(self, clerk: Staff, clock: Any) -> dict[str, Any]:
        clock("2026-09-29")
        record = create(clerk)
        publish(clerk, record["id"])
        clock("2026-11-02")
        return record

    def test_change_is_a_new_version_and_history_keeps_every_step(self, clerk: Staff, clock: Any) -> None:
        record = self.published(clerk, clock)
        response = clerk.client().post(
            f"/api/v1/records/{record['id']}/change/", {**CHANGE, "changes": {"content": "罚款人民币一万元。"}},
            format="json")
        assert response.status_code == 200, response.json()
        assert response.json()["status"] == "changed"
        assert response.json()["content"] == "罚款人民币一万元。"
        versions = clerk.client().get(f"/api/v1/records/{record['id']}/versions/").json()
        assert [v["action"] for v in versions] == ["create", "publish", "change"]
        assert [v["number"] for v in versions] == [1, 2, 3]
        assert versions[0]["data"]["content"] == "罚款人民币二十万元。"
        assert versions[2]["data"]["content"] == "罚款人民币一万元。"
        assert versions[2]["reason"] == CHANGE["reason"]
        assert versions[2]["document_number"] == CHANGE["document_number"]
        assert versions[2]["actor"] == clerk.user.username
        assert versions[2]["at"].startswith("2026-11-02T10:00:00")

    def test_correction_art_10(self, clerk: Staff, clock: Any) -> None:
        record = self.published(clerk, clock)
        response = clerk.client().post(
            f"/api/v1/records/{record['id']}/change/",
            {**CHANGE, "type": "correction", "changes": {"subject_code": OTHER_CODE}}, format="json")
        assert response.status_code == 200, response.json()
        assert response.json()["status"] == "corrected"
        assert response.json()["subject_code"] == OTHER_CODE

    @pytest.mark.parametrize("field", ["kind", "agency", "event_date"])
    def test_what_defines_the_event_is_fixed_once_published(self, clerk: Staff, clock: Any, field: str) -> None:
        record = self.published(clerk, clock)
        value = {"kind": "permit", "agency": "city-amr", "event_date": "2026-09-01"}[field]
        response = clerk.client().post(f"/api/v1/records/{record['id']}/change/",
                                       {**CHANGE, "changes": {field: value}}, format="json")
        assert response.status_code == 400
        assert f"changes.{field}" in response.json()["errors"]

    @pytest.mark.parametrize("missing", ["reason", "legal_basis", "document_number", "changes"])
    def test_change_needs_reason_basis_and_number(self, clerk: Staff, clock: Any, missing: str) -> None:
        record = self.published(clerk, clock)
        body = {**CHANGE, "changes": {"content": "新内容"}}
        del body[missing]
        response = clerk.client().post(f"/api/v1/records/{record['id']}/change/", body, format="json")
        assert response.status_code == 400
        assert missing in response.json()["errors"]

    def test_change_that_changes_nothing_is_refused(self, clerk: Staff, clock: Any) -> None:
        record = self.published(clerk, clock)
        response = clerk.client().post(f"/api/v1/records/{record['id']}/change/",
                                       {**CHANGE, "changes": {"content": "罚款人民币二十万元。"}}, format="json")
        assert response.status_code == 400

    def test_bad_value_in_changes_is_named(self, clerk: Staff, clock: Any) -> None:
        record = self.published(clerk, clock)
        response = clerk.client().post(f"/api/v1/records/{record['id']}/change/",
                                       {**CHANGE, "changes": {"subject_code": "ABC"}}, format="json")
        assert response.status_code == 400
        assert "changes.subject_code" in response.json()["errors"]

    def test_draft_cannot_be_changed_or_revoked(self, clerk: Staff, clock: Any) -> None:
        clock("2026-09-29")
        record = create(clerk)
        url = f"/api/v1/records/{record['id']}/"
        assert clerk.client().post(url + "change/", {**CHANGE, "changes": {"content": "x"}},
                                   format="json").status_code == 409
        assert clerk.client().post(url + "revoke/", CHANGE, format="json").status_code == 409

    def test_revoke_then_nothing_more(self, clerk: Staff, clock: Any) -> None:
        record = self.published(clerk, clock)
        url = f"/api/v1/records/{record['id']}/"
        response = clerk.client().post(url + "revoke/", CHANGE, format="json")
        assert response.status_code == 200
        assert response.json()["status"] == "revoked"
        assert clerk.client().post(url + "revoke/", CHANGE, format="json").status_code == 409
        assert clerk.client().post(url + "change/", {**CHANGE, "changes": {"content": "x"}},
                                   format="json").status_code == 409
        versions = clerk.client().get(url + "versions/").json()
        assert [v["action"] for v in versions] == ["create", "publish", "revoke"]
        assert versions[-1]["status"] == "revoked"

    def test_revoke_needs_reason(self, clerk: Staff, clock: Any) -> None:
        record = self.published(clerk, clock)
        response = clerk.client().post(f"/api/v1/records/{record['id']}/revoke/",
                                       {"legal_basis": "x", "document_number": "y"}, format="json")
        assert response.status_code == 400
        assert "reason" in response.json()["errors"]


class TestListing:
    def test_filters(self, clerk: Staff, clock: Any) -> None:
        clock("2026-09-29")
        late = create(clerk, event_date="2026-09-01")  # due 2026-09-10: overdue by now
        fresh = create(clerk, kind="permit")
        done = create(clerk, kind="permit", event_date="2026-09-02")
        publish(clerk, done["id"])
        client = clerk.client()

        def ids(query: str) -> set[int]:
            response = client.get(f"/api/v1/records/?{query}")
            assert response.status_code == 200
            return {r["id"] for r in response.json()["results"]}

        assert ids("") == {late["id"], fresh["id"], done["id"]}
        assert ids("overdue=true") == {late["id"]}
        assert ids("overdue=false") == {fresh["id"], done["id"]}
        assert ids("kind=permit") == {fresh["id"], done["id"]}
        assert ids("status=published") == {done["id"]}
        assert ids("agency=lianshan-amr") == {late["id"], fresh["id"], done["id"]}
        assert ids("agency=longgang-amr") == set()

    def test_bad_filter_value(self, clerk: Staff) -> None:
        response = clerk.client().get("/api/v1/records/?kind=nonsense")
        assert response.status_code == 400
        assert "kind" in response.json()["errors"]

    def test_paginated(self, clerk: Staff, clock: Any) -> None:
        clock("2026-09-29")
        for _ in range(3):
            create(clerk)
        body = clerk.client().get("/api/v1/records/?page_size=2").json()
        assert body["count"] == 3
        assert len(body["results"]) == 2
        assert body["next"]

    def test_list_query_count_does_not_grow(self, clerk: Staff, clock: Any, django_assert_max_num_queries: Any) -> None:
        clock("2026-09-29")
        create(clerk)
        client = clerk.client()
        connection.queries_log.clear()  # the log is a capped deque: a full one miscounts
        with django_assert_max_num_queries(6) as small:
            client.get("/api/v1/records/")
        baseline = len(small)
        assert baseline > 0
        for _ in range(10):
            create(clerk)
        connection.queries_log.clear()
        with django_assert_max_num_queries(baseline):
            client.get("/api/v1/records/")


def test_every_action_is_audited(clerk: Staff, clock: Any) -> None:
    clock("2026-09-29")
    record = create(clerk)
    publish(clerk, record["id"])
    clerk.client().post(f"/api/v1/records/{record['id']}/change/", {**CHANGE, "changes": {"content": "x"}},
                        format="json")
    actions = list(AuditEntry.objects.filter(object_type="record", object_id=str(record["id"]))
                   .values_list("action", flat=True))
    assert actions == ["record.create", "record.publish", "record.change"]
    assert RecordVersion.objects.filter(record_id=record["id"]).count() == 3


def test_whitelisted_legacy_code_is_accepted(clerk: Staff, superuser: Any, clock: Any) -> None:
    from disclosure.models import CreditCodeWhitelist

    clock("2026-09-29")
    legacy = VALID_CODE[:-1] + ("0" if VALID_CODE[-1] != "0" else "1")  # fails the check character
    refused = clerk.client().post("/api/v1/records/", penalty(subject_code=legacy), format="json")
    assert refused.status_code == 400
    CreditCodeWhitelist.objects.create(
        code=legacy, reason="1990年代颁发的旧证照，经登记机关书面确认", added_by=superuser)
    accepted = clerk.client().post("/api/v1/records/", penalty(subject_code=legacy), format="json")
    assert accepted.status_code == 201
    assert accepted.json()["subject_code"] == legacy
