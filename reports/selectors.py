"""Reads of the timeliness audit: statistics, trend, overdue and completeness lists, reports.

Definitions (README "Timeliness audit"). The figures are read from the timeliness rollup
(``disclosure.TimelinessRollup``, kept exact by the record services: see
``disclosure.services.rollup``); ``timeliness_statistics_direct`` and ``timeliness_trend_direct``
compute the same figures with GROUP BY over the records and are the reference the property test
and the benchmark compare with.

* A record counts for a period [from, to] when it is not backfilled (补录) and its ``due_date``
  falls in the period. A surprise inspection task has no deadline of its own (``due_date`` empty:
  its plan is published with its result), so only its result counts.
* Of those, each record is in exactly one class, judged at ``today`` (the moment of computing):
  **published on time** (published, ``on_time``), **published late** (published after its due
  date; ``late_working_days`` sums the working days late), **overdue unpublished** (still a
  draft and ``due_date < today``: the due day itself is still on time) or **pending** (a draft
  not yet due). So ``due = on time + late + overdue + pending``.
* Revoked, changed, corrected and expired records count by their first publication: revoking a
  publication (Art. 9) does not undo the fact that it was published on time or late. A draft
  cannot be withdrawn (nothing is deleted), so an abandoned draft stays overdue.
* ``on_time_rate = on time / (on time + late + overdue)``: pending records are not judged yet.
  Empty (``None``) when nothing was decided. With fewer decided records than
  ``AUDIT_MIN_RECORDS_TO_RANK`` the rate is shown but marked too few to rank.
* Latency is ``latency_working_days`` (working days from the event to publication, fixed at
  publication) over the published records of the set; the median and p90 follow PostgreSQL's
  ``percentile_cont`` (linear interpolation). They are computed exactly from a histogram that
  the database groups by (agency, kind, latency): bounded by agencies x kinds x distinct
  latencies, never by the number of records, and the same on SQLite and PostgreSQL.
* Backfilled records due in the period are counted apart (``backfill``), never in the figures.
* Credit repair (信用修复): the applications an agency received in the period (by the day received),
  how many it accepted, rejected, has open, and of those open how many are past their reply due
  date (``RepairFigures``); rolled up over the subtree like the rest, apart from the timeliness
  figures.
* Roll-up: an agency's figures include its whole subtree (materialized ``path`` prefix): a
  district government's row includes its bureaus and their dispatched bodies.
* From the rollup, a period is read from year rows for its whole years, month rows for its whole
  months and day rows for the rest; drafts are read split at ``today`` (due before it: overdue;
  from it on: pending), so every row read lies wholly on one side. So the rollup never changes as
  days pass.
"""
from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import BigIntegerField, Count, Max, Q, QuerySet, Sum
from django.db.models.functions import Cast, TruncMonth

from backend.errors import NotVisible
from disclosure.models import (
    OPEN_REQUEST_STATUSES,
    Agency,
    AuditChainHead,
    CitizenRequest,
    Record,
    RecordStatus,
    RequestKind,
    RequestStatus,
    RollupSpan,
    RollupState,
    TimelinessRollup,
)
from disclosure.selectors.access import AUDIT, VIEW, User, agencies_for, covers_every_agency
from disclosure.selectors.transparency import b64, head_newest, head_time
from disclosure.services.audit import GENESIS_HASH
from reports import conf
from reports.models import MonthlyReport, ReportStatus


# -- scope ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class AuditScope:
    """The agencies whose figures a user may see: every agency for an auditor (AUDIT grant), the
    own agency's subtree for its staff (VIEW grant), nothing for anyone else."""

    agencies: tuple[Agency, ...]
    auditor: bool
    everything: bool

    @property
    def ids(self) -> list[int]:
        return [agency.pk for agency in self.agencies]

    def record_filter(self) -> Q:
        """The records of the scope: no filter at all when it covers every agency."""
        return Q() if self.everything else Q(agency_id__in=self.ids)

    def find(self, code: str) -> Agency | None:
        return next((a for a in self.agencies if a.code == code), None)


