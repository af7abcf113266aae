"""Citizens' correction requests (Art. 10) and queries (Art. 11), the subject's statements about a
published record (当事人陈述), subjects' credit-repair applications (信用修复, NDRC Order 2025
No. 36), and the agency's answers.

A submission is checked completely (texts, the record, every evidence file's size, type and
content) before anything is written; files are written inside the same unit of work as the rows
and removed again if that unit fails, so nothing is ever stored half-way.
"""
from __future__ import annotations

import hashlib
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.core.files.base import File
from django.core.files.storage import Storage
from django.db import IntegrityError, transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from backend.errors import ApplicationError, ConflictError, NotVisible
from disclosure.kinds import RecordKind
from disclosure.models import (
    Agency,
    AuditAction,
    CitizenRequest,
    Evidence,
    Record,
    RequestKind,
    RequestStatus,
    User,
)
from disclosure.selectors.public import public_records
from disclosure.services.access import access_check
from disclosure.services.audit import audit_append
from disclosure.services.open_data import open_data_withdraw
from disclosure.services.projection import LISTED, visibility
from disclosure.services.records import record_change, record_repair, record_statement
from scheduler.rules import CORRECTION_REPLY, QUERY_REPLY, REPAIR_REPLY, STATEMENT_REPLY
from scheduler.selectors import deadline_for


class PayloadTooLarge(ApplicationError):
    """A request body or file over its size limit: 413."""

    status_code = 413


# What a file of each accepted type starts with; the extension alone proves nothing.
_SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "pdf": (b"%PDF-",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "png": (b"\x89PNG\r\n\x1a\n",),
}
_CONTENT_TYPES = {"pdf": "application/pdf", "jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png"}
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: codes are read aloud and retyped
_CODE_GROUPS, _CODE_GROUP_LEN = 4, 4  # 16 symbols of 32: 80 bits, not guessable

ANSWERS = {
    RequestKind.CORRECTION: (RequestStatus.ACCEPTED, RequestStatus.REJECTED),
    RequestKind.QUERY: (RequestStatus.ANSWERED,),
    # Accepted: shown beside the record (it is not abusive); rejected: the reasons, by tracking code.
    RequestKind.STATEMENT: (RequestStatus.ACCEPTED, RequestStatus.REJECTED),
    # Accepted: the publication ends (a ``repair`` version); rejected: the reasons.
    RequestKind.REPAIR: (RequestStatus.ACCEPTED, RequestStatus.REJECTED),
}
# The rule (``scheduler.rules``) each kind of request's reply is due by.
REPLY_RULES: dict[str, str] = {
    RequestKind.CORRECTION: CORRECTION_REPLY,
    RequestKind.QUERY: QUERY_REPLY,
    RequestKind.STATEMENT: STATEMENT_REPLY,
    RequestKind.REPAIR: REPAIR_REPLY,
}

# What a credit repair applies to (NDRC Order 2025 No. 36): penalty information and the
# dishonest list; other supervision information is not 失信信息 and ends with its display period.
REPAIRABLE_KINDS = (RecordKind.PENALTY, RecordKind.DISHONEST_LIST)


@dataclass(frozen=True)
class CheckedFile:
    upload: File[Any]
    name: str
    extension: str
    size: int
    sha256: str


def new_tracking_code() -> str:
    groups = ["".join(secrets.choice(_CODE_ALPHABET) for _ in range(_CODE_GROUP_LEN)) for _ in range(_CODE_GROUPS)]
    return "-".join(groups)


def normalize_tracking_code(code: str) -> str:
    compact = "".join(ch for ch in code.upper() if ch.isalnum())
    return "-".join(compact[i:i + _CODE_GROUP_LEN] for i in range(0, len(compact), _CODE_GROUP_LEN))


def request_body_check(*, content_length: int | None) -> None:
    """Refuse a public submission whose body is over the limit before reading it (413)."""
    if content_length is not None and content_length > settings.PUBLIC_REQUEST_MAX_BYTES:
        raise PayloadTooLarge(
            _("The request is too large (at most %(mb)s MB in all).") % {"mb": _mb(settings.PUBLIC_REQUEST_MAX_BYTES)},
            {"evidence": [_("Send fewer or smaller files.")]},
        )


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".rstrip("0").rstrip(".")


