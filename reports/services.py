"""Writes of the audit: the monthly report (通报), claimed, generated, stored and e-mailed once.

Claim-then-act: a generator inserts the month's ``MonthlyReport`` row first (a unique constraint
on the month), or takes over a failed or abandoned one with a conditional UPDATE that only one
process can win. Whoever holds the claim builds the files and sends the e-mail; a second run,
concurrent or later, finds the claim and does nothing. So the daily Celery task is safe to run
every day, and twice.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from backend.errors import ApplicationError
from disclosure.models import Role, StaffMembership, User
from disclosure.services.audit import audit_append
from disclosure.services.transparency import tree_head_sign
from reports import conf
from reports.exports import csv_bytes, xlsx_bytes
from reports.models import MonthlyReport, ReportAction, ReportStatus
from reports.monthly_pdf import month_label, monthly_report_pdf, percent
from reports.selectors import ReportContent, monthly_report_content
from scheduler.selectors import get_calendar

# Steps of a generation, for a progress bar: (key, label) in order.
STEPS = ("statistics", "pdf", "csv", "xlsx", "store", "email")
Progress = Callable[[str], None]


def parse_month(value: str) -> date:
    """``YYYY-MM`` -> the month's first day; a clear error otherwise."""
    try:
        year, month = value.split("-")
        if len(year) != 4 or len(month) != 2:
            raise ValueError(value)
        return date(int(year), int(month), 1)
    except ValueError:
        raise ApplicationError(
            _("Invalid input."), {"month": [_("Give the month as YYYY-MM, e.g. 2026-10; got %(value)s.") % {
                "value": value}]}) from None


def report_file_name(month: date, kind: str) -> str:
    """The name a downloaded or e-mailed report file is offered under, in the site's language
    (公示及时性通报-2026年11月.pdf); stored files keep an ASCII name."""
    with translation.override(settings.LANGUAGE_CODE):
        return _("Timeliness report %(month)s") % {"month": month_label(month)} + f".{kind}"


def month_is_over(month: date, today: date) -> bool:
    return (today.year, today.month) > (month.year, month.month)


def monthly_report_claim(*, month: date, actor: User | None = None, force: bool = False) -> MonthlyReport | None:
    """Claim ``month`` for generation; ``None`` when another run holds it or it is done.

    A failed report, or one left "generating" longer than ``AUDIT_REPORT_CLAIM_TIMEOUT_SECONDS``
    (its worker died), may be claimed again; a ready one only with ``force`` (by hand).
    """
    now = timezone.now()
    try:
        with transaction.atomic():
            return MonthlyReport.objects.create(month=month, status=ReportStatus.GENERATING, claimed_at=now,
                                                requested_by=actor)
    except IntegrityError:
        pass
    stale = now - timedelta(seconds=conf.claim_timeout_seconds())
    claimable = Q(status=ReportStatus.FAILED) | Q(status=ReportStatus.GENERATING, claimed_at__lt=stale)
    if force:
        claimable |= Q(status=ReportStatus.READY)
    won = MonthlyReport.objects.filter(claimable, month=month).update(
        status=ReportStatus.GENERATING, claimed_at=now, requested_by=actor, error="")
    return MonthlyReport.objects.get(month=month) if won == 1 else None


def _auditor_emails() -> list[str]:
    """The bureau's auditors (role auditor at a market-regulation bureau) with an e-mail address."""
    return sorted(set(
        StaffMembership.objects.filter(role=Role.AUDITOR, agency__is_market_regulator=True, user__is_active=True)
        .exclude(user__email="").values_list("user__email", flat=True)
    ))


def _summary(content: ReportContent) -> dict[str, object]:
    figures = content.total.total.as_dict() if content.total else {}
    return {
        **figures,
        "backfill": content.total.backfill if content.total else 0,
        "from": content.date_from.isoformat(),
        "to": content.date_to.isoformat(),
        "as_of": content.today.isoformat(),
        "overdue_listed": len(content.overdue),
    }


