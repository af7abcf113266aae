"""Verification of the tamper-evident history: the audit hash chain, each record version's
content against the digest its audit entry sealed, and each record row against its latest
sealed version.

Everything is read inside one snapshot (``_snapshot``): a REPEATABLE READ, read-only transaction
on PostgreSQL, one deferred read transaction on SQLite (WAL). Writers go on meanwhile, but the
check sees the entries, the versions, the records and the chain head as of one moment, so work
committed while it runs can never look like a break.

A run can resume from a checkpoint (``AuditCheckpoint``, written after every intact run): the
chain is then recomputed from the checkpoint's entry on, after checking that this entry still
carries the hash recorded there. Versions sealed before the checkpoint are counted but not
re-hashed (except each record's latest one, which the row check re-hashes), so a full run now and
then (the command's default) still re-reads all of history.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import connection, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from backend.canonical import canonical_digest
from disclosure.kinds.codes import LEGACY_PENALTY_TYPES, PenaltyType
from disclosure.models import AuditChainHead, AuditCheck, AuditCheckpoint, AuditEntry, Record, RecordVersion
from disclosure.services.audit import GENESIS_HASH, entry_hash
from disclosure.services.snapshots import SNAPSHOT_FIELDS

_CHUNK = 5000



@dataclass(frozen=True)
class Problem:
    where: str
    message: str


@dataclass(frozen=True)
class Anchor:
    """An entry's hash recorded outside the system: a rewritten chain cannot reproduce it."""

    entry_id: int
    hash: str


@dataclass
class Report:
    entries: int = 0  # entries whose hash this run recomputed
    versions: int = 0  # versions this run checked against their sealed digest
    records: int = 0  # record rows compared with their latest version
    problems: list[Problem] = field(default_factory=list)
    head: Anchor | None = None
    resumed_from: int | None = None  # the checkpoint's entry id
    sealed_total: int = 0  # versions sealed by the whole chain (checkpoint's count plus this run's)

    @property
    def ok(self) -> bool:
        return not self.problems


@contextmanager
def _snapshot() -> Iterator[None]:
    """Run the body on one consistent snapshot of the database."""
    if connection.in_atomic_block:
        # Inside a caller's transaction (a test's): its view is the one the check gets.
        yield
    elif connection.vendor == "postgresql":
        with transaction.atomic():
            with connection.cursor() as cursor:  # must be the transaction's first statement
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield
    elif connection.vendor == "sqlite":
        # The settings open SQLite transactions IMMEDIATE, which would take the write lock and stop
        # every publication for the length of the check. A DEFERRED transaction only reads: in WAL
        # mode it sees the database as of its first read until it ends, and blocks no writer.
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("BEGIN DEFERRED")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("ROLLBACK")
    else:  # pragma: no cover - the two supported databases are above
        with transaction.atomic():
            yield


def _check_versions(report: Report, sealed: dict[tuple[int, int], str]) -> None:
    """Compare the versions of a chunk of audit entries with the digests those entries sealed."""
    record_ids = {record_id for record_id, _number in sealed}
    found: set[tuple[int, int]] = set()
    rows = RecordVersion.objects.filter(record_id__in=record_ids).values_list("pk", "record_id", "number", "digest",
                                                                              "data")
    for pk, record_id, number, digest, data in rows:
        key = (record_id, number)
        if key not in sealed:
            continue
        found.add(key)
        actual = canonical_digest(data)
        if actual != digest or digest != sealed[key]:
            report.problems.append(Problem(
                f"record version {pk}",
                f"version {number} of record {record_id} does not match the digest sealed in the audit trail",
            ))
    for record_id, number in sorted(set(sealed) - found):
        report.problems.append(Problem(f"record {record_id}", f"version {number} of record {record_id} is missing"))
    report.versions += len(sealed)
    report.sealed_total += len(sealed)


def _same(row: Any, sealed: Any) -> bool:
    """Whether a row's value equals the value a snapshot stored (JSON: dates, times and amounts as text)."""
    if row is None or sealed is None:
        return row is None and sealed is None
    try:
        if isinstance(row, datetime):
            return isinstance(sealed, str) and bool(datetime.fromisoformat(sealed) == row)
        if isinstance(row, date):
            return bool(sealed == row.isoformat())
        if isinstance(row, Decimal):
            return bool(Decimal(str(sealed)) == row)
    except (ValueError, InvalidOperation):
        return False
    return bool(row == sealed)


