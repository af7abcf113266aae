"""Backfill import (补录, Art. 7): historical records of any kind from CSV or XLSX.

This module reads and checks the file; the records are written by
``disclosure.services.bulk.BulkWriter`` (the default, a chunk at a time) or, with
``per_record=True``, by ``disclosure.services.records`` row by row (``record_create`` with
``backfill=True``, then ``record_publish`` when the row says it was published). Both write the same
rows: each imported record has the same versions, audit entries, feed events and projection as one
typed in by hand, and the timeliness statistics leave it out. The per-record path is the reference
the batched one is tested against (``tests/test_backfill_batched.py``).

* **All or nothing.** The whole file is one transaction (on PostgreSQL and on SQLite alike); one
  bad row rolls everything back and the report names every bad row with its spreadsheet row
  number and field. A row the checks refuse is reported before a row the record services refuse:
  while any row fails its checks, nothing more is written and the rest of the file is only checked.
* **Streamed.** The batched path reads the file as a stream of rows (a pass for the digest and
  the encoding, one to count the rows for the progress bar, one to import), ``CHUNK`` rows at a
  time; what it keeps for the whole file is one entry per external id (duplicates, and the task
  a later result names).
* **Dry run** does all of that and rolls back at the end: what it reports is exactly what an
  import would do, checked by the same services.
* **Idempotent.** ``external_id`` (the record's id in the system it comes from) is stored in
  ``BackfillItem``; a row whose external id was already imported is skipped and counted.
* **Who.** The caller (``--user`` of the command, the signed-in user on the page and API) must
  be allowed to act for the agency named in each row's ``agency`` column.
"""
from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
from collections.abc import Callable, Container, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any, TypeVar

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.errors import ApplicationError, ServiceError
from backend.iterables import chunked
from disclosure.kinds import RecordKind
from disclosure.kinds.codes import STANDARD_TERMS, PenaltyType
from disclosure.kinds.spec import ALL_FIELDS, LONG_TERM, FieldType
from disclosure.models import Agency, AuditAction, BackfillBatch, BackfillItem, Disclosure, Record, SubjectType, User
from disclosure.selectors.access import ACT, agencies_for
from disclosure.services.audit import audit_append
from disclosure.services.bulk import BulkWriter, NewRecord
from disclosure.services.records import record_create, record_publish
from disclosure.tabular import RowError, _cell, read_table

T = TypeVar("T")
Progress = Callable[[Iterable[T], str, int], Iterable[T]]

REQUIRED = ("external_id", "kind", "agency", "title", "subject_name", "event_date")
OPTIONAL = ("subject_code", "subject_type", "content", "legal_basis", "document_number", "disclosure",
            "withheld_reason", "surprise", "task_external_id", "published", "penalty_types", "fine_amount")
# The national standard's fields (``disclosure.kinds.spec``): a column named by the field or by the
# standard's Chinese heading; checked by the record services like every other value.
DETAIL_COLUMNS = tuple(name for name, spec in ALL_FIELDS.items() if not spec.exchange_only)
COLUMN_ALIASES: dict[str, str] = {
    **{spec.heading: name for name, spec in ALL_FIELDS.items() if spec.heading and not spec.exchange_only},
    "处罚类别": "penalty_types", "罚款金额（元）": "fine_amount", "罚款金额(元)": "fine_amount",
    "行政相对人名称": "subject_name", "统一社会信用代码": "subject_code", "行政相对人类别": "subject_type",
}
_LIST_SPLIT = re.compile(r"[;；,，、\s]+")
_LONG_TERM_WORDS = {"long_term", "长期", "2099/12/31", "2099-12-31"}
MAX_LENGTHS = {"external_id": 100, "title": 300, "subject_name": 200, "subject_code": 40, "document_number": 100,
               "content": 20000, "legal_basis": 2000, "withheld_reason": 2000}
