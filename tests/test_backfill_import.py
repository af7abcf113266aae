"""Backfill import (补录, Art. 7): ``manage.py import_records`` and ``POST /api/v1/inspections/backfill/``."""
from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management.base import CommandError
from openpyxl import Workbook

from disclosure.models import AuditEntry, BackfillBatch, BackfillItem, Record, RecordVersion
from tests.conftest import Staff, call_command_en

pytestmark = pytest.mark.django_db

GOOD = Path(__file__).parent / "data" / "inspections" / "backfill_good.csv"


def run(path: Path, user: str, *extra: str) -> tuple[bool, str, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command_en("import_records", str(path), "--user", user, *extra, stdout=out, stderr=err)
    except CommandError as exc:
        return False, out.getvalue(), err.getvalue() + "\n" + str(exc)
    return True, out.getvalue(), err.getvalue()


def with_bad_row(tmp_path: Path, bad: str, position: int = 3) -> Path:
    lines = GOOD.read_text(encoding="utf-8").splitlines()
    lines.insert(position - 1, bad)
    path = tmp_path / "mixed.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


class TestCommand:
    def test_imports_every_kind_through_the_services(self, clerk: Staff, clock: Any) -> None:
        clock("2026-10-09")
        ok, out, err = run(GOOD, clerk.user.username)
        assert ok, err
        assert "Imported 5 rows: created 5 records, published 4, skipped 0 already imported." in out
        assert "importing" in err  # the progress bar
        records = {item.external_id: item.record for item in BackfillItem.objects.select_related("record")}
        assert set(records) == {f"LS-2019-00{n}" for n in range(1, 6)}
        assert all(r.backfill for r in records.values())
        assert records["LS-2019-001"].status == "published" and records["LS-2019-001"].due_date.isoformat() == \
            "2019-05-29"
        assert records["LS-2019-002"].event_date.isoformat() == "2019-06-01"
        assert records["LS-2019-003"].surprise and records["LS-2019-003"].status == "published"
        assert records["LS-2019-004"].task_id == records["LS-2019-003"].pk
        assert records["LS-2019-005"].status == "draft" and records["LS-2019-005"].agency.code == \
            "lianshan-amr-station"
        # versions and audit entries exactly as for any record: create (+ publish)
        assert RecordVersion.objects.count() == 5 + 4
        assert AuditEntry.objects.filter(action="record.create").count() == 5
        assert AuditEntry.objects.filter(action="record.publish").count() == 4
        assert AuditEntry.objects.filter(action="backfill.import").count() == 1
    def test_other_file_types_are_refused(self, clerk: Staff, tmp_path: Path) -> None:
        path = tmp_path / "records.txt"
        path.write_text("external_id\n", encoding="utf-8")
        ok, _out, err = run(path, clerk.user.username)
        assert not ok and "Only .csv and .xlsx" in err

    def test_dry_run_writes_nothing(self, clerk: Staff, clock: Any) -> None:
        clock("2026-10-09")
        audited = AuditEntry.objects.count()
        ok, out, _err = run(GOOD, clerk.user.username, "--dry-run")
        assert ok
        assert "Dry run: 5 rows; would create 5 records, publish 4, skip 0 already imported." in out
        assert not Record.objects.exists() and not BackfillBatch.objects.exists()
        assert AuditEntry.objects.count() == audited

    def test_one_bad_row_imports_nothing_and_names_the_row(self, clerk: Staff, clock: Any, tmp_path: Path) -> None:
        clock("2026-10-09")
        audited = AuditEntry.objects.count()
        bad = "LS-X,penalty,lianshan-amr,案件,某公司,91211402MA0A000014,,2019-05-20,,,,public,,no,,yes"
        ok, _out, err = run(with_bad_row(tmp_path, bad, position=4), clerk.user.username)
        assert not ok
        assert "row 4, subject_code: The check character" in err
        assert "Nothing was imported: 1 error(s) in 6 rows" in err
        assert not Record.objects.exists() and not BackfillItem.objects.exists()
        assert AuditEntry.objects.count() == audited

    @pytest.mark.parametrize(("bad", "field"), [
        ("LS-X,verdict,lianshan-amr,案件,某公司,,natural_person,2019-05-20,,,,public,,no,,no", "kind"),
        ("LS-X,penalty,lianshan-amr,案件,某公司,,natural_person,2019-13-20,,,,public,,no,,no", "event_date"),
        ("LS-X,penalty,lianshan-amr,案件,某公司,,natural_person,2030-01-01,,,,public,,no,,no", "event_date"),
        ("LS-X,penalty,longgang-amr,案件,某公司,,natural_person,2019-05-20,,,,public,,no,,no", "agency"),
        ("LS-X,penalty,lianshan-amr,案件,某公司,,natural_person,2019-05-20,,,,withheld,,no,,no", "withheld_reason"),
        ("LS-X,penalty,lianshan-amr,案件,某公司,,natural_person,2019-05-20,,,,public,,yes,,no", "surprise"),
        ("LS-X,penalty,lianshan-amr,,某公司,,natural_person,2019-05-20,,,,public,,no,,no", "title"),
        ("LS-2019-001,penalty,lianshan-amr,案件,某公司,,natural_person,2019-05-20,,,,public,,no,,no", "external_id"),
        ("LS-X,inspection_result,lianshan-amr,结果,某公司,,natural_person,2019-05-20,,,,public,,no,LS-NONE,no",
         "task_external_id"),
        ("LS-X,penalty,lianshan-amr,案件,某公司,,natural_person,2019-05-20,,,,public,,maybe,,no", "surprise"),
    ])
    def test_each_kind_of_bad_row_is_named(self, clerk: Staff, clock: Any, tmp_path: Path, bad: str,
                                           field: str) -> None:
        clock("2026-10-09")
        ok, _out, err = run(with_bad_row(tmp_path, bad, position=7), clerk.user.username)
        assert not ok
        assert f"row 7, {field}:" in err
        assert not Record.objects.exists()

    def test_rerun_imports_nothing_twice(self, clerk: Staff, clock: Any, tmp_path: Path) -> None:
        clock("2026-10-09")
        assert run(GOOD, clerk.user.username)[0]
        ok, out, _err = run(GOOD, clerk.user.username)
        assert ok
        assert "Imported 5 rows: created 0 records, published 0, skipped 5 already imported." in out
        assert Record.objects.count() == 5
        # A longer file imports only its new rows.
        extra = "LS-2019-006,filing,lianshan-amr,备案,某公司,,natural_person,2019-09-01,,,,public,,no,,yes"
        path = tmp_path / "more.csv"
        path.write_text(GOOD.read_text(encoding="utf-8") + extra + "\n", encoding="utf-8")
        ok, out, _err = run(path, clerk.user.username)
        assert "created 1 records, published 1, skipped 5" in out
        assert Record.objects.count() == 6

    @pytest.mark.parametrize("path", [(), ("--per-record",)])
    def test_a_result_may_name_a_task_an_earlier_file_imported(self, clerk: Staff, clock: Any, tmp_path: Path,
                                                              path: tuple[str, ...]) -> None:
        clock("2026-10-09")
        assert run(GOOD, clerk.user.username, *path)[0]
        later = tmp_path / "later.csv"
        later.write_text(GOOD.read_text(encoding="utf-8").splitlines()[0] + "\n" +
                         "LS-2020-001,inspection_result,lianshan-amr,复查结果,葫芦岛市某化工有限公司,91211403MA0C00003W,,"
                         "2020-07-03,整改完毕。,,,public,,no,LS-2019-003,yes\n", encoding="utf-8")
        ok, out, err = run(later, clerk.user.username, *path)
        assert ok, err
        assert "created 1 records, published 1, skipped 0" in out
        task = BackfillItem.objects.get(external_id="LS-2019-003").record
        assert BackfillItem.objects.get(external_id="LS-2020-001").record.task == task

    def test_per_record_path_writes_through_the_services(self, clerk: Staff, clock: Any) -> None:
        clock("2026-10-09")
        ok, out, err = run(GOOD, clerk.user.username, "--per-record")
        assert ok, err
        assert "Imported 5 rows: created 5 records, published 4, skipped 0 already imported." in out
        assert "creating" in err and "publishing" in err  # its progress bars
        assert RecordVersion.objects.count() == 5 + 4

    def test_xlsx_with_dates_as_cells(self, clerk: Staff, clock: Any, tmp_path: Path) -> None:
        import datetime

        clock("2026-10-09")
        book = Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.append(["external_id", "kind", "agency", "title", "subject_name", "subject_type", "event_date",
                      "published"])
        sheet.append(["X-1", "other", "lianshan-amr", "其他信息", "李四", "natural_person", datetime.date(2018, 3, 1),
                      "是"])
        path = tmp_path / "old.xlsx"
        book.save(path)
        ok, out, err = run(path, clerk.user.username)
        assert ok, err
        record = Record.objects.get()
        assert record.event_date.isoformat() == "2018-03-01" and record.status == "published" and record.backfill

    def test_user_must_be_named_and_may_act(self, auditor: Staff, clock: Any) -> None:
        clock("2026-10-09")
        with pytest.raises(CommandError, match="--user"):
            call_command_en("import_records", str(GOOD), stdout=StringIO(), stderr=StringIO())
        ok, _out, err = run(GOOD, auditor.user.username)  # an auditor reads everything but acts for nobody
        assert not ok and "row 2, agency: You may not submit records for agency lianshan-amr" in err


class TestApi:
    def test_upload_dry_run_then_import_and_outsider_is_refused(self, clerk: Staff, outsider: Staff,
                                                                 clock: Any) -> None:
        clock("2026-10-09")

        def post(staff: Staff, dry_run: bool) -> Any:
            with GOOD.open("rb") as fh:
                return staff.client().post("/api/v1/inspections/backfill/", {"file": fh, "dry_run": dry_run},
                                           format="multipart")

        preview = post(clerk, True)
        assert preview.status_code == 200
        assert preview.json()["created"] == 5 and preview.json()["preview"][0]["external_id"] == "LS-2019-001"
        assert not Record.objects.exists()
        refused = post(outsider, False)
        assert refused.status_code == 400
        assert {e["row"] for e in refused.json()["report"]["errors"]} == {2, 3, 4, 5, 6}
        done = post(clerk, False)
        assert done.status_code == 201 and done.json()["published"] == 4
        assert clerk.client().get("/api/v1/inspections/backfill/").json()["count"] == 1
        assert outsider.client().get("/api/v1/inspections/backfill/").json()["count"] == 0

    def test_web_import_refuses_a_file_too_big_for_a_request(self, clerk: Staff, settings: Any) -> None:
        settings.INSPECTIONS_WEB_IMPORT_MAX_ROWS = 2
        with GOOD.open("rb") as fh:
            response = clerk.client().post("/api/v1/inspections/backfill/", {"file": fh}, format="multipart")
        assert response.status_code == 400 and "import_records" in response.json()["detail"]


def test_the_standards_fields_import_by_their_chinese_headings(clerk: Staff, clock: Any, tmp_path: Any) -> None:
    """A column named by the standard's heading is that field; codes may be written as the
    standard's Chinese terms; the same checks as the API apply."""
    from tests.conftest import VALID_CODE

    clock("2026-09-29")
    path = tmp_path / "standard.csv"
    path.write_text(
        "external_id,kind,agency,title,subject_name,subject_code,event_date,published,处罚类别,fine_amount,"
        "违法行为类型,违法事实,处罚有效期,法定代表人,许可类别,有效期至\n"
        f"P-1,penalty,lianshan-amr,处罚案,某公司,{VALID_CODE},2020-05-06,yes,罚款、警告,2000,"
        "虚假宣传,发布虚假广告。,长期,张某,,\n"
        f"L-1,permit,lianshan-amr,许可,某公司,{VALID_CODE},2020-05-06,yes,,,,,,,核准,2099/12/31\n",
        encoding="utf-8-sig")
    ok, out, err = run(path, clerk.user.username)
    assert ok, out + err
    penalty = Record.objects.get(title="处罚案")
    assert penalty.penalty_types == ["fine", "warning"] and str(penalty.fine_amount) == "2000.00"
    assert penalty.details == {"violation_type": "虚假宣传", "violation_facts": "发布虚假广告。",
                               "penalty_valid_to": "long_term", "legal_representative": "张某"}
    permit = Record.objects.get(title="许可")
    assert permit.details == {"permit_category": "approval", "valid_to": "long_term"}
    assert "details.decision_document_name" in permit.standard_missing  # on the completeness list
    bad = tmp_path / "bad.csv"
    bad.write_text("external_id,kind,agency,title,subject_name,subject_code,event_date,published,许可类别\n"
                   f"L-2,permit,lianshan-amr,许可二,某公司,{VALID_CODE},2020-05-06,yes,宽松\n", encoding="utf-8")
    ok, out, err = run(bad, clerk.user.username)
    assert not ok and "permit_category" in out + err
