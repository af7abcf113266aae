"""Publicity periods under NDRC Order 2025 No. 36 (issue 15): each penalty category's class, the
heaviest of several, low fines and the simple procedure, the dishonest list, the agency's own class
with its reason, another profile put in force, and the recomputation of what is already published
(migration 0021 and ``recompute_publicity``): records past their new maximum expire, nothing is
deleted."""
from __future__ import annotations

import importlib
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from io import StringIO
from types import SimpleNamespace
from typing import Any

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.db.models import F
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from disclosure.models import (
    AuditEntry,
    FeedEvent,
    PenaltyType,
    PublicityPeriod,
    PublicityProfile,
    Record,
    RecordVersion,
    Role,
    SubjectType,
    User,
)
from disclosure.services.display import add_months, publicity, publicity_rules
from disclosure.services.users import user_create
from tests.conftest import Staff, call_command_en, penalty, standard_details

pytestmark = pytest.mark.django_db

DECIDED = "2026-09-28"

# What the rule table in force (Order 36) gives each category alone: class, minimum and maximum months.
CATEGORY_CLASS = {
    "warning": "minor", "criticism": "minor", "fine": "general", "confiscate_gains": "general",
    "confiscate_property": "general", "suspend_licence": "general", "lower_qualification": "general",
    "revoke_licence": "serious", "restrict_business": "serious", "suspend_business": "serious",
    "close_down": "serious", "bar_from_practice": "serious", "detention": "serious", "other": "general",
}
PERIOD_MONTHS = {"minor": (0, 3), "general": (3, 12), "serious": (12, 36), "dishonest_list": (12, 36)}
WEIGHT = {"minor": 0, "general": 1, "serious": 2}


def create(staff: Staff, **overrides: Any) -> dict[str, Any]:
    response = staff.client().post("/api/v1/records/", penalty(**overrides), format="json")
    assert response.status_code == 201, response.json()
    return dict(response.json())


def publish(staff: Staff, **overrides: Any) -> dict[str, Any]:
    """Published as a backfilled record, which publishes with what it has (every combination of
    categories, with or without a fine amount)."""
    client = staff.client()
    pk = create(staff, backfill=True, **overrides)["id"]
    published = client.post(f"/api/v1/records/{pk}/publish/", {}, format="json")
    assert published.status_code == 200, published.json()
    return dict(client.get(f"/api/v1/records/{pk}/").json())


def verify_audit() -> str:
    out = StringIO()
    call_command_en("verify_audit", stdout=out)
    return out.getvalue()


def dates(severity: str, start: str = DECIDED) -> tuple[str, str]:
    """The first repair day and the first day not shown: a period of months ends on the
    corresponding day (Civil Code Art. 201, 202), the next day is the first after it; a minimum of
    nothing allows repair at once."""
    low, high = PERIOD_MONTHS[severity]
    day = date.fromisoformat(start)
    after = timedelta(days=1)
    return (add_months(day, low) + after if low else day).isoformat(), (add_months(day, high) + after).isoformat()


@pytest.mark.parametrize("category", sorted(PenaltyType.values))
def test_each_category_alone_has_its_class_and_periods(clerk: Staff, clock: Callable[..., None],
                                                       category: str) -> None:
    clock("2026-09-29")
    fine = "60000.00" if category == "fine" else None  # over an organisation's low amount
    record = publish(clerk, penalty_types=[category], fine_amount=fine)
    expected = CATEGORY_CLASS[category]
    assert record["severity"] == expected
    assert (record["repair_from"], record["expires_on"]) == dates(expected)


@pytest.mark.parametrize(("types", "fine", "subject_type", "expected"), [
    (["fine"], "50000.00", "organization", "minor"),    # 较低数额: "以下" includes the amount
    (["fine"], "50000.01", "organization", "general"),
    (["fine"], "5000.00", "natural_person", "minor"),   # a person's low amount is lower
    (["fine"], "5000.01", "natural_person", "general"),
    (["fine"], None, "organization", "general"),         # an unknown amount is not presumed low
    (["warning", "fine"], "100.00", "organization", "minor"),
    (["warning", "fine"], None, "organization", "general"),
    (["fine", "revoke_licence"], "100.00", "organization", "serious"),  # the heaviest decides
    (["warning", "confiscate_gains"], None, "organization", "general"),
    ([], None, "organization", "general"),                # no category named: general
])
def test_combinations_and_low_fines(clerk: Staff, clock: Callable[..., None], types: list[str], fine: str | None,
                                    subject_type: str, expected: str) -> None:
    clock("2026-09-29")
    person = subject_type == "natural_person"
    record = publish(clerk, penalty_types=types, fine_amount=fine, subject_type=subject_type,
                     **({"subject_code": "", "subject_name": "张某某", "details": standard_details("penalty",
                                                                                          "natural_person")}
                        if person else {}))
    assert record["severity"] == expected
    assert (record["repair_from"], record["expires_on"]) == dates(expected)


