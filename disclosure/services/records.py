"""Writes of supervision records: create, edit a draft, publish, change/correct, revoke, expire,
the subject's statement shown beside a published record, and the end of a publication by credit
repair.

Every write locks the record row, checks the transition table, updates the projection on
``Record``, inserts one immutable ``RecordVersion`` and appends one audit entry, all in one
transaction: either all of it is kept or none of it.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.canonical import sealed
from backend.errors import ApplicationError, ConflictError, NotVisible, ServiceError
from disclosure.credit_code import normalize_credit_code
from disclosure.kinds import RecordKind
from disclosure.kinds.spec import fields_for
from disclosure.models import (
    ACTIVE_STATUSES,
    Agency,
    AuditAction,
    Disclosure,
    PenaltyType,
    PublicRecord,
    Record,
    RecordStatus,
    RecordVersion,
    Severity,
    SubjectType,
    User,
    VersionAction,
)
from disclosure.selectors.access import ACT, agencies_for
from disclosure.selectors.credit_codes import credit_code_error
from disclosure.services.access import access_check
from disclosure.services.audit import audit_append
from disclosure.services.details import (
    DETAILS_KEY,
    INDIVIDUAL_PLACEHOLDER,
    details_clean,
    missing_message,
    publication_missing,
    standard_missing,
    subject_errors,
)
from disclosure.services.display import CITIZENS, PublicityRules, apply_publicity, publicity
from disclosure.services.feed import feed_append
from disclosure.services.projection import projection_refresh
from disclosure.services.rollup import rollup_record_written
from disclosure.services.snapshots import SNAPSHOT_FIELDS as SNAPSHOT_FIELDS  # re-exported
from disclosure.services.snapshots import snapshot
from scheduler.calendar import Deadline, WorkingCalendar
from scheduler.selectors import deadline_for, get_calendar

# Writes are made by signed-in staff; views require authentication before calling a service.
Actor = User

# The transition table: (status now, action) -> status after. Anything else is a 409.
TRANSITIONS: dict[tuple[str, str], str] = {
    (RecordStatus.DRAFT, VersionAction.EDIT): RecordStatus.DRAFT,
    (RecordStatus.DRAFT, VersionAction.PUBLISH): RecordStatus.PUBLISHED,
    **{(s, VersionAction.CHANGE): RecordStatus.CHANGED for s in ACTIVE_STATUSES},
    **{(s, VersionAction.CORRECT): RecordStatus.CORRECTED for s in ACTIVE_STATUSES},
    # A decision annulled later (reconsideration, a court) is recorded even after its publication
    # ended by time or by credit repair.
    **{(s, VersionAction.REVOKE): RecordStatus.REVOKED for s in (*ACTIVE_STATUSES, RecordStatus.EXPIRED,
                                                                  RecordStatus.REPAIRED)},
    **{(s, VersionAction.EXPIRE): RecordStatus.EXPIRED for s in ACTIVE_STATUSES},
    # The publicity rule table changed: the class and dates again, the status as it was.
    **{(s, VersionAction.RECLASSIFY): s for s in (*ACTIVE_STATUSES, RecordStatus.REVOKED)},
    # The subject's statement beside a record in force leaves its status as it is.
    **{(s, VersionAction.STATEMENT): s for s in ACTIVE_STATUSES},
    **{(s, VersionAction.REPAIR): RecordStatus.REPAIRED for s in ACTIVE_STATUSES},
}
# The fields a recomputed deadline rewrites (``record_recompute_deadline``).
DEADLINE_FIELDS = ("due_date", "due_provisional", "on_time", "late_working_days", "latency_working_days")

# Fields a draft edit or a post-publication change may set. What defines the event and so its
# deadline (kind, agency, event date, surprise, backfill, task) is fixed once published: a wrong
# one is revoked and recorded anew, so the timeliness record cannot be rewritten.
CONTENT_FIELDS = (
    "title", "subject_name", "subject_code", "subject_type", "content", "legal_basis", "document_number",
    "disclosure", "withheld_reason", "penalty_types", "fine_amount", "details", "severity_override",
    "severity_reason",
)
# What the publicity rule table derives (``display.apply_publicity``): ``record_reclassify`` rewrites them.
PUBLICITY_FIELDS = ("severity", "repair_from", "expires_on")
EVENT_FIELDS = ("kind", "agency", "event_date", "surprise", "backfill", "task")


# -- reading a record for a write --------------------------------------------------------------
def record_for_action(*, actor: Actor, record_id: int, action: str) -> Record:
    """The record ``actor`` wants to act on, locked; 404 when not visible, 403 when only visible.

    A refusal is written to the audit trail in its own transaction before the error is raised.
    """
    record = Record.objects.select_related("agency").filter(pk=record_id).first()
    if record is None:
        raise NotVisible(_("Not found."))
    access_check(actor=actor, agency=record.agency, action=AuditAction.of_record(action), object_type="record",
                 object_id=record.pk, denied=_("You may read this record but not act on it."), errors={})
    return record


def _locked(record: Record, expected_version: int | None) -> Record:
    locked = Record.objects.select_for_update(of=("self",)).select_related("agency").get(pk=record.pk)
    if expected_version is not None and expected_version != locked.version:
        raise ConflictError(
            _("The record was changed by someone else (version %(now)s, you sent %(sent)s); reload it.")
            % {"now": locked.version, "sent": expected_version},
            {"version": [_("Stale version.")]},
        )
    return locked


def _transition(record: Record, action: str) -> str:
    try:
        return TRANSITIONS[(record.status, action)]
    except KeyError:
        raise ConflictError(
            _("A %(status)s record cannot be %(action)s.") % {
                "status": RecordStatus(record.status).label, "action": VersionAction(action).label},
            {"status": [record.status]},
        ) from None


# -- validation ---------------------------------------------------------------------------------
def _validate(values: dict[str, Any], *, actor: Actor) -> dict[str, list[str]]:
    """Business rules over the merged field values; returns errors by field. ``values["details"]``
    is replaced by its checked, stored form (``disclosure.services.details``: the kind's spec)."""
    errors: dict[str, list[str]] = {}

    def err(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    kind, subject_type = str(values.get("kind") or ""), str(values.get("subject_type") or "")
    details = values.get("details")
    details = {} if details is None else details
    derived = {k: v for k, v in details.items() if k in DERIVED_DETAILS} if isinstance(details, dict) else {}
    inputs = {k: v for k, v in details.items() if k not in DERIVED_DETAILS} if isinstance(details, dict) else details
    clean, detail_errors = details_clean(kind=kind, subject_type=subject_type, details=inputs)
    values["details"] = {**clean, **derived}
    for key, messages in (detail_errors | subject_errors(values)).items():
        for message in messages:
            err(key, message)
    code = values.get("subject_code") or ""
    if code == INDIVIDUAL_PLACEHOLDER:
        pass  # ``subject_errors`` decides
    elif code:
        problem = credit_code_error(code)
        if problem:
            err("subject_code", problem)
    elif values.get("subject_type") == SubjectType.ORGANIZATION:
        err("subject_code", _("A legal person or other organization is identified by its unified social credit code."))
    if values.get("disclosure") == Disclosure.WITHHELD and not (values.get("withheld_reason") or "").strip():
        err("withheld_reason", _("Not disclosing a record needs a legal basis and reason (Art. 4)."))
    if values.get("surprise") and values.get("kind") != RecordKind.INSPECTION_TASK:
        err("surprise", _("Only an inspection task can be a surprise inspection."))
    task = values.get("task")
    if task is not None:
        if values.get("kind") != RecordKind.INSPECTION_RESULT:
            err("task", _("Only an inspection result names an inspection task."))
        elif task.kind != RecordKind.INSPECTION_TASK:
            err("task", _("Record %(id)s is not an inspection task.") % {"id": task.pk})
        elif not agencies_for(actor, ACT).filter(pk=task.agency_id).exists():
            err("task", _("Record %(id)s is not an inspection task of your agency.") % {"id": task.pk})
    penalty_types = values.get("penalty_types") or []
    if penalty_types and values.get("kind") != RecordKind.PENALTY:
        err("penalty_types", _("Only a penalty names penalty types."))
    unknown = sorted({str(t) for t in penalty_types} - set(PenaltyType.values))
    if unknown:
        err("penalty_types", _("Unknown penalty type %(types)s; expected some of: %(known)s.") % {
            "types": ", ".join(unknown), "known": ", ".join(PenaltyType.values)})
    override = values.get("severity_override") or ""
    if override and values.get("kind") != RecordKind.PENALTY:
        err("severity_override", _("Only a penalty's class can be set."))
    elif override and override not in Severity.values:
        err("severity_override", _("Expected one of: %(known)s.") % {"known": ", ".join(Severity.values)})
    elif override and not (values.get("severity_reason") or "").strip():
        err("severity_reason", _("Setting a class other than the one the penalty categories give needs a reason."))
    elif not override and (values.get("severity_reason") or "").strip():
        err("severity_override", _("A reason needs the class it explains."))
    stored = values.get("details")
    if isinstance(stored, dict) and stored.get("simple_procedure") is True:
        simple_procedure_errors(values, err)
    fine = values.get("fine_amount")
    if (fine.is_signed() and not fine.is_nan()) if isinstance(fine, Decimal) else (fine is not None and fine < 0):
        # A Decimal's sign: "-0" too, which would be stored as -0.00.
        err("fine_amount", _("A fine cannot be negative."))
    elif isinstance(fine, Decimal) and (not fine.is_finite() or fine >= _MAX_YUAN or fine.as_tuple().exponent < -2):  # type: ignore[operator]
        err("fine_amount", _("Expected a non-negative amount in yuan with at most two decimals."))
    event_date = values.get("event_date")
    if isinstance(event_date, date) and event_date > timezone.localdate():
        err("event_date", _("The event date cannot be in the future."))
    for field in ("title", "subject_name"):
        if not (values.get(field) or "").strip():
            err(field, _("This field is required."))
    return errors


_MAX_YUAN = Decimal(10) ** 12  # the column holds 14 digits, two of them decimals
# Administrative Penalty Law Art. 51: on the spot only a warning, or a fine of at most 200 元 for
# a citizen and 3,000 元 for a legal person or other organisation.
SIMPLE_PROCEDURE_TYPES = frozenset({PenaltyType.WARNING, PenaltyType.FINE})
SIMPLE_PROCEDURE_MAX_YUAN = {"citizen": Decimal(200), "organization": Decimal(3000)}


def simple_procedure_errors(values: dict[str, Any], err: Callable[[str, str], None]) -> None:
    """A decision marked simple-procedure must be one the law allows on the spot (it is minor
    information: a mistaken tick would take a serious penalty off the public view)."""
    types = {str(t) for t in values.get("penalty_types") or []}
    if not types or not types <= SIMPLE_PROCEDURE_TYPES:
        err("details.simple_procedure", _("Only a warning or a small fine is decided under the simple procedure "
                                          "(Administrative Penalty Law Art. 51)."))
        return
    fine = values.get("fine_amount")
    who = "citizen" if values.get("subject_type") in CITIZENS else "organization"
    if PenaltyType.FINE in types and (fine is None or fine > SIMPLE_PROCEDURE_MAX_YUAN[who]):
        err("details.simple_procedure", _("A fine under the simple procedure is at most %(limit)s yuan for this "
                                          "subject (Administrative Penalty Law Art. 51).") % {
            "limit": SIMPLE_PROCEDURE_MAX_YUAN[who]})

# Details the system derives (never an input): a migrated penalty's types still to be confirmed.
DERIVED_DETAILS = frozenset({"penalty_types_unconfirmed"})


def _merge_details(record: Record, values: dict[str, Any]) -> dict[str, Any]:
    """``values`` with the details a write of ``record`` leaves: ``values["details"]`` updates the
    stored ones key by key (an empty value removes a key once checked); setting the penalty types
    confirms migrated ones."""
    kind_changes = "kind" in values and values["kind"] != record.kind
    if "details" not in values and "penalty_types" not in values and not kind_changes:
        return values
    new = values.get("details", {})
    if not isinstance(new, dict):
        return values  # ``_validate`` names the problem
    kept = record.details or {}
    if kind_changes:  # a draft's kind changed: the stored fields of the old kind go
        allowed = {spec.name for spec in fields_for(str(values["kind"]))}
        kept = {k: v for k, v in kept.items() if k in allowed}
    merged = {**kept, **new}
    if "penalty_types" in values:
        merged.pop("penalty_types_unconfirmed", None)
    return {**values, "details": merged}


def _stale_class_reason(record: Record, values: dict[str, Any]) -> dict[str, list[str]]:
    """Another class set by the agency needs its own reason, not the one the old class had."""
    new = values.get("severity_override")
    if (new and record.severity_override and new != record.severity_override
            and values.get("severity_reason", record.severity_reason) == record.severity_reason):
        return {"severity_reason": [_("Give the reason for the new class.")]}
    return {}


def _derived_refused(values: dict[str, Any]) -> dict[str, list[str]]:
    sent = values.get("details")
    if not isinstance(sent, dict):
        return {}
    return {f"{DETAILS_KEY}.{k}": [_("Set by the system, not an input.")] for k in sent if k in DERIVED_DETAILS}


def _apply_standard(record: Record) -> None:
    """Keep the list of what the standard requires and the record lacks (the completeness list)."""
    record.standard_missing = standard_missing({f: getattr(record, f) for f in (*CONTENT_FIELDS, *EVENT_FIELDS)}
                                               | {"details": record.details or {}})


def _normalize(values: dict[str, Any]) -> dict[str, Any]:
    out = dict(values)
    if "subject_code" in out:
        out["subject_code"] = normalize_credit_code(out["subject_code"] or "")
    for field in CONTENT_FIELDS:
        if isinstance(out.get(field), str) and field != "subject_code":
            out[field] = out[field].strip()
    if "severity_override" in out and not out["severity_override"]:
        out["severity_override"], out["severity_reason"] = "", ""  # no class of the agency's: no reason either
    fine = out.get("fine_amount")
    if isinstance(fine, Decimal) and fine.is_finite() and abs(fine) < _MAX_YUAN:
        out["fine_amount"] = fine.quantize(Decimal("0.01"))  # as the column stores it, so every snapshot agrees
    return out


def _deadline(kind: str, event_date: date, surprise: bool) -> Deadline | None:
    if surprise:
        return None  # a surprise plan has no deadline of its own: it is published with its result
    return deadline_for(kind, event_date)


def _apply_deadline(record: Record) -> None:
    deadline = _deadline(record.kind, record.event_date, record.surprise)
    record.due_date = deadline.due_date if deadline else None
    record.due_provisional = deadline.provisional if deadline else False


def timeliness_on(record: Record, day: date, calendar: WorkingCalendar) -> tuple[bool, int]:
    """On time, and by how many working days late, when ``record`` is published on ``day`` (a
    record without a deadline of its own, a surprise task's, is on time)."""
    return (True, 0) if record.due_date is None else calendar.timeliness(record.due_date, day)


def _apply_timeliness(record: Record, calendar: WorkingCalendar) -> None:
    """On time or late, by how many working days, and the latency: fixed at publication, and
    recomputed only when the calendar the due date was counted with changes."""
    assert record.published_on is not None
    record.on_time, record.late_working_days = timeliness_on(record, record.published_on, calendar)
    record.latency_working_days = calendar.working_days_late(record.event_date, record.published_on)


# -- versions -------------------------------------------------------------------------------------
def was_public(record: Record) -> bool:
    """Whether the public (and so a receiver of the feed) has the record listed now: its
    projection says so, dates aside (a record past its period but not yet expired still is)."""
    return PublicRecord.objects.filter(record_id=record.pk, listed=True).exists()


def _version(record: Record, *, actor: Actor, action: str, reason: str = "", legal_basis: str = "",
             document_number: str = "", before_public: bool = False) -> RecordVersion:
    data, digest = sealed(snapshot(record))
    version = RecordVersion.objects.create(
        record=record, number=record.version, action=action, status=record.status, data=data, digest=digest,
        actor=actor, at=timezone.now(), reason=reason, legal_basis=legal_basis, document_number=document_number,
    )
    audit_append(
        actor=actor, action=AuditAction.of_record(action), object_type="record", object_id=record.pk,
        agency_code=record.agency.code, detail={"version": version.number, "digest": digest, "reason": reason},
    )
    rollup_record_written(record)  # after the audit entry: writers are serialized on the chain head
    # The projection first: the feed event's transparency-log leaf freezes what it shows now.
    projection = projection_refresh(record)
    feed_append(record=record, version=version, was_public=before_public, projection=projection)
    return version


# -- services ---------------------------------------------------------------------------------------
def _not_yours(agency: Agency) -> dict[str, Any]:
    return {"denied": _("You may not submit records for %(agency)s.") % {"agency": agency.name},
            "errors": {"agency": [_("You may not submit records for this agency.")]}}


def record_create(*, actor: Actor, agency: Agency, values: dict[str, Any]) -> Record:
    """Create a draft for ``agency``; its deadline is computed from the rule table at once."""
    access_check(actor=actor, agency=agency, action=AuditAction.RECORD_CREATE, object_type="record", creating=True,
                 **_not_yours(agency))
    values = _normalize(values)
    values.setdefault(
        "subject_type", SubjectType.ORGANIZATION if values.get("subject_code") else SubjectType.NATURAL_PERSON
    )
    refused = _derived_refused(values)
    errors = refused | _validate(values, actor=actor)
    if errors:
        raise ApplicationError(_("Invalid input."), errors)
    with transaction.atomic():
        record = Record(agency=agency, created_by=actor, status=RecordStatus.DRAFT, version=1, **values)
        _apply_deadline(record)
        _apply_standard(record)
        apply_publicity(record)
        record.save(force_insert=True)
        _version(record, actor=actor, action=VersionAction.CREATE)
    return record


def record_edit(*, actor: Actor, record: Record, version: int, values: dict[str, Any]) -> Record:
    """Edit a draft (optimistic locking: ``version`` must be the current one)."""
    if "agency" in values:
        access_check(actor=actor, agency=values["agency"], action=AuditAction.RECORD_EDIT, object_type="record",
                     object_id=record.pk, creating=True, detail={"moved_to": values["agency"].code},
                     **_not_yours(values["agency"]))
    values = _normalize(values)
    refused = _derived_refused(values)
    with transaction.atomic():
        record = _locked(record, version)
        _transition(record, VersionAction.EDIT)
        values = _merge_details(record, values)
        merged = {f: getattr(record, f) for f in (*CONTENT_FIELDS, *EVENT_FIELDS)} | values
        errors = refused | _validate(merged, actor=actor) | _stale_class_reason(record, values)
        if errors:
            raise ApplicationError(_("Invalid input."), errors)
        if "details" in values:
            values["details"] = merged["details"]
        if not any(merged[f] != getattr(record, f) for f in values):
            return record
        for field, value in values.items():
            setattr(record, field, value)
        _apply_deadline(record)
        _apply_standard(record)
        apply_publicity(record)
        record.version += 1
        record.save()
        _version(record, actor=actor, action=VersionAction.EDIT)
    return record


def record_publish(*, actor: Actor, record: Record, version: int | None = None) -> Record:
    """Publish a draft: record when, and whether it met its deadline (counted in working days)."""
    with transaction.atomic():
        record = _locked(record, version)
        record.status = _transition(record, VersionAction.PUBLISH)
        if record.surprise and not record.results.filter(status__in=ACTIVE_STATUSES).exists():
            raise ConflictError(
                _("A surprise inspection's plan is published only after its result (Art. 7): publish the "
                  "inspection result that names this task first."),
                {"surprise": [_("No published result names this task yet.")]},
            )
        if not (record.backfill or record.predates_standard):
            missing = publication_missing(
                {f: getattr(record, f) for f in (*CONTENT_FIELDS, *EVENT_FIELDS)} | {"details": record.details or {}})
            if missing:
                message, errors = missing_message(missing)
                raise ApplicationError(message, errors)
        now = timezone.now()
        record.published_at = now
        record.published_on = timezone.localdate(now)
        _apply_timeliness(record, get_calendar())
        apply_publicity(record)
        _apply_standard(record)
        record.version += 1
        record.save()
        _version(record, actor=actor, action=VersionAction.PUBLISH)
    return record


@dataclass(frozen=True)
class PublishOutcome:
    """What became of one record of a bulk publication: published, or refused and why."""

    id: int
    record: Record | None
    published: bool
    reason: str


def records_publish_each(*, actor: Actor, record_ids: list[int]) -> list[PublishOutcome]:
    """Publish each record in its own transaction (``record_publish``): a refusal (a record not
    visible, not the actor's, not a draft) leaves the others published; overdue is no refusal."""
    outcomes = []
    for record_id in record_ids:
        try:
            record = record_publish(actor=actor, record=record_for_action(actor=actor, record_id=record_id,
                                                                          action=VersionAction.PUBLISH))
        except ServiceError as exc:
            detail = "; ".join(m for msgs in exc.errors.values() for m in msgs if m != exc.message)
            outcomes.append(PublishOutcome(record_id, None, False, exc.message + (f" ({detail})" if detail else "")))
        else:
            outcomes.append(PublishOutcome(record_id, record, True, ""))
    return outcomes


def record_change(
    *, actor: Actor, record: Record, reason: str, legal_basis: str, document_number: str,
    changes: dict[str, Any], correction: bool = False, version: int | None = None,
) -> Record:
    """A published record changed (Art. 9) or corrected (Art. 10): a new version, never an overwrite."""
    fixed = sorted(set(changes) & set(EVENT_FIELDS))
    if fixed:
        raise ApplicationError(
            _("Invalid input."),
            {f"changes.{f}": [_("Fixed once published; revoke the record and submit a new one.")] for f in fixed},
        )
    unknown = sorted(set(changes) - set(CONTENT_FIELDS))
    if unknown:
        raise ApplicationError(_("Invalid input."), {f"changes.{f}": [_("Unknown field.")] for f in unknown})
    changes = _normalize(changes)
    refused = {f"changes.{k}": v for k, v in _derived_refused(changes).items()}
    action = VersionAction.CORRECT if correction else VersionAction.CHANGE
    with transaction.atomic():
        record = _locked(record, version)
        status = _transition(record, action)
        changes = _merge_details(record, changes)
        current = {f: getattr(record, f) for f in (*CONTENT_FIELDS, *EVENT_FIELDS)} | {"details": record.details or {}}
        merged = current | changes
        # The subject's category, code and fields are checked together: a new category or code can
        # make the stored fields wrong (17 zeros and X needs the 工商注册号 of an individual business).
        touched = set(changes)
        for together in ({"subject_type", "subject_code", "details"}, {"severity_override", "severity_reason"}):
            touched |= together if together & set(changes) else set()
        errors = refused | {f"changes.{k}": v for k, v in _validate(merged, actor=actor).items()
                            if k.partition(".")[0] in touched}
        if not (record.backfill or record.predates_standard):
            # A change may not take away what the standard requires of a published record.
            missing_before = publication_missing(current)
            lost = {k: source for k, source in publication_missing(merged).items() if k not in missing_before}
            if lost:
                errors |= {f"changes.{k}": v for k, v in missing_message(lost)[1].items()}
        errors |= {f"changes.{k}": v for k, v in _stale_class_reason(record, changes).items()}
        if "details" in changes:
            changes["details"] = merged["details"]
        if errors:
            raise ApplicationError(_("Invalid input."), errors)
        if not any(merged[f] != getattr(record, f) for f in changes):
            raise ApplicationError(_("Invalid input."), {"changes": [_("Nothing would change.")]})
        before = was_public(record)
        for field, value in changes.items():
            setattr(record, field, value)
        record.status = status
        apply_publicity(record)
        _apply_standard(record)
        record.version += 1
        record.save()
        _version(record, actor=actor, action=action, reason=reason, legal_basis=legal_basis,
                 document_number=document_number, before_public=before)
    return record


def record_revoke(
    *, actor: Actor, record: Record, reason: str, legal_basis: str, document_number: str, version: int | None = None
) -> Record:
    """Revoke a publication (Art. 9); the record and its history stay, marked revoked."""
    with transaction.atomic():
        record = _locked(record, version)
        before = was_public(record)
        record.status = _transition(record, VersionAction.REVOKE)
        record.version += 1
        record.save()
        _version(record, actor=actor, action=VersionAction.REVOKE, reason=reason, legal_basis=legal_basis,
                 document_number=document_number, before_public=before)
    return record


def record_statement(*, actor: Actor, record: Record, statement: str, made_on: date, reason: str) -> Record:
    """Show the subject's statement (当事人陈述) beside a published record: a ``statement`` version
    with the record's status unchanged, whose snapshot seals the statement and the day it was made.
    A newer statement replaces the shown one; the older stays in its version. The caller (an
    accepted statement request, ``requests.request_answer``) has checked who may act and holds
    the request's lock; the text is stored as the subject wrote it and masked where it leaves."""
    with transaction.atomic():
        record = _locked(record, None)
        status = _transition(record, VersionAction.STATEMENT)
        before = was_public(record)
        record.subject_statement = statement
        record.subject_statement_on = made_on
        record.status = status
        record.version += 1
        record.save()
        _version(record, actor=actor, action=VersionAction.STATEMENT, reason=reason, before_public=before)
    return record


def record_expire(*, actor: Actor, record: Record, reason: str) -> Record:
    """End a publication whose display period is over (Art. 8): an ``expired`` version; the record,
    its history and its audit trail stay. Call with the row locked (``records_expire`` claims it)."""
    before = was_public(record)
    record.status = _transition(record, VersionAction.EXPIRE)
    record.version += 1
    record.save()
    _version(record, actor=actor, action=VersionAction.EXPIRE, reason=reason, before_public=before)
    return record


def record_repair(*, actor: Actor, record: Record, reason: str, legal_basis: str, document_number: str) -> Record:
    """End a publication by credit repair (信用修复, NDRC Order 2025 No. 36): a ``repair`` version,
    status ``repaired``. The record leaves every public path (its projection is neither listed nor
    a page, the feed gets a take-down event) and ``expires_on`` becomes today, the first day it is
    no longer shown (so the exchange's 公示截止期 tells the truth); the record, its history and its
    audit trail stay. Only a record in force can be repaired. Called by ``requests.request_answer``
    inside the transaction that accepts the application."""
    with transaction.atomic():
        record = _locked(record, None)
        before = was_public(record)
        record.status = _transition(record, VersionAction.REPAIR)
        today = timezone.localdate()
        record.expires_on = min(record.expires_on, today) if record.expires_on else today
        record.version += 1
        record.save()
        _version(record, actor=actor, action=VersionAction.REPAIR, reason=reason, legal_basis=legal_basis,
                 document_number=document_number, before_public=before)
    return record


def record_recompute_deadline(*, actor: Actor, record: Record, calendar: WorkingCalendar, reason: str) -> bool:
    """Count a provisional due date again with ``calendar`` (a year's holiday notice was loaded),
    and a published record's timeliness with it: a ``recompute`` version when anything changed, so
    the row always equals its latest sealed version. Call with the row locked; returns whether it
    changed."""
    before = [getattr(record, field) for field in DEADLINE_FIELDS]
    deadline = deadline_for(record.kind, record.event_date, calendar=calendar)
    record.due_date, record.due_provisional = deadline.due_date, deadline.provisional
    if record.published_on is not None:
        _apply_timeliness(record, calendar)
    if [getattr(record, field) for field in DEADLINE_FIELDS] == before:
        return False
    record.version += 1
    record.save()
    _version(record, actor=actor, action=VersionAction.RECOMPUTE, reason=reason)
    return True


def record_reclassify(*, actor: Actor, record: Record, rules: PublicityRules, reason: str, ended_reason: str,
                      today: date) -> str | None:
    """Compute a published record's class, first repair day and end of display again under
    ``rules`` (the rule table, or the profile in force, changed). Call with the row locked.

    Nothing changed: nothing is written (None). A record in force whose new end of display is
    ``today`` or earlier leaves the public view by the normal expiry path: one ``expire`` version
    with the new dates and ``ended_reason`` (the rule's source), a take-down in the feed. Otherwise
    a ``reclassify`` version with ``reason``. Returns the action written. Nothing is ever deleted."""
    result = publicity(record, rules)
    if (result.severity, result.repair_from, result.expires_on) == tuple(getattr(record, f) for f in PUBLICITY_FIELDS):
        return None
    ends = result.expires_on is not None and result.expires_on <= today and record.status in ACTIVE_STATUSES
    action = VersionAction.EXPIRE if ends else VersionAction.RECLASSIFY
    before = was_public(record)
    record.status = _transition(record, action)
    record.severity, record.repair_from, record.expires_on = result.severity, result.repair_from, result.expires_on
    record.publicity_rules = rules.stamp
    record.version += 1
    record.save()
    _version(record, actor=actor, action=action, reason=ended_reason if ends else reason, before_public=before)
    return action
