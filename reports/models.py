"""Stored monthly reports (通报). Statistics themselves are computed on demand (reports.selectors)."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportAction(models.TextChoices):
    """What an audit entry of the reports records (registered in ``ReportsConfig.ready``)."""

    REPORT_GENERATE = "report.generate", _("Monthly report generated")


class ReportStatus(models.TextChoices):
    GENERATING = "generating", _("Generating")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


def _upload_to(instance: MonthlyReport, filename: str) -> str:
    return f"reports/monthly/{instance.month:%Y-%m}/{filename}"


class MonthlyReport(models.Model):
    """The monthly timeliness report of one calendar month.

    One row per month (unique): a generator first claims the month by inserting this row (or by a
    conditional UPDATE of a failed or abandoned one), so a second run, on the same worker or
    another, finds the claim and does nothing.
    """

    month = models.DateField(_("month"), help_text=_("The first day of the month reported on."))
    status = models.CharField(_("status"), max_length=16, choices=ReportStatus.choices,
                              default=ReportStatus.GENERATING)
    claimed_at = models.DateTimeField(_("claimed at"))
    generated_at = models.DateTimeField(_("generated at"), null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("requested by"), help_text=_("Empty when made by the scheduled job."),
    )
    summary = models.JSONField(_("summary figures"), default=dict, blank=True)
    pdf = models.FileField(_("PDF"), upload_to=_upload_to, blank=True)
    csv = models.FileField(_("CSV"), upload_to=_upload_to, blank=True)
    xlsx = models.FileField(_("XLSX"), upload_to=_upload_to, blank=True)
    audit_head_entry_id = models.BigIntegerField(_("audit trail head: entry"), null=True, blank=True)
    audit_head_hash = models.CharField(_("audit trail head: hash"), max_length=64, blank=True)
    emailed_to = models.JSONField(_("e-mailed to"), default=list, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("monthly report")
        verbose_name_plural = _("monthly reports")
        ordering = ["-month"]
        constraints = [models.UniqueConstraint(fields=["month"], name="monthly_report_one_per_month")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} ({self.get_status_display()})"
