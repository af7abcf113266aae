"""The working-day calendar and the deadline rule table, stored as data (SPEC.md)."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from scheduler.rules import PeriodUnit


class CalendarYear(models.Model):
    """A year whose State Council holiday notice has been loaded. Dates in a year without a row
    get provisional deadlines (weekends only), recomputed once the year is loaded."""

    year = models.PositiveSmallIntegerField(_("year"), primary_key=True)
    source = models.CharField(_("source"), max_length=200)
    loaded_at = models.DateTimeField(_("loaded at"), auto_now=True)

    class Meta:
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")
        ordering = ["year"]

    def __str__(self) -> str:
        return str(self.year)


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", _("Statutory holiday (no work)")
    MAKEUP_WORKDAY = "makeup_workday", _("Make-up working day")


class CalendarDay(models.Model):
    """An exception to the Monday-to-Friday week: a weekday off, or a weekend day worked."""

    date = models.DateField(_("date"), primary_key=True)
    kind = models.CharField(_("kind"), max_length=16, choices=DayKind.choices)
    name = models.CharField(_("holiday"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("calendar exception")
        verbose_name_plural = _("calendar exceptions")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}"


class DeadlineRule(models.Model):
    """One row of the rule table (defaults in ``scheduler.rules.DEFAULT_RULES``)."""

    key = models.CharField(_("record kind or request"), max_length=32, primary_key=True)
    period = models.PositiveSmallIntegerField(_("period"))
    unit = models.CharField(_("unit"), max_length=16, choices=PeriodUnit.choices)
    display_months = models.PositiveSmallIntegerField(_("display period (months)"), null=True, blank=True)
    article = models.CharField(_("article"), max_length=32)
    description = models.CharField(_("description"), max_length=200)

    class Meta:
        verbose_name = _("deadline rule")
        verbose_name_plural = _("deadline rules")
        ordering = ["key"]

    def __str__(self) -> str:
        return f"{self.key}: {self.period} {self.get_unit_display()}"


class NoticeKind(models.TextChoices):
    REMINDER = "reminder", _("Deadline approaching")
    DUE_TODAY = "due_today", _("Due today")
    OVERDUE = "overdue", _("Overdue")
    ESCALATION = "escalation", _("Escalated to the superior agency")
    CALENDAR_MISSING = "calendar_missing", _("Next year's holiday calendar not loaded")


class SubjectKind(models.TextChoices):
    RECORD = "record", _("Supervision record")
    REQUEST = "request", _("Citizen request")
    CALENDAR = "calendar", _("Holiday calendar")


class Notice(models.Model):
    """One deadline event about one subject: the claim that it has been noticed, and the history.

    The unique key (subject, kind, due date) is what makes the sweep idempotent: a notice is
    inserted at most once per threshold and deadline, however often and on however many workers
    the sweep runs. A moved deadline (a provisional date recomputed) is a new threshold.
    ``delivered_at`` is set in the same transaction that writes the recipients' notifications,
    so a crash either delivers a notice whole or leaves it for the next run.
    """

    kind = models.CharField(_("kind"), max_length=20, choices=NoticeKind.choices)
    subject_kind = models.CharField(_("subject"), max_length=16, choices=SubjectKind.choices)
    subject_id = models.BigIntegerField(_("subject id"))
    agency = models.ForeignKey(
        "disclosure.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("agency responsible"),
    )
    due_date = models.DateField(_("due date"))
    created_at = models.DateTimeField(_("noticed at"))
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    recipients = models.PositiveIntegerField(_("recipients"), default=0)

    class Meta:
        verbose_name = _("deadline notice")
        verbose_name_plural = _("deadline notices")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["subject_kind", "subject_id", "kind", "due_date"], name="notice_once_per_threshold"
            ),
        ]
        indexes = [
            models.Index(fields=["delivered_at", "id"], name="notice_undelivered"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.subject_kind}:{self.subject_id} due {self.due_date}"


class Notification(models.Model):
    """One notice in one user's inbox, and the state of its e-mail copy."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("user")
    )
    notice = models.ForeignKey(Notice, on_delete=models.PROTECT, related_name="notifications")
    created_at = models.DateTimeField(_("created at"))
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    # E-mail: claimed (a conditional UPDATE) before sending, marked after. A worker that dies in
    # between leaves a claim that expires after NOTIFICATION_EMAIL_LEASE_SECONDS.
    email_claimed_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["notice", "user"], name="notification_once_per_user")]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="notification_inbox"),
            models.Index(fields=["emailed_at", "user"], name="notification_email_pending"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.notice}"


class SweepRun(models.Model):
    """One completed pass of the deadline sweep (or one partition of it), for the health check
    and the operators."""

    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"))
    today = models.DateField(_("as of"))
    # The class boundaries this sweep used: the next incremental sweep starts from them.
    soon_until = models.DateField(_("reminders up to"))
    escalate_until = models.DateField(_("escalations up to"))
    full = models.BooleanField(_("full sweep"), default=True)
    partition = models.PositiveSmallIntegerField(_("partition"), default=0)
    partitions = models.PositiveSmallIntegerField(_("partitions"), default=1)
    summary = models.JSONField(_("summary"), default=dict)

    class Meta:
        verbose_name = _("deadline sweep")
        verbose_name_plural = _("deadline sweeps")
        ordering = ["-finished_at"]
        indexes = [models.Index(fields=["-finished_at"], name="sweep_latest")]

    def __str__(self) -> str:
        return f"sweep {self.today} {self.partition + 1}/{self.partitions}"
