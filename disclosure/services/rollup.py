"""The timeliness rollup: the counts the timeliness statistics read, kept exact on every record write.

A record due on a day counts, for the statistics, by (agency, kind, due date, class, latency,
working days late): ``TimelinessRollup`` holds how many records share each such key, once per due
day, once more per due month and once more per due year, so a period is read from its whole years,
its whole months and its remaining days: a year is one row per key, not 365.
The class is on time, late, draft, other or backfill; whether a draft is *overdue* or *pending*
depends only on its due date and the day the figures are judged, so the read decides it
(``due < today``) and the rollup never changes as days pass: no nightly job.

Maintenance, inside the writer's transaction:

* ``rollup_record_written`` (called by ``records._version``, the one version writer, after the
  audit entry) compares the record's counted key before the write (its previous sealed version:
  the row always equals it) with its key now; only when they differ are two keys touched, one
  decremented, one incremented. Content edits, changes, corrections, revocations and expiry leave
  the key alone (a publication's class is fixed at its first publication), so they cost one
  indexed read of the previous version and no write.
* ``rollup_add`` counts records inserted in bulk (a batched import, which adds up its whole
  file's keys and applies them once, before its commit: ``rollup_facts`` and ``rollup_apply``).

Concurrency: every delta is one ``INSERT ... ON CONFLICT (key) DO UPDATE SET n = n + excluded.n``
statement, atomic on SQLite and PostgreSQL: two transactions adding to the same key serialize on
that row and neither increment is lost. Keys are written in sorted order, and after the audit
append (which serializes writers on the chain head), so two writers never wait on each other's
rollup rows in opposite orders: no deadlock. Append-only delta rows summed at read time with a
compaction job were the alternative; they make every read pay for the not-yet-compacted deltas
and add a job whose crash or delay is a new way to be wrong, for no gain here: the chain head
already serializes record writes, so the upsert's row lock costs nothing extra.

``rollup_rebuild`` (``manage.py rebuild_timeliness_rollup``) recounts the same rows from the
records, compares and repairs; migration 0011 fills the table with a frozen copy of that SQL.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any, NamedTuple

from django.db import connection, transaction
from tqdm import tqdm

from disclosure.models import Agency, Record, RecordStatus, RecordVersion, RollupSpan, RollupState, TimelinessRollup

TABLE = TimelinessRollup._meta.db_table
KEY_COLUMNS = ("span", "due", "agency_id", "kind", "state", "latency", "late_days")
# Rows per INSERT statement (8 parameters each: well inside SQLite's variable limit).
_CHUNK = 500


class Fact(NamedTuple):
    """What one record contributes to the rollup (one count at its due day and its due month)."""

    agency_id: int
    kind: str
    due: date
    state: int
    latency: int
    late_days: int


def fact(*, agency_id: int, kind: str, due: date | None, backfill: bool, status: str, published: bool,
         on_time: bool | None, late_working_days: int | None, latency_working_days: int | None) -> Fact | None:
    """The counted key of a record with these values; ``None`` when it has no due date (a surprise
    inspection task: its result counts). The same classes as ``rollup_expected_sql``."""
    if due is None:
        return None
    if backfill:
        return Fact(agency_id, kind, due, RollupState.BACKFILL, -1, 0)
    if published and on_time is True:
        state = RollupState.ON_TIME
    elif published and on_time is False:
        state = RollupState.LATE
    elif status == RecordStatus.DRAFT:
        state = RollupState.DRAFT
    else:
        state = RollupState.OTHER
    late = (late_working_days or 0) if state == RollupState.LATE else 0
    latency = -1 if latency_working_days is None else latency_working_days
    return Fact(agency_id, kind, due, state, latency, late)


def record_fact(record: Record) -> Fact | None:
    due = record.due_date
    return fact(agency_id=record.agency_id, kind=record.kind,
                due=date.fromisoformat(due) if isinstance(due, str) else due, backfill=bool(record.backfill),
                status=record.status, published=record.published_on is not None, on_time=record.on_time,
                late_working_days=record.late_working_days, latency_working_days=record.latency_working_days)


def snapshot_fact(data: Mapping[str, Any], agency_id: int) -> Fact | None:
    """The counted key of a sealed snapshot (``RecordVersion.data``) of a record of ``agency_id``."""
    due = data.get("due_date")
    return fact(agency_id=agency_id, kind=data["kind"], due=date.fromisoformat(due) if due else None,
                backfill=bool(data.get("backfill")), status=data["status"],
                published=data.get("published_at") is not None, on_time=data.get("on_time"),
                late_working_days=data.get("late_working_days"), latency_working_days=data.get("latency_working_days"))


def rollup_apply(deltas: Mapping[Fact, int]) -> None:
    """Add ``deltas`` (key -> change in count) to the rollup, at the due day, month and year."""
    rows: Counter[tuple[str, date, int, str, int, int, int]] = Counter()
    for key, change in deltas.items():
        if change:
            rest = (key.agency_id, key.kind, key.state, key.latency, key.late_days)
            rows[(RollupSpan.DAY.value, key.due, *rest)] += change
            rows[(RollupSpan.MONTH.value, key.due.replace(day=1), *rest)] += change
            rows[(RollupSpan.YEAR.value, key.due.replace(month=1, day=1), *rest)] += change
    # Sorted: concurrent writers lock shared rows in one order. Merged: one statement may not
    # touch a row twice (PostgreSQL refuses).
    values = [(*key, change) for key, change in sorted(rows.items()) if change]
    if not values:
        return
    columns = ", ".join((*KEY_COLUMNS, "n"))
    conflict = f"ON CONFLICT ({', '.join(KEY_COLUMNS)}) DO UPDATE SET n = {TABLE}.n + excluded.n"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One statement whatever the number of keys: a column of values per array parameter
            # (a multi-row VALUES list of thousands of rows costs more to build than to run).
            # ``unnest`` yields the arrays in order, so the keys are still written sorted.
            cursor.execute(
                f"INSERT INTO {TABLE} ({columns}) SELECT * FROM unnest(%s::varchar[], %s::date[], "  # noqa: S608
                f"%s::bigint[], %s::varchar[], %s::smallint[], %s::integer[], %s::integer[], %s::bigint[]) {conflict}",
                [list(column) for column in zip(*values, strict=True)],
            )
            return
        for start in range(0, len(values), _CHUNK):
            chunk = values[start:start + _CHUNK]
            placeholders = ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s)"] * len(chunk))
            # Only constants and placeholders are interpolated; the values are parameters.
            cursor.execute(
                f"INSERT INTO {TABLE} ({columns}) VALUES {placeholders} {conflict}",  # noqa: S608
                [value for row in chunk for value in row],
            )


def rollup_facts(records: Iterable[Record]) -> Counter[Fact]:
    """The counts ``records`` add to the rollup (key -> records), for ``rollup_apply``."""
    return Counter(f for f in map(record_fact, records) if f is not None)


def rollup_add(records: Sequence[Record]) -> None:
    """Count newly inserted ``records`` (a bulk import's chunk), in the caller's transaction, after
    their audit entries. Records not yet counted only: a record counted twice is counted twice."""
    rollup_apply(rollup_facts(records))


def _agency_id(code: str, record: Record) -> int:
    if code == record.agency.code:
        return record.agency_id
    # A draft moved to another agency (record_edit): its previous agency by code.
    found = Agency.objects.filter(code=code).values_list("pk", flat=True).first()
    return found if found is not None else record.agency_id


def rollup_record_written(record: Record) -> None:
    """The hook of ``records._version``: ``record`` was just saved as version ``record.version``;
    move its count from its previous version's key to its key now, when they differ."""
    after = record_fact(record)
    before: Fact | None = None
    if record.version > 1:
        data = RecordVersion.objects.filter(record_id=record.pk, number=record.version - 1).values_list(
            "data", flat=True).first()
        if data is not None:
            before = snapshot_fact(data, _agency_id(data.get("agency_code", ""), record))
    if before == after:
        return
    deltas: Counter[Fact] = Counter()
    if before is not None:
        deltas[before] -= 1
    if after is not None:
        deltas[after] += 1
    rollup_apply(deltas)


# -- the same counts from the records ----------------------------------------------------------------
_STATE_SQL = f"""CASE WHEN r.backfill THEN {RollupState.BACKFILL.value}
    WHEN r.published_on IS NOT NULL AND r.on_time THEN {RollupState.ON_TIME.value}
    WHEN r.published_on IS NOT NULL AND NOT r.on_time THEN {RollupState.LATE.value}
    WHEN r.status = '{RecordStatus.DRAFT.value}' THEN {RollupState.DRAFT.value}
    ELSE {RollupState.OTHER.value} END"""
_LATENCY_SQL = "CASE WHEN r.backfill THEN -1 ELSE COALESCE(r.latency_working_days, -1) END"
_LATE_SQL = ("CASE WHEN NOT r.backfill AND r.published_on IS NOT NULL AND NOT r.on_time "
             "THEN COALESCE(r.late_working_days, 0) ELSE 0 END")


def _due_sql(vendor: str, span: str) -> str:
    if span == RollupSpan.DAY:
        return "r.due_date"
    unit = "month" if span == RollupSpan.MONTH else "year"
    if vendor == "postgresql":
        return f"CAST(date_trunc('{unit}', r.due_date) AS date)"
    return f"date(r.due_date, 'start of {unit}')"


def _expected_sql(vendor: str, span: str) -> str:
    """A SELECT of the rollup rows of ``span`` computed from ``disclosure_record`` (columns
    ``KEY_COLUMNS`` and ``n``)."""
    # Constants only (see above).
    return (f"SELECT '{span}', {_due_sql(vendor, span)}, r.agency_id, r.kind, {_STATE_SQL}, {_LATENCY_SQL}, "  # noqa: S608
            f"{_LATE_SQL}, COUNT(*) FROM {Record._meta.db_table} r WHERE r.due_date IS NOT NULL "
            f"GROUP BY 1, 2, 3, 4, 5, 6, 7")


class RebuildResult(NamedTuple):
    agencies: int  # agencies with a differing row
    rows: int  # keys whose count was missing, wrong or extra


_EXPECTED = "timeliness_rollup_expected"


def rollup_rebuild(*, progress: bool = False) -> RebuildResult:
    """Recount the rollup from the records and repair what differs, in one transaction.

    Steps (the progress bar's): recount each span into a temporary table (one GROUP BY pass over
    the records each), compare it with the stored rows (EXCEPT both ways, in the database), and,
    when anything differs, replace the stored rows. Idempotent: a second run finds nothing to
    repair. Exact while records are written: on PostgreSQL the transaction first takes a lock that
    conflicts with the writers' upserts (SHARE ROW EXCLUSIVE on the rollup table), so a writer
    either committed before the recount (and is in it) or waits and adds its delta after the
    repair; writers wait for the recount (a minute at five million records), they do not fail.
    SQLite serializes writers anyway.
    """
    keys = ", ".join(KEY_COLUMNS)
    postgresql = connection.vendor == "postgresql"
    steps = [*RollupSpan.values, "compare", "repair"]
    with transaction.atomic(), connection.cursor() as cursor, tqdm(
            total=len(steps), unit="step", desc="timeliness rollup", disable=not progress) as bar:
        if postgresql:
            cursor.execute(f"LOCK TABLE {TABLE} IN SHARE ROW EXCLUSIVE MODE")
        cursor.execute(f"DROP TABLE IF EXISTS {_EXPECTED}")
        cursor.execute(f"CREATE TEMPORARY TABLE {_EXPECTED} AS SELECT {keys}, n FROM {TABLE} WHERE 1 = 0")  # noqa: S608
        for span in RollupSpan.values:
            cursor.execute(f"INSERT INTO {_EXPECTED} ({keys}, n) {_expected_sql(connection.vendor, span)}")  # noqa: S608
            bar.update()
        stored = f"SELECT {keys}, n FROM {TABLE} WHERE n <> 0"  # noqa: S608
        expected = f"SELECT {keys}, n FROM {_EXPECTED}"  # noqa: S608
        cursor.execute(
            f"SELECT count(*), count(DISTINCT agency_id) FROM (SELECT {keys} FROM ({expected} EXCEPT {stored}) a "  # noqa: S608
            f"UNION SELECT {keys} FROM ({stored} EXCEPT {expected}) b) d")
        rows, agencies = (int(value) for value in cursor.fetchone())
        bar.update()
        if rows:
            cursor.execute(f"DELETE FROM {TABLE}")  # noqa: S608
            cursor.execute(f"INSERT INTO {TABLE} ({keys}, n) {expected}")  # noqa: S608
        bar.update()
        cursor.execute(f"DROP TABLE {_EXPECTED}")
    return RebuildResult(agencies, rows)