def _row_column(key: str) -> str | None:
    """The ``values()`` name of a snapshot key, or None for a key that is not a column of Record."""
    if key == "agency_code":
        return "agency__code"
    try:
        model_field = Record._meta.get_field(key.removesuffix("_id"))
    except FieldDoesNotExist:
        return None
    return key if model_field.concrete else None


def _check_rows(report: Report) -> None:
    """Compare every record row with the latest version the trail sealed for it.

    Each field the version's snapshot holds must be equal (every change of a sealed field goes
    through the one version writer, ``disclosure.services.records``, a recomputed deadline included);
    the row's version number
    must be the latest version's; the publication date must be the local date of the sealed
    publication time; and the latest version must still hash to its stored digest.
    """
    latest_number = RecordVersion.objects.filter(record_id=OuterRef("record_id")).order_by("-number").values("number")
    columns = {key: _row_column(key) for key in (*_snapshot_keys(), "agency_code")}
    wanted = sorted({c for c in columns.values() if c} | {"id", "version", "published_on", "published_at"})
    last_id = 0
    while True:
        rows = list(Record.objects.filter(pk__gt=last_id).order_by("pk").values(*wanted)[:_CHUNK])
        if not rows:
            return
        last_id = rows[-1]["id"]
        latest = {
            record_id: (number, data, digest)
            for record_id, number, data, digest in RecordVersion.objects.filter(
                record_id__in=[row["id"] for row in rows], number=Subquery(latest_number[:1]),
            ).values_list("record_id", "number", "data", "digest")
        }
        for row in rows:
            report.records += 1
            _check_row(report, row, latest.get(row["id"]), columns)


def _snapshot_keys() -> tuple[str, ...]:
    return tuple(SNAPSHOT_FIELDS)


def _check_row(report: Report, row: dict[str, Any], latest: tuple[int, Any, str] | None,
               columns: dict[str, str | None]) -> None:
    where = f"record {row['id']}"
    if latest is None:
        report.problems.append(Problem(where, "the record has no sealed version"))
        return
    number, data, digest = latest
    if canonical_digest(data) != digest:
        report.problems.append(Problem(where, f"its latest version {number} does not match its own digest"))
        return
    if row["version"] != number:
        report.problems.append(Problem(where, f"the row says version {row['version']} but the latest sealed "
                                              f"version is {number}"))
    for key, sealed in (data.items() if isinstance(data, dict) else ()):
        column = columns.get(key) or _row_column(key)
        if column is None or column not in row:
            continue
        if key == "penalty_types" and isinstance(sealed, list):
            # A version sealed before migration 0015 holds the eight old penalty types, which the
            # migration rewrote on the row by this one table.
            sealed = [LEGACY_PENALTY_TYPES.get(t, t) if t not in PenaltyType.values else t for t in sealed]
        if not _same(row[column], sealed):
            report.problems.append(Problem(
                where, f"its {key} is {row[column]!r} but its latest sealed version {number} says {sealed!r} "
                       "(changed outside the system)"))
    published_at = row["published_at"]
    expected_on = timezone.localdate(published_at) if published_at is not None else None
    if row["published_on"] != expected_on:
        report.problems.append(Problem(
            where, f"its publication date is {row['published_on']} but it was published at {published_at} "
                   "(changed outside the system)"))


def _checkpoint_start(report: Report, checkpoint: AuditCheckpoint) -> tuple[str, int] | None:
    """Check that the checkpoint's entry is still the one verified; the chain then continues from it."""
    entry = AuditEntry.objects.filter(pk=checkpoint.entry_id).first()
    where = f"audit entry {checkpoint.entry_id}"
    if entry is None:
        report.problems.append(Problem(where, "verified at a checkpoint but now missing"))
        return None
    if entry.hash != checkpoint.hash or entry_hash(entry.prev_hash, entry) != entry.hash:
        report.problems.append(Problem(where, "altered since it was verified at a checkpoint"))
        return None
    return entry.hash, entry.pk + 1


def verify_everything(*, anchors: list[Anchor] | None = None, resume: bool = False) -> Report:
    """Recompute the chain, check every version against its sealed digest, every record row
    against its latest version and every anchor, all on one snapshot. Reads only.

    With ``resume`` the chain is recomputed from the newest checkpoint on (a full run when there is none).
    """
    report = Report()
    with _snapshot():
        _verify(report, anchors or [], resume)
    return report