def audit_scope(*, user: User) -> AuditScope:
    """Which agencies' timeliness ``user`` may read (auditor: all; agency staff: own subtree)."""
    audited = list(agencies_for(user, AUDIT).select_related("parent").order_by("path"))
    auditor = bool(audited)
    agencies = audited if auditor else list(agencies_for(user, VIEW).select_related("parent").order_by("path"))
    everything = covers_every_agency(agencies)
    return AuditScope(tuple(agencies), auditor, everything)


def report_scope() -> AuditScope:
    """Every agency: the monthly report covers the whole tree."""
    return AuditScope(tuple(Agency.objects.select_related("parent").order_by("path")), True, True)


# -- figures ---------------------------------------------------------------------------------------
def percentile_cont(histogram: Counter[int], fraction: float) -> float | None:
    """``percentile_cont(fraction)`` of the multiset a histogram describes (value -> count)."""
    total = sum(histogram.values())
    if total == 0:
        return None
    position = fraction * (total - 1)
    low, high = math.floor(position), math.ceil(position)
    values = sorted(histogram.items())

    def value_at(index: int) -> int:
        seen = 0
        for value, count in values:
            seen += count
            if index < seen:
                return value
        raise IndexError(index)  # pragma: no cover - index < total by construction

    low_value, high_value = value_at(low), value_at(high)
    return round(low_value + (high_value - low_value) * (position - low), 2)


@dataclass
class Figures:
    """Timeliness figures of one set of records (see the module docstring for definitions)."""

    due: int = 0
    published_on_time: int = 0
    published_late: int = 0
    late_working_days: int = 0
    max_late_working_days: int = 0
    overdue_unpublished: int = 0
    pending: int = 0
    latency: Counter[int] = field(default_factory=Counter)

    def add(self, other: Figures) -> None:
        self.due += other.due
        self.published_on_time += other.published_on_time
        self.published_late += other.published_late
        self.late_working_days += other.late_working_days
        self.max_late_working_days = max(self.max_late_working_days, other.max_late_working_days)
        self.overdue_unpublished += other.overdue_unpublished
        self.pending += other.pending
        self.latency.update(other.latency)

    @property
    def decided(self) -> int:
        return self.published_on_time + self.published_late + self.overdue_unpublished

    @property
    def on_time_rate(self) -> float | None:
        return round(self.published_on_time / self.decided, 4) if self.decided else None

    @property
    def rankable(self) -> bool:
        return self.decided >= conf.min_records_to_rank()

    @property
    def median_latency_working_days(self) -> float | None:
        return percentile_cont(self.latency, 0.5)

    @property
    def p90_latency_working_days(self) -> float | None:
        return percentile_cont(self.latency, 0.9)

    def as_dict(self) -> dict[str, object]:
        return {
            "due": self.due,
            "published_on_time": self.published_on_time,
            "published_late": self.published_late,
            "late_working_days": self.late_working_days,
            "max_late_working_days": self.max_late_working_days,
            "overdue_unpublished": self.overdue_unpublished,
            "pending": self.pending,
            "on_time_rate": self.on_time_rate,
            "too_few_to_rank": not self.rankable,
            "median_latency_working_days": self.median_latency_working_days,
            "p90_latency_working_days": self.p90_latency_working_days,
        }


@dataclass
class RepairFigures:
    """Credit-repair applications (信用修复, NDRC Order 2025 No. 36) received in the period, by what
    became of them as of ``today``: ``received = accepted + rejected + open``; ``overdue`` are the
    open ones past their reply due date (the due day itself is still on time)."""

    received: int = 0
    accepted: int = 0
    rejected: int = 0
    open: int = 0
    overdue: int = 0

    def add(self, other: RepairFigures) -> None:
        self.received += other.received
        self.accepted += other.accepted
        self.rejected += other.rejected
        self.open += other.open
        self.overdue += other.overdue

    def as_dict(self) -> dict[str, int]:
        return {"received": self.received, "accepted": self.accepted, "rejected": self.rejected,
                "open": self.open, "overdue": self.overdue}


