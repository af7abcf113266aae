"""Deadline supervision (Art. 7, Art. 12): reminders, due-today and overdue notices, escalation.

The story is pinned to the 2026 National Day holiday: a penalty decided on Monday 2026-09-28 is
due on Tuesday 2026-10-13 (7 working days: 29, 30 September, 8, 9, 10 (a Saturday worked to make
up for the holiday), 12 and 13 October).
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.db.models import Value
from django.db.models.functions import Concat
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from disclosure.models import Record, User
from scheduler.models import Notice, Notification, SweepRun
from scheduler.sweep import deadlines_sweep, thresholds_for
from tests.conftest import Staff, call_command_en, penalty

pytestmark = pytest.mark.django_db

Clock = Callable[..., None]


@pytest.fixture
def district_admin(make_staff: Callable[[str, str], Staff]) -> Staff:
    """The superior agency of the Lianshan bureau: the Lianshan district government."""
    return make_staff("lianshan", "agency_admin")


def _sweep(full: bool = False) -> str:
    out = StringIO()
    call_command_en("check_deadlines", full=full, stdout=out, stderr=StringIO())
    return out.getvalue()


def _inbox(staff: Staff) -> list[dict[str, object]]:
    response = staff.client().get("/api/v1/notifications/")
    assert response.status_code == 200
    return list(response.json()["results"])


def _kinds(staff: Staff) -> list[str]:
    return sorted(str(n["kind"]) for n in _inbox(staff))


def _with_email() -> None:
    """Staff accounts get e-mail addresses (the API that creates them does not take one yet)."""
    User.objects.filter(email="").update(email=Concat("username", Value("@example.org")))


def _draft(clerk: Staff, clock: Clock, **overrides: object) -> int:
    _with_email()
    clock("2026-09-28")
    body = penalty()
    body.update(overrides)
    response = clerk.client().post("/api/v1/records/", body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["due_date"] == "2026-10-13"
    return int(response.json()["id"])


# -- the thresholds, around the National Day holiday -------------------------------------------
@pytest.mark.parametrize(("today", "soon_until", "escalate_until"), [
    # Friday 9 October: the next two working days are Saturday 10 (make-up) and Monday 12. The
    # five working days before it are 28-30 September, 8 and 9 October (1-7 October are off), so
    # anything due on Sunday 27 September or earlier is escalated.
    ("2026-10-09", "2026-10-12", "2026-09-27"),
    # Saturday 10 October is itself a working day: Monday 12 and Tuesday 13 follow.
    ("2026-10-10", "2026-10-13", "2026-09-28"),
    # Tuesday 20 October: five working days overdue means due on Tuesday 13 or before.
    ("2026-10-20", "2026-10-22", "2026-10-13"),
])
def test_thresholds_count_working_days_with_make_up_days(
    today: str, soon_until: str, escalate_until: str
) -> None:
    bounds = thresholds_for(date.fromisoformat(today))
    assert (bounds.soon_until.isoformat(), bounds.escalate_until.isoformat()) == (soon_until, escalate_until)


# -- the story ---------------------------------------------------------------------------------
def test_one_reminder_one_overdue_notice_one_escalation_and_nothing_twice(
    clerk: Staff, district_admin: Staff, auditor: Staff, outsider: Staff, clock: Clock
) -> None:
    record_id = _draft(clerk, clock)
    mail.outbox.clear()

    clock("2026-10-09")  # three working days left (10, 12, 13 October): not yet
    _sweep()
    assert _inbox(clerk) == []

    clock("2026-10-10")  # the make-up Saturday: two working days left
    out = _sweep()
    assert "1 due soon" in out
    [reminder] = _inbox(clerk)
    assert reminder["kind"] == "reminder"
    assert reminder["record"] == record_id
    assert reminder["due_date"] == "2026-10-13"
    assert reminder["read"] is False
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [f"{clerk.user.username}@example.org"]
    assert "葫芦岛市某商贸有限公司销售不合格产品案" in mail.outbox[0].body
    assert "截止 2026-10-13" in mail.outbox[0].body  # in Chinese, the site's language
    assert f"/workspace/records/{record_id}/" in mail.outbox[0].body
    assert mail.outbox[0].subject == "监管信息公示：1 条时限提醒"

    _sweep()  # the same day again: nothing new anywhere
    assert len(_inbox(clerk)) == 1
    assert len(mail.outbox) == 1

    clock("2026-10-13")
    _sweep()
    assert _kinds(clerk) == ["due_today", "reminder"]

    clock("2026-10-14")
    _sweep()
    assert _kinds(clerk) == ["due_today", "overdue", "reminder"]
    overdue = next(n for n in _inbox(clerk) if n["kind"] == "overdue")
    assert overdue["overdue_working_days"] == 1

    clock("2026-10-19")  # four working days overdue: below the threshold of five
    _sweep()
    assert _inbox(district_admin) == [] and _inbox(auditor) == []

    clock("2026-10-20")
    out = _sweep()
    assert "1 past the escalation threshold" in out
    for told in (district_admin, auditor):
        [escalation] = _inbox(told)
        assert (escalation["kind"], escalation["record"], escalation["overdue_working_days"]) == (
            "escalation", record_id, 5)
    assert _kinds(clerk) == ["due_today", "overdue", "reminder"]  # the clerk already knows
    assert _inbox(outsider) == []

    emails = len(mail.outbox)
    for _ in range(2):
        _sweep()
    assert len(mail.outbox) == emails
    assert Notice.objects.count() == 4
    assert Notification.objects.count() == 3 + 2


def test_notices_are_part_of_the_record_history(clerk: Staff, outsider: Staff, clock: Clock) -> None:
    record_id = _draft(clerk, clock)
    clock("2026-10-14")
    _sweep()
    response = clerk.client().get(f"/api/v1/records/{record_id}/notices/")
    assert response.status_code == 200
    [notice] = response.json()
    assert (notice["kind"], notice["due_date"], notice["recipients"]) == ("overdue", "2026-10-13", 1)
    assert notice["delivered_at"] is not None
    assert outsider.client().get(f"/api/v1/records/{record_id}/notices/").status_code == 404


def test_published_backfilled_and_surprise_records_are_not_chased(clerk: Staff, clock: Clock) -> None:
    published = _draft(clerk, clock)
    assert clerk.client().post(f"/api/v1/records/{published}/publish/").status_code == 200
    _draft(clerk, clock, backfill=True)
    clock("2026-09-28")
    surprise = clerk.client().post("/api/v1/records/", penalty(kind="inspection_task", surprise=True),
                                   format="json")
    assert surprise.status_code == 201 and surprise.json()["due_date"] is None

    clock("2026-11-30")
    out = _sweep()
    assert "0 overdue" in out
    assert Notice.objects.count() == 0


def test_a_moved_deadline_is_a_new_threshold(clerk: Staff, clock: Clock, tmp_path: Path) -> None:
    """A provisional due date recomputed when the year's holiday notice is loaded (the real
    recompute: ``load_calendar``) gets its own reminder."""
    _with_email()
    clock("2026-12-29")
    created = clerk.client().post("/api/v1/records/", penalty(event_date="2026-12-28"), format="json").json()
    assert (created["due_date"], created["due_provisional"]) == ("2027-01-06", True)
    clock("2027-01-04")  # two working days left (5 and 6 January, counted with weekends only)
    _sweep()
    assert [n["due_date"] for n in _inbox(clerk)] == ["2027-01-06"]
    notice = tmp_path / "2027.csv"
    notice.write_text("date,kind,name\n2027-01-01,holiday,元旦\n2027-01-02,holiday,元旦\n"
                      "2027-01-03,holiday,元旦\n", encoding="utf-8")
    call_command_en("load_calendar", "2027", "--file", str(notice), stdout=StringIO())
    assert clerk.client().get(f"/api/v1/records/{created['id']}/").json()["due_date"] == "2027-01-07"
    clock("2027-01-05")
    _sweep()
    assert _kinds(clerk) == ["reminder", "reminder"]
    assert sorted(str(n["due_date"]) for n in _inbox(clerk)) == ["2027-01-06", "2027-01-07"]


def test_a_failed_email_is_sent_once_on_the_next_run(
    clerk: Staff, clock: Clock, settings: object
) -> None:
    _draft(clerk, clock)
    clock("2026-10-14")
    settings.EMAIL_BACKEND = "tests.support.mail.FailingBackend"  # type: ignore[attr-defined]
    _sweep()
    assert len(_inbox(clerk)) == 1  # the inbox does not depend on the SMTP server
    assert Notification.objects.get().emailed_at is None

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # type: ignore[attr-defined]
    clock("2026-10-14")
    mail.outbox.clear()
    _sweep()  # the claim of the failed attempt is still fresh: the lease protects it
    assert mail.outbox == []
    clock("2026-10-15")  # a day later the lease has long expired
    _sweep()
    assert len(mail.outbox) == 1
    _sweep()
    assert len(mail.outbox) == 1


# -- the inbox API -----------------------------------------------------------------------------
def test_inbox_is_private_and_can_be_marked_read(
    clerk: Staff, make_staff: Callable[[str, str], Staff], anonymous: APIClient, clock: Clock
) -> None:
    colleague = make_staff("lianshan-amr", "clerk")
    _draft(clerk, clock)
    clock("2026-10-14")
    _sweep()
    mine = _inbox(clerk)[0]
    theirs = _inbox(colleague)[0]
    assert mine["id"] != theirs["id"]

    assert clerk.client().post(f"/api/v1/notifications/{theirs['id']}/read/").status_code == 404
    assert clerk.client().post(f"/api/v1/notifications/{mine['id']}/read/").status_code == 204
    assert _inbox(clerk)[0]["read"] is True
    assert _inbox(colleague)[0]["read"] is False
    assert clerk.client().get("/api/v1/notifications/?unread=true").json()["results"] == []
    assert colleague.client().post("/api/v1/notifications/read-all/").json() == {"marked_read": 1}
    assert anonymous.get("/api/v1/notifications/").status_code in (401, 403)


def test_inbox_query_count_does_not_grow_with_the_page(clerk: Staff, clock: Clock) -> None:
    def queries() -> int:
        client = clerk.client()
        client.get("/api/v1/notifications/")  # warm the calendar cache
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/api/v1/notifications/").status_code == 200
        return len(ctx.captured_queries)

    _draft(clerk, clock)
    clock("2026-10-14")
    _sweep()
    few = queries()
    for _ in range(5):
        _draft(clerk, clock)  # back in time: a full sweep, the incremental one trusts the clock
    clock("2026-10-14")
    _sweep(full=True)
    assert len(_inbox(clerk)) == 6
    assert queries() == few


# -- commands, health, calendar warning ----------------------------------------------------------
def test_check_deadlines_prints_a_summary_and_health_reports_the_sweep(clerk: Staff, clock: Clock) -> None:
    _draft(clerk, clock)
    body = APIClient().get("/health/").json()
    assert body["last_sweep_at"] is None and body["sweep_stale"] is True
    clock("2026-10-14")
    out = _sweep()
    assert "Deadline sweep as of 2026-10-14 (partition 1 of 1, full)" in out
    assert "0 due soon, 0 due today, 1 overdue, 0 past the escalation threshold" in out
    assert "delivered 1 notices as 1 notifications; 1 e-mail digests sent" in out
    body = APIClient().get("/health/").json()
    assert body["last_sweep_at"].startswith("2026-10-14T")
    assert body["sweep_stale"] is False
    assert SweepRun.objects.count() == 1


def test_check_deadlines_refuses_a_bad_partition() -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("check_deadlines", partition=2, partitions=2, stdout=StringIO())


def test_december_warns_administrators_once_a_week_until_next_year_is_loaded(
    superuser: object, clock: Clock
) -> None:
    from scheduler.services import calendar_load_year
    from scheduler.tasks import check_calendar_coverage

    clock("2026-11-30")
    assert check_calendar_coverage.apply().get() is False  # not December yet
    clock("2026-12-01")
    mail.outbox.clear()
    assert check_calendar_coverage.apply().get() is True
    assert check_calendar_coverage.apply().get() is False  # same week
    assert len(mail.outbox) == 1 and "2027" in mail.outbox[0].body
    admin = APIClient()
    admin.force_authenticate(superuser)  # type: ignore[arg-type]
    [warning] = admin.get("/api/v1/notifications/").json()["results"]
    assert warning["kind"] == "calendar_missing"
    clock("2026-12-07")  # the next Monday
    assert check_calendar_coverage.apply().get() is True
    calendar_load_year(year=2027, days=[(date(2027, 1, 1), "holiday", "元旦")], source="test notice")
    clock("2026-12-14")
    assert check_calendar_coverage.apply().get() is False


# -- partitions --------------------------------------------------------------------------------
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    dues=st.lists(st.integers(min_value=-15, max_value=10), min_size=1, max_size=12),
    partitions=st.integers(min_value=2, max_value=4),
)
def test_partitions_together_notice_exactly_what_one_sweep_notices(
    clerk: Staff, dues: list[int], partitions: int
) -> None:
    from datetime import timedelta

    Notice.objects.all().delete()  # records accumulate over the examples; notices start afresh
    today = date(2026, 10, 20)
    base = Record.objects.count()
    for offset in dues:
        Record.objects.create(
            kind="penalty", agency=clerk.user.membership.agency, title="t", subject_name="s",
            event_date=today - timedelta(days=30), due_date=today + timedelta(days=offset), created_by=clerk.user,
        )
    assert Record.objects.count() == base + len(dues)
    for part in range(partitions):
        deadlines_sweep(today=today, partition=part, partitions=partitions, full=True)
    split = set(Notice.objects.values_list("subject_id", "kind", "due_date"))
    Notice.objects.all().delete()
    deadlines_sweep(today=today, full=True)
    whole = set(Notice.objects.values_list("subject_id", "kind", "due_date"))
    assert split == whole
    Notice.objects.all().delete()


def test_every_beat_entry_names_a_registered_task_with_limits() -> None:
    from django.conf import settings as django_settings

    from backend.celery import app
    from backend.schedule import BEAT_SCHEDULE

    app.loader.import_default_modules()
    assert django_settings.CELERY_TIMEZONE == django_settings.TIME_ZONE
    for name, entry in BEAT_SCHEDULE.items():
        assert entry["task"] in app.tasks, name
        options = entry["options"]
        assert isinstance(options, dict)
        assert options["expires"] > 0 and 0 < options["soft_time_limit"] < options["time_limit"], name


# -- incremental sweeps ------------------------------------------------------------------------
def test_an_incremental_sweep_sees_a_record_entered_after_the_previous_sweep(clerk: Staff, clock: Clock) -> None:
    _draft(clerk, clock)
    clock("2026-10-14", hour=8)
    assert "full" in _sweep()  # no previous sweep: everything is checked
    assert len(_inbox(clerk)) == 1
    clock("2026-10-14", hour=11)
    # Recorded today for a decision of 28 September: already overdue.
    late = clerk.client().post("/api/v1/records/", penalty(), format="json").json()["id"]
    clock("2026-10-14", hour=13)
    out = _sweep()
    assert "incremental" in out
    assert [n["record"] for n in _inbox(clerk)] == [late, late - 1]


def test_the_nightly_full_sweep_repairs_what_bypassed_updated_at(clerk: Staff, clock: Clock) -> None:
    record_id = _draft(clerk, clock)
    clock("2026-10-05")
    _sweep()
    # A raw UPDATE (a data fix in the database console, say) that does not touch updated_at:
    Record.objects.filter(pk=record_id).update(due_date=date(2026, 9, 30))
    clock("2026-10-05", hour=13)
    _sweep()
    assert _inbox(clerk) == []  # the incremental sweep cannot know
    out = StringIO()
    call_command_en("check_deadlines", full=True, stdout=out, stderr=StringIO())
    assert "full" in out.getvalue()
    assert _kinds(clerk) == ["overdue"]


# -- citizens' requests (Art. 10, Art. 11) -----------------------------------------------------
def test_an_unanswered_query_is_chased_like_a_record(clerk: Staff, anonymous: APIClient, clock: Clock) -> None:
    _with_email()
    clock("2026-09-28")
    filed = anonymous.post("/api/v1/public/queries/", {
        "requester_name": "张三", "contact": "13800138000", "question": "某公司的处罚决定何时公示？",
        "agency": "lianshan-amr"}, format="json")
    assert filed.status_code == 201, filed.json()
    due = date.fromisoformat(filed.json()["due_date"])
    assert due == date(2026, 10, 30)  # 20 working days, 1-7 October off, 10 October worked
    clock("2026-10-31")
    _sweep()
    [overdue] = _inbox(clerk)
    assert (overdue["kind"], overdue["record"], overdue["due_date"]) == ("overdue", None, "2026-10-30")
    assert overdue["request"] is not None
    assert "查询申请" in str(overdue["title"]) or "query" in str(overdue["title"]).lower()


def test_a_query_due_next_year_is_recomputed_when_the_year_is_loaded(
    tree: object, anonymous: APIClient, clock: Clock
) -> None:
    from disclosure.tasks import recompute_provisional_deadlines
    from scheduler.services import calendar_load_year

    clock("2026-12-10")
    filed = anonymous.post("/api/v1/public/queries/", {
        "requester_name": "李四", "contact": "lisi@example.org", "question": "何时公示？", "agency": "lianshan-amr"},
        format="json").json()
    assert filed["due_date"] == "2027-01-07"  # weekends only: 2027's notice is not loaded
    calendar_load_year(year=2027, days=[(date(2027, 1, 1), "holiday", "元旦")], source="test notice")
    assert recompute_provisional_deadlines.apply().get() == 1
    status = anonymous.get(f"/api/v1/public/requests/{filed['tracking_code']}/").json()
    assert status["due_date"] == "2027-01-08"  # New Year's Day off: one working day later


def test_staff_created_with_an_address_get_the_digest(
    superuser: User, tree: object, clock: Clock
) -> None:
    admin = APIClient()
    admin.force_authenticate(superuser)
    bad = admin.post("/api/v1/users/", {"username": "wang", "password": "correct-horse-battery-42",
                                         "agency": "lianshan-amr", "role": "clerk", "email": "not-an-address"},
                     format="json")
    assert bad.status_code == 400 and "email" in bad.json()["errors"]
    made = admin.post("/api/v1/users/", {"username": "wang", "password": "correct-horse-battery-42",
                                          "agency": "lianshan-amr", "role": "clerk", "email": "wang@lianshan.gov.cn"},
                      format="json")
    assert made.status_code == 201, made.json()
    clerk = APIClient()
    clerk.credentials(HTTP_AUTHORIZATION=f"Token {made.json()['token']}")
    clock("2026-09-28")
    assert clerk.post("/api/v1/records/", penalty(), format="json").status_code == 201
    clock("2026-10-14")
    mail.outbox.clear()
    _sweep()
    assert [m.to for m in mail.outbox] == [["wang@lianshan.gov.cn"]]
