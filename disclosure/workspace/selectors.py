"""Reads of the workspace pages. Every queryset starts from ``disclosure.selectors`` (the API's
own scoping), so a page never shows what the API would not."""
from __future__ import annotations

import difflib
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db.models import Case, CharField, F, IntegerField, Q, QuerySet, Value, When
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from disclosure.kinds import RecordKind
from disclosure.models import (
    OPEN_REQUEST_STATUSES,
    Agency,
    AuditEntry,
    CitizenRequest,
    Disclosure,
    PenaltyType,
    PublicityClass,
    Record,
    RecordStatus,
    RecordVersion,
    StaffMembership,
    SubjectType,
    User,
)
from disclosure.selectors.access import ACT, MANAGE_USERS, VIEW, agencies_for
from disclosure.selectors.deadline import NoteLine
from disclosure.selectors.records import record_list
from disclosure.selectors.requests import requests_visible_to
from disclosure.services.records import timeliness_on
from disclosure.workspace.forms import RecordForm
from scheduler.calendar import DayNote, WorkingCalendar
from scheduler.models import DeadlineRule
from scheduler.rules import PeriodUnit

# Deadline states of a draft, as the list filters them.
OVERDUE, DUE_TODAY, DUE_SOON, PROVISIONAL = "overdue", "due_today", "due_soon", "provisional"


def due_soon_working_days() -> int:
    """"Due soon" means what the reminder notice means: due within this many working days."""
    return int(settings.WORKSPACE_DUE_SOON_WORKING_DAYS)


def workspace_records(
    *, user: User, calendar: WorkingCalendar, today: date, kind: str = "", status: str = "", agency: str = "",
    deadline: str = "", sort: str = "urgency", q: str = "",
) -> QuerySet[Record]:
    """The records of the user's scope (``record_list``, exactly the API's), filtered and ordered.

    ``q``: every word (split on spaces, full-width forms folded) must occur in the title, the
    subject's name, the credit code or the document number.

    By urgency: drafts first, the earliest due date first (so the most overdue lead), drafts without
    a deadline (surprise plans) after them; published and later records last, newest first.
    """
    rows = record_list(user=user)
    for word in search_words(q):
        rows = rows.filter(Q(title__icontains=word) | Q(subject_name__icontains=word)
                           | Q(subject_code__icontains=word.upper()) | Q(document_number__icontains=word))
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


def search_words(q: str) -> list[str]:
    """The words of a search box: NFKC-folded (a full-width code or number is the ASCII one), at most
    ten, each at most 100 characters."""
    return [w[:100] for w in unicodedata.normalize("NFKC", q).split()][:10]


def bulk_preview(*, user: User, record_ids: list[int], calendar: WorkingCalendar, today: date) -> list[dict[str, Any]]:
    """What publishing each selected record today would mean, before anything is done: on time or
    late by N working days, or why it will be refused (not visible, not the user's to publish,
    not a draft). One query for the records."""
    found = {r.pk: r for r in record_list(user=user).select_related("agency").filter(pk__in=record_ids)}
    act_ids = act_agency_ids(user=user)
    rows: list[dict[str, Any]] = []
    for pk in record_ids:
        record = found.get(pk)
        row: dict[str, Any] = {"id": pk, "record": record, "on_time": True, "late": 0, "refusal": ""}
        if record is None:
            row["refusal"] = _("Not found.")
        elif record.agency_id not in act_ids:
            row["refusal"] = _("You may read this record but not publish it.")
        elif record.status != RecordStatus.DRAFT:
            row["refusal"] = _("Only a draft can be published.")
        else:
            row["on_time"], row["late"] = timeliness_on(record, today, calendar)
        rows.append(row)
    return rows


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
    notes: list[NoteLine] = field(default_factory=list)

    @property
    def holidays(self) -> list[NoteLine]:
        return [n for n in self.notes if n.kind == "holiday"]

    @property
    def makeup_workdays(self) -> list[NoteLine]:
        return [n for n in self.notes if n.kind == "makeup_workday"]

    @property
    def weekends(self) -> list[NoteLine]:
        return [n for n in self.notes if n.kind == "weekend"]


def deadline_arithmetic(*, record: Record, calendar: WorkingCalendar, rule: DeadlineRule | None = None
                        ) -> DeadlineArithmetic | None:
    """Which days between the event (not counted) and the due date were skipped or counted."""
    if record.due_date is None:
        return None
    first = record.event_date + timedelta(days=1)
    days = calendar.notes_between(first, record.due_date) if first <= record.due_date else []
    return DeadlineArithmetic(
        event_date=record.event_date, first_day=first, due_date=record.due_date, provisional=record.due_provisional,
        notes=[NoteLine(d.date, d.kind, d.name, counted(d, rule=rule, event_date=record.event_date)) for d in days],
    )


def counted(day: DayNote, *, rule: DeadlineRule | None, event_date: date) -> bool:
    """Whether a day that is not an ordinary weekday counts towards the period: in working days
    only a make-up working day does; in calendar days every day up to the period's last does (the
    days a deadline runs on to reach a working day do not). ``deadline_explain`` says the same."""
    if rule is not None and rule.unit == PeriodUnit.CALENDAR_DAYS:
        return day.date <= event_date + timedelta(days=rule.period)
    return day.kind == "makeup_workday"


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


# Free text, compared character by character (Chinese has no spaces to split words on); any other
# field (codes, dates, amounts, flags) is shown whole, old against new, by its label.
TEXT_FIELDS = frozenset({"title", "subject_name", "subject_code", "content", "legal_basis", "document_number",
                         "withheld_reason", "subject_statement"})