def evidence_check(files: list[File[Any]]) -> list[CheckedFile]:
    """Check every evidence file (count, size, type and content) before any is stored."""
    if not files:
        raise ApplicationError(_("Invalid input."), {"evidence": [_("Attach at least one evidence file.")]})
    if len(files) > settings.PUBLIC_EVIDENCE_MAX_FILES:
        raise ApplicationError(_("Invalid input."), {"evidence": [
            _("At most %(n)s evidence files.") % {"n": settings.PUBLIC_EVIDENCE_MAX_FILES}]})
    allowed = [t.lower() for t in settings.PUBLIC_EVIDENCE_TYPES]
    checked: list[CheckedFile] = []
    for upload in files:
        name = (upload.name or "").rsplit("/", 1)[-1][:200]
        size = upload.size or 0
        if size > settings.PUBLIC_EVIDENCE_MAX_BYTES:
            raise PayloadTooLarge(
                _("%(name)s is too large (at most %(mb)s MB per file).") % {
                    "name": name, "mb": _mb(settings.PUBLIC_EVIDENCE_MAX_BYTES)},
                {"evidence": [_("%(name)s is too large.") % {"name": name}]},
            )
        extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        types = ", ".join(allowed)
        if extension not in allowed:
            raise ApplicationError(_("Invalid input."), {"evidence": [
                _("%(name)s: only these file types are accepted: %(types)s.") % {"name": name, "types": types}]})
        if size == 0:
            raise ApplicationError(_("Invalid input."), {"evidence": [_("%(name)s is empty.") % {"name": name}]})
        upload.seek(0)
        head = upload.read(16)
        if extension in _SIGNATURES and not head.startswith(_SIGNATURES[extension]):
            raise ApplicationError(_("Invalid input."), {"evidence": [
                _("%(name)s is not a %(type)s file.") % {"name": name, "type": extension.upper()}]})
        digest = hashlib.sha256(head)
        while chunk := upload.read(64 * 1024):
            digest.update(chunk)
        upload.seek(0)
        checked.append(CheckedFile(upload, name, extension, size, digest.hexdigest()))
    return checked


def _text_errors(**texts: str) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for field, value in texts.items():
        if not value.strip():
            errors[field] = [_("This field is required.")]
        elif "\x00" in value:  # PostgreSQL refuses a NUL byte in text: said here, never a 500
            errors[field] = [_("This text contains a NUL character; remove it.")]
        elif len(value) > settings.PUBLIC_TEXT_MAX_CHARS:
            errors[field] = [_("At most %(n)s characters.") % {"n": settings.PUBLIC_TEXT_MAX_CHARS}]
    return errors


def _public_record(record_id: int | None) -> Record | None:
    """The record a citizen names, if the public may see it (in search: ``public_records``)."""
    if record_id is None or not public_records().filter(pk=record_id).exists():
        return None
    return Record.objects.select_related("agency").get(pk=record_id)


def _submit(*, kind: str, agency: Agency, record: Record | None, requester_name: str, contact: str, text: str,
            files: list[CheckedFile]) -> CitizenRequest:
    now = timezone.now()
    received = timezone.localdate(now)
    deadline = deadline_for(REPLY_RULES[kind], received)
    storage: Storage = Evidence._meta.get_field("file").storage
    saved: list[str] = []
    try:
        with transaction.atomic():
            request = CitizenRequest.objects.create(
                kind=kind, agency=agency, record=record, tracking_code=new_tracking_code(),
                requester_name=requester_name.strip(), contact=contact.strip(), text=text.strip(),
                received_on=received, due_date=deadline.due_date, due_provisional=deadline.provisional,
                created_at=now,
            )
            for checked in files:
                # A random stored name: the requester's file name never becomes a path.
                stored = storage.save(f"evidence/{received:%Y/%m}/{secrets.token_hex(16)}.{checked.extension}",
                                      checked.upload)
                saved.append(stored)
                Evidence.objects.create(
                    request=request, file=stored, original_name=checked.name,
                    content_type=_CONTENT_TYPES.get(checked.extension, "application/octet-stream"),
                    size=checked.size, sha256=checked.sha256,
                )
            # The audit entry names the request, never the requester's contact details.
            audit_append(actor=None, action=AuditAction(f"request.{kind}.submit"), object_type="request",
                         object_id=request.pk, agency_code=agency.code, detail={"record": record.pk if record else None,
                                                          "evidence": [c.sha256 for c in files]})
    except BaseException:
        for name in saved:
            storage.delete(name)
        raise
    return request


