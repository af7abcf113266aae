"""``verify_audit`` beyond the chain: record rows against their latest sealed version, checkpoints
and ``--resume``, the nightly job and ``/health/``, and no false break under concurrent publishing."""
from __future__ import annotations

import threading
import time
from collections.abc import Callable
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management.base import CommandError
from django.db import connection
from rest_framework.test import APIClient

from backend.schedule import BEAT_SCHEDULE
from disclosure.db_guards import remove_guards
from disclosure.models import AuditCheckpoint, AuditEntry, Record
from disclosure.services.verification import Report, verify_everything
from tests.conftest import Staff, call_command_en, penalty

pytestmark = pytest.mark.django_db


def verify(*args: str) -> tuple[int, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command_en("verify_audit", *args, stdout=out, stderr=err)
    except CommandError as exc:
        return 1, str(exc) + "\n" + err.getvalue()
    return 0, out.getvalue()


def raw(sql: str, params: list[Any] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])


@pytest.fixture
def records(clerk: Staff, clock: Callable[[str], None]) -> dict[str, int]:
    """A published record and a draft."""
    clock("2026-09-29")
    client = clerk.client()
    published = client.post("/api/v1/records/", penalty(title="甲公司案"), format="json").json()["id"]
    assert client.post(f"/api/v1/records/{published}/publish/", {}, format="json").status_code == 200
    draft = client.post("/api/v1/records/", penalty(title="乙公司案"), format="json").json()["id"]
    return {"published": published, "draft": draft}


class TestRecordRows:
    def test_intact_rows_pass_and_are_counted(self, records: dict[str, int]) -> None:
        code, output = verify()
        assert code == 0, output
        assert "2 records compared with their latest sealed version" in output

    def test_forged_title_is_named(self, records: dict[str, int]) -> None:
        raw("UPDATE disclosure_record SET title = 'FORGED' WHERE id = %s", [records["published"]])
        code, output = verify()
        assert code == 1
        assert f"record {records['published']}: its title is 'FORGED'" in output

    def test_a_draft_made_published_behind_the_systems_back_is_named(self, records: dict[str, int]) -> None:
        raw("UPDATE disclosure_record SET status = 'published' WHERE id = %s", [records["draft"]])
        code, output = verify()
        assert code == 1
        assert f"record {records['draft']}: its status is 'published'" in output

    @pytest.mark.parametrize(("column", "value"), [
        ("due_date", "2026-12-31"), ("on_time", False), ("late_working_days", 9), ("published_on", "2026-01-01"),
        ("fine_amount", "1.00"), ("version", 7),
    ])
    def test_every_sealed_field_is_compared(self, records: dict[str, int], column: str, value: object) -> None:
        raw(f"UPDATE disclosure_record SET {column} = %s WHERE id = %s", [value, records["published"]])
        code, output = verify()
        assert code == 1, output
        assert f"record {records['published']}:" in output

    def test_forged_latest_version_and_row_together_are_caught(self, records: dict[str, int]) -> None:
        remove_guards(connection)
        raw("UPDATE disclosure_record SET title = 'FORGED' WHERE id = %s", [records["draft"]])
        raw("UPDATE disclosure_recordversion SET data = %s WHERE record_id = %s",
            ['{"title": "FORGED"}', records["draft"]])
        code, output = verify("--resume")
        assert code == 1
        assert f"record {records['draft']}" in output

    def test_recomputed_provisional_deadlines_are_not_a_break(
        self, clerk: Staff, clock: Callable[[str], None], tmp_path: Path
    ) -> None:
        clock("2026-12-29")
        client = clerk.client()
        provisional = client.post("/api/v1/records/", penalty(event_date="2026-12-28"), format="json").json()
        assert provisional["due_provisional"] is True
        clock("2027-01-07")
        client.post(f"/api/v1/records/{provisional['id']}/publish/", {}, format="json")
        notice = tmp_path / "2027.csv"
        notice.write_text("date,kind,name\n2027-01-01,holiday,元旦\n2027-01-02,holiday,元旦\n", encoding="utf-8")
        call_command_en("load_calendar", "2027", "--file", str(notice), "--source", "国办发明电〔2026〕7号",
                        stdout=StringIO())
        row = Record.objects.get(pk=provisional["id"])
        assert row.due_provisional is False  # recomputed through the version writer: a recompute version
        code, output = verify()
        assert code == 0, output

    def test_a_provisional_deadline_moved_behind_the_systems_back_is_named(
        self, clerk: Staff, clock: Callable[[str], None]
    ) -> None:
        # The deadline fields are sealed like every other, a provisional one included.
        clock("2026-12-29")
        provisional = clerk.client().post("/api/v1/records/", penalty(event_date="2026-12-28"), format="json").json()
        assert provisional["due_provisional"] is True
        raw("UPDATE disclosure_record SET due_date = %s WHERE id = %s", ["2027-03-01", provisional["id"]])
        code, output = verify()
        assert code == 1 and f"record {provisional['id']}" in output and "due_date" in output, output