def test_a_simple_procedure_decision_is_minor(clerk: Staff, clock: Callable[..., None]) -> None:
    clock("2026-09-29")
    details = {**standard_details("penalty"), "simple_procedure": True}
    record = publish(clerk, penalty_types=["fine"], fine_amount="200.00", details=details)
    assert record["severity"] == "minor"
    assert (record["repair_from"], record["expires_on"]) == (DECIDED, "2026-12-29")  # shown through 12-28


def test_the_dishonest_list(clerk: Staff, clock: Callable[..., None]) -> None:
    clock("2026-09-29")
    record = publish(clerk, kind="dishonest_list", title="列入严重违法失信名单",
                     details=standard_details("dishonest_list"))
    assert record["severity"] == "dishonest_list"
    assert (record["repair_from"], record["expires_on"]) == ("2027-09-29", "2029-09-29")


def test_other_kinds_keep_the_rule_tables_display_period(clerk: Staff, clock: Callable[..., None]) -> None:
    clock("2026-09-29")
    record = publish(clerk, kind="permit", title="食品经营许可", details=standard_details("permit"))
    assert (record["severity"], record["repair_from"], record["expires_on"]) == ("", None, "2029-09-29")


@given(types=st.lists(st.sampled_from(sorted(PenaltyType.values)), min_size=1, max_size=5, unique=True),
       fine=st.one_of(st.none(), st.just(Decimal(0)), st.decimals(min_value=0, max_value=200000, places=2)),
       person=st.booleans())
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_the_heaviest_class_decides_for_every_combination(types: list[str], fine: Decimal | None,
                                                          person: bool) -> None:
    """Order 36's classes over every combination of categories and amounts: only warnings,
    criticism and low fines are minor; otherwise the heaviest category's class (a low fine beside
    heavier penalties counts as minor)."""
    rules = publicity_rules()
    record = Record(kind="penalty", penalty_types=types, fine_amount=fine, event_date=date(2026, 9, 28),
                    subject_type=SubjectType.NATURAL_PERSON if person else SubjectType.ORGANIZATION, details={})
    low = fine is not None and 0 < fine <= (Decimal(5000) if person else Decimal(50000))
    classes = ["minor" if t == "fine" and low else CATEGORY_CLASS[t] for t in types]
    expected = max(classes, key=WEIGHT.__getitem__)
    result = publicity(record, rules)
    assert result.severity == expected
    assert result.repair_from is not None and result.expires_on is not None
    assert (result.repair_from.isoformat(), result.expires_on.isoformat()) == dates(expected)