def _email(report: MonthlyReport, content: ReportContent, files: dict[str, bytes]) -> list[str]:
    recipients = _auditor_emails()
    if not recipients:
        return []
    label = month_label(report.month)
    total = content.total.total if content.total else None
    message = EmailMessage(
        subject=_("Monthly timeliness report %(month)s") % {"month": label},
        body=_("The monthly report on the timeliness of supervision information disclosure for %(month)s is "
               "attached (PDF, CSV, XLSX).\n\nDue: %(due)s; on time: %(on_time)s; late: %(late)s; overdue and "
               "unpublished: %(overdue)s; on-time rate: %(rate)s.\n\nAudit trail anchor: entry %(id)s, hash "
               "%(hash)s. Keep it outside the system.") % {
            "month": label, "due": total.due if total else 0, "on_time": total.published_on_time if total else 0,
            "late": total.published_late if total else 0, "overdue": total.overdue_unpublished if total else 0,
            "rate": percent(total.on_time_rate if total else None), "id": content.head.entry_id,
            "hash": content.head.hash},
        to=recipients,
    )
    message.attach(report_file_name(report.month, "pdf"), files["pdf"], "application/pdf")
    message.attach(report_file_name(report.month, "csv"), files["csv"], "text/csv")
    message.attach(report_file_name(report.month, "xlsx"), files["xlsx"],
                   "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    message.send()
    return recipients


def monthly_report_generate(
    *, month: date, actor: User | None = None, force: bool = False, email: bool = True,
    progress: Progress | None = None, today: date | None = None,
) -> MonthlyReport | None:
    """Generate, store and (``email``) mail the report of ``month``; ``None`` when the month is
    already claimed or done (``force`` regenerates a ready one). Figures are judged at ``today``
    (default: now); the month must be over."""
    today = today or timezone.localdate()
    if not month_is_over(month, today):
        raise ApplicationError(_("Invalid input."), {"month": [
            _("%(month)s is not over yet; its report is made from the 1st working day of the next month.") % {
                "month": f"{month:%Y-%m}"}]})
    report = monthly_report_claim(month=month, actor=actor, force=force)
    if report is None:
        return None
    step = progress or (lambda _key: None)
    try:
        with translation.override(settings.LANGUAGE_CODE):
            tree_head_sign()  # the report prints the log's head as of now (idempotent for an unchanged log)
            content = monthly_report_content(month=month, today=today)
            step("statistics")
            label = f"{month:%Y-%m}"
            files = {"pdf": monthly_report_pdf(content)}
            step("pdf")
            files["csv"] = csv_bytes(content.agencies)
            step("csv")
            files["xlsx"] = xlsx_bytes(content.agencies, title=label)
            step("xlsx")
            with transaction.atomic():
                for kind in ("pdf", "csv", "xlsx"):
                    stored = getattr(report, kind)
                    if stored:
                        stored.delete(save=False)  # a forced regeneration replaces the files
                    stored.save(f"timeliness-{label}.{kind}", ContentFile(files[kind]), save=False)
                report.summary = _summary(content)
                report.audit_head_entry_id = content.head.entry_id
                report.audit_head_hash = content.head.hash
                report.status = ReportStatus.READY
                report.generated_at = timezone.now()
                report.error = ""
                report.save()
                audit_append(actor=actor, action=ReportAction.REPORT_GENERATE, object_type="monthly_report",
                             object_id=report.pk, detail={"month": label, "anchor_entry": content.head.entry_id,
                                                          "anchor_hash": content.head.hash})
            step("store")
            if email:
                recipients = _email(report, content, files)
                MonthlyReport.objects.filter(pk=report.pk).update(emailed_to=recipients, emailed_at=timezone.now())
                report.refresh_from_db()
            step("email")
    except Exception as exc:
        MonthlyReport.objects.filter(pk=report.pk).update(status=ReportStatus.FAILED, error=repr(exc)[:2000])
        raise
    return report


def previous_month(today: date) -> date:
    return date(today.year - (today.month == 1), (today.month - 2) % 12 + 1, 1)


def monthly_report_due(*, today: date | None = None) -> MonthlyReport | None:
    """The scheduled job: from the month's 1st working day on, make last month's report if no run
    has claimed it yet. Running it every day (and twice) makes the report exactly once; a day
    missed (downtime) is caught up the next day."""
    today = today or timezone.localdate()
    first_working_day = get_calendar().next_working_day(date(today.year, today.month, 1))
    if today < first_working_day:
        return None
    return monthly_report_generate(month=previous_month(today), today=today)
