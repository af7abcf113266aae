"""The working-day calendar and the deadline rule table, stored as data (SPEC.md)."""
from __future__ import annotations

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
