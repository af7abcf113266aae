"""Reads of the workspace pages. Every queryset starts from ``disclosure.selectors`` (the API's
own scoping), so a page never shows what the API would not."""
from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Case, F, IntegerField, QuerySet, Value, When
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from disclosure.models import (
    OPEN_REQUEST_STATUSES,
    Agency,
    AuditEntry,
    Record,
    RecordStatus,
    RecordVersion,
    Request,
    StaffMembership,
    User,
)
from disclosure.selectors.access import ACT, MANAGE_USERS, agencies_for
from disclosure.selectors.records import record_list
from disclosure.selectors.requests import requests_visible_to
from scheduler.calendar import DayNote, WorkingCalendar
from scheduler.rules import RecordKind

# Deadline states of a draft, as the list filters them.
OVERDUE, DUE_TODAY, DUE_SOON, PROVISIONAL = "overdue", "due_today", "due_soon", "provisional"


def due_soon_working_days() -> int:
    """"Due soon" means what the reminder notice means: due within this many working days."""
    return int(settings.WORKSPACE_DUE_SOON_WORKING_DAYS)


def workspace_records(
    *, user: User, calendar: WorkingCalendar, today: date, kind: str = "", status: str = "", agency: str = "",
    deadline: str = "", sort: str = "urgency",
) -> QuerySet[Record]:
    """The records of the user's scope (``record_list``, exactly the API's), filtered and ordered.

    By urgency: drafts first, the earliest due date first (so the most overdue lead), drafts without
    a deadline (surprise plans) after them; published and later records last, newest first.
    """
    rows = record_list(user=user)
    if kind:
        rows = rows.filter(kind=kind)
    if status:
        rows = rows.filter(status=status)
    if agency:
        rows = rows.filter(agency__code=agency)
    if deadline:
        drafts = rows.filter(status=RecordStatus.DRAFT)
        if deadline == OVERDUE:
            rows = drafts.filter(due_date__lt=today)
        elif deadline == DUE_TODAY:
            rows = drafts.filter(due_date=today)
        elif deadline == DUE_SOON:
            horizon = calendar.add_working_days(today, due_soon_working_days()).due_date
            rows = drafts.filter(due_date__gt=today, due_date__lte=horizon)
        elif deadline == PROVISIONAL:
            rows = drafts.filter(due_provisional=True)
    if sort == "newest":
        return rows.order_by("-id")
    draft_due = Case(When(status=RecordStatus.DRAFT, then=F("due_date")), default=Value(None))
    return rows.annotate(
        _published=Case(When(status=RecordStatus.DRAFT, then=Value(0)), default=Value(1), output_field=IntegerField()),
        _draft_due=draft_due,
    ).order_by("_published", F("_draft_due").asc(nulls_last=True), F("published_at").desc(nulls_last=True), "-id")


@dataclass(frozen=True)
class Badge:
    css: str
    text: str


def deadline_badges(record: Record, *, calendar: WorkingCalendar, today: date) -> list[Badge]:
    """The deadline badges of one row; pure arithmetic on the cached calendar (no query)."""
    badges: list[Badge] = []
    if record.status != RecordStatus.DRAFT:
        if record.on_time is False:
            n = record.late_working_days or 0
            badges.append(Badge("late", ngettext(
                "published %(n)d working day late", "published %(n)d working days late", n) % {"n": n}))
        return badges
    due = record.due_date
    if due is None:
        return [Badge("none", _("no deadline until the result is published"))]
    if due < today:
        n = calendar.working_days_late(due, today)
        text = ngettext("overdue by %(n)d working day", "overdue by %(n)d working days", n) % {"n": n}
        if n == 0:
            text = _("overdue since %(date)s") % {"date": (due + timedelta(days=1)).isoformat()}
        badges.append(Badge("overdue", text))
    elif due == today:
        badges.append(Badge("today", _("due today")))
    else:
        n = calendar.working_days_up_to(due) - calendar.working_days_up_to(today)
        css = "soon" if n <= due_soon_working_days() else "later"
        badges.append(Badge(css, ngettext("due in %(n)d working day", "due in %(n)d working days", n) % {"n": n}))
    if record.due_provisional:
        badges.append(Badge("provisional", _("provisional deadline")))
    return badges


def act_agency_ids(*, user: User) -> set[int]:
    """Agencies the user may act for (publish, edit): one query, for a whole page of rows."""
    return set(agencies_for(user, ACT).values_list("id", flat=True))


def act_agencies(*, user: User) -> QuerySet[Agency]:
    return agencies_for(user, ACT).order_by("path")


