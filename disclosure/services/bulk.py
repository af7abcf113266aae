"""The batched writer of new records (the backfill import's write path, 补录 Art. 7).

It writes exactly the rows ``records.record_create`` followed by ``records.record_publish`` would
write for each record, in the same order, but a chunk at a time with one insert per table
(``COPY`` on PostgreSQL, ``bulk_create`` elsewhere) instead of a dozen statements per record:

* the ``Record`` row, inserted once in its final state (a published record goes in published);
* its versions: ``create`` (the draft's snapshot) and, when published, ``publish``, with the
  same snapshot data and digest as ``_version`` seals;
* the audit entries, chained from the locked ``AuditChainHead`` exactly as ``audit_append``
  chains them (ids from the head, each hash over the previous one), and in the per-record order:
  every ``record.create`` first, in input order, then every ``record.publish``;
* the feed events (``feed_append``'s rule: a publication the public can see) at the positions
  the locked ``FeedHead`` gives, in publication order, and their transparency-log leaves
  (``transparency.tlog_append``, with the projection rows below);
* the public projection (``projection.projection_row``, the same code ``projection_refresh``
  runs; on SQLite the FTS5 table follows from its triggers);
* the timeliness rollup: every record's counts (``rollup.rollup_facts``) added up over the whole
  import and applied once by ``finish`` (``rollup.rollup_apply``), after the audit entries.

On PostgreSQL a chunk's ``COPY``s run on a worker thread, on the same connection and transaction,
while the next chunk is built (``_Copier``): the server's work overlaps the Python work.

Validation, deadlines, timeliness and display periods are ``records``' own functions
(``_normalize``, ``_validate``, ``_apply_deadline``, ``_apply_timeliness``, ``display.apply_publicity``).
A surprise inspection's plan is published only after the result naming it (Art. 7): those go
through ``record_publish`` itself, last, as the per-record import does (they are few).

Call it inside one transaction (the caller's: the import's all-or-nothing promise): it holds the
audit chain's and the feed's head locks from the first chunk to the commit, as the per-record
path does, so other writers wait for the import. Use: ``build`` each record in input order,
``flush`` after each chunk (then ``insert`` rows of one's own, and ``send``), then ``finish`` once;
``close`` always, before the transaction ends (``try``/``finally``).
"""
from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.canonical import json_safe, sealed
from backend.errors import ApplicationError, ServiceError
from backend.iterables import chunked
from disclosure.models import (
    Agency,
    AuditAction,
    AuditChainHead,
    AuditEntry,
    AuditOutcome,
    FeedEvent,
    FeedHead,
    PublicRecord,
    Record,
    RecordStatus,
    RecordVersion,
    SubjectType,
    User,
    VersionAction,
)
from disclosure.services.audit import audit_action_check, entry_hash
from disclosure.services.copy import M, bulk_insert, copy_rows, copy_write
from disclosure.services.display import apply_publicity, publicity_rules
from disclosure.services.feed_push import feed_push_kick
from disclosure.services.projection import projection_row, visibility
from disclosure.services.records import (
    _apply_deadline,
    _apply_standard,
    _apply_timeliness,
    _normalize,
    _transition,
    _validate,
    record_publish,
)
from disclosure.services.rollup import Fact, rollup_apply, rollup_facts
from disclosure.services.snapshots import snapshot
from disclosure.services.transparency import LogTail, tlog_append
from scheduler.selectors import get_calendar

# Records whose publication entries are appended per round of ``finish``.
SEAL_CHUNK = 2000

Progress = Callable[[Iterable[Any], str, int], Iterable[Any]]


def _no_progress(items: Iterable[Any], _label: str, _total: int) -> Iterable[Any]:
    return items


@dataclass
class NewRecord:
    """One record to create: ``record_create``'s arguments, and whether to publish it.

    ``key`` is the caller's name for it (a row number); errors are reported with it.
    """

    key: int
    agency: Agency
    values: dict[str, Any]
    publish: bool


def _sealed(record: Record) -> tuple[dict[str, Any], str]:
    """The version data and digest of ``record`` now, as ``records._version`` computes them."""
    return sealed(snapshot(record))