@dataclass
class AgencyFigures:
    """An agency's figures over its whole subtree, in total and by record kind, and the credit-repair
    applications addressed to it."""

    agency: Agency
    total: Figures = field(default_factory=Figures)
    by_kind: dict[str, Figures] = field(default_factory=dict)
    backfill: int = 0
    rank: int | None = None
    repairs: RepairFigures = field(default_factory=RepairFigures)

    def add(self, other: AgencyFigures) -> None:
        self.total.add(other.total)
        for kind, figures in other.by_kind.items():
            self.by_kind.setdefault(kind, Figures()).add(figures)
        self.backfill += other.backfill
        self.repairs.add(other.repairs)


@dataclass
class Statistics:
    date_from: date
    date_to: date
    today: date
    rows: dict[int, AgencyFigures]  # by agency id, every agency of the scope, rolled up
    total: AgencyFigures | None  # the whole scope (each record once)

    def for_agencies(self, agencies: Iterable[Agency]) -> list[AgencyFigures]:
        return [self.rows[a.pk] for a in agencies if a.pk in self.rows]


def _due_in(date_from: date, date_to: date) -> Q:
    return Q(backfill=False, due_date__gte=date_from, due_date__lte=date_to)


def _class_aggregates(today: date) -> dict[str, Any]:
    published = Q(published_on__isnull=False)
    late = published & Q(on_time=False)
    draft = Q(status=RecordStatus.DRAFT)
    return {
        "n_due": Count("id"),
        "n_on_time": Count("id", filter=published & Q(on_time=True)),
        "n_late": Count("id", filter=late),
        "n_late_days": Sum("late_working_days", filter=late),
        "n_late_max": Max("late_working_days", filter=late),
        "n_overdue": Count("id", filter=draft & Q(due_date__lt=today)),
        "n_pending": Count("id", filter=draft & Q(due_date__gte=today)),
    }


def _figures(row: Mapping[str, Any]) -> Figures:
    figures = Figures(
        due=int(row["n_due"]),
        published_on_time=int(row["n_on_time"]),
        published_late=int(row["n_late"]),
        late_working_days=int(row["n_late_days"] or 0),
        max_late_working_days=int(row["n_late_max"] or 0),
        overdue_unpublished=int(row["n_overdue"]),
        pending=int(row["n_pending"]),
    )
    latency = row.get("latency_working_days")
    if latency is not None:
        # Only published records carry a latency, so every record of this group is published.
        figures.latency[int(latency)] = int(row["n_due"])
    return figures


def _segments(start: date, end: date, *, years: bool = True) -> list[tuple[str, date, date]]:
    """[start, end] as rollup rows: ranges (span, first row's due, last row's due) of whole years
    (when ``years``), whole months and single days, greedily from ``start``; at most five ranges."""
    out: list[tuple[str, date, date]] = []
    day = start
    while day <= end:
        if years and (day.month, day.day) == (1, 1) and date(day.year, 12, 31) <= end:
            span, following = RollupSpan.YEAR, date(day.year + 1, 1, 1)
        elif day.day == 1 and month_end(day) <= end:
            span, following = RollupSpan.MONTH, date.fromordinal(month_end(day).toordinal() + 1)
        else:
            span, following = RollupSpan.DAY, date.fromordinal(day.toordinal() + 1)
        if out and out[-1][0] == span:
            out[-1] = (span, out[-1][1], day)  # the next row of the same span: one range
        else:
            out.append((span, day, day))
        day = following
    return out


def _window(segments: list[tuple[str, date, date]]) -> Q:
    window = Q(pk__in=[])
    for span, first, last in segments:
        window |= Q(span=span, due__gte=first, due__lte=last)
    return window