class TestTheAgencysClass:
    def test_set_with_a_reason_versioned_and_audited(self, clerk: Staff, clock: Callable[..., None]) -> None:
        clock("2026-09-29")
        record = publish(clerk, penalty_types=["confiscate_gains"])
        assert record["severity"] == "general"
        response = clerk.client().post(f"/api/v1/records/{record['id']}/change/", {
            "reason": "违法情节严重，按严重失信信息管理", "legal_basis": "《信用修复管理办法》",
            "document_number": "连市监〔2026〕9号",
            "changes": {"severity_override": "serious", "severity_reason": "多次违法，造成严重后果"}}, format="json")
        assert response.status_code == 200, response.json()
        changed = clerk.client().get(f"/api/v1/records/{record['id']}/").json()
        assert (changed["severity"], changed["severity_override"]) == ("serious", "serious")
        assert (changed["repair_from"], changed["expires_on"]) == dates("serious")
        latest = RecordVersion.objects.filter(record_id=record["id"]).order_by("-number").first()
        assert latest is not None and latest.data["severity_override"] == "serious"
        assert latest.data["severity_reason"] == "多次违法，造成严重后果"
        assert AuditEntry.objects.filter(object_id=str(record["id"]), action="record.change").exists()
        assert "Audit trail intact" in verify_audit()

        # Another class needs its own reason, not the old one's.
        stale = clerk.client().post(f"/api/v1/records/{record['id']}/change/", {
            "reason": "复核", "legal_basis": "《信用修复管理办法》", "document_number": "连市监〔2026〕11号",
            "changes": {"severity_override": "minor"}}, format="json")
        assert stale.status_code == 400 and "changes.severity_reason" in stale.json()["errors"]

        # Back to the class the categories give: the agency's class and its reason go.
        back = clerk.client().post(f"/api/v1/records/{record['id']}/change/", {
            "reason": "复核", "legal_basis": "《信用修复管理办法》", "document_number": "连市监〔2026〕10号",
            "changes": {"severity_override": ""}}, format="json")
        assert back.status_code == 200, back.json()
        again = clerk.client().get(f"/api/v1/records/{record['id']}/").json()
        assert (again["severity"], again["severity_override"], again["severity_reason"]) == ("general", "", "")

    def test_the_auditor_sees_it_with_its_reason(self, clerk: Staff, auditor: Staff,
                                                 clock: Callable[..., None]) -> None:
        clock("2026-09-29")
        classed = create(clerk, penalty_types=["fine"], fine_amount="80000.00", severity_override="serious",
                         severity_reason="拒不改正，情节严重")
        assert (classed["severity"], classed["severity_override"]) == ("serious", "serious")
        plain = create(clerk, title="另一案")
        for pk in (classed["id"], plain["id"]):
            assert clerk.client().post(f"/api/v1/records/{pk}/publish/", {}, format="json").status_code == 200
        web = Client()
        web.force_login(auditor.user)
        page = web.get("/audit/classes/", {"from": "2026-09-01", "to": "2026-09-30"}).content.decode()
        table = page.split('id="classes"')[1]
        assert f"#{classed['id']} " in table and "拒不改正，情节严重" in table and "严重" in table
        assert f"#{plain['id']} " not in table
        assert web.get("/audit/classes/", {"from": "2026-09-01", "to": "2026-09-30"}).status_code == 200
        outsider = Client()
        outsider.force_login(clerk.user)
        assert outsider.get("/audit/classes/").status_code == 403

    @pytest.mark.parametrize(("body", "field"), [
        ({"severity_override": "serious"}, "severity_reason"),               # no reason
        ({"severity_override": "grave", "severity_reason": "x"}, "severity_override"),  # not a class
        ({"severity_reason": "无等级"}, "severity_override"),                 # a reason without a class
    ])
    def test_refused_without_reason_or_with_a_wrong_class(self, clerk: Staff, clock: Callable[..., None],
                                                          body: dict[str, str], field: str) -> None:
        clock("2026-09-29")
        response = clerk.client().post("/api/v1/records/", penalty(**body), format="json")
        assert response.status_code == 400
        assert field in response.json()["errors"]

    def test_only_a_penalty_is_classed_by_the_agency(self, clerk: Staff, clock: Callable[..., None]) -> None:
        clock("2026-09-29")
        response = clerk.client().post("/api/v1/records/", penalty(
            kind="permit", details=standard_details("permit"), severity_override="minor", severity_reason="x"),
            format="json")
        assert response.status_code == 400
        assert "severity_override" in response.json()["errors"]


def _rule(publicity_class: str, **values: Any) -> None:
    """A row of the rule table in force edited (as the admin does: the profile's revision goes up)."""
    PublicityPeriod.objects.filter(profile__active=True, publicity_class=publicity_class).update(**values)
    PublicityProfile.objects.filter(active=True).update(revision=F("revision") + 1)