class _Copier:
    """Where a chunk's ``COPY``s run: on PostgreSQL, one worker thread sends them on the import's
    own connection (the same transaction) while the import thread builds the next chunk, so the
    server's work on a chunk (its indexes: the projection's GIN indexes most of all) overlaps the
    Python work on the next instead of following it. The driver's connection serializes its
    statements (psycopg: one operation at a time, whichever thread asks), the rows of each ``COPY``
    are computed in the import thread before it is queued, and at most one chunk is in flight
    (``submit`` first waits for the previous one): the same rows, in the same order per table,
    and constant memory. ``wait`` re-raises a failed ``COPY``'s error in the import thread; the
    transaction is then aborted and rolls back whole. ``close`` (always called before the
    transaction ends, also on error) cancels what has not started and waits for what has, so
    nothing is sent after the rollback. Elsewhere (SQLite) it inserts at once."""

    def __init__(self) -> None:
        connection = transaction.get_connection()
        self._postgresql = connection.vendor == "postgresql"
        self._pool: ThreadPoolExecutor | None = None
        self._raw: Any = None
        if self._postgresql:
            connection.ensure_connection()
            self._raw = connection.connection
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="bulk-copy")
        self._batch: list[tuple[str, list[list[Any]]]] = []
        self._in_flight: list[Future[None]] = []

    def insert(self, model: type[M], objs: Sequence[M], *, with_pk: bool = True) -> None:
        """Queue the insert of ``objs`` with this chunk (``submit`` sends the chunk)."""
        if not objs:
            return
        if self._pool is None:
            bulk_insert(model, objs, with_pk=with_pk)
            return
        self._batch.append(copy_rows(model, objs, with_pk=with_pk))

    def submit(self) -> None:
        """Send the queued inserts (one chunk's), after the previous chunk's are done."""
        self.wait()
        if self._pool is None or not self._batch:
            return
        batch, self._batch = self._batch, []
        raw = self._raw

        def run() -> None:
            for sql, rows in batch:
                copy_write(raw, sql, rows)

        self._in_flight = [self._pool.submit(run)]

    def wait(self) -> None:
        """Until everything sent is written; raises a failed ``COPY``'s error."""
        in_flight, self._in_flight = self._in_flight, []
        for future in in_flight:
            future.result()

    def close(self) -> None:
        """Stop: nothing queued is sent, what runs is waited for; raises its error if it failed
        (the cause of the aborted transaction the import thread may have run into meanwhile)."""
        self._batch = []
        in_flight, self._in_flight = self._in_flight, []
        if self._pool is not None:
            for future in in_flight:
                future.cancel()
            self._pool.shutdown(wait=True)
            self._pool = None
        for future in in_flight:
            if not future.cancelled() and future.exception() is not None:
                raise future.exception()  # type: ignore[misc]


class _Chain:
    """The audit chain's head, locked once and advanced in memory; ``save`` writes it back (once,
    at the end: no query per chunk while a chunk is being sent)."""

    def __init__(self) -> None:
        head = AuditChainHead.objects.select_for_update().filter(id=1).first()
        if head is None:  # as in audit_append: only on a database emptied by hand
            AuditChainHead.objects.get_or_create(id=1)
            head = AuditChainHead.objects.select_for_update().get(id=1)
        self.last_id, self.last_hash, self.count = head.last_entry_id, head.last_hash, head.count
        self.pending: list[AuditEntry] = []

    def append(self, *, actor: User, action: str, object_id: int, agency_code: str, detail: dict[str, Any],
               at: Any) -> None:
        audit_action_check(action)
        entry = AuditEntry(
            at=at, actor=actor, actor_name=actor.get_username(), action=action, outcome=AuditOutcome.DONE,
            object_type="record", object_id=str(object_id), agency_code=agency_code,
            detail=json_safe(detail), prev_hash=self.last_hash,
        )
        entry.pk = self.last_id + 1
        entry.hash = entry_hash(self.last_hash, entry)
        self.last_id, self.last_hash, self.count = entry.pk, entry.hash, self.count + 1
        self.pending.append(entry)

    def flush(self, copier: _Copier) -> None:
        copier.insert(AuditEntry, self.pending)
        self.pending = []

    def save(self) -> None:
        AuditChainHead.objects.filter(id=1).update(last_entry_id=self.last_id, last_hash=self.last_hash,
                                                   count=self.count)


class _Feed:
    """Feed positions from the locked ``FeedHead``, taken when the first event needs one."""

    def __init__(self) -> None:
        self.last: int | None = None
        self.pending: list[FeedEvent] = []
        self.projections: list[PublicRecord] = []
        self.tail: LogTail | None = None

    def append(self, record: Record, version: RecordVersion, projection: PublicRecord) -> None:
        if self.last is None:
            FeedHead.objects.get_or_create(id=1)
            self.last = FeedHead.objects.select_for_update().get(id=1).last_position
        self.last += 1
        self.pending.append(FeedEvent(position=self.last, record=record, version=version, action=version.action,
                                      public=True, at=version.at))
        self.projections.append(projection)

    def flush(self, copier: _Copier) -> None:
        copier.insert(FeedEvent, self.pending)
        # feed_append's other half: the events' leaves in the transparency log, in position order,
        # queued with the chunk like the events (the log's tail is carried, not read back).
        self.tail = tlog_append(entries=list(zip(self.pending, self.projections, strict=True)),
                                insert=copier.insert, tail=self.tail)
        self.pending, self.projections = [], []

    def save(self) -> None:
        if self.last is not None:
            FeedHead.objects.filter(id=1).update(last_position=self.last)
            feed_push_kick()


