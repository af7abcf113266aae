"""Backfill import (补录, Art. 7): historical records of any kind from CSV or XLSX.

Every row goes through ``disclosure.services.records`` (``record_create`` with ``backfill=True``,
then ``record_publish`` when the row says it was published), so each imported record has the same
versions and audit entries as one typed in by hand, and the timeliness statistics leave it out.

* **All or nothing.** The whole file is one transaction; one bad row rolls everything back and
  the report names every bad row with its spreadsheet row number and field.
* **Dry run** does all of that and rolls back at the end: what it reports is exactly what an
  import would do, checked by the same services.
* **Idempotent.** ``external_id`` (the record's id in the system it comes from) is stored in
  ``BackfillItem``; a row whose external id was already imported is skipped and counted.
* **Who.** The caller (``--user`` of the command, the signed-in user on the page and API) must
  be allowed to act for the agency named in each row's ``agency`` column.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeVar

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.errors import ApplicationError
from disclosure.models import Agency, Disclosure, Record, SubjectType, User
from disclosure.selectors.access import ACT, agencies_for
from disclosure.services.audit import audit_append
from disclosure.services.records import record_create, record_publish
from inspections.models import BackfillBatch, BackfillItem
from inspections.services.directory import RowError
from inspections.tabular import read_table
from scheduler.rules import RecordKind

T = TypeVar("T")
Progress = Callable[[Iterable[T], str, int], Iterable[T]]

REQUIRED = ("external_id", "kind", "agency", "title", "subject_name", "event_date")
OPTIONAL = ("subject_code", "subject_type", "content", "legal_basis", "document_number", "disclosure",
            "withheld_reason", "surprise", "task_external_id", "published")
MAX_LENGTHS = {"external_id": 100, "title": 300, "subject_name": 200, "subject_code": 40, "document_number": 100,
               "content": 20000, "legal_basis": 2000, "withheld_reason": 2000}
_TRUE = {"1", "true", "yes", "y", "是", "已公示"}
_FALSE = {"", "0", "false", "no", "n", "否", "未公示"}
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d")
_LOOKUP_CHUNK = 500


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


def _parse(number: int, row: dict[str, str], scope: dict[str, Agency], known: set[str],
           errors: list[RowError]) -> _Row | None:
    """One row's values for ``record_create``, or None after appending its errors."""
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
    return _Row(number, row["external_id"].strip(), agency, values, flags["published"], task_ref)


def _already_imported(external_ids: list[str]) -> dict[str, Record]:
    found: dict[str, Record] = {}
    for start in range(0, len(external_ids), _LOOKUP_CHUNK):
        chunk = external_ids[start:start + _LOOKUP_CHUNK]
        for item in BackfillItem.objects.filter(external_id__in=chunk).select_related("record"):
            found[item.external_id] = item.record
    return found


def _service_errors(number: int, exc: ApplicationError) -> list[RowError]:
    if not exc.errors:
        return [RowError(number, "", exc.message)]
    return [RowError(number, name, message) for name, messages in exc.errors.items() for message in messages]


def backfill_import(*, actor: User, file_name: str, data: bytes, dry_run: bool = False,
                    progress: Progress[Any] = _no_progress, preview_rows: int = 20,
                    max_rows: int | None = None) -> BackfillReport:
    """Import (or, with ``dry_run``, rehearse) a backfill file; see the module docstring.

    ``max_rows`` refuses larger files (the web page and API, which answer within a request).
    """
    table = read_table(file_name, data, required=REQUIRED)
    if max_rows is not None and len(table.rows) > max_rows:
        raise ApplicationError(
            _("The file has %(rows)d rows; at most %(max)d can be imported here. Use manage.py import_records.") % {
                "rows": len(table.rows), "max": max_rows},
            {"file": [_("Too many rows.")]},
        )
    report = BackfillReport(rows=len(table.rows), dry_run=dry_run)
    scope = {a.code: a for a in agencies_for(actor, ACT)}
    ids = [row.get("external_id", "").strip() for _n, row in table.rows]
    done = _already_imported([i for i in ids if i])

    rows: list[_Row] = []
    first_seen: dict[str, int] = {}
    known = set(done)
    for number, raw in progress(table.rows, _("checking"), len(table.rows)):
        external_id = raw.get("external_id", "").strip()
        if external_id in first_seen:
            report.errors.append(RowError(number, "external_id", _("Same external id as row %(row)s.") % {
                "row": first_seen[external_id]}))
            continue
        if external_id:
            first_seen[external_id] = number
        parsed = _parse(number, raw, scope, known, report.errors)
        if external_id:
            known.add(external_id)
        if parsed is None:
            continue
        if parsed.external_id in done:
            report.skipped += 1
            continue
        rows.append(parsed)
    report.preview = [{"row": r.number, "external_id": r.external_id, "kind": r.values["kind"],
                       "agency": r.agency.code, "title": r.values["title"], "event_date": r.values["event_date"],
                       "published": r.published} for r in rows[:preview_rows]]
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
            audit_append(actor=actor, action="backfill.import", object_type="backfill_batch", object_id=batch.pk,
                         detail={"file": batch.file_name, "sha256": batch.file_sha256, "rows": report.rows,
                                 "created": report.created, "published": report.published,
                                 "skipped": report.skipped})
            report.batch = batch.pk
    except _Rollback:
        pass
    return report


def _write(actor: User, rows: list[_Row], done: dict[str, Record], report: BackfillReport,
           progress: Progress[Any]) -> None:
    by_id: dict[str, Record] = dict(done)
    for row in progress(rows, _("creating"), len(rows)):
        if row.task_external_id:
            task = by_id.get(row.task_external_id)
            if task is None:  # the task's own row failed; its error is already reported
                report.errors.append(RowError(row.number, "task_external_id", _(
                    "The task this result names could not be created.")))
                continue
            row.values["task"] = task
        try:
            row.record = record_create(actor=actor, agency=row.agency, values=row.values)
        except ApplicationError as exc:
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
        except ApplicationError as exc:
            report.errors.extend(_service_errors(row.number, exc))
            continue
        report.published += 1


def iter_errors(report: BackfillReport) -> Iterator[str]:
    """The report's errors as lines: ``row 7, subject_code: …``."""
    for e in report.errors:
        yield _("row %(row)d, %(field)s: %(message)s") % {"row": e.row, "field": e.field or "-",
                                                           "message": e.message}