def _rollup_rows(date_from: date, date_to: date, today: date, agency_ids: list[int] | None, *,
                 years: bool = True) -> QuerySet[TimelinessRollup]:
    """The rollup rows that make up [from, to]. Drafts are read in two parts, due before ``today``
    and from ``today`` on, so each row read lies wholly on one side (overdue or pending); the other
    classes do not depend on ``today``."""
    drafts = Q(state=RollupState.DRAFT)
    whole = _segments(date_from, date_to, years=years)
    before = _segments(date_from, min(date_to, date.fromordinal(today.toordinal() - 1)), years=years)
    after = _segments(max(date_from, today), date_to, years=years)
    if before + after == whole:
        # ``today`` does not fall inside a row of the period (a period wholly before or after it,
        # or one split at a row's start): every class is read from the same rows, and the read is
        # one range per span of the key's index (index-only on PostgreSQL: migration 0015).
        window = _window(whole)
    else:
        window = (_window(whole) & ~drafts) | (_window(before + after) & drafts)
    rows = TimelinessRollup.objects.filter(window)
    return rows if agency_ids is None else rows.filter(agency_id__in=agency_ids)


def _fetch(query: QuerySet[Any]) -> list[tuple[Any, ...]]:
    """The rows of ``query`` as the database driver returns them: the SQL is the ORM's, but a
    few thousand grouped rows skip its per-row converters (half the time of a year's figures)."""
    try:
        sql, params = query.query.sql_with_params()
    except EmptyResultSet:  # an empty scope or period: nothing to ask
        return []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows: list[tuple[Any, ...]] = cursor.fetchall()
    return rows


def _counted(figures: Figures, state: int, late_days: int, n: int, before_today: int) -> None:
    """Add ``n`` records of one rollup class to ``figures`` (``before_today`` of them due before today)."""
    figures.due += n
    if state == RollupState.ON_TIME:
        figures.published_on_time += n
    elif state == RollupState.LATE:
        figures.published_late += n
        figures.late_working_days += n * late_days
        figures.max_late_working_days = max(figures.max_late_working_days, late_days)
    elif state == RollupState.DRAFT:
        figures.overdue_unpublished += before_today
        figures.pending += n - before_today


def timeliness_statistics(*, scope: AuditScope, date_from: date, date_to: date, today: date) -> Statistics:
    """Figures for every agency of ``scope`` (each rolled up over its subtree) and for the scope.

    One GROUP BY over the rollup by (agency, kind, class, latency, days late): its rows are bounded
    by agencies x kinds x months (or days) x latencies, whatever the number of records; the roll-up
    then adds each agency's figures once into its nearest ancestor of the scope, deepest first.
    """
    by_id = {agency.pk: agency for agency in scope.agencies}
    grouped = (
        _rollup_rows(date_from, date_to, today, None if scope.everything else scope.ids)
        .values("agency_id", "kind", "state", "latency", "late_days")
        # Cast: PostgreSQL sums a bigint as numeric, which the driver would turn into Decimals.
        .annotate(total=Cast(Sum("n"), BigIntegerField()),
                  before_today=Cast(Sum("n", filter=Q(due__lt=today)), BigIntegerField()))
        .order_by()
        .values_list("agency_id", "kind", "state", "latency", "late_days", "total", "before_today")
    )
    own: dict[int, AgencyFigures] = {}
    # (agency, kind) -> its Figures; this loop runs once per grouped row (a few thousand).
    cells: dict[tuple[int, str], Figures] = {}
    on_time, late, draft, backfill = RollupState.ON_TIME, RollupState.LATE, RollupState.DRAFT, RollupState.BACKFILL
    for agency_id, kind, state, latency, late_days, total, before in _fetch(grouped):
        if not total or agency_id not in by_id:
            continue  # a row left empty when its last record moved out of it
        n = int(total)
        figures = cells.get((agency_id, kind))
        if figures is None:
            entry = own.get(agency_id)
            if entry is None:
                entry = own[agency_id] = AgencyFigures(by_id[agency_id])
            if state == backfill:
                entry.backfill += n
                continue
            figures = cells[agency_id, kind] = entry.by_kind[kind] = Figures()
        elif state == backfill:
            own[agency_id].backfill += n
            continue
        figures.due += n
        if state == on_time:
            figures.published_on_time += n
        elif state == late:
            figures.published_late += n
            figures.late_working_days += n * late_days
            if late_days > figures.max_late_working_days:
                figures.max_late_working_days = late_days
        elif state == draft:
            before_today = int(before or 0)
            figures.overdue_unpublished += before_today
            figures.pending += n - before_today
        if latency >= 0:
            histogram = figures.latency
            histogram[latency] = histogram.get(latency, 0) + n
    return _rolled_up(scope, own, date_from, date_to, today)


