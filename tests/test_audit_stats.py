"""Timeliness statistics through GET /api/v1/audit/timeliness/: a known set of records across
agencies and months, created and published through the records API under pinned clocks, and
every figure asserted exactly; scoping of who sees which figures; query counts."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from disclosure.models import Record
from tests.conftest import Staff, penalty

pytestmark = pytest.mark.django_db

REVOKE = {"reason": "行政复议撤销", "legal_basis": "《中华人民共和国行政复议法》第六十四条",
          "document_number": "葫政复决字〔2026〕9号"}


@dataclass
class Dataset:
    auditor: Staff
    clerk: Staff  # Lianshan district market-regulation bureau (and its station)
    outsider: Staff  # Longgang district market-regulation bureau
    emergency: Staff  # the city's emergency-management bureau
    ids: dict[str, int]


# name: (who, agency, kind, event date, expected due date, publish on (None: never), extra fields)
RECORDS: list[tuple[str, str, str, str, str, str, str | None, dict[str, Any]]] = [
    ("ls1", "clerk", "lianshan-amr", "penalty", "2026-08-03", "2026-08-12", "2026-08-10", {}),
    ("ls2", "clerk", "lianshan-amr", "penalty", "2026-08-03", "2026-08-12", "2026-08-12", {}),
    ("ls3", "clerk", "lianshan-amr", "penalty", "2026-08-10", "2026-08-19", "2026-08-21", {}),
    ("ls4", "clerk", "lianshan-amr", "penalty", "2026-08-17", "2026-08-26", None, {}),
    ("ls5", "clerk", "lianshan-amr", "penalty", "2026-08-05", "2026-08-14", "2026-09-01", {"backfill": True}),
    ("st1", "clerk", "lianshan-amr-station", "inspection_result", "2026-08-03", "2026-08-17", "2026-08-14",
     {"document_number": ""}),
    ("st2", "clerk", "lianshan-amr-station", "penalty", "2026-08-10", "2026-08-19", "2026-08-26", {}),
    ("st3", "clerk", "lianshan-amr-station", "penalty", "2026-08-03", "2026-08-12", "2026-08-05",
     {"disclosure": "withheld", "withheld_reason": "涉及国家秘密，依《保守国家秘密法》不予公开"}),
    ("lg1", "outsider", "longgang-amr", "permit", "2026-07-27", "2026-08-05", "2026-08-05", {}),
    ("lg2", "outsider", "longgang-amr", "penalty", "2026-08-17", "2026-08-26", "2026-08-25",
     {"document_number": "", "predates_standard": True}),
    ("em1", "emergency", "city-emergency", "penalty", "2026-08-10", "2026-08-19", None, {}),
    ("em2", "emergency", "city-emergency", "penalty", "2026-09-07", "2026-09-16", "2026-09-16", {}),
    ("em3", "emergency", "city-emergency", "penalty", "2026-09-14", "2026-09-22", None, {}),  # 09-20 make-up Sunday
]
TODAY = "2026-09-17"


def build(make_staff: Callable[[str, str], Staff], clock: Callable[..., None]) -> Dataset:
    """Create every record on its event date and publish it on its publication date (10:00)."""
    staff = {"clerk": make_staff("lianshan-amr", "clerk"), "outsider": make_staff("longgang-amr", "clerk"),
             "emergency": make_staff("city-emergency", "clerk")}
    ids: dict[str, int] = {}
    for name, who, agency, kind, event, due, _published, extra in RECORDS:
        clock(event)
        extra = dict(extra)
        older = extra.pop("predates_standard", False)
        body = penalty(agency, kind=kind, event_date=event, title=f"案件{name}", **extra)
        response = staff[who].client().post("/api/v1/records/", body, format="json")
        assert response.status_code == 201, response.json()
        assert response.json()["due_date"] == due, name
        ids[name] = response.json()["id"]
        if older:
            # A draft recorded before the standard's fields existed (migration 0015 marks those):
            # it publishes with what it has and shows on the completeness list.
            Record.objects.filter(pk=ids[name]).update(predates_standard=True)
    for name, who, *_rest, published, _extra in RECORDS:
        if published:
            clock(published)
            response = staff[who].client().post(f"/api/v1/records/{ids[name]}/publish/", {}, format="json")
            assert response.status_code == 200, response.json()
    clock("2026-08-28")
    assert staff["clerk"].client().post(f"/api/v1/records/{ids['st2']}/revoke/", REVOKE,
                                        format="json").status_code == 200
    clock(TODAY)
    return Dataset(make_staff("city-amr", "auditor"), staff["clerk"], staff["outsider"], staff["emergency"], ids)


@pytest.fixture
def data(make_staff: Callable[[str, str], Staff], clock: Callable[..., None], settings: Any) -> Dataset:
    settings.AUDIT_MIN_RECORDS_TO_RANK = 3
    return build(make_staff, clock)


AUGUST = {"from": "2026-08-01", "to": "2026-08-31"}


def figures(due: int, on_time: int, late: int, late_days: int, max_late: int, overdue: int, pending: int,
            rate: float | None, few: bool, median: float | None, p90: float | None) -> dict[str, Any]:
    return {"due": due, "published_on_time": on_time, "published_late": late, "late_working_days": late_days,
            "max_late_working_days": max_late, "overdue_unpublished": overdue, "pending": pending,
            "on_time_rate": rate, "too_few_to_rank": few, "median_latency_working_days": median,
            "p90_latency_working_days": p90}


NOTHING = figures(0, 0, 0, 0, 0, 0, 0, None, True, None, None)
# Latencies (working days from event to publication): ls1 5, ls2 7, ls3 9, st1 9, st2 12, st3 2, lg1 7, lg2 6.
LIANSHAN_AMR_OWN = figures(4, 2, 1, 2, 2, 1, 0, 0.5, False, 7.0, 8.6)
STATION = figures(3, 2, 1, 5, 5, 0, 0, 0.6667, False, 9.0, 11.4)
LIANSHAN = figures(7, 4, 2, 7, 5, 1, 0, 0.5714, False, 8.0, 10.5)
LONGGANG = figures(2, 2, 0, 0, 0, 0, 0, 1.0, True, 6.5, 6.9)
EMERGENCY = figures(1, 0, 0, 0, 0, 1, 0, 0.0, True, None, None)
CITY = figures(10, 6, 2, 7, 5, 2, 0, 0.6, False, 7.0, 9.9)


def rows(response: Any) -> dict[str, dict[str, Any]]:
    assert response.status_code == 200, response.json()
    return {row["agency"]: row for row in response.json()["results"]}


def strip(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k not in ("agency", "name", "parent", "backfill", "by_kind", "repairs")}


def test_every_figure_of_august_for_the_auditor(data: Dataset) -> None:
    response = data.auditor.client().get("/api/v1/audit/timeliness/", AUGUST)
    body = response.json()
    assert (body["from"], body["to"], body["as_of"], body["count"]) == ("2026-08-01", "2026-08-31", TODAY, 8)
    got = rows(response)
    assert {code: strip(row) for code, row in got.items()} == {
        "city": CITY, "city-amr": NOTHING, "city-emergency": EMERGENCY, "lianshan": LIANSHAN,
        "lianshan-amr": LIANSHAN, "lianshan-amr-station": STATION, "longgang": LONGGANG, "longgang-amr": LONGGANG,
    }
    # Backfilled records are counted apart, up the tree.
    assert {code: row["backfill"] for code, row in got.items()} == {
        "city": 1, "city-amr": 0, "city-emergency": 0, "lianshan": 1, "lianshan-amr": 1,
        "lianshan-amr-station": 0, "longgang": 0, "longgang-amr": 0}
    assert got["lianshan-amr-station"]["parent"] == "lianshan-amr"
    assert got["lianshan-amr-station"]["name"] == "连山区市场监督管理局钢屯市场监督管理所"
    # By kind: the station's inspection result and its two penalties (one of them revoked: still late).
    assert got["lianshan-amr-station"]["by_kind"] == {
        "inspection_result": figures(1, 1, 0, 0, 0, 0, 0, 1.0, True, 9.0, 9.0),
        "penalty": figures(2, 1, 1, 5, 5, 0, 0, 0.5, True, 7.0, 11.0),  # latencies 2 and 12
    }
    assert set(got["city"]["by_kind"]) == {"inspection_result", "penalty", "permit"}
    assert got["city"]["by_kind"]["permit"] == figures(1, 1, 0, 0, 0, 0, 0, 1.0, True, 7.0, 7.0)


def test_a_district_is_the_sum_of_its_bodies_and_agency_narrows(data: Dataset) -> None:
    got = rows(data.auditor.client().get("/api/v1/audit/timeliness/", {**AUGUST, "agency": "lianshan-amr"}))
    assert list(got) == ["lianshan-amr", "lianshan-amr-station"]
    assert strip(got["lianshan-amr"]) == LIANSHAN
    total = sum(row["due"] for row in (got["lianshan-amr-station"],)) + LIANSHAN_AMR_OWN["due"]
    assert total == LIANSHAN["due"]


def test_september_counts_pending_and_due_day_itself_is_on_time(data: Dataset) -> None:
    got = rows(data.auditor.client().get("/api/v1/audit/timeliness/",
                                         {"from": "2026-09-01", "to": "2026-09-30", "agency": "city-emergency"}))
    # em2 published on its due day: on time; em3 due 09-22, still a draft on 09-17: pending, not judged.
    assert strip(got["city-emergency"]) == figures(2, 1, 0, 0, 0, 0, 1, 1.0, True, 7.0, 7.0)


def test_overdue_as_of_the_due_day_is_not_yet_overdue(data: Dataset, clock: Callable[..., None]) -> None:
    clock("2026-08-26")  # ls4 is due today: still on time, so pending
    got = rows(data.auditor.client().get("/api/v1/audit/timeliness/", {**AUGUST, "agency": "lianshan-amr"}))
    assert (got["lianshan-amr"]["overdue_unpublished"], got["lianshan-amr"]["pending"]) == (0, 1)
    clock("2026-08-27")
    got = rows(data.auditor.client().get("/api/v1/audit/timeliness/", {**AUGUST, "agency": "lianshan-amr"}))
    assert (got["lianshan-amr"]["overdue_unpublished"], got["lianshan-amr"]["pending"]) == (1, 0)


def test_min_records_to_rank_is_a_setting(data: Dataset, settings: Any) -> None:
    settings.AUDIT_MIN_RECORDS_TO_RANK = 8
    got = rows(data.auditor.client().get("/api/v1/audit/timeliness/", AUGUST))
    assert got["lianshan"]["too_few_to_rank"] is True  # 7 decided
    assert got["city"]["too_few_to_rank"] is False  # 10 decided
    assert got["lianshan"]["on_time_rate"] == 0.5714  # shown all the same


def test_clerk_sees_only_its_own_subtree(data: Dataset) -> None:
    got = rows(data.clerk.client().get("/api/v1/audit/timeliness/", AUGUST))
    assert list(got) == ["lianshan-amr", "lianshan-amr-station"]
    assert strip(got["lianshan-amr"]) == LIANSHAN
    # Its superior's or a sibling's figures are not visible: 404, like a missing agency.
    for code in ("lianshan", "longgang-amr", "nonexistent"):
        response = data.clerk.client().get("/api/v1/audit/timeliness/", {**AUGUST, "agency": code})
        assert response.status_code == 404
        assert response.json()["errors"] == {"agency": ["您的范围内没有该机关。"]}


def test_outsider_sees_only_longgang(data: Dataset) -> None:
    got = rows(data.outsider.client().get("/api/v1/audit/timeliness/", AUGUST))
    assert list(got) == ["longgang-amr"]
    assert data.outsider.client().get("/api/v1/audit/timeliness/", {"agency": "lianshan-amr"}).status_code == 404


def test_anonymous_is_refused(data: Dataset, anonymous: Any) -> None:
    assert anonymous.get("/api/v1/audit/timeliness/", AUGUST).status_code == 401


def test_staff_without_any_grant_sees_nothing(data: Dataset) -> None:
    from django.contrib.auth import get_user_model
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    user = get_user_model().objects.create_user("nobody", password="x" * 12)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    response = client.get("/api/v1/audit/timeliness/", AUGUST)
    assert (response.status_code, response.json()["count"]) == (200, 0)


@pytest.mark.parametrize(("params", "field"), [
    ({"from": "2026-09-01", "to": "2026-08-01"}, "from"),
    ({"from": "2026-13-01"}, "from"),
    ({"to": "yesterday"}, "to"),
])
def test_bad_periods_are_400(data: Dataset, params: dict[str, str], field: str) -> None:
    response = data.auditor.client().get("/api/v1/audit/timeliness/", params)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]


def test_default_period_is_this_year_to_date(data: Dataset) -> None:
    body = data.auditor.client().get("/api/v1/audit/timeliness/").json()
    assert (body["from"], body["to"]) == ("2026-01-01", TODAY)
    city = {row["agency"]: row for row in body["results"]}["city"]
    assert (city["due"], city["pending"]) == (11, 0)  # em3 is due after today, outside the period


def test_statistics_take_a_fixed_number_of_queries(data: Dataset, make_staff: Callable[[str, str], Staff]) -> None:
    client = data.auditor.client()

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/api/v1/audit/timeliness/", AUGUST).status_code == 200
        return len(ctx)

    before = count()
    # Ten more records in more agencies: the same number of queries.
    for _ in range(10):
        data.clerk.client().post("/api/v1/records/", penalty("lianshan-amr-station", event_date="2026-08-03"),
                                 format="json")
    assert count() == before
    assert before <= 8