def test_a_general_penalty_published_14_months_ago_is_expired_by_the_migration(
        clerk: Staff, anonymous: APIClient, clock: Callable[..., None]) -> None:
    """Published under the old rule (a penalty shown 3 years), then migration 0021 runs the new
    rule: past its one-year maximum, it leaves every public path by an ``expire`` version whose
    reason is the rule's source, and a take-down in the feed; nothing is deleted."""
    _rule("general", max_months=36, min_months=0)  # the period before Order 36
    clock("2025-10-02")
    old = publish(clerk, penalty_types=["confiscate_gains"], event_date="2025-09-30")
    kept = publish(clerk, penalty_types=["revoke_licence"], event_date="2025-09-30")
    assert old["expires_on"] == "2028-10-01"
    clock("2026-12-01")  # 14 months later
    assert anonymous.get(f"/api/v1/public/records/{old['id']}/").status_code == 200
    _rule("general", max_months=12, min_months=3)  # Order 36
    versions_before = RecordVersion.objects.count()
    feed_before = FeedEvent.objects.count()

    migration = importlib.import_module("disclosure.migrations.0021_recompute_publicity")
    migration.recompute(apps, SimpleNamespace(connection=connection))

    record = Record.objects.get(pk=old["id"])
    # Shown through 2026-09-30 (a year from the day after the decision), repair from 2025-12-31.
    assert (record.status, record.expires_on, record.repair_from) == ("expired", date(2026, 10, 1), date(2025, 12, 31))
    latest = record.versions.order_by("-number").first()
    assert latest is not None and latest.action == "expire"
    assert "国家发展改革委令2025年第36号" in latest.reason and "一般失信信息" in latest.reason
    take_down = FeedEvent.objects.filter(record_id=old["id"]).order_by("-position").first()
    assert take_down is not None and (take_down.action, take_down.public) == ("expire", False)
    assert anonymous.get(f"/api/v1/public/records/{old['id']}/").status_code == 404
    assert old["id"] not in [r["id"] for r in anonymous.get("/api/v1/public/records/").json()["results"]]
    # Nothing deleted: every earlier version is there, one more was added, and only one event.
    assert RecordVersion.objects.count() == versions_before + 1
    assert FeedEvent.objects.count() == feed_before + 1
    # A serious penalty's three years were already Order 36's maximum: untouched.
    assert Record.objects.get(pk=kept["id"]).version == kept["version"]
    assert anonymous.get(f"/api/v1/public/records/{kept['id']}/").status_code == 200

    # Re-running changes nothing.
    out = StringIO()
    call_command("recompute_publicity", "--no-progress", stdout=out)
    assert out.getvalue().strip() == "0 recomputed, 0 expired, 0 unchanged"  # every record is up to date
    assert "Audit trail intact" in verify_audit()


def test_a_record_still_in_its_period_gets_the_new_end_date(clerk: Staff, anonymous: APIClient, superuser: User,
                                                            clock: Callable[..., None]) -> None:
    _rule("general", max_months=36)
    clock("2026-09-29")
    record = publish(clerk, penalty_types=["confiscate_gains"])
    assert record["expires_on"] == "2029-09-29"
    _rule("general", max_months=12)
    clock("2026-10-15")
    out = StringIO()
    call_command("recompute_publicity", "--no-progress", stdout=out)
    assert out.getvalue().strip() == "1 recomputed, 0 expired, 0 unchanged"
    page = anonymous.get(f"/api/v1/public/records/{record['id']}/").json()
    assert page["expires_on"] == "2027-09-29"
    assert page["history"][-1]["action"] == "reclassify"
    event = FeedEvent.objects.filter(record_id=record["id"]).order_by("-position").first()
    assert event is not None and (event.action, event.public) == ("reclassify", True)
    _user, _m, token = user_create(actor=superuser, username="province", password="x-Very-long-pass-2026",
                                   agency_code="city", role=Role.PLATFORM)
    platform = APIClient()
    platform.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    item = platform.get("/api/v1/feed/").json()["events"][-1]
    assert item["payload"]["expires_on"] == "2027-09-29" and item["payload"]["severity"] == "general"


def test_another_profile_in_force_counts_from_publication(clerk: Staff, clock: Callable[..., None]) -> None:
    """SAMR Order 45: a warning is shown 3 years, counted from publication; an administrator puts
    the profile in force without code (the admin edits these rows)."""
    PublicityProfile.objects.update(active=False)
    PublicityProfile.objects.filter(code="samr-2021-45").update(active=True)
    clock("2026-10-09")
    record = publish(clerk, penalty_types=["warning"])
    assert record["severity"] == "general"
    assert (record["repair_from"], record["expires_on"]) == ("2027-01-10", "2029-10-10")
    criticism = publish(clerk, penalty_types=["criticism"])
    assert (criticism["severity"], criticism["expires_on"]) == ("minor", "2027-01-10")
    # A simple-procedure decision is not published at all under it: its display ends on its first day.
    on_the_spot = publish(clerk, penalty_types=["fine"], fine_amount="100.00",
                          details={**standard_details("penalty"), "simple_procedure": True})
    assert on_the_spot["expires_on"] == "2026-10-09"