def timeliness_statistics_direct(*, scope: AuditScope, date_from: date, date_to: date, today: date) -> Statistics:
    """``timeliness_statistics`` computed from the records themselves: the reference.

    One GROUP BY query whatever the number of records, by (agency, kind, latency, backfill) over
    the records due in the period; the roll-up then adds the grouped rows up the tree (agencies x
    depth additions).
    """
    by_id = {agency.pk: agency for agency in scope.agencies}
    grouped = (
        Record.objects.filter(scope.record_filter(), due_date__gte=date_from, due_date__lte=date_to)
        .values("agency_id", "kind", "latency_working_days", "backfill")
        .annotate(**_class_aggregates(today))
        .order_by()
        .values_list("agency_id", "kind", "latency_working_days", "backfill", *_class_aggregates(today))
    )
    # Accumulated in place per (agency, kind): this loop runs once per group, and there are a few
    # thousand groups at most, whatever the number of records.
    own: dict[int, AgencyFigures] = {}
    for agency_id, kind, latency, backfill, due, on_time, late, late_days, late_max, overdue, pending in grouped:
        if agency_id not in by_id:
            continue
        entry = own.get(agency_id)
        if entry is None:
            entry = own[agency_id] = AgencyFigures(by_id[agency_id])
        if backfill:
            entry.backfill += due
            continue
        figures = entry.by_kind.get(kind)
        if figures is None:
            figures = entry.by_kind[kind] = Figures()
        figures.due += due
        figures.published_on_time += on_time
        figures.published_late += late
        figures.late_working_days += late_days or 0
        figures.max_late_working_days = max(figures.max_late_working_days, late_max or 0)
        figures.overdue_unpublished += overdue
        figures.pending += pending
        if latency is not None:
            # Only published records carry a latency, so every record of this group is published.
            figures.latency[latency] += due
    return _rolled_up(scope, own, date_from, date_to, today)


def _own_repairs(scope: AuditScope, own: dict[int, AgencyFigures], date_from: date, date_to: date,
                 today: date) -> None:
    """Add to ``own`` each agency's credit-repair applications received in [date_from, date_to]: one
    GROUP BY over the applications (agencies x states rows), whatever their number."""
    by_id = {agency.pk: agency for agency in scope.agencies}
    open_now = Q(status__in=OPEN_REQUEST_STATUSES)
    grouped = (
        CitizenRequest.objects.filter(kind=RequestKind.REPAIR, received_on__gte=date_from, received_on__lte=date_to)
        .filter(Q() if scope.everything else Q(agency_id__in=scope.ids))
        .values("agency_id").order_by()
        .annotate(received=Count("id"), accepted=Count("id", filter=Q(status=RequestStatus.ACCEPTED)),
                  rejected=Count("id", filter=Q(status=RequestStatus.REJECTED)), open=Count("id", filter=open_now),
                  overdue=Count("id", filter=open_now & Q(due_date__lt=today)))
        .values_list("agency_id", "received", "accepted", "rejected", "open", "overdue")
    )
    for agency_id, received, accepted, rejected, still_open, overdue in grouped:
        if agency_id not in by_id:
            continue
        entry = own.get(agency_id)
        if entry is None:
            entry = own[agency_id] = AgencyFigures(by_id[agency_id])
        entry.repairs.add(RepairFigures(received, accepted, rejected, still_open, overdue))