def correction_submit(*, record_id: int | None, requester_name: str, contact: str, description: str,
                      files: list[File[Any]]) -> CitizenRequest:
    """A citizen asks to correct a public record (Art. 10), with evidence; due per CORRECTION_REPLY."""
    errors = _field_length_errors(requester_name=requester_name, contact=contact) | _text_errors(
        requester_name=requester_name, contact=contact, description=description)
    record = _public_record(record_id)
    if record is None:
        errors["record"] = [_("No public record has this number.")]
    if errors:
        raise ApplicationError(_("Invalid input."), errors)
    assert record is not None
    checked = evidence_check(files)
    return _submit(kind=RequestKind.CORRECTION, agency=record.agency, record=record, requester_name=requester_name,
                   contact=contact, text=description, files=checked)


def repair_refusal(record: Record, *, today: date | None = None) -> str:
    """Why ``record`` (one the public sees) cannot take a credit-repair application today, or "".

    Only penalty and dishonest-list information is repaired, and only once its minimum publicity
    period has passed (``repair_from``, fixed at publication from the severity class); an open
    application for the record is decided before another is taken."""
    if record.kind not in REPAIRABLE_KINDS:
        return _("Credit repair applies to administrative penalties and the list of dishonest entities only.")
    today = today or timezone.localdate()
    if record.repair_from is None:
        return _("No earliest credit-repair date is recorded for this record; ask the agency that published it.")
    if record.repair_from > today:
        return _("Credit repair may be applied for from %(date)s.") % {
            "date": formats.date_format(record.repair_from, "DATE_FORMAT")}
    if CitizenRequest.objects.open().filter(kind=RequestKind.REPAIR, record=record).exists():
        return _("A credit-repair application for this record is already open; wait for its decision.")
    return ""


def _repair_still_possible(record: Record) -> None:
    """At the decision, what the application was checked for must still hold: the record is in the
    public view and its minimum period has passed (a correction or a new rule table may have moved
    ``repair_from`` since). Otherwise 409: the agency rejects it, or waits."""
    today = timezone.localdate()
    if visibility(record, today=today) != LISTED:
        raise ConflictError(
            _("The record is no longer public (%(status)s): its publication has already ended; reject the "
              "application.") % {"status": record.get_status_display()},
            {"decision": [_("The record is no longer public.")]})
    if record.kind not in REPAIRABLE_KINDS or record.repair_from is None or record.repair_from > today:
        when = formats.date_format(record.repair_from, "DATE_FORMAT") if record.repair_from else "—"
        raise ConflictError(
            _("The record's minimum publicity period has not passed: credit repair is possible from %(date)s. "
              "Reject the application, or decide it from that day.") % {"date": when},
            {"decision": [_("Too early for credit repair.")]})


def repair_check(*, record_id: int | None, today: date | None = None) -> tuple[Record | None, str]:
    """The public record a credit-repair application names, and why it cannot take one today ("" when
    it can): what the portal's form says before anything is sent, and what ``repair_submit`` checks."""
    record = _public_record(record_id)
    if record is None:
        return None, _("No public record has this number.")
    return record, repair_refusal(record, today=today)