_TRUE = {"1", "true", "yes", "y", "是", "已公示"}
_FALSE = {"", "0", "false", "no", "n", "否", "未公示"}
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d")
_LOOKUP_CHUNK = 500
# Rows the batched path checks and writes at a time.
CHUNK = 2000
_READ_BLOCK = 1 << 20


def _no_progress(items: Iterable[T], _label: str, _total: int) -> Iterable[T]:
    return items


@dataclass
class BackfillReport:
    rows: int = 0
    created: int = 0
    published: int = 0
    skipped: int = 0
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False
    batch: int | None = None
    preview: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict[str, Any]:
        return {"rows": self.rows, "created": self.created, "published": self.published, "skipped": self.skipped,
                "dry_run": self.dry_run, "batch": self.batch, "ok": self.ok,
                "errors": [e.as_dict() for e in self.errors], "preview": self.preview}


@dataclass
class _Row:
    number: int
    external_id: str
    agency: Agency
    values: dict[str, Any]
    published: bool
    task_external_id: str = ""
    record: Record | None = None


class _Rollback(Exception):
    """Raised inside the import's transaction to undo it (a dry run, or a bad row)."""


def _parse_date(raw: str) -> date | None:
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(raw, fmt).date()  # noqa: DTZ007  # a calendar date, no time of day
        except ValueError:
            continue
    return None


def _parse_bool(raw: str) -> bool | None:
    value = raw.strip().lower()
    return True if value in _TRUE else False if value in _FALSE else None


def _parse(number: int, row: dict[str, str], scope: dict[str, Agency], known: Container[str],
           errors: list[RowError]) -> _Row | None:
    """One row's values for ``record_create``, or None after appending its errors."""
    row = _canonical(row)
    before = len(errors)

    def err(name: str, message: str) -> None:
        errors.append(RowError(number, name, message))

    for name in REQUIRED:
        if not row.get(name, "").strip():
            err(name, _("This field is required."))
    for name, limit in MAX_LENGTHS.items():
        if len(row.get(name, "")) > limit:
            err(name, _("At most %(n)d characters.") % {"n": limit})
    kind = row.get("kind", "").strip()
    if kind and kind not in RecordKind.values:
        err("kind", _("Unknown record kind %(value)s; expected one of: %(values)s.") % {
            "value": kind, "values": ", ".join(RecordKind.values)})
    code = row.get("agency", "").strip()
    agency = scope.get(code)
    if code and agency is None:
        err("agency", _("You may not submit records for agency %(code)s, or it does not exist.") % {"code": code})
    event_date = _parse_date(row.get("event_date", "").strip())
    if row.get("event_date", "").strip() and event_date is None:
        err("event_date", _("Not a date; write it as YYYY-MM-DD."))
    disclosure = row.get("disclosure", "").strip() or Disclosure.PUBLIC
    if disclosure not in Disclosure.values:
        err("disclosure", _("Unknown disclosure attribute %(value)s; expected one of: %(values)s.") % {
            "value": disclosure, "values": ", ".join(Disclosure.values)})
    subject_type = row.get("subject_type", "").strip()
    if subject_type and subject_type not in SubjectType.values:
        err("subject_type", _("Unknown subject type %(value)s; expected one of: %(values)s.") % {
            "value": subject_type, "values": ", ".join(SubjectType.values)})
    flags: dict[str, bool] = {}
    for name in ("surprise", "published"):
        parsed = _parse_bool(row.get(name, ""))
        if parsed is None:
            err(name, _("Write yes or no (1 or 0)."))
        flags[name] = bool(parsed)
    task_ref = row.get("task_external_id", "").strip()
    if task_ref and task_ref not in known:
        err("task_external_id", _("No earlier row and no imported record has the external id %(id)s.") % {
            "id": task_ref})
    details, extra = _standard_values(row, err)
    if len(errors) > before or agency is None or event_date is None:
        return None
    values: dict[str, Any] = {
        "kind": kind, "title": row["title"], "subject_name": row["subject_name"],
        "subject_code": row.get("subject_code", ""), "event_date": event_date, "content": row.get("content", ""),
        "legal_basis": row.get("legal_basis", ""), "document_number": row.get("document_number", ""),
        "disclosure": disclosure, "withheld_reason": row.get("withheld_reason", ""), "surprise": flags["surprise"],
        "backfill": True,
    }
    if subject_type:
        values["subject_type"] = subject_type
    values |= extra
    if details:
        values["details"] = details
    return _Row(number, row["external_id"].strip(), agency, values, flags["published"], task_ref)


