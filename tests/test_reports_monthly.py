"""The monthly report (通报): made by the command, the API and the daily Celery task; its CSV, XLSX
and PDF figures asserted exactly; stored once per month, e-mailed once to the bureau's auditors."""
from __future__ import annotations

import base64
import csv
import io
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core import mail
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook
from pypdf import PdfReader

from backend.pdf import CLOSING_PUNCTUATION
from disclosure.models import AuditChainHead, AuditEntry, SignedTreeHead
from disclosure.selectors.transparency import head_time
from reports.models import MonthlyReport
from tests.conftest import Staff, call_command_en
from tests.test_audit_stats import Dataset, build

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def data(make_staff: Callable[[str, str], Staff], clock: Callable[..., None], settings: Any) -> Dataset:
    settings.AUDIT_MIN_RECORDS_TO_RANK = 3
    dataset = build(make_staff, clock)
    dataset.auditor.user.email = "auditor@amr.example.org"
    dataset.auditor.user.save()
    return dataset


# In Chinese like the XLSX's (the report is made in the site's language).
CSV_HEADER = ["机关代码", "机关", "上一级机关", "层级", "应公示", "按时公示", "逾期公示", "逾期工作日（合计）",
              "逾期未公示", "未到期", "按时公示率", "样本过少不参与排名", "公示时长中位数（工作日）",
              "公示时长90分位（工作日）", "补录（不计入）"]
CSV_ROWS = [
    ["city", "葫芦岛市人民政府", "", "1", "10", "6", "2", "7", "2", "0", "0.6", "0", "7.0", "9.9", "1"],
    ["city-amr", "葫芦岛市市场监督管理局", "city", "2", "0", "0", "0", "0", "0", "0", "", "1", "", "", "0"],
    ["city-emergency", "葫芦岛市应急管理局", "city", "2", "1", "0", "0", "0", "1", "0", "0.0", "1", "", "", "0"],
    ["lianshan", "葫芦岛市连山区人民政府", "city", "2", "7", "4", "2", "7", "1", "0", "0.5714", "0", "8.0", "10.5",
     "1"],
    ["lianshan-amr", "葫芦岛市连山区市场监督管理局", "lianshan", "3", "7", "4", "2", "7", "1", "0", "0.5714", "0",
     "8.0", "10.5", "1"],
    ["lianshan-amr-station", "连山区市场监督管理局钢屯市场监督管理所", "lianshan-amr", "4", "3", "2", "1", "5", "0",
     "0", "0.6667", "0", "9.0", "11.4", "0"],
    ["longgang", "葫芦岛市龙港区人民政府", "city", "2", "2", "2", "0", "0", "0", "0", "1.0", "1", "6.5", "6.9", "0"],
    ["longgang-amr", "葫芦岛市龙港区市场监督管理局", "longgang", "3", "2", "2", "0", "0", "0", "0", "1.0", "1", "6.5",
     "6.9", "0"],
]