_FORM_FIELDS = {"agency_code": "agency", "task_id": "task"}


def _snapshot_labels() -> dict[str, str]:
    """The label of each snapshot key: the form's where the form has the field (one wording for
    form, page and diff), otherwise the record page's."""
    labels = {key: str(RecordForm.base_fields[_FORM_FIELDS.get(key, key)].label)
              for key in (*(f for f in RecordForm.base_fields if f not in ("agency", "task")), *_FORM_FIELDS)}
    return labels | {
        "status": _("Status"), "due_date": _("Due date"), "due_provisional": _("Provisional deadline"),
        "published_at": _("Published at"), "on_time": _("Published on time"),
        "late_working_days": _("Working days late"), "latency_working_days": _("Publication latency (working days)"),
        "expires_on": _("Display period ends"), "severity": _("Severity class"),
        "repair_from": _("Credit repair possible from"),
        "subject_statement": _("Subject's statement"), "subject_statement_on": _("Statement made on"),
    }


def _choice_labels() -> dict[str, dict[str, str]]:
    return {
        "kind": {str(k): str(v) for k, v in RecordKind.choices},
        "status": {str(k): str(v) for k, v in RecordStatus.choices},
        "subject_type": {str(k): str(v) for k, v in SubjectType.choices},
        "disclosure": {str(k): str(v) for k, v in Disclosure.choices},
        "penalty_types": {str(k): str(v) for k, v in PenaltyType.choices},
        "severity": {str(k): str(v) for k, v in PublicityClass.choices},
        "severity_override": {str(k): str(v) for k, v in PublicityClass.choices},
    }


def _local_time(value: str) -> str:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    if timezone.is_naive(moment):
        return value
    return formats.date_format(timezone.localtime(moment), "Y-m-d H:i")


def _amount(value: Any) -> str:
    try:
        return f"{Decimal(str(value)).quantize(Decimal('0.01')):,}"
    except (InvalidOperation, ValueError):
        return str(value)


def snapshot_value(key: str, value: Any, *, choices: dict[str, dict[str, str]], agencies: dict[str, str]) -> str:
    """A snapshot value as the page shows it: labels for codes, local time, amounts to the fen, yes/no."""
    if value is None or value == "" or value == []:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if key == "penalty_types" and isinstance(value, list):
        return "、".join(choices["penalty_types"].get(str(v), str(v)) for v in value)
    if key in choices:
        return choices[key].get(str(value), str(value))
    if key == "agency_code":
        return agencies.get(str(value), str(value))
    if key == "published_at":
        return _local_time(str(value))
    if key == "fine_amount":
        return _amount(value)
    if key == "task_id":
        return f"#{value}"
    return str(value)


def version_diff(old: RecordVersion, new: RecordVersion) -> list[DiffRow]:
    """Field by field, what differs between two snapshots, in the page's words (labels, local time,
    normalised amounts: ``5000`` and ``5000.00`` are the same fine). Text fields are compared
    character by character (``difflib.SequenceMatcher``); other fields are shown whole."""
    labels, choices = _snapshot_labels(), _choice_labels()
    codes = {str(v.data.get("agency_code")) for v in (old, new) if v.data.get("agency_code")}
    agencies = dict(Agency.objects.filter(code__in=codes).values_list("code", "name"))
    rows: list[DiffRow] = []
    keys = list(dict.fromkeys([*old.data.keys(), *new.data.keys()]))
    for key in keys:
        a = snapshot_value(key, old.data.get(key), choices=choices, agencies=agencies)
        b = snapshot_value(key, new.data.get(key), choices=choices, agencies=agencies)
        if a == b:
            continue
        old_segments: list[tuple[str, str]] = []
        new_segments: list[tuple[str, str]] = []
        if key not in TEXT_FIELDS:
            old_segments = [("delete", a)] if a else []
            new_segments = [("insert", b)] if b else []
        else:
            for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
                if op == "equal":
                    old_segments.append(("equal", a[i1:i2]))
                    new_segments.append(("equal", b[j1:j2]))
                    continue
                if i2 > i1:
                    old_segments.append(("delete", a[i1:i2]))
                if j2 > j1:
                    new_segments.append(("insert", b[j1:j2]))
        rows.append(DiffRow(key, capfirst(labels.get(key, key)), a, b, old_segments, new_segments))
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


def workspace_requests(*, user: User, kind: str = "", status: str = "",
                       today: date | None = None) -> QuerySet[CitizenRequest]:
    """The corrections and queries addressed to the user's agencies (``requests_visible_to``), open
    ones first, the earliest due first; ``reply_state`` says of an open one whether its reply is
    ``overdue`` or ``due_today`` (else "")."""
    rows = requests_visible_to(user).select_related("record")
    if kind:
        rows = rows.filter(kind=kind)
    if status:
        rows = rows.filter(status=status)
    today = today or timezone.localdate()
    is_open = Case(When(status__in=OPEN_REQUEST_STATUSES, then=Value(0)), default=Value(1), output_field=IntegerField())
    open_now = Q(status__in=OPEN_REQUEST_STATUSES)
    state = Case(When(open_now & Q(due_date__lt=today), then=Value("overdue")),
                 When(open_now & Q(due_date=today), then=Value("due_today")), default=Value(""),
                 output_field=CharField())
    return rows.annotate(_closed=is_open, reply_state=state).order_by("_closed", "due_date", "id")