def repair_submit(*, record_id: int | None, requester_name: str, contact: str, commitment: str,
                  files: list[File[Any]]) -> CitizenRequest:
    """The subject of a public penalty or dishonest-list record applies for credit repair (信用修复,
    NDRC Order 2025 No. 36) with its written credit commitment (信用承诺书, the request's text) and
    proof that the decision's duties are performed (evidence files, checked as a correction's).
    Refused with the reason on ``record`` before the earliest repair date (``repair_refusal``);
    due per REPAIR_REPLY."""
    errors = _field_length_errors(requester_name=requester_name, contact=contact) | _text_errors(
        requester_name=requester_name, contact=contact, commitment=commitment)
    record, refusal = repair_check(record_id=record_id)
    if refusal:
        errors["record"] = [refusal]
    if errors:
        raise ApplicationError(errors["record"][0] if "record" in errors else _("Invalid input."), errors)
    assert record is not None
    checked = evidence_check(files)
    try:
        return _submit(kind=RequestKind.REPAIR, agency=record.agency, record=record, requester_name=requester_name,
                       contact=contact, text=commitment, files=checked)
    except IntegrityError:
        # Another application for the record got in first (``request_one_open_repair``).
        if not CitizenRequest.objects.open().filter(kind=RequestKind.REPAIR, record=record).exists():
            raise
        message = _("A credit-repair application for this record is already open; wait for its decision.")
        raise ApplicationError(message, {"record": [message]}) from None


def query_submit(*, requester_name: str, contact: str, question: str, record_id: int | None = None,
                 agency_code: str = "") -> CitizenRequest:
    """A citizen's query (Art. 11) about a public record or to an agency; due in 20 working days."""
    errors = _field_length_errors(requester_name=requester_name, contact=contact) | _text_errors(
        requester_name=requester_name, contact=contact, question=question)
    record = _public_record(record_id)
    agency = record.agency if record else Agency.objects.filter(code=agency_code).first() if agency_code else None
    if record_id is not None and record is None:
        errors["record"] = [_("No public record has this number.")]
    elif agency is None:
        errors["agency"] = [_("Name the record or the agency the query is for.")]
    if errors:
        raise ApplicationError(_("Invalid input."), errors)
    assert agency is not None
    return _submit(kind=RequestKind.QUERY, agency=agency, record=record, requester_name=requester_name,
                   contact=contact, text=question, files=[])


def _statement_errors(statement: str) -> list[str]:
    """What is wrong with a statement's text (empty, too long, control characters), if anything."""
    limit = settings.PUBLIC_STATEMENT_MAX_CHARS
    if not statement:
        return [_("Write your statement.")]
    if len(statement) > limit:
        return [_("A statement is short: at most %(n)s characters (this one has %(len)s).") % {
            "n": limit, "len": len(statement)}]
    if any(unicodedata.category(c) == "Cc" and c not in "\n\t" for c in statement):
        return [_("The statement contains control characters (such as a NUL byte); remove them.")]
    return []


def _field_length_errors(**values: str) -> dict[str, list[str]]:
    """Texts longer than their column (the portal's form is not the only way to send them)."""
    errors: dict[str, list[str]] = {}
    for field, value in values.items():
        limit = getattr(CitizenRequest._meta.get_field(field), "max_length", None)
        if limit is not None and len(value.strip()) > limit:
            errors[field] = [_("At most %(n)s characters.") % {"n": limit}]
    return errors


def statement_submit(*, record_id: int | None, requester_name: str, contact: str, statement: str) -> CitizenRequest:
    """The subject of a public record states its side (当事人陈述): a short text (at most
    ``PUBLIC_STATEMENT_MAX_CHARS``) that the record's agency checks within STATEMENT_REPLY and, if
    it is not abusive, shows beside the record (``request_answer``). Refused with the reason when
    the record is not one the public search shows, when the text is empty, too long or holds
    control characters, or when a statement about the record is already waiting for the check."""
    text = statement.replace("\r\n", "\n").replace("\r", "\n").strip()
    errors = _text_errors(requester_name=requester_name, contact=contact)
    errors = _field_length_errors(requester_name=requester_name, contact=contact) | errors
    problems = _statement_errors(text)
    if problems:
        errors["statement"] = problems
    record = _public_record(record_id)
    duplicate = _("A statement about this record is already waiting for the agency's check; you can send "
                  "another once it is decided.")
    if record is None:
        errors["record"] = [_("No public record has this number.")]
    elif CitizenRequest.objects.open().filter(kind=RequestKind.STATEMENT, record=record).exists():
        errors["record"] = [duplicate]
    if errors:
        raise ApplicationError(_("Invalid input."), errors)
    assert record is not None
    try:
        return _submit(kind=RequestKind.STATEMENT, agency=record.agency, record=record,
                       requester_name=requester_name, contact=contact, text=text, files=[])
    except IntegrityError:  # another statement about the record was received meanwhile
        if CitizenRequest.objects.open().filter(kind=RequestKind.STATEMENT, record=record).exists():
            raise ApplicationError(_("Invalid input."), {"record": [duplicate]}) from None
        raise