def _rolled_up(scope: AuditScope, own: dict[int, AgencyFigures], date_from: date, date_to: date,
               today: date) -> Statistics:
    """Each agency's own figures (by kind) added up into its total and up the tree, with its
    credit-repair applications (``_own_repairs``).

    Bottom-up: deepest agencies first, each adds its subtree's figures (its own and what its
    descendants added to it) to its nearest ancestor in the scope; the scope's total is the sum
    of its topmost agencies. One addition per agency instead of one per (agency, ancestor)."""
    _own_repairs(scope, own, date_from, date_to, today)
    for entry in own.values():
        for figures in entry.by_kind.values():
            entry.total.add(figures)

    # An agency's own figures become its row (``own`` is the caller's scratch).
    rows = {agency.pk: own.get(agency.pk) or AgencyFigures(agency) for agency in scope.agencies}
    by_path = {agency.path: agency.pk for agency in scope.agencies}
    total = AgencyFigures(scope.agencies[0]) if scope.agencies else None
    for agency in sorted(scope.agencies, key=lambda a: a.path.count("/"), reverse=True):
        row = rows[agency.pk]
        # The nearest proper prefix of the path that is an agency of the scope: the ancestor
        # whose row includes this one (the others include it through that one).
        parts = agency.path.rstrip("/").split("/")
        for depth in range(len(parts) - 1, 0, -1):
            ancestor = by_path.get("/".join(parts[:depth]) + "/")
            if ancestor is not None:
                rows[ancestor].add(row)
                break
        else:
            if total is not None:
                total.add(row)
    return Statistics(date_from, date_to, today, rows, total)


def ranking(rows: list[AgencyFigures]) -> list[AgencyFigures]:
    """``rows`` ordered for a ranking, with ``rank`` set on those with enough decided records.

    Rankable rows first, by on-time rate (highest first), then by more decided records, then by
    the tree order; rows with too few records follow, unranked, in the tree order.
    """
    rankable = sorted(
        (r for r in rows if r.total.rankable),
        key=lambda r: (-(r.total.on_time_rate or 0.0), -r.total.decided, r.agency.path),
    )
    others = sorted((r for r in rows if not r.total.rankable), key=lambda r: r.agency.path)
    previous: tuple[float | None, int] | None = None
    for position, row in enumerate(rankable, start=1):
        key = (row.total.on_time_rate, row.total.decided)
        # Equal rate and equal weight share a rank ("1, 1, 3").
        row.rank = rankable[position - 2].rank if key == previous else position
        previous = key
    for row in others:
        row.rank = None
    return rankable + others


def ranking_units(scope: AuditScope, parent: Agency | None) -> list[Agency]:
    """The agencies compared side by side: the children of ``parent``; without one, the children
    of the tree's roots (the city's departments and its districts and counties), or, for a scope
    that holds no root, its own topmost agencies."""
    if parent is not None:
        return [a for a in scope.agencies if a.parent_id == parent.pk]
    ids = {a.pk for a in scope.agencies}
    roots = [a for a in scope.agencies if a.parent_id is None]
    if roots:
        root_ids = {a.pk for a in roots}
        return [a for a in scope.agencies if a.parent_id in root_ids]
    return [a for a in scope.agencies if a.parent_id not in ids]


# -- trend -----------------------------------------------------------------------------------------
def month_starts(last_month: date, count: int) -> list[date]:
    """The first days of ``count`` months ending with ``last_month``'s month, oldest first."""
    year, month = last_month.year, last_month.month
    out: list[date] = []
    for _ in range(count):
        out.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return out[::-1]


def month_end(first: date) -> date:
    following = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    return date.fromordinal(following.toordinal() - 1)


