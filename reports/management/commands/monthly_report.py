"""``manage.py monthly_report --month YYYY-MM``: make the monthly timeliness report by hand."""
from __future__ import annotations

import sys
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from tqdm import tqdm

from backend.errors import ServiceError
from reports.selectors import monthly_reports
from reports.services import STEPS, monthly_report_generate, parse_month


class Command(BaseCommand):
    help = "Make the monthly timeliness report (PDF, CSV, XLSX), store it and e-mail it to the bureau's auditors."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--month", required=True, help="YYYY-MM, a month that is over")
        parser.add_argument("--force", action="store_true", help="regenerate a report that already exists")
        parser.add_argument("--no-email", action="store_true", help="store the report without e-mailing it")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            month = parse_month(options["month"])
            with tqdm(total=len(STEPS), desc=str(options["month"]), unit="step", file=sys.stderr) as bar:
                def step(key: str) -> None:
                    bar.set_postfix_str(key)
                    bar.update(1)

                report = monthly_report_generate(month=month, force=options["force"],
                                                 email=not options["no_email"], progress=step)
        except ServiceError as exc:
            problems = "; ".join(m for msgs in exc.errors.values() for m in msgs) or exc.message
            raise CommandError(problems) from exc
        if report is None:
            existing = monthly_reports().filter(month=month).first()
            assert existing is not None
            self.stdout.write(_("The report of %(month)s already exists (%(status)s); use --force to make it "
                                "again.") % {"month": f"{month:%Y-%m}", "status": existing.get_status_display()})
            return
        summary = report.summary
        self.stdout.write(_(
            "Report %(month)s: %(due)s due, %(on_time)s on time, %(late)s late, %(overdue)s overdue unpublished, "
            "on-time rate %(rate)s.") % {
            "month": f"{month:%Y-%m}", "due": summary.get("due"), "on_time": summary.get("published_on_time"),
            "late": summary.get("published_late"), "overdue": summary.get("overdue_unpublished"),
            "rate": "—" if summary.get("on_time_rate") is None else f"{float(summary['on_time_rate']) * 100:.1f}%"})
        self.stdout.write(_("Files: %(files)s") % {"files": ", ".join(str(f.name) for f in (report.pdf, report.csv,
                                                                                        report.xlsx))})
        self.stdout.write(_("E-mailed to: %(to)s") % {"to": ", ".join(report.emailed_to) or _("nobody")})
        self.stdout.write(_("Audit trail anchor: entry %(id)s, hash %(hash)s") % {
            "id": report.audit_head_entry_id, "hash": report.audit_head_hash})
