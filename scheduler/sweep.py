"""The deadline sweep (Art. 7, Art. 12): classify every open deadline and record what is due.

One pass is a handful of set-based statements, whatever the number of open deadlines:

* one aggregate query counts the open subjects in each class (due soon, due today, overdue,
  overdue past the escalation threshold);
* one ``INSERT … SELECT`` per class writes the notices that do not exist yet. The unique key
  (subject, kind, due date) with ``ON CONFLICT DO NOTHING`` makes this the claim: however often
  the sweep runs, and on however many workers at once, a threshold is noticed exactly once.

Incremental by default: a subject can only have entered a class since the previous completed
sweep if the class boundary moved past its due date (the thresholds of that sweep are stored)
or if the subject itself changed since (``updated_at``, with a safety margin for clocks and
transactions in flight). Only those candidates are checked against the notice table, so a
sweep on an ordinary day reads the few rows that crossed a boundary, not every open deadline.
A full sweep (``full=True``: nightly, and whenever there is no comparable previous sweep)
checks everything and so also repairs anything a change that bypassed ``updated_at`` hid.

Delivering the notices to people is a separate, batched step (``scheduler.notifications``), so a
sweep that dies half-way is simply run again.

The thresholds are dates computed once per pass with the working-day calendar, so the database
compares dates only: no per-row calendar arithmetic, no Python loop over rows.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, F, Q, QuerySet, Value
from django.db.models.functions import Mod
from django.utils import timezone
from django.utils.translation import gettext as _

from scheduler.calendar import WorkingCalendar
from scheduler.models import Notice, NoticeKind, SubjectKind, SweepRun
from scheduler.selectors import get_calendar
from scheduler.subjects import DeadlineSubject, deadline_subjects


@dataclass(frozen=True)
class Thresholds:
    """The dates that split open deadlines into classes, as of ``today``.

    * due soon: ``today < due_date <= soon_until``
    * due today: ``due_date == today``
    * overdue: ``due_date < today``; escalated when also ``due_date <= escalate_until``, i.e. at
      least ``DEADLINE_ESCALATION_WORKING_DAYS`` working days after the due date have passed.
    """

    today: date
    soon_until: date
    escalate_until: date

    def class_filters(self) -> dict[str, Q]:
        return {
            NoticeKind.REMINDER: Q(due_date__gt=self.today, due_date__lte=self.soon_until),
            NoticeKind.DUE_TODAY: Q(due_date=self.today),
            NoticeKind.OVERDUE: Q(due_date__lt=self.today),
            NoticeKind.ESCALATION: Q(due_date__lte=self.escalate_until),
        }


def thresholds_for(today: date, calendar: WorkingCalendar | None = None) -> Thresholds:
    calendar = calendar or get_calendar()
    soon_until = calendar.add_working_days(today, settings.DEADLINE_REMINDER_WORKING_DAYS).due_date
    # The latest due date that is at least K working days overdue today. Walking back day by day
    # is bounded by K working days (a few weeks at most, around Spring Festival), not by rows.
    k = settings.DEADLINE_ESCALATION_WORKING_DAYS
    escalate_until = today - timedelta(days=1)
    while calendar.working_days_late(escalate_until, today) < k:
        escalate_until -= timedelta(days=1)
    return Thresholds(today=today, soon_until=soon_until, escalate_until=escalate_until)


def _partitioned(rows: QuerySet, partition: int, partitions: int) -> QuerySet:
    if partitions <= 1:
        return rows
    part: QuerySet = rows.annotate(sweep_part=Mod(F("id"), Value(partitions))).filter(sweep_part=partition)
    return part


@dataclass
class SweepSummary:
    today: date
    partition: int = 0
    partitions: int = 1
    full: bool = True
    open: dict[str, dict[str, int]] = field(default_factory=dict)  # subject kind -> class -> count
    noticed: dict[str, int] = field(default_factory=dict)  # notice kind -> new notices

    def as_dict(self) -> dict[str, object]:
        return {"today": self.today.isoformat(), "partition": self.partition, "partitions": self.partitions,
                "full": self.full, "open": self.open, "noticed": self.noticed}


def _insert_notices(rows: QuerySet, *, kind: str, subject_kind: str, now: datetime) -> int:
    """``INSERT … SELECT`` the missing notices of one class; returns how many were new.

    The NOT EXISTS keeps the common case (nothing new) to an index probe per row; ON CONFLICT
    settles the race when two sweeps insert the same notice at the same moment.
    """
    select_sql, params = rows.values("id", "agency_id", "due_date").query.sql_with_params()
    table = Notice._meta.db_table
    # Only identifiers from model metadata are formatted in; every value is a parameter.
    sql = (
        f"INSERT INTO {table} (kind, subject_kind, subject_id, agency_id, due_date, created_at, recipients) "  # noqa: S608
        f"SELECT %s, %s, s.id, s.agency_id, s.due_date, %s, 0 FROM ({select_sql}) s "
        f"WHERE NOT EXISTS (SELECT 1 FROM {table} n WHERE n.subject_kind = %s AND n.subject_id = s.id "
        f"AND n.kind = %s AND n.due_date = s.due_date) "
        f"ON CONFLICT (subject_kind, subject_id, kind, due_date) DO NOTHING"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [kind, subject_kind, now, *params, subject_kind, kind])
        return max(int(cursor.rowcount), 0)


def _previous(partition: int, partitions: int, today: date) -> SweepRun | None:
    """The last completed sweep of the same partition, if the incremental windows can start from it."""
    return (
        SweepRun.objects.filter(partition=partition, partitions=partitions, today__lte=today)
        .order_by("-finished_at").first()
    )


def _entered_since(prev: SweepRun) -> dict[str, Q]:
    """Per class, the subjects that can have entered it since ``prev``: the boundaries only move
    forward with the date, so these are the due dates beyond ``prev``'s boundary, plus whatever
    changed since ``prev`` started (minus a margin for clock skew and transactions in flight)."""
    changed = Q(updated_at__gte=prev.started_at - timedelta(minutes=settings.SWEEP_CHANGE_MARGIN_MINUTES))
    return {
        NoticeKind.REMINDER: Q(due_date__gt=prev.soon_until) | changed,
        NoticeKind.DUE_TODAY: Q(due_date__gt=prev.today) | changed,
        NoticeKind.OVERDUE: Q(due_date__gte=prev.today) | changed,
        NoticeKind.ESCALATION: Q(due_date__gt=prev.escalate_until) | changed,
    }


def deadlines_sweep(
    *, today: date | None = None, partition: int = 0, partitions: int = 1, full: bool = False
) -> SweepSummary:
    """Classify every open deadline of one partition and record the notices that are due.

    Safe to re-run and to run concurrently: see the module docstring. Each class commits on its
    own, so a crash keeps the classes already done and the next run does the rest; the run is
    recorded (and becomes the base of the next incremental one) only once it completed.
    """
    if not 0 <= partition < max(partitions, 1):
        raise ValueError(f"partition {partition} is not in 0..{partitions - 1}")
    started = timezone.now()
    today = today or timezone.localdate()
    bounds = thresholds_for(today)
    filters = bounds.class_filters()
    prev = None if full else _previous(partition, partitions, today)
    windows = _entered_since(prev) if prev else {}
    summary = SweepSummary(today=today, partition=partition, partitions=partitions, full=prev is None)
    for source in deadline_subjects():
        if source.open_rows is None:
            continue
        rows = _partitioned(source.open_rows(), partition, partitions)
        # Only deadlines up to the reminder horizon can be in any class: the index on
        # (status, due_date) reads just those.
        counts = rows.filter(due_date__lte=bounds.soon_until).aggregate(
            **{k: Count("id", filter=q) for k, q in filters.items()}
        )
        summary.open[source.kind] = {k: counts[k] or 0 for k in filters}
        for kind, q in filters.items():
            candidates = rows.filter(q, windows[kind]) if prev else rows.filter(q)
            with transaction.atomic():
                new = _insert_notices(candidates, kind=kind, subject_kind=source.kind, now=timezone.now())
            summary.noticed[kind] = summary.noticed.get(kind, 0) + new
    SweepRun.objects.create(
        started_at=started, finished_at=timezone.now(), today=today, soon_until=bounds.soon_until,
        escalate_until=bounds.escalate_until, partition=partition, partitions=partitions, full=prev is None,
        summary=summary.as_dict(),
    )
    return summary


def calendar_coverage_check(*, today: date | None = None) -> Notice | None:
    """From ``CALENDAR_WARNING_MONTH`` on, notice (once a week) that next year's calendar is missing.

    Without it every deadline reaching into next year is provisional; administrators must load
    the State Council notice as soon as it is published (usually in November or December).
    """
    today = today or timezone.localdate()
    next_year = today.year + 1
    if today.month < settings.CALENDAR_WARNING_MONTH or next_year in get_calendar().covered_years:
        return None
    monday = today - timedelta(days=today.weekday())
    notice, created = Notice.objects.get_or_create(
        subject_kind=SubjectKind.CALENDAR, subject_id=next_year, kind=NoticeKind.CALENDAR_MISSING,
        due_date=monday, defaults={"created_at": timezone.now()},
    )
    return notice if created else None


def calendar_titles(years: list[int]) -> dict[int, str]:
    """What a ``calendar_missing`` notice says (its subject id is the year)."""
    return {year: _(
        "The State Council holiday notice for %(year)d is not loaded: deadlines reaching into "
        "%(year)d are provisional until an administrator loads it."
    ) % {"year": year} for year in years}


CALENDAR_SUBJECT = DeadlineSubject(
    kind=SubjectKind.CALENDAR, open_rows=None, titles=calendar_titles,
    url_name="admin:scheduler_calendaryear_changelist", url_takes_id=False,
)


def sweep_last_finished() -> datetime | None:
    run = SweepRun.objects.order_by("-finished_at").values_list("finished_at", flat=True).first()
    return run