class _Ids:
    """Ids of ``model`` handed out before the insert, so that a chunk can name its own records (a
    result its task, an audit entry its record, a feed event its version) before anything is
    written, and ``COPY`` need not read them back. PostgreSQL:
    blocks of the table's sequence (an unused rest is a gap, as a rolled-back insert leaves).
    SQLite: the import holds the write lock (transactions are IMMEDIATE), so the next ids after
    ``sqlite_sequence`` are the import's; inserting them moves the sequence on."""

    BLOCK = 1000

    def __init__(self, model: type[models.Model]) -> None:
        self.table = model._meta.db_table
        self.free: list[int] = []
        self.next: int | None = None
        self.postgresql = transaction.get_connection().vendor == "postgresql"

    def reserve(self, count: int) -> None:
        """Hold at least ``count`` ids (PostgreSQL), so that ``take`` needs no query meanwhile
        (the next chunk is built while the connection is busy with the previous one's ``COPY``)."""
        if self.postgresql and len(self.free) < count:
            with transaction.get_connection().cursor() as cursor:
                cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                               [self.table, max(self.BLOCK, count - len(self.free))])
                # Taken from the end: smallest first, in the sequence's order.
                self.free = sorted([*self.free, *(row[0] for row in cursor.fetchall())], reverse=True)

    def take(self) -> int:
        if self.postgresql:
            if not self.free:
                self.reserve(1)
            return self.free.pop()
        table = self.table
        if self.next is None:
            with transaction.get_connection().cursor() as cursor:
                cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
                row = cursor.fetchone()
                cursor.execute(f"SELECT MAX(id) FROM {table}")  # noqa: S608  # a model's own table name
                highest = cursor.fetchone()
            self.next = max(row[0] if row else 0, highest[0] or 0) + 1
        self.next += 1
        return self.next - 1