def request_by_tracking_code(*, code: str) -> CitizenRequest:
    """The request a tracking code names; 404 otherwise."""
    request = CitizenRequest.objects.select_related(
        "agency", "record", "correction_version", "statement_version", "repair_version").filter(
        tracking_code=normalize_tracking_code(code)).first()
    if request is None:
        raise NotVisible(_("No request has this tracking code."))
    return request


def request_for_action(*, actor: User, request_id: int) -> CitizenRequest:
    """A request ``actor`` wants to answer; 404 when not visible, 403 when visible only."""
    request = CitizenRequest.objects.select_related("agency", "record").filter(pk=request_id).first()
    if request is None:
        raise NotVisible(_("Not found."))
    access_check(actor=actor, agency=request.agency, action=AuditAction.REQUEST_ANSWER, object_type="request",
                 object_id=request.pk, denied=_("You may read this request but not answer it."), errors={})
    return request


def reply_number_next(*, agency: Agency, year: int) -> str:
    """The next written-reply number of ``agency`` in ``year``: 答复〔2026〕1号 for its first.

    Numbered per agency per calendar year (local time), counting every letter the agency sent
    that year (query replies and correction decisions share the series). The caller holds the
    agency's row lock, so two answers at once cannot take the same number. The number is the
    letter's official 文号, always written the Chinese way whatever the page's language.
    """
    local = timezone.get_current_timezone()
    start, end = datetime(year, 1, 1, tzinfo=local), datetime(year + 1, 1, 1, tzinfo=local)
    sent = CitizenRequest.objects.filter(agency=agency, answered_at__gte=start, answered_at__lt=end).exclude(
        reply_number="").count()
    return f"答复〔{year}〕{sent + 1}号"