def _verify(report: Report, anchors: list[Anchor], resume: bool) -> None:
    expected_anchors = {anchor.entry_id: anchor.hash for anchor in anchors}
    prev_hash, expected_id = GENESIS_HASH, 1
    checkpoint = AuditCheckpoint.objects.order_by("-entry_id").first() if resume else None
    if checkpoint is not None:
        start = _checkpoint_start(report, checkpoint)
        if start is None:
            return
        prev_hash, expected_id = start
        report.resumed_from, report.sealed_total = checkpoint.entry_id, checkpoint.versions
        # Anchors behind the checkpoint: the entries must still carry the anchored hashes.
        behind = {k: v for k, v in expected_anchors.items() if k <= checkpoint.entry_id}
        for entry_id, entry_hash_ in AuditEntry.objects.filter(pk__in=behind).values_list("pk", "hash"):
            expected_anchors.pop(entry_id)
            if entry_hash_ != behind[entry_id]:
                report.problems.append(Problem(f"audit entry {entry_id}",
                                               "its hash differs from the anchor recorded outside the system"))

    sealed: dict[tuple[int, int], str] = {}
    for entry in AuditEntry.objects.filter(pk__gte=expected_id).order_by("id").iterator(chunk_size=_CHUNK):
        report.entries += 1
        where = f"audit entry {entry.pk}"
        if entry.pk != expected_id:
            report.problems.append(Problem(f"audit entry {expected_id}",
                                           f"entries {expected_id}-{entry.pk - 1} are missing"))
        if entry.prev_hash != prev_hash:
            report.problems.append(Problem(where, "does not link to the entry before it (deleted or reordered)"))
        intact = entry_hash(entry.prev_hash, entry) == entry.hash
        if not intact:
            report.problems.append(Problem(where, "its content does not match its hash (altered)"))
        prev_hash, expected_id = entry.hash, entry.pk + 1
        if entry.pk in expected_anchors and expected_anchors.pop(entry.pk) != entry.hash:
            report.problems.append(Problem(where, "its hash differs from the anchor recorded outside the system"))
        detail = entry.detail if isinstance(entry.detail, dict) else {}
        # Only an intact entry can vouch for a version's digest.
        if intact and entry.object_type == "record" and "digest" in detail and entry.outcome == "done":
            sealed[(int(entry.object_id), int(detail["version"]))] = detail["digest"]
            if len(sealed) >= _CHUNK:
                _check_versions(report, sealed)
                sealed = {}
    if sealed:
        _check_versions(report, sealed)

    for entry_id in sorted(expected_anchors):
        report.problems.append(Problem(f"audit entry {entry_id}", "anchored outside the system but missing"))
    if expected_id > 1:
        report.head = Anchor(expected_id - 1, prev_hash)

    total_versions = RecordVersion.objects.count()
    if total_versions != report.sealed_total:
        report.problems.append(Problem(
            "record versions", f"{total_versions} versions exist but the audit trail sealed {report.sealed_total}"))
    head = AuditChainHead.objects.filter(id=1).first()
    # Ids are gap-free from 1 (audit_append takes them from the locked head), so the count is the last id.
    if head is not None and (head.last_entry_id != expected_id - 1 or head.last_hash != prev_hash
                             or head.count != expected_id - 1):
        report.problems.append(Problem(
            f"audit entry {head.last_entry_id}",
            f"the chain ends at entry {expected_id - 1} but its head names entry {head.last_entry_id}: "
            "entries were deleted from the end, or written outside the system",
        ))
    _check_rows(report)


def audit_verify(*, anchors: list[Anchor] | None = None, resume: bool = False) -> Report:
    """Verify (see ``verify_everything``) and keep the result: an ``AuditCheck`` row for
    ``/health/`` and, when everything is intact, a checkpoint at the chain's head to resume from."""
    started = timezone.now()
    report = verify_everything(anchors=anchors, resume=resume)
    first = report.problems[0] if report.problems else None
    with transaction.atomic():
        AuditCheck.objects.create(
            started_at=started, finished_at=timezone.now(), ok=report.ok, resumed_from=report.resumed_from,
            entries=report.entries, versions=report.versions, records=report.records,
            head_entry_id=report.head.entry_id if report.head else None,
            head_hash=report.head.hash if report.head else "", problems=len(report.problems),
            first_broken=first.where[:200] if first else "", first_problem=first.message if first else "",
        )
        if report.ok and report.head is not None:
            AuditCheckpoint.objects.update_or_create(
                entry_id=report.head.entry_id,
                defaults={"hash": report.head.hash, "versions": report.sealed_total, "at": timezone.now()},
            )
    return report


def audit_last_check() -> AuditCheck | None:
    """The newest run of the verification, for ``/health/``."""
    return AuditCheck.objects.order_by("-finished_at", "-id").first()
