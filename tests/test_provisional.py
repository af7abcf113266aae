"""Deadlines in a year whose holiday notice is not loaded yet: provisional, then recomputed."""
from __future__ import annotations

from collections.abc import Callable
from io import StringIO
from pathlib import Path

import pytest
from django.core.management.base import CommandError

from disclosure.models import AuditEntry, Record, RecordVersion
from scheduler.models import CalendarDay, CalendarYear
from tests.conftest import Staff, call_command_en, penalty

pytestmark = pytest.mark.django_db

# A 2027 notice as the State Council might publish it: 元旦 on Friday 2027-01-01.
NOTICE_2027 = "date,kind,name\n2027-01-01,holiday,元旦\n2027-01-02,holiday,元旦\n2027-01-03,holiday,元旦\n"


@pytest.fixture
def notice(tmp_path: Path) -> Path:
    path = tmp_path / "2027.csv"
    path.write_text(NOTICE_2027, encoding="utf-8")
    return path


def test_loading_the_year_recomputes_open_and_published_records(
    clerk: Staff, clock: Callable[[str], None], notice: Path
) -> None:
    clock("2026-12-29")
    client = clerk.client()
    draft = client.post("/api/v1/records/", penalty(event_date="2026-12-28"), format="json").json()
    published = client.post("/api/v1/records/", penalty(event_date="2026-12-28"), format="json").json()
    settled = client.post("/api/v1/records/", penalty(event_date="2026-12-01"), format="json").json()
    assert (draft["due_date"], draft["due_provisional"]) == ("2027-01-06", True)
    assert settled["due_provisional"] is False
    clock("2027-01-07")
    body = client.post(f"/api/v1/records/{published['id']}/publish/", {}, format="json").json()
    assert (body["on_time"], body["late_working_days"]) == (False, 1)  # by the provisional date

    out = StringIO()
    call_command_en("load_calendar", "2027", "--file", str(notice), "--source", "国办发明电〔2026〕7号", stdout=out)
    assert "2 provisional deadlines recomputed" in out.getvalue()

    # 12-29, 12-30, 12-31, (元旦 01-01..03), 01-04, 01-05, 01-06, 01-07
    for record_id in (draft["id"], published["id"]):
        record = Record.objects.get(pk=record_id)
        assert (record.due_date.isoformat(), record.due_provisional) == ("2027-01-07", False)
    record = Record.objects.get(pk=published["id"])
    assert (record.on_time, record.late_working_days) == (True, 0)
    assert client.get(f"/api/v1/records/{draft['id']}/").json()["due_date"] == "2027-01-07"
    # Each recomputed record has a sealed ``recompute`` version holding its new deadline, with its
    # audit entry, so its row equals its latest version (and verify_audit finds nothing amiss).
    for record_id in (draft["id"], published["id"]):
        latest = RecordVersion.objects.filter(record_id=record_id).order_by("-number").first()
        assert latest is not None and latest.action == "recompute"
        assert (latest.data["due_date"], latest.data["due_provisional"]) == ("2027-01-07", False)
    assert RecordVersion.objects.get(record_id=published["id"], action="recompute").data["on_time"] is True
    assert AuditEntry.objects.filter(action="record.recompute").count() == 2
    call_command_en("verify_audit", stdout=StringIO())  # exits 0: every row equals its latest version
    assert CalendarYear.objects.get(year=2027).source == "国办发明电〔2026〕7号"

    # Re-running changes nothing more.
    out = StringIO()
    call_command_en("load_calendar", "2027", "--file", str(notice), stdout=out)
    assert "0 provisional deadlines recomputed" in out.getvalue()


def test_reloading_a_year_replaces_its_days(notice: Path) -> None:
    call_command_en("load_calendar", "2027", "--file", str(notice), stdout=StringIO())
    notice.write_text("date,kind,name\n2027-01-01,holiday,元旦\n", encoding="utf-8")
    call_command_en("load_calendar", "2027", "--file", str(notice), stdout=StringIO())
    assert list(CalendarDay.objects.filter(date__year=2027).values_list("date", flat=True)) == [
        __import__("datetime").date(2027, 1, 1)]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("date,kind,name\n2028-01-01,holiday,元旦\n", "2028-01-01 is not in 2027"),
        ("date,kind,name\n2027-01-04,makeup_workday,\n", "is a weekday"),
        ("date,kind,name\n2027-01-01,party,\n", "Unknown day kind"),
        ("date,kind,name\n2027-13-01,holiday,\n", "Line 2"),
        ("date,kind,name\n2027-01-01,holiday,\n2027-01-01,holiday,\n", "listed twice"),
    ],
)
def test_bad_notice_file_changes_nothing(notice: Path, content: str, message: str) -> None:
    notice.write_text(content, encoding="utf-8")
    with pytest.raises(CommandError, match=message):
        call_command_en("load_calendar", "2027", "--file", str(notice), stdout=StringIO())
    assert not CalendarYear.objects.filter(year=2027).exists()
    assert not CalendarDay.objects.filter(date__year__gte=2027).exists()


def test_package_years_load_and_unknown_year_is_refused() -> None:
    out = StringIO()
    call_command_en("load_calendar", "2026", stdout=out)
    assert "2026:" in out.getvalue()
    with pytest.raises(CommandError, match="2031"):
        call_command_en("load_calendar", "2031", stdout=StringIO())


def test_seeded_years() -> None:
    assert set(CalendarYear.objects.values_list("year", flat=True)) >= set(range(2004, 2027))
    # 2026 National Day: 10-01..10-07 off, Sunday 09-20 and Saturday 10-10 worked.
    assert CalendarDay.objects.get(date="2026-10-10").kind == "makeup_workday"
    assert CalendarDay.objects.get(date="2026-10-01").name == "国庆节"