def request_answer(*, actor: User, request: CitizenRequest, decision: str, reply: str,
                   changes: dict[str, Any] | None = None, legal_basis: str = "", document_number: str = "",
                   correction_reason: str = "") -> CitizenRequest:
    """Close a request with a written reply numbered per agency per year (``reply_number_next``).

    An accepted correction makes a ``correct`` version of the record, linked to the request, in
    the same transaction. That version is public: its reason is ``correction_reason`` (what was
    wrong, for everyone), never the letter addressed to the requester, and its document number is
    the letter's unless one is given. An accepted statement (the agency found it not abusive)
    makes a ``statement`` version showing it beside the record (``record_statement``), linked to
    the request as ``statement_version``; the record must still be in force. A rejection needs its
    reasons. Every answer becomes a PDF letter (``reply.pdf``): the query's written reply, the
    correction's, the statement's or the credit repair's decision.

    An accepted credit-repair application ends the record's publication in the same transaction
    (``records.record_repair``: a ``repair`` version, linked as ``repair_version``), whose reason
    names the application's tracking code and Order 36; a repair changes no field (``changes`` is
    refused)."""
    errors: dict[str, list[str]] = {}
    repair = request.kind == RequestKind.REPAIR
    if decision not in ANSWERS[RequestKind(request.kind)]:
        errors["decision"] = [_("A %(kind)s is closed with one of: %(ok)s.") % {
            "kind": RequestKind(request.kind).label, "ok": ", ".join(ANSWERS[RequestKind(request.kind)])}]
    if not reply.strip():
        errors["reply"] = [_("Give the reply (for a rejection, the reasons).")]
    if repair and changes:
        errors["changes"] = [_("A credit repair ends the publication; it changes no field of the record.")]
    elif changes and not (request.kind == RequestKind.CORRECTION and decision == RequestStatus.ACCEPTED):
        errors["changes"] = [_("Only an accepted correction changes the record.")]
    elif decision == RequestStatus.ACCEPTED and request.kind == RequestKind.CORRECTION and not changes:
        errors["changes"] = [_("An accepted correction changes the record: name the corrected fields.")]
    if errors:
        raise ApplicationError(_("Invalid input."), errors)
    with transaction.atomic():
        locked = (CitizenRequest.objects.select_for_update(of=("self",)).select_related("agency", "record")
                  .get(pk=request.pk))
        if not locked.is_open:
            raise ConflictError(_("This request is already closed."), {"status": [locked.status]})
        now = timezone.now()
        # The agency row lock serialises the numbering of its letters.
        agency = Agency.objects.select_for_update().get(pk=locked.agency_id)
        number = reply_number_next(agency=agency, year=timezone.localdate(now).year)
        if decision == RequestStatus.ACCEPTED and locked.kind == RequestKind.STATEMENT:
            assert locked.record is not None
            if visibility(locked.record) != LISTED:  # in force and inside its display period today
                raise ConflictError(
                    _("The record is no longer in force (%(status)s): a statement cannot be shown beside it; "
                      "reject the statement instead.") % {"status": locked.record.get_status_display()},
                    {"decision": [_("The record is no longer in force.")]})
            with translation.override(settings.LANGUAGE_CODE):  # stored, public text: the site's language
                reason = _("The subject's statement, checked by the agency, is shown beside the record.")
            record = record_statement(actor=actor, record=locked.record, statement=locked.text,
                                      made_on=locked.received_on, reason=reason)
            locked.statement_version = record.versions.get(number=record.version)
        elif decision == RequestStatus.ACCEPTED and repair:
            assert locked.record is not None
            _repair_still_possible(locked.record)
            with translation.override(settings.LANGUAGE_CODE):  # stored text: the site's language
                reason = _("Credit repair application %(code)s accepted under NDRC Order 2025 No. 36 (Measures "
                           "for Credit Repair): the publication ends.") % {"code": locked.tracking_code}
                basis = legal_basis.strip() or _("NDRC Order 2025 No. 36, Measures for Credit Repair")
            record = record_repair(actor=actor, record=locked.record, reason=reason, legal_basis=basis,
                                   document_number=document_number.strip() or number)
            locked.repair_version = record.versions.get(number=record.version)
            # 终止公示: no copy stays published, the kept open-data dumps included (remade without it).
            open_data_withdraw(why=f"record {record.pk} ended by credit repair")
        elif decision == RequestStatus.ACCEPTED and locked.kind == RequestKind.CORRECTION:
            assert locked.record is not None and changes
            with translation.override(settings.LANGUAGE_CODE):  # stored, public text: the site's language
                reason = correction_reason.strip() or _(
                    "Corrected on a citizen's correction request, the evidence having been verified (Art. 10).")
                basis = legal_basis.strip() or _("Art. 10 of HZBF [2020] No. 80")
            record = record_change(
                actor=actor, record=locked.record, changes=changes, correction=True,
                reason=reason, legal_basis=basis, document_number=document_number.strip() or number,
            )
            locked.correction_version = record.versions.get(number=record.version)
        locked.status = decision
        locked.reply = reply.strip()
        locked.answered_at = now
        locked.answered_by = actor
        locked.reply_number = number
        locked.save()
        # The version an acceptance made.
        made = locked.correction_version or locked.statement_version or locked.repair_version
        audit_append(actor=actor, action=AuditAction(f"request.{locked.kind}.{decision}"), object_type="request",
                     object_id=locked.pk, agency_code=locked.agency.code,
                     detail={"version": made.number if made else None, "reply_number": number})
    return locked