def filter_agencies(*, user: User) -> QuerySet[Agency]:
    """The agencies the list may be filtered by: those whose records the user sees."""
    from disclosure.selectors.access import VIEW

    return agencies_for(user, VIEW).order_by("path")


def visible_record(*, user: User, record_id: int) -> Record | None:
    return record_list(user=user).select_related("created_by", "task").filter(pk=record_id).first()


def record_audit_entries(*, record: Record) -> QuerySet[AuditEntry]:
    """The audit trail of one record, refusals included, oldest first."""
    return AuditEntry.objects.filter(object_type="record", object_id=str(record.pk)).order_by("id")


# -- the deadline arithmetic -------------------------------------------------------------------------
@dataclass
class DeadlineArithmetic:
    event_date: date
    first_day: date
    due_date: date
    provisional: bool
    notes: list[DayNote] = field(default_factory=list)

    @property
    def holidays(self) -> list[DayNote]:
        return [n for n in self.notes if n.kind == "holiday"]

    @property
    def makeup_workdays(self) -> list[DayNote]:
        return [n for n in self.notes if n.kind == "makeup_workday"]

    @property
    def weekends(self) -> list[DayNote]:
        return [n for n in self.notes if n.kind == "weekend"]


def deadline_arithmetic(*, record: Record, calendar: WorkingCalendar) -> DeadlineArithmetic | None:
    """Which days between the event (not counted) and the due date were skipped or counted."""
    if record.due_date is None:
        return None
    first = record.event_date + timedelta(days=1)
    return DeadlineArithmetic(
        event_date=record.event_date, first_day=first, due_date=record.due_date, provisional=record.due_provisional,
        notes=calendar.notes_between(first, record.due_date) if first <= record.due_date else [],
    )


# -- version diff -------------------------------------------------------------------------------------
@dataclass
class DiffRow:
    field: str
    label: str
    old: str
    new: str
    # (op, text) with op in "equal" | "delete" | "insert", for a character-level view of a text field.
    old_segments: list[tuple[str, str]]
    new_segments: list[tuple[str, str]]


_SNAPSHOT_LABELS = {"agency_code": "agency", "task_id": "task"}


def _label(name: str) -> str:
    try:
        field = Record._meta.get_field(_SNAPSHOT_LABELS.get(name, name))
    except FieldDoesNotExist:  # a snapshot key the model no longer has
        return name
    return str(getattr(field, "verbose_name", name))


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def version_diff(old: RecordVersion, new: RecordVersion) -> list[DiffRow]:
    """Field by field, what differs between two snapshots. Texts are compared character by character
    (``difflib.SequenceMatcher``): Chinese has no spaces to split words on."""
    rows: list[DiffRow] = []
    keys = list(dict.fromkeys([*old.data.keys(), *new.data.keys()]))
    for key in keys:
        a, b = _text(old.data.get(key)), _text(new.data.get(key))
        if a == b:
            continue
        old_segments: list[tuple[str, str]] = []
        new_segments: list[tuple[str, str]] = []
        for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
            if op == "equal":
                old_segments.append(("equal", a[i1:i2]))
                new_segments.append(("equal", b[j1:j2]))
                continue
            if i2 > i1:
                old_segments.append(("delete", a[i1:i2]))
            if j2 > j1:
                new_segments.append(("insert", b[j1:j2]))
        rows.append(DiffRow(key, _label(key), a, b, old_segments, new_segments))
    return rows


# -- agency administration ---------------------------------------------------------------------------
def managed_agencies(*, user: User) -> QuerySet[Agency]:
    return agencies_for(user, MANAGE_USERS).order_by("path")


def managed_memberships(*, user: User) -> QuerySet[StaffMembership]:
    """Staff of the agencies the user manages (an agency admin: the own agency's subtree)."""
    ids = list(agencies_for(user, MANAGE_USERS).values_list("id", flat=True))
    return (StaffMembership.objects.filter(agency_id__in=ids).select_related("user", "agency")
            .order_by("agency__path", "user__username"))


KIND_CHOICES = RecordKind.choices


def workspace_requests(*, user: User, kind: str = "", status: str = "") -> QuerySet[Request]:
    """The corrections and queries addressed to the user's agencies (``requests_visible_to``), open
    ones first, the earliest due first."""
    rows = requests_visible_to(user).select_related("record")
    if kind:
        rows = rows.filter(kind=kind)
    if status:
        rows = rows.filter(status=status)
    is_open = Case(When(status__in=OPEN_REQUEST_STATUSES, then=Value(0)), default=Value(1), output_field=IntegerField())
    return rows.annotate(_closed=is_open).order_by("_closed", "due_date", "id")