def timeliness_trend(*, scope: AuditScope, agency: Agency | None, months: list[date], today: date) -> list[
        tuple[date, Figures]]:
    """Figures month by month (by due date) for ``agency``'s subtree, or the whole scope: one
    GROUP BY over the rollup (a month's row, or the day rows of the month holding today)."""
    if not months:
        return []
    ids: list[int] | None = None
    if agency is not None or not scope.everything:
        ids = [a.pk for a in scope.agencies if agency is None or a.path.startswith(agency.path)]
    grouped = (
        _rollup_rows(months[0], month_end(months[-1]), today, ids, years=False).exclude(state=RollupState.BACKFILL)
        .values("due", "state", "late_days")
        .annotate(total=Sum("n"), before_today=Sum("n", filter=Q(due__lt=today)))
        .order_by()
        .values_list("due", "state", "late_days", "total", "before_today")
    )
    found: dict[date, Figures] = {}
    for due, state, late_days, total, before in _fetch(grouped):
        day = date.fromisoformat(due) if isinstance(due, str) else due  # SQLite: text
        if total:
            _counted(found.setdefault(date(day.year, day.month, 1), Figures()), state, late_days, int(total),
                     int(before or 0))
    return [(month, found.get(month, Figures())) for month in months]


def timeliness_trend_direct(*, scope: AuditScope, agency: Agency | None, months: list[date], today: date) -> list[
        tuple[date, Figures]]:
    """``timeliness_trend`` computed from the records themselves (the reference): one GROUP BY
    month query."""
    if not months:
        return []
    records = Record.objects.filter(scope.record_filter(), _due_in(months[0], month_end(months[-1])))
    if agency is not None:
        records = records.filter(agency__path__startswith=agency.path)
    grouped = records.annotate(month=TruncMonth("due_date")).values("month").annotate(
        **_class_aggregates(today)).order_by()
    found = {row["month"]: _figures({**row, "latency_working_days": None}) for row in grouped}
    return [(month, found.get(month, Figures())) for month in months]


# -- lists -----------------------------------------------------------------------------------------
def _in_subtree(records: QuerySet[Record], agency: Agency | None) -> QuerySet[Record]:
    return records if agency is None else records.filter(agency__path__startswith=agency.path)


def overdue_records(*, scope: AuditScope, agency: Agency | None, date_from: date, date_to: date,
                    today: date) -> QuerySet[Record]:
    """The records counted as "overdue unpublished" for the period: due in it, not backfilled,
    still drafts, due before ``today``; by agency (tree order), then oldest due date first."""
    records = Record.objects.filter(scope.record_filter(), _due_in(date_from, date_to),
                                    status=RecordStatus.DRAFT, due_date__lt=today)
    return _in_subtree(records, agency).select_related("agency").order_by("agency__path", "due_date", "id")


def _past_draft(scope: AuditScope, agency: Agency | None, date_from: date, date_to: date) -> QuerySet[Record]:
    # Completeness concerns what was put on record: drafts are still being written.
    records = Record.objects.filter(scope.record_filter(), event_date__gte=date_from, event_date__lte=date_to).exclude(
        status=RecordStatus.DRAFT)
    return _in_subtree(records, agency).select_related("agency")


def withheld_records(*, scope: AuditScope, agency: Agency | None, date_from: date, date_to: date) -> QuerySet[Record]:
    """Records not disclosed (不予公开, Art. 4) with their reasons, event date in the period, past draft."""
    return _past_draft(scope, agency, date_from, date_to).filter(disclosure="withheld").order_by(
        "agency__path", "-event_date", "id")


def incomplete_records(*, scope: AuditScope, agency: Agency | None, date_from: date, date_to: date) -> QuerySet[
        Record]:
    """Records missing a legal basis (any kind), a document number (decision kinds, setting
    ``AUDIT_DOCUMENT_NUMBER_KINDS``) or a field the national standard requires of their kind
    (``Record.standard_missing``: backfilled and older records published without it, migrated
    penalty types to confirm), event date in the period, past draft."""
    missing = (Q(legal_basis="") | Q(document_number="", kind__in=conf.document_number_kinds())
               | ~Q(standard_missing=[]))
    return _past_draft(scope, agency, date_from, date_to).filter(missing).order_by("agency__path", "-event_date", "id")