class BulkWriter:
    """Creates (and publishes) records a chunk at a time; see the module docstring."""

    def __init__(self, *, actor: User) -> None:
        assert transaction.get_connection().in_atomic_block, "call BulkWriter inside the import's transaction"
        self.actor = actor
        self._chain = _Chain()
        self._feed = _Feed()
        self._ids = _Ids(Record)
        self._version_ids = _Ids(RecordVersion)
        self._calendar = get_calendar()
        self._publicity = publicity_rules()  # the rule table in force, read once for the whole file
        self._task_passed: set[tuple[Any, str, int]] = set()
        self._built: list[tuple[NewRecord, Record, list[RecordVersion]]] = []
        # Records published by ``flush`` whose ``record.publish`` entry ``finish`` appends, in order.
        self._sealing = array("q")
        # Surprise tasks to publish after their results: (key, record id), in input order.
        self._after_results: list[tuple[int, int]] = []
        # The rollup counts of every record written, applied once by ``finish`` (bounded by the
        # rollup's keys, not by the rows).
        self._rollup: Counter[Fact] = Counter()
        self._copier = _Copier()
        self._finished = False

    def build(self, item: NewRecord) -> Record:
        """``record_create`` (and ``record_publish``) of ``item`` in memory, written by the next
        ``flush``: the record in its final state, with its id; raises ``ApplicationError`` as
        they would (and then nothing of it is written)."""
        assert not self._finished
        values = _normalize(item.values)
        values.setdefault(
            "subject_type", SubjectType.ORGANIZATION if values.get("subject_code") else SubjectType.NATURAL_PERSON
        )
        errors = self._validate(values)
        if errors:
            raise ApplicationError(_("Invalid input."), errors)
        record = Record(agency=item.agency, created_by=self.actor, status=RecordStatus.DRAFT, version=1, **values)
        _apply_deadline(record)
        _apply_standard(record)
        apply_publicity(record, self._publicity)
        versions = [self._version(record, VersionAction.CREATE)]
        if item.publish and not record.surprise:
            record.status = _transition(record, VersionAction.PUBLISH)
            now = timezone.now()
            record.published_at = now
            record.published_on = timezone.localdate(now)
            _apply_timeliness(record, self._calendar)
            apply_publicity(record, self._publicity)
            record.version += 1
            versions.append(self._version(record, VersionAction.PUBLISH))
        record.pk = self._ids.take()
        for version in versions:
            version.record = record
            version.pk = self._version_ids.take()
        self._built.append((item, record, versions))
        return record

    def _validate(self, values: dict[str, Any]) -> dict[str, list[str]]:
        """``records._validate``, which asks the database whether the actor may act for the agency
        of the task a result names: once per (kind, task kind, task agency) that passed, here; a
        task that fails is checked in full every time, so its errors come out in their order."""
        task = values.get("task")
        if task is None:
            return _validate(values, actor=self.actor)
        key = (values.get("kind"), task.kind, task.agency_id)
        if key in self._task_passed:
            trimmed = {k: v for k, v in values.items() if k != "task"}
            errors = _validate(trimmed, actor=self.actor)
            values["details"] = trimmed["details"]  # its checked, stored form, as ``_validate`` leaves it
            return errors
        errors = _validate(values, actor=self.actor)
        if "task" not in errors:
            self._task_passed.add(key)
        return errors

    def _version(self, record: Record, action: str) -> RecordVersion:
        data, digest = _sealed(record)
        return RecordVersion(number=record.version, action=action, status=record.status, data=data, digest=digest,
                             actor=self.actor, at=timezone.now())

    def flush(self) -> None:
        """Write what ``build`` made since the last flush: records, versions, the ``record.create``
        entries, and for the published ones their projection and feed events."""
        built, self._built = self._built, []
        if not built:
            return
        copier = self._copier
        copier.insert(Record, [record for _item, record, _v in built])
        copier.insert(RecordVersion, [v for _i, _r, versions in built for v in versions])
        rows: list[PublicRecord] = []
        for item, record, versions in built:
            created = versions[0]
            self._chain.append(actor=self.actor, action=AuditAction.of_record(created.action), object_id=record.pk,
                               agency_code=record.agency.code, at=timezone.now(),
                               detail={"version": created.number, "digest": created.digest, "reason": ""})
            if len(versions) > 1:
                self._sealing.append(record.pk)
                where = visibility(record)
                if where is not None:
                    rows.append(projection_row(record, versions, where))
                    if rows[-1].listed:  # feed_append: an event when the public can see it now
                        self._feed.append(record, versions[1], rows[-1])
            elif item.publish:
                self._after_results.append((item.key, record.pk))
        self._chain.flush(copier)
        self._feed.flush(copier)
        copier.insert(PublicRecord, rows)
        self._rollup.update(rollup_facts(record for _item, record, _v in built))
        # Ids for the next chunk now: building it then needs no query while this one is sent.
        self._ids.reserve(len(built))
        self._version_ids.reserve(2 * len(built))

    def insert(self, model: type[M], objs: Sequence[M], *, with_pk: bool = True) -> None:
        """Insert ``objs`` with the chunk just flushed (the caller's own rows: a ledger), sent by
        ``send``; they may name the chunk's records."""
        self._copier.insert(model, objs, with_pk=with_pk)

    def send(self) -> None:
        """Send the chunk ``flush`` made (and the rows ``insert`` added to it), once the previous
        one is written: on PostgreSQL its ``COPY``s run while the caller builds the next chunk, so
        the caller makes its queries for that chunk first (any query waits for a ``COPY`` under
        way); ``finish`` sends the last one and waits."""
        self._copier.submit()

    def close(self) -> None:
        """Stop writing (always, before the transaction ends: also when it fails): nothing not yet
        sent is sent, what is being sent is waited for, and its error, if it failed, is raised."""
        self._copier.close()

    def finish(self, *, progress: Progress = _no_progress) -> tuple[int, list[tuple[int, ServiceError]]]:
        """Append the publication entries of the records ``flush`` published (after every
        creation entry, as the per-record import orders them), then publish the surprise tasks
        through ``record_publish``; returns how many of those were published and the errors it
        raised, by key."""
        self.flush()
        self.send()
        self._copier.wait()
        self._feed.save()
        self._finished = True
        for ids in chunked(progress(self._sealing, _("sealing"), len(self._sealing)), SEAL_CHUNK):
            sealed = {
                record_id: (digest, code)
                for record_id, digest, code in RecordVersion.objects.filter(
                    record_id__in=ids, number=2).values_list("record_id", "digest", "record__agency__code")
            }
            now = timezone.now()
            for record_id in ids:
                digest, code = sealed[record_id]
                self._chain.append(actor=self.actor, action=AuditAction.RECORD_PUBLISH, object_id=record_id,
                                   agency_code=code, at=now, detail={"version": 2, "digest": digest, "reason": ""})
            self._chain.flush(self._copier)
            self._copier.submit()
        self._copier.wait()
        self._chain.save()
        # After every audit entry, as ``rollup_add`` and the record services count (sorted keys).
        rollup_apply(self._rollup)
        self._rollup = Counter()
        published = 0
        errors: list[tuple[int, ServiceError]] = []
        # From here on the heads are read from the database again (``audit_append``, ``feed_append``).
        for key, record_id in progress(self._after_results, _("publishing"), len(self._after_results)):
            try:
                record_publish(actor=self.actor, record=Record.objects.select_related("agency").get(pk=record_id))
            except ServiceError as exc:
                errors.append((key, exc))
                continue
            published += 1
        return published, errors