class TestCheckpoints:
    def test_an_intact_run_leaves_a_checkpoint_that_the_next_run_resumes_from(
        self, records: dict[str, int], clerk: Staff
    ) -> None:
        assert verify()[0] == 0
        head = AuditEntry.objects.order_by("-id").first()
        assert head is not None
        checkpoint = AuditCheckpoint.objects.get()
        assert (checkpoint.entry_id, checkpoint.hash) == (head.pk, head.hash)

        clerk.client().post(f"/api/v1/records/{records['draft']}/publish/", {}, format="json")
        code, output = verify("--resume")
        assert code == 0, output
        assert f"Resumed from the checkpoint at audit entry {head.pk}" in output
        assert "Audit trail intact: 1 entries, 1 record versions verified" in output

    def test_a_resumed_run_still_sees_a_forged_row(self, records: dict[str, int]) -> None:
        assert verify()[0] == 0
        raw("UPDATE disclosure_record SET title = 'FORGED' WHERE id = %s", [records["published"]])
        code, output = verify("--resume")
        assert code == 1
        assert f"record {records['published']}: its title" in output

    def test_an_entry_altered_after_its_checkpoint_is_named(self, records: dict[str, int]) -> None:
        assert verify()[0] == 0
        checkpoint = AuditCheckpoint.objects.get()
        remove_guards(connection)
        raw("UPDATE disclosure_auditentry SET action = 'forged' WHERE id = %s", [checkpoint.entry_id])
        code, output = verify("--resume")
        assert code == 1
        assert f"audit entry {checkpoint.entry_id}: altered since it was verified" in output

    def test_versions_deleted_before_the_checkpoint_are_counted(self, records: dict[str, int]) -> None:
        assert verify()[0] == 0
        remove_guards(connection)
        raw("DELETE FROM disclosure_transparencyleaf")  # the feed's log leaves go with it
        raw("DELETE FROM disclosure_feedevent")
        raw("DELETE FROM disclosure_recordversion WHERE record_id = %s AND number = 1", [records["published"]])
        code, output = verify("--resume")
        assert code == 1
        assert "versions exist but the audit trail sealed" in output

    def test_a_broken_run_writes_no_checkpoint(self, records: dict[str, int]) -> None:
        raw("UPDATE disclosure_record SET title = 'FORGED' WHERE id = %s", [records["published"]])
        assert verify()[0] == 1
        assert not AuditCheckpoint.objects.exists()


class TestNightlyJobAndHealth:
    def test_the_beat_job_runs_the_resumed_check_and_health_shows_the_result(self, records: dict[str, int]) -> None:
        from disclosure.tasks import verify_audit

        entry = BEAT_SCHEDULE["verify-audit"]
        assert entry["task"] == verify_audit.name == "disclosure.verify_audit"
        options = entry["options"]
        assert isinstance(options, dict) and {"expires", "time_limit", "soft_time_limit"} <= set(options)

        assert APIClient().get("/health/").json()["audit_check"] is None
        assert verify_audit.apply().get()["ok"] is True
        body = APIClient().get("/health/").json()["audit_check"]
        assert (body["ok"], body["first_broken"]) == (True, None)
        assert body["at"] and body["head"]

        raw("UPDATE disclosure_record SET title = 'FORGED' WHERE id = %s", [records["published"]])
        assert verify_audit.apply().get()["ok"] is False
        response = APIClient().get("/health/")
        assert response.status_code == 200  # a break is reported, it does not make the web process unhealthy
        body = response.json()["audit_check"]
        assert (body["ok"], body["first_broken"]) == (False, f"record {records['published']}")
        assert "title" in body["problem"]


@pytest.mark.django_db(transaction=True)
def test_no_false_break_while_records_are_published(clerk: Staff, clock: Callable[[str], None]) -> None:
    """A writer creates and publishes records (each a version, an audit entry, a feed event and a
    head update) while the check runs again and again: every run sees one consistent moment."""
    clock("2026-09-29")
    stop = threading.Event()
    errors: list[BaseException] = []

    def publisher() -> None:
        client = clerk.client()
        try:
            while not stop.is_set():
                record = client.post("/api/v1/records/", penalty(), format="json").json()
                client.post(f"/api/v1/records/{record['id']}/publish/", {}, format="json")
                # A refusal too: an audit entry without a version.
                client.post(f"/api/v1/records/{record['id']}/publish/", {}, format="json")
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=publisher)
    thread.start()
    try:
        runs: list[Report] = []
        # Bounded by time, not by a count of runs: a check is quick and the writer, sharing the
        # interpreter with it, may need many of them to commit five publications on a slow machine.
        give_up = time.monotonic() + 120
        while (len(runs) < 25 or Record.objects.count() < 5) and time.monotonic() < give_up:
            runs.append(verify_everything())
    finally:
        stop.set()
        thread.join(timeout=60)
    assert errors == []
    assert [problem for report in runs for problem in report.problems] == []
    assert Record.objects.count() >= 5
    assert len({report.entries for report in runs}) > 1  # the writer did commit while the checks ran
    assert verify_everything().problems == []