def classed_records(*, scope: AuditScope, agency: Agency | None, date_from: date, date_to: date) -> QuerySet[Record]:
    """Penalties whose class the agency set itself instead of the one their categories give (NDRC
    Order 2025 No. 36), with its reason, event date in the period, past draft."""
    return _past_draft(scope, agency, date_from, date_to).exclude(severity_override="").order_by(
        "agency__path", "-event_date", "id")


def agencies_without_credit_code(*, scope: AuditScope, agency: Agency | None) -> list[Agency]:
    """The agencies in scope whose unified social credit code is not filled in yet: the national
    standard names the deciding agency and the data source by it in every exchanged row."""
    agencies = [a for a in scope.agencies if not a.credit_code]
    if agency is not None:
        agencies = [a for a in agencies if a.path.startswith(agency.path)]
    return sorted(agencies, key=lambda a: a.path)


def monthly_reports() -> QuerySet[MonthlyReport]:
    """Stored monthly reports, newest month first."""
    return MonthlyReport.objects.order_by("-month")


def monthly_report_ready(*, month: date) -> MonthlyReport | None:
    return MonthlyReport.objects.filter(month=month, status=ReportStatus.READY).first()


# -- the monthly report's content --------------------------------------------------------------
@dataclass(frozen=True)
class AuditHead:
    """The audit trail's newest entry when the report was made; kept outside the system it
    anchors the chain (``verify_audit`` checks a rewritten chain against it)."""

    entry_id: int
    hash: str


@dataclass
class ReportContent:
    month: date
    date_from: date
    date_to: date
    today: date
    total: AgencyFigures | None
    ranking: list[AgencyFigures]
    agencies: list[AgencyFigures]
    overdue: list[Record]
    overdue_count: int
    head: AuditHead
    min_to_rank: int
    tree_head: TreeHead | None = None


@dataclass(frozen=True)
class TreeHead:
    """The transparency log's newest signed tree head when the report was made: printed, it lets
    anyone later prove (consistency proof) that the log was only appended to since."""

    tree_size: int
    root_hash: str  # base64
    timestamp: str  # exactly as the API serves and the signature covers it (head_time)
    key_id: str


def tree_head_newest() -> TreeHead | None:
    try:
        head = head_newest()
    except NotVisible:
        return None
    return TreeHead(head.tree_size, b64(head.root_hash), head_time(head.timestamp), head.key_id)


def audit_head() -> AuditHead:
    """The audit chain's head row (``disclosure.AuditChainHead``): last entry id and hash."""
    head = AuditChainHead.objects.filter(id=1).first()
    return AuditHead(head.last_entry_id, head.last_hash) if head else AuditHead(0, GENESIS_HASH)


def monthly_report_content(*, month: date, today: date) -> ReportContent:
    """Everything the monthly report shows for ``month`` (all agencies), judged at ``today``."""
    scope = report_scope()
    date_from, date_to = month, month_end(month)
    stats = timeliness_statistics(scope=scope, date_from=date_from, date_to=date_to, today=today)
    overdue = overdue_records(scope=scope, agency=None, date_from=date_from, date_to=date_to, today=today)
    limit = conf.report_max_overdue_items()
    return ReportContent(
        month=month, date_from=date_from, date_to=date_to, today=today, total=stats.total,
        ranking=ranking(stats.for_agencies(ranking_units(scope, None))),
        agencies=stats.for_agencies(scope.agencies),
        overdue=list(overdue[:limit]), overdue_count=overdue.count(), head=audit_head(),
        min_to_rank=conf.min_records_to_rank(), tree_head=tree_head_newest(),
    )