def test_a_class_not_shown_is_published_but_never_public(clerk: Staff, anonymous: APIClient,
                                                         clock: Callable[..., None]) -> None:
    _rule("minor", shown=False)
    clock("2026-09-29")
    record = publish(clerk, penalty_types=["warning"])
    assert record["status"] == "published" and record["on_time"] is True
    assert anonymous.get(f"/api/v1/public/records/{record['id']}/").status_code == 404
    assert not FeedEvent.objects.filter(record_id=record["id"]).exists()


def test_the_expiry_reason_names_the_rules_source(clerk: Staff, clock: Callable[..., None]) -> None:
    from disclosure.services.expiry import records_expire

    clock("2026-09-29")
    record = publish(clerk, penalty_types=["warning"])
    clock("2026-12-29")  # shown through 2026-12-28
    assert records_expire() == 1
    latest = RecordVersion.objects.filter(record_id=record["id"]).order_by("-number").first()
    assert latest is not None and latest.action == "expire"
    assert "2026-12-28" in latest.reason and "轻微失信信息" in latest.reason


def test_an_administrator_puts_another_profile_in_force_audited_and_recomputed(
        superuser: User, clerk: Staff, clock: Callable[..., None], django_capture_on_commit_callbacks: Any) -> None:
    clock("2026-10-09")
    record = publish(clerk, penalty_types=["warning"])
    assert (record["severity"], record["expires_on"]) == ("minor", "2026-12-29")
    admin = Client()
    admin.force_login(superuser)
    assert admin.get("/admin/disclosure/publicityprofile/").status_code == 200
    assert admin.get("/admin/disclosure/publicityprofile/add/").status_code == 403
    assert admin.get("/admin/disclosure/publicityperiod/add/").status_code == 403
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = admin.post("/admin/disclosure/publicityprofile/", {
            "action": "put_in_force", "_selected_action": ["samr-2021-45"]})
    assert response.status_code == 302
    assert list(PublicityProfile.objects.filter(active=True).values_list("code", flat=True)) == ["samr-2021-45"]
    entry = AuditEntry.objects.filter(action="publicity.rules").get()
    assert entry.detail == {"in_force": "samr-2021-45", "before": ["ndrc-2025-36"]}
    assert len(queued) == 1  # the recomputation, queued once the change commits

    from disclosure.tasks import recompute_publicity
    assert recompute_publicity.apply().get() == {"reclassify": 1}
    changed = clerk.client().get(f"/api/v1/records/{record['id']}/").json()
    # SAMR Order 45 shows a warning 3 years from publication (2026-10-09).
    assert (changed["severity"], changed["expires_on"]) == ("general", "2029-10-10")
    assert "Audit trail intact" in verify_audit()


def test_editing_a_row_in_the_admin_is_audited(superuser: User, django_capture_on_commit_callbacks: Any) -> None:
    row = PublicityPeriod.objects.get(profile_id="ndrc-2025-36", publicity_class="general")
    admin = Client()
    admin.force_login(superuser)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = admin.post(f"/admin/disclosure/publicityperiod/{row.pk}/change/", {
            "min_months": 3, "max_months": 6, "counted_from": "decision", "shown": "on", "source": row.source})
    assert response.status_code == 302, response.content.decode()[:2000]
    row.refresh_from_db()
    assert row.max_months == 6
    entry = AuditEntry.objects.filter(action="publicity.rules").get()
    assert entry.detail == {"profile": "ndrc-2025-36", "changes": {"max_months": [12, 6]}}
    assert len(queued) == 1
    refused = admin.post(f"/admin/disclosure/publicityperiod/{row.pk}/change/", {
        "min_months": 9, "max_months": 6, "counted_from": "decision", "shown": "on", "source": row.source})
    assert refused.status_code == 200  # the form names the error; nothing saved
    row.refresh_from_db()
    assert row.min_months == 3