def _code_value(choices: Any, raw: str) -> str:
    """A code list's value written as its code, its label or the standard's Chinese term."""
    terms = STANDARD_TERMS.get(choices, {})
    by_text = {v: k for k, v in terms.items()} | {str(label): value for value, label in choices.choices}
    return raw if raw in choices.values else by_text.get(raw, raw)


def _standard_values(row: dict[str, str], err: Callable[[str, str], None]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The row's standard fields (``details``) and penalty columns, parsed from their written form;
    the services check them (types, code lists, which kind carries which)."""
    details: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    for name in DETAIL_COLUMNS:
        raw = row.get(name, "").strip()
        if not raw:
            continue
        spec = ALL_FIELDS[name]
        value: Any = raw
        if spec.type == FieldType.DATE or (spec.type == FieldType.UNTIL and raw not in _LONG_TERM_WORDS):
            value = _parse_date(raw) or raw
        elif spec.type == FieldType.UNTIL:
            value = LONG_TERM
        elif spec.type == FieldType.CODE and spec.choices is not None:
            value = _code_value(spec.choices, raw)
        elif spec.type == FieldType.BOOL:
            parsed = _parse_bool(raw)
            if parsed is None:
                err(name, _("Write yes or no (1 or 0)."))
                continue
            if not parsed:
                continue  # "no" states nothing, as an unticked box in the workspace
            value = True
        elif spec.type == FieldType.INSPECTORS:
            value = [{"name": m.group(1).strip(), "badge": m.group(2).strip()}
                     for m in re.finditer(r"([^;；（(]+)[（(]([^）)]+)[）)]", raw)]
            if not value:
                err(name, _("Write the inspectors as name（badge number）, separated by semicolons."))
                continue
        details[name] = value
    types = row.get("penalty_types", "").strip()
    if types:
        extra["penalty_types"] = [_code_value(PenaltyType, t) for t in _LIST_SPLIT.split(types) if t]
    fine = row.get("fine_amount", "").strip()
    if fine:
        try:
            amount = Decimal(fine.replace(",", ""))
        except InvalidOperation:
            amount = Decimal("NaN")
        if amount.is_finite():
            extra["fine_amount"] = amount
        else:
            err("fine_amount", _("Expected an amount in yuan."))
    return details, extra


def _canonical(row: dict[str, str]) -> dict[str, str]:
    """A row with the standard's Chinese headings read as the column names they stand for."""
    return {COLUMN_ALIASES.get(key, key): value for key, value in row.items()}


def _already_imported(external_ids: list[str]) -> dict[str, Record]:
    found: dict[str, Record] = {}
    for start in range(0, len(external_ids), _LOOKUP_CHUNK):
        chunk = external_ids[start:start + _LOOKUP_CHUNK]
        for item in BackfillItem.objects.filter(external_id__in=chunk).select_related("record"):
            found[item.external_id] = item.record
    return found


def _service_errors(number: int, exc: ServiceError) -> list[RowError]:
    if not exc.errors:
        return [RowError(number, "", exc.message)]
    return [RowError(number, name, message) for name, messages in exc.errors.items() for message in messages]


def _too_many(rows: int, max_rows: int | None) -> None:
    if max_rows is not None and rows > max_rows:
        raise ApplicationError(
            _("The file has %(rows)d rows; at most %(max)d can be imported here. Use manage.py import_records.") % {
                "rows": rows, "max": max_rows},
            {"file": [_("Too many rows.")]},
        )


def backfill_import(*, actor: User, file_name: str, data: bytes | None = None, path: Path | None = None,
                    dry_run: bool = False, progress: Progress[Any] = _no_progress, preview_rows: int = 20,
                    max_rows: int | None = None, per_record: bool = False) -> BackfillReport:
    """Import (or, with ``dry_run``, rehearse) a backfill file given as ``data`` or as ``path``
    (read as a stream); see the module docstring.

    ``max_rows`` refuses larger files (the web page and API, which answer within a request).
    ``per_record`` writes through ``record_create``/``record_publish`` row by row (the reference
    path, about fifty times slower), with the whole file in memory.
    """
    if (data is None) == (path is None):
        raise TypeError("give the file as data or as path")
    if per_record:
        return _import_per_record(actor=actor, file_name=file_name, data=data if data is not None else
                                  path.read_bytes() if path else b"", dry_run=dry_run, progress=progress,
                                  preview_rows=preview_rows, max_rows=max_rows)
    return _import_batched(actor=actor, source=_Source(file_name, data, path), dry_run=dry_run, progress=progress,
                           preview_rows=preview_rows, max_rows=max_rows)


def _import_per_record(*, actor: User, file_name: str, data: bytes, dry_run: bool, progress: Progress[Any],
                       preview_rows: int, max_rows: int | None) -> BackfillReport:
    table = read_table(file_name, data, required=REQUIRED)
    _too_many(len(table.rows), max_rows)
    report = BackfillReport(rows=len(table.rows), dry_run=dry_run)
    scope = {a.code: a for a in agencies_for(actor, ACT)}
    # The file's own ids (skipped when imported before) and the tasks its results name (which an
    # earlier file may have imported).
    names = {row.get(key, "").strip() for _n, row in table.rows for key in ("external_id", "task_external_id")}
    done = _already_imported(sorted(names - {""}))

    rows = _checked(progress(table.rows, _("checking"), len(table.rows)), scope=scope, first_seen={}, done=done,
                    report=report, preview_rows=preview_rows)
    if report.errors:
        return report
    try:
        with transaction.atomic():
            _write(actor, rows, done, report, progress)
            if report.errors or dry_run:
                raise _Rollback
            batch = BackfillBatch.objects.create(
                file_name=file_name[:255], file_sha256=hashlib.sha256(data).hexdigest(), imported_by=actor,
                imported_at=timezone.now(), rows=report.rows, created=report.created, published=report.published,
                skipped=report.skipped)
            BackfillItem.objects.bulk_create(
                [BackfillItem(external_id=r.external_id, batch=batch, record=r.record) for r in rows if r.record],
                batch_size=_LOOKUP_CHUNK)
            _audit_batch(actor, batch, report)
    except _Rollback:
        pass
    return report


def _audit_batch(actor: User, batch: BackfillBatch, report: BackfillReport) -> None:
    """The import's own audit entry, naming the file by its hash, and the batch in the report."""
    audit_append(actor=actor, action=AuditAction.BACKFILL_IMPORT, object_type="backfill_batch", object_id=batch.pk,
                 detail={"file": batch.file_name, "sha256": batch.file_sha256, "rows": report.rows,
                         "created": report.created, "published": report.published, "skipped": report.skipped})
    report.batch = batch.pk


def _name_task(row: _Row, tasks: Mapping[str, Record], errors: list[RowError]) -> bool:
    """Give a result row the task record it names (by external id); False, with the row's error,
    when that task could not be created (its own row's error is already reported)."""
    if not row.task_external_id:
        return True
    task = tasks.get(row.task_external_id)
    if task is None:
        errors.append(RowError(row.number, "task_external_id", _("The task this result names could not be created.")))
        return False
    row.values["task"] = task
    return True


def _write(actor: User, rows: list[_Row], done: dict[str, Record], report: BackfillReport,
           progress: Progress[Any]) -> None:
    by_id: dict[str, Record] = dict(done)
    for row in progress(rows, _("creating"), len(rows)):
        if not _name_task(row, by_id, report.errors):
            continue
        try:
            row.record = record_create(actor=actor, agency=row.agency, values=row.values)
        except ServiceError as exc:
            report.errors.extend(_service_errors(row.number, exc))
            continue
        by_id[row.external_id] = row.record
        report.created += 1
    # A surprise task is published only after the result that names it (Art. 7): publish
    # everything else first, in file order.
    to_publish = sorted((r for r in rows if r.published and r.record is not None),
                        key=lambda r: (bool(r.values["surprise"]), r.number))
    for row in progress(to_publish, _("publishing"), len(to_publish)):
        assert row.record is not None
        try:
            row.record = record_publish(actor=actor, record=row.record)
        except ServiceError as exc:
            report.errors.extend(_service_errors(row.number, exc))
            continue
        report.published += 1


# -- the batched path --------------------------------------------------------------------------------
class _Source:
    """The file as a stream of ``(row number, row)``, as ``tabular.read_table`` reads it whole:
    the same header rule, blank rows skipped, cells as ``tabular`` formats them."""

    def __init__(self, name: str, data: bytes | None, path: Path | None) -> None:
        self.name, self.data, self.path = name, data, path
        lower = name.lower()
        if not (lower.endswith(".csv") or lower.endswith(".xlsx")):
            raise ApplicationError(_("Only .csv and .xlsx files can be imported."), {"file": [_("Unknown file type.")]})
        self.csv = lower.endswith(".csv")
        self.encoding = "utf-8-sig"

    def _open(self) -> IO[bytes]:
        if self.data is not None:
            return io.BytesIO(self.data)
        assert self.path is not None
        return self.path.open("rb")

    def survey(self) -> tuple[str, int]:
        """The file's SHA-256 and its number of rows; settles a CSV file's encoding (UTF-8, else
        GB18030, as ``tabular``) on the way."""
        digest = hashlib.sha256()
        utf8 = self._decodes("utf-8-sig", digest)
        if self.csv and not utf8:
            if not self._decodes("gb18030", None):
                raise ApplicationError(_("The file is neither UTF-8 nor GB18030 text."),
                                       {"file": [_("Unreadable text encoding.")]})
            self.encoding = "gb18030"
        return digest.hexdigest(), sum(1 for _row in self.rows())

    def _decodes(self, encoding: str, digest: Any) -> bool:
        """Whether the whole file is text in ``encoding`` (only checked for CSV), feeding ``digest``."""
        decoder = codecs.getincrementaldecoder(encoding)()
        ok = self.csv
        with self._open() as fh:
            while block := fh.read(_READ_BLOCK):
                if digest is not None:
                    digest.update(block)
                if ok:
                    try:
                        decoder.decode(block)
                    except UnicodeDecodeError:
                        ok = False
                        if digest is None:
                            break
        if ok:
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                ok = False
        return ok

    def _cells(self, fh: IO[bytes]) -> Iterator[list[Any]]:
        if self.csv:
            yield from csv.reader(io.TextIOWrapper(fh, encoding=self.encoding, newline=""))
            return
        from openpyxl import load_workbook

        try:
            workbook = load_workbook(fh, read_only=True, data_only=True)
        except Exception:  # openpyxl raises many kinds for a damaged or foreign file  # noqa: BLE001
            raise ApplicationError(_("The file is not a readable XLSX workbook."),
                                   {"file": [_("Not an XLSX workbook.")]}) from None
        try:
            yield from (list(values) for values in workbook.worksheets[0].iter_rows(values_only=True))
        finally:
            workbook.close()

    def rows(self) -> Iterator[tuple[int, dict[str, str]]]:
        with self._open() as fh:
            cells = self._cells(fh)
            header = [_cell(h).lower() for h in next(cells, [])]
            missing = [column for column in REQUIRED if column not in header]
            if missing:
                raise ApplicationError(
                    _("The header row lacks the column(s): %(columns)s.") % {"columns": ", ".join(missing)},
                    {"file": [_("Missing column %(column)s.") % {"column": c} for c in missing]},
                )
            for number, values in enumerate(cells, start=2):
                row = [_cell(v) for v in values]
                if any(row):
                    yield number, {h: (row[i] if i < len(row) else "") for i, h in enumerate(header) if h}



class _Known:
    """``_parse``'s "known" external ids: imported before, or on an earlier row of the file."""

    def __init__(self, first_seen: dict[str, int], done: dict[str, Record]) -> None:
        self.first_seen, self.done = first_seen, done

    def __contains__(self, external_id: object) -> bool:
        return external_id in self.done or external_id in self.first_seen


def _checked(rows: Iterable[tuple[int, dict[str, str]]], *, scope: dict[str, Agency], first_seen: dict[str, int],
             done: dict[str, Record], report: BackfillReport, preview_rows: int) -> list[_Row]:
    """The checking loop of both paths: each row parsed against the ids seen on earlier rows
    (``first_seen``, updated) and imported before (``done``); a repeated id is an error, a row
    imported before is skipped; the first ``preview_rows`` rows to write go into the preview."""
    known = _Known(first_seen, done)
    checked: list[_Row] = []
    for number, raw in rows:
        external_id = raw.get("external_id", "").strip()
        if external_id in first_seen:
            report.errors.append(RowError(number, "external_id", _("Same external id as row %(row)s.") % {
                "row": first_seen[external_id]}))
            continue
        parsed = _parse(number, raw, scope, known, report.errors)
        if external_id:
            first_seen[external_id] = number
        if parsed is None:
            continue
        if parsed.external_id in done:
            report.skipped += 1
            continue
        checked.append(parsed)
        if len(report.preview) < preview_rows:
            report.preview.append(_preview(parsed))
    return checked


@dataclass
class _Batched:
    """The state of one batched import across its chunks."""

    actor: User
    report: BackfillReport
    scope: dict[str, Agency]
    preview_rows: int
    first_seen: dict[str, int] = field(default_factory=dict)  # external id -> its first row
    created: dict[str, int] = field(default_factory=dict)  # external id -> the record it became
    service_errors: list[RowError] = field(default_factory=list)
    created_count: int = 0
    published_count: int = 0
    writer: BulkWriter | None = None
    batch: BackfillBatch | None = None
    # The previous chunk's records by external id: it may still be being sent (see ``check``).
    previous: dict[str, Record] = field(default_factory=dict)

    def check(self, chunk: list[tuple[int, dict[str, str]]]) -> tuple[list[_Row], dict[str, Record]]:
        """The per-record path's checking loop over one chunk: the rows to write, and the records
        the chunk may name as tasks (imported before, or by an earlier chunk of this file).

        Its queries come first; then the previous chunk is sent (``BulkWriter.send``), so that its
        ``COPY``s run while this one is checked and built, which needs no query. So the records of
        the previous chunk come from memory, not from the database, and the lookup of ids imported
        before may or may not see the previous chunk's own ledger rows: ``first_seen`` reports a
        repeated id either way, and a task is the same record either way."""
        report = self.report
        names = {raw.get(key, "").strip() for _n, raw in chunk for key in ("external_id", "task_external_id")}
        names.discard("")
        done = _already_imported(sorted(names))
        tasks: dict[str, Record] = dict(done)
        earlier: dict[str, int] = {}
        for ref in names - done.keys():
            if ref in self.previous:
                tasks[ref] = self.previous[ref]
            elif ref in self.created:
                earlier[ref] = self.created[ref]
        if earlier:  # written by a chunk before the previous one: in the database
            by_pk = Record.objects.only("id", "kind", "agency_id").in_bulk(list(earlier.values()))
            tasks.update({ref: by_pk[pk] for ref, pk in earlier.items()})
        if self.writer is not None:
            self.writer.send()
        return _checked(chunk, scope=self.scope, first_seen=self.first_seen, done=done, report=report,
                        preview_rows=self.preview_rows), tasks

    def write(self, rows: list[_Row], tasks: dict[str, Record]) -> None:
        """``_write``'s creation loop over one chunk, through the batched writer (sent by the next
        ``check`` or by ``finish``)."""
        if self.writer is None:
            self.writer = BulkWriter(actor=self.actor)
        written: list[tuple[str, Record]] = []
        for row in rows:
            if not _name_task(row, tasks, self.service_errors):
                continue
            try:
                record = self.writer.build(NewRecord(row.number, row.agency, row.values, row.published))
            except ServiceError as exc:
                self.service_errors.extend(_service_errors(row.number, exc))
                continue
            tasks[row.external_id] = record
            self.created[row.external_id] = record.pk
            written.append((row.external_id, record))
            self.created_count += 1
            self.published_count += record.published_at is not None
        self.writer.flush()
        if self.batch is None:
            self.batch = BackfillBatch.objects.create(file_name="", file_sha256="", imported_by=self.actor,
                                                      imported_at=timezone.now(), rows=0, created=0, published=0,
                                                      skipped=0)
        self.writer.insert(BackfillItem, [BackfillItem(external_id=external_id, batch=self.batch, record=record)
                                          for external_id, record in written], with_pk=False)
        self.previous = dict(written)


def _preview(row: _Row) -> dict[str, Any]:
    return {"row": row.number, "external_id": row.external_id, "kind": row.values["kind"], "agency": row.agency.code,
            "title": row.values["title"], "event_date": row.values["event_date"], "published": row.published}


def _import_batched(*, actor: User, source: _Source, dry_run: bool, progress: Progress[Any], preview_rows: int,
                    max_rows: int | None) -> BackfillReport:
    sha256, total = source.survey()
    _too_many(total, max_rows)
    report = BackfillReport(rows=total, dry_run=dry_run)
    state = _Batched(actor, report, {a.code: a for a in agencies_for(actor, ACT)}, preview_rows)
    try:
        with transaction.atomic():
            try:
                for chunk in chunked(progress(source.rows(), _("importing"), total), CHUNK):
                    rows, done = state.check(chunk)
                    if not report.errors:  # after a refused row, the rest is only checked
                        state.write(rows, done)
                if report.errors:
                    raise _Rollback
                report.created = state.created_count
                if state.writer is not None:
                    published, errors = state.writer.finish(progress=progress)
                    state.published_count += published
                    for key, exc in errors:
                        state.service_errors.extend(_service_errors(key, exc))
            finally:
                # Nothing may be sent after the transaction ends (a rollback included).
                if state.writer is not None:
                    state.writer.close()
            report.published = state.published_count
            report.errors = state.service_errors
            if report.errors or dry_run:
                raise _Rollback
            batch = state.batch or BackfillBatch(imported_by=actor)
            batch.file_name, batch.file_sha256, batch.imported_at = source.name[:255], sha256, timezone.now()
            batch.rows, batch.created, batch.published, batch.skipped = (
                report.rows, report.created, report.published, report.skipped)
            batch.save()
            _audit_batch(actor, batch, report)
    except _Rollback:
        pass
    return report


def iter_errors(report: BackfillReport) -> Iterator[str]:
    """The report's errors as lines: ``row 7, subject_code: …``."""
    for e in report.errors:
        yield _("row %(row)d, %(field)s: %(message)s") % {"row": e.row, "field": e.field or "-",
                                                           "message": e.message}
