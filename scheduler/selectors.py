"""Reads of the calendar and the rule table, cached per process.

The calendar is built once per process and rebuilt when the set of loaded years changes (checked
at most every ``CALENDAR_REFRESH_SECONDS``), so the hot path does no I/O.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Count, Max, QuerySet
from django.utils.translation import gettext as _

from backend.errors import ApplicationError
from scheduler.calendar import Deadline, WorkingCalendar, build_calendar
from scheduler.models import CalendarDay, CalendarYear, DeadlineRule, Notice, Notification, SubjectKind
from scheduler.rules import PeriodUnit


@dataclass
class _Cache:
    stamp: object = None
    checked_at: float = float("-inf")
    calendar: WorkingCalendar | None = None
    rules: dict[str, DeadlineRule] | None = None
    rules_at: float = float("-inf")


_cache = _Cache()
_lock = threading.Lock()


def calendar_invalidate() -> None:
    """Forget the cached calendar and rules (after a year or a rule was loaded in this process)."""
    with _lock:
        _cache.stamp = None
        _cache.calendar = None
        _cache.checked_at = float("-inf")
        _cache.rules = None
        _cache.rules_at = float("-inf")


def get_calendar() -> WorkingCalendar:
    now = time.monotonic()
    if _cache.calendar is not None and now - _cache.checked_at < settings.CALENDAR_REFRESH_SECONDS:
        return _cache.calendar
    stamp = tuple(CalendarYear.objects.aggregate(n=Count("year"), latest=Max("loaded_at")).values())
    with _lock:
        if _cache.calendar is None or stamp != _cache.stamp:
            years = CalendarYear.objects.values_list("year", flat=True)
            rows = CalendarDay.objects.values_list("date", "kind", "name")
            _cache.calendar = build_calendar(list(years), list(rows))
            _cache.stamp = stamp
        _cache.checked_at = now
        return _cache.calendar


def get_rules() -> dict[str, DeadlineRule]:
    now = time.monotonic()
    if _cache.rules is None or now - _cache.rules_at >= settings.CALENDAR_REFRESH_SECONDS:
        rules = {rule.key: rule for rule in DeadlineRule.objects.all()}
        with _lock:
            _cache.rules, _cache.rules_at = rules, now
    assert _cache.rules is not None
    return _cache.rules


def get_rule(key: str) -> DeadlineRule:
    try:
        return get_rules()[key]
    except KeyError:
        message = _("No deadline rule for %(key)s.") % {"key": key}
        raise ApplicationError(message, {"kind": [message]}) from None


def deadline_for(key: str, event_date: date, *, calendar: WorkingCalendar | None = None) -> Deadline:
    """The publication (or reply) deadline for an event of kind ``key`` on ``event_date``."""
    rule = get_rule(key)
    cal = calendar or get_calendar()
    try:
        if rule.unit == PeriodUnit.WORKING_DAYS:
            return cal.add_working_days(event_date, rule.period)
        return cal.add_calendar_days(event_date, rule.period)
    except ValueError as exc:
        message = _("%(date)s is outside the working-day calendar (%(reason)s).") % {"date": event_date, "reason": exc}
        raise ApplicationError(message, {"event_date": [message]}) from exc


def notifications_of(*, user: AbstractBaseUser, unread: bool = False) -> QuerySet[Notification]:
    """One user's inbox, newest first."""
    rows = Notification.objects.filter(user_id=user.pk).select_related("notice", "notice__agency")
    if unread:
        rows = rows.filter(read_at__isnull=True)
    return rows.order_by("-created_at", "-id")


def notices_of_record(*, record_id: int) -> QuerySet[Notice]:
    return Notice.objects.filter(subject_kind=SubjectKind.RECORD, subject_id=record_id).order_by("id")