@pytest.mark.parametrize(("decided", "months", "last_shown"), [
    ("2025-09-30", 12, "2026-09-30"),
    ("2024-02-29", 12, "2025-02-28"),  # no 29 February: the month's last day
    ("2025-11-30", 3, "2026-02-28"),
    ("2025-08-31", 1, "2025-09-30"),
    ("2025-12-31", 12, "2026-12-31"),
])
def test_a_period_of_months_ends_on_the_corresponding_day(clerk: Staff, anonymous: APIClient,
                                                          clock: Callable[..., None], decided: str, months: int,
                                                          last_shown: str) -> None:
    """Civil Code Art. 201, 202: the decision day is not counted; the period's last day is the
    corresponding day of its last month, or that month's last day. Shown through it, gone the next."""
    _rule("general", max_months=months, min_months=min(months, 3))
    clock(decided)
    record = publish(clerk, penalty_types=["confiscate_gains"], event_date=decided)
    last = date.fromisoformat(last_shown)
    assert record["expires_on"] == (last + timedelta(days=1)).isoformat()
    clock(last_shown)
    assert anonymous.get(f"/api/v1/public/records/{record['id']}/").status_code == 200
    clock((last + timedelta(days=1)).isoformat())
    assert anonymous.get(f"/api/v1/public/records/{record['id']}/").status_code == 404


def test_repair_opens_the_day_after_the_minimum_period(clerk: Staff, clock: Callable[..., None]) -> None:
    clock("2025-10-01")
    record = publish(clerk, penalty_types=["confiscate_gains"], event_date="2025-09-30")
    assert record["repair_from"] == "2025-12-31"  # the 3 months end on 2025-12-30


def test_no_complete_profile_in_force_refuses_a_penalty_but_not_a_permit(clerk: Staff,
                                                                         clock: Callable[..., None]) -> None:
    """Never a silent fallback to another period: a penalty is refused (409, JSON) while the rule
    table is incomplete; kinds the table does not class go on."""
    clock("2026-09-29")
    PublicityPeriod.objects.filter(profile__active=True, publicity_class="general").delete()
    refused = clerk.client().post("/api/v1/records/", penalty(), format="json")
    assert refused.status_code == 409 and "publicity" in refused.json()["errors"]
    permit = clerk.client().post("/api/v1/records/", penalty(kind="permit", details=standard_details("permit")),
                                 format="json")
    assert permit.status_code == 201
    PublicityProfile.objects.update(active=False)
    assert clerk.client().post("/api/v1/records/", penalty(), format="json").status_code == 409


@pytest.mark.parametrize(("types", "fine", "subject_type", "ok"), [
    (["warning"], None, "organization", True),
    (["fine"], "3000.00", "organization", True),
    (["fine"], "3000.01", "organization", False),
    (["fine"], "200.00", "natural_person", True),
    (["fine"], "200.01", "natural_person", False),
    (["fine"], "201.00", "individual_business", False),  # a 个体工商户 is a citizen for Art. 51
    (["revoke_licence"], None, "organization", False),    # a mistaken tick must not make it minor
    (["warning", "close_down"], None, "organization", False),
    (["fine"], None, "organization", False),              # the amount must be known
])
def test_the_simple_procedure_only_where_the_law_allows_it(clerk: Staff, clock: Callable[..., None],
                                                           types: list[str], fine: str | None, subject_type: str,
                                                           ok: bool) -> None:
    clock("2026-09-29")
    person = subject_type != "organization"
    body = penalty(penalty_types=types, fine_amount=fine, subject_type=subject_type,
                   details={**standard_details("penalty", "natural_person" if person else "organization"),
                            "simple_procedure": True},
                   **({"subject_code": "", "subject_name": "张某某"} if subject_type == "natural_person" else {}))
    response = clerk.client().post("/api/v1/records/", body, format="json")
    if ok:
        assert response.status_code == 201, response.json()
        assert response.json()["severity"] == "minor"
    else:
        assert response.status_code == 400
        assert "details.simple_procedure" in response.json()["errors"]


@pytest.mark.parametrize("fine", ["-0", "-0.00", "-1"])
def test_a_negative_or_signed_zero_fine_is_refused(clerk: Staff, fine: str) -> None:
    response = clerk.client().post("/api/v1/records/", penalty(fine_amount=fine), format="json")
    assert response.status_code == 400 and "fine_amount" in response.json()["errors"]


def test_a_fine_of_nothing_is_not_a_low_fine(clerk: Staff, clock: Callable[..., None]) -> None:
    clock("2026-09-29")
    assert publish(clerk, penalty_types=["fine"], fine_amount="0.00")["severity"] == "general"