def read_csv(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def test_command_makes_the_august_report(data: Dataset) -> None:
    head = AuditChainHead.objects.get()
    out = io.StringIO()
    call_command_en("monthly_report", "--month", "2026-08", stdout=out)
    text = out.getvalue()
    assert "Report 2026-08: 10 due, 6 on time, 2 late, 2 overdue unpublished, on-time rate 60.0%." in text
    assert f"Audit trail anchor: entry {head.last_entry_id}, hash {head.last_hash}" in text
    report = MonthlyReport.objects.get()
    assert (report.status, str(report.month)) == ("ready", "2026-08-01")
    assert (report.audit_head_entry_id, report.audit_head_hash) == (head.last_entry_id, head.last_hash)
    assert report.summary["due"] == 10 and report.summary["on_time_rate"] == 0.6
    assert AuditEntry.objects.filter(action="report.generate", object_id=str(report.pk)).count() == 1

    rows = read_csv(report.csv.read())
    assert rows == [CSV_HEADER, *CSV_ROWS]

    sheet = load_workbook(report.xlsx.path).active
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert values[0][:5] == ["机关代码", "机关", "上一级机关", "层级", "应公示"]
    assert values[1] == ["city", "葫芦岛市人民政府", None, 1, 10, 6, 2, 7, 2, 0, 0.6, False, 7, 9.9, 1]
    assert values[5] == ["lianshan-amr", "葫芦岛市连山区市场监督管理局", "lianshan", 3, 7, 4, 2, 7, 1, 0, 0.5714,
                         False, 8, 10.5, 1]
    assert values[2] == ["city-amr", "葫芦岛市市场监督管理局", "city", 2, 0, 0, 0, 0, 0, 0, None, True, None, None, 0]
    assert len(values) == 9

    text = "".join(page.extract_text() for page in PdfReader(report.pdf.path).pages)
    squeezed = "".join(text.split())
    assert "2026年8月监管信息公示及时性通报" in squeezed  # the title, with the month as Chinese writes it
    lines = [line.strip() for page in PdfReader(report.pdf.path).pages for line in page.extract_text().splitlines()]
    # Headers wrap inside their cells by the Chinese rules: no line starts with a closing mark.
    assert not [line for line in lines if line and line[0] in CLOSING_PUNCTUATION]
    for expected in ("2026-08-01", "葫芦岛市连山区人民政府", "葫芦岛市龙港区人民政府", "葫芦岛市应急管理局", "60.0%",
                     "57.1%", "100.0%", "案件ls4", "案件em1", head.last_hash, "公示及时性通报"):
        assert expected in squeezed, expected
    # The transparency log's head, signed when the report was made, is printed.
    tree = SignedTreeHead.objects.get()
    assert base64.b64encode(bytes(tree.root_hash)).decode() in squeezed and tree.key_id in squeezed
    assert f"{tree.tree_size}个条目" in squeezed
    # Its time exactly as the API serves it and the signature covers it (Beijing time, milliseconds).
    assert head_time(tree.timestamp) in squeezed and head_time(tree.timestamp).endswith("+08:00")
    # The overdue list names each overdue record with its agency; a published one is not listed.
    assert "案件ls3" not in squeezed

    # One e-mail to the bureau's auditors, with the three files.
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["auditor@amr.example.org"]
    assert "2026年8月" in message.subject
    assert [a[0] for a in message.attachments] == [
        "公示及时性通报-2026年8月.pdf", "公示及时性通报-2026年8月.csv", "公示及时性通报-2026年8月.xlsx"]
    assert report.emailed_to == ["auditor@amr.example.org"]

    # Again: nothing new, and it says so.
    out = io.StringIO()
    call_command_en("monthly_report", "--month", "2026-08", stdout=out)
    assert "already exists" in out.getvalue()
    assert (MonthlyReport.objects.count(), len(mail.outbox)) == (1, 1)


def test_command_force_regenerates(data: Dataset) -> None:
    call_command_en("monthly_report", "--month", "2026-08", "--no-email", stdout=io.StringIO())
    call_command_en("monthly_report", "--month", "2026-08", "--force", "--no-email", stdout=io.StringIO())
    assert MonthlyReport.objects.count() == 1
    assert AuditEntry.objects.filter(action="report.generate").count() == 2
    assert mail.outbox == []


@pytest.mark.parametrize(("month", "message"), [
    ("2026-9", "Give the month as YYYY-MM"),
    ("August", "Give the month as YYYY-MM"),
    ("2026-09", "2026-09 is not over yet"),
])
def test_command_refuses_bad_months(data: Dataset, month: str, message: str) -> None:
    with pytest.raises(CommandError, match=message):
        call_command_en("monthly_report", "--month", month, stdout=io.StringIO())
    assert MonthlyReport.objects.count() == 0


def test_api_makes_lists_and_downloads(data: Dataset) -> None:
    client = data.auditor.client()
    response = client.get("/api/v1/audit/reports/monthly/", {"month": "2026-08", "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert read_csv(response.getvalue()) == [CSV_HEADER, *CSV_ROWS]
    pdf = client.get("/api/v1/audit/reports/monthly/", {"month": "2026-08", "format": "pdf"})
    assert (pdf.status_code, pdf["Content-Type"]) == (200, "application/pdf")
    assert pdf.getvalue().startswith(b"%PDF")
    xlsx = client.get("/api/v1/audit/reports/monthly/", {"month": "2026-08", "format": "xlsx"})
    assert xlsx.status_code == 200
    assert MonthlyReport.objects.count() == 1
    assert len(mail.outbox) == 1  # made once, e-mailed once

    listing = client.get("/api/v1/audit/reports/").json()
    assert listing["count"] == 1
    item = listing["results"][0]
    assert (item["month"], item["status"], item["summary"]["overdue_unpublished"]) == ("2026-08", "ready", 2)
    assert set(item["files"]) == {"pdf", "csv", "xlsx"}

    assert client.get("/api/v1/audit/reports/monthly/", {"month": "2026-09"}).status_code == 400
    assert client.get("/api/v1/audit/reports/monthly/", {"month": "2026-08", "format": "doc"}).status_code == 400


def test_reports_are_for_auditors_only(data: Dataset, anonymous: Any) -> None:
    for client in (data.clerk.client(), data.outsider.client()):
        assert client.get("/api/v1/audit/reports/").status_code == 403
        assert client.get("/api/v1/audit/reports/monthly/", {"month": "2026-08"}).status_code == 403
    assert anonymous.get("/api/v1/audit/reports/").status_code == 401
    assert anonymous.get("/api/v1/audit/reports/monthly/", {"month": "2026-08"}).status_code == 401
    assert MonthlyReport.objects.count() == 0


def test_report_list_takes_a_fixed_number_of_queries(data: Dataset) -> None:
    from datetime import date

    from django.utils import timezone

    client = data.auditor.client()
    for month in (6, 7):
        MonthlyReport.objects.create(month=date(2026, month, 1), status="ready", claimed_at=timezone.now())
    with CaptureQueriesContext(connection) as first:
        assert client.get("/api/v1/audit/reports/").status_code == 200
    MonthlyReport.objects.create(month=date(2026, 5, 1), status="failed", claimed_at=timezone.now())
    with CaptureQueriesContext(connection) as second:
        assert client.get("/api/v1/audit/reports/").json()["count"] == 3
    assert len(first) == len(second)


class TestClaim:
    def test_a_failed_report_is_claimed_again_a_ready_one_is_not(self, data: Dataset) -> None:
        from datetime import date

        from reports.services import monthly_report_claim

        august = date(2026, 8, 1)
        first = monthly_report_claim(month=august)
        assert first is not None
        assert monthly_report_claim(month=august) is None  # generating, not stale
        MonthlyReport.objects.filter(pk=first.pk).update(status="failed")
        assert monthly_report_claim(month=august) is not None
        MonthlyReport.objects.filter(pk=first.pk).update(status="ready")
        assert monthly_report_claim(month=august) is None
        assert monthly_report_claim(month=august, force=True) is not None

    def test_an_abandoned_claim_is_taken_over(self, data: Dataset, clock: Callable[..., None],
                                              settings: Any) -> None:
        from datetime import date

        from reports.services import monthly_report_claim

        settings.AUDIT_REPORT_CLAIM_TIMEOUT_SECONDS = 600
        assert monthly_report_claim(month=date(2026, 8, 1)) is not None
        clock("2026-09-17", hour=11)
        assert monthly_report_claim(month=date(2026, 8, 1)) is not None


class TestDailyJob:
    def test_not_before_the_first_working_day(self, data: Dataset, clock: Callable[..., None]) -> None:
        from reports.services import monthly_report_due

        clock("2026-08-01")  # a Saturday: August's 1st working day is Monday 08-03
        assert monthly_report_due() is None
        assert MonthlyReport.objects.count() == 0

    def test_on_the_first_working_day_and_then_never_again(self, data: Dataset, clock: Callable[..., None]) -> None:
        from reports.services import monthly_report_due

        clock("2026-09-01")  # Tuesday
        report = monthly_report_due()
        assert report is not None and str(report.month) == "2026-08-01"
        # As of 09-01: ls4 (due 08-26) and em1 (due 08-19) overdue.
        assert report.summary["overdue_unpublished"] == 2
        for day in ("2026-09-01", "2026-09-02", "2026-09-30"):
            clock(day)
            assert monthly_report_due() is None
        assert (MonthlyReport.objects.count(), len(mail.outbox)) == (1, 1)


@pytest.fixture
def worker() -> Iterator[None]:
    from celery.contrib.testing.worker import start_worker

    from backend.celery import app

    with start_worker(app, pool="solo", concurrency=1, perform_ping_check=False, shutdown_timeout=30):
        yield


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_the_task_on_a_real_worker_generates_once_when_run_twice(
    make_staff: Callable[[str, str], Staff], clock: Callable[..., None], settings: Any, worker: None
) -> None:
    from reports.tasks import monthly_report_due_task

    settings.AUDIT_MIN_RECORDS_TO_RANK = 3
    data = build(make_staff, clock)
    data.auditor.user.email = "auditor@amr.example.org"
    data.auditor.user.save()
    clock("2026-09-01")
    first, second = monthly_report_due_task.delay(), monthly_report_due_task.delay()
    results = [first.get(timeout=120), second.get(timeout=120)]
    report = MonthlyReport.objects.get()
    assert sorted(results, key=lambda r: r is None) == [report.pk, None]
    assert report.status == "ready"
    assert len(mail.outbox) == 1
    assert AuditEntry.objects.filter(action="report.generate").count() == 1
