"""The public projection: what the public may see of a record, computed once, where it leaves.

"Is public" is defined here and only here (``visibility``): disclosed proactively, published
(published, changed or corrected), inside its display period (Art. 8), and for a surprise
inspection's plan only once a result naming it has been published (Art. 7). A revoked record
leaves the search, but its own page stays (saying when and why) until its display period ends.
A record whose publication a credit repair ended (``repaired``) is nowhere, as an expired one.

``projection_refresh`` runs in the transaction of every version the record gets (``records``'
one version writer), so the projection commits or rolls back with the change it reflects. It
writes every public text masked by the one masking function, the public history, the masked
payload of each public version (which the feed sends) and the search tokens, all from the masked
text only: nothing is searchable that is not shown. The subject's statement (当事人陈述) is masked
with the same context and shown, but not searchable: it is the subject's words, not the record.
``projection_rebuild`` (``reindex_public``) recomputes it for every record, after a masking rule
improves.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from tqdm import tqdm

from disclosure.models import (
    ACTIVE_STATUSES,
    Disclosure,
    FeedEvent,
    PublicRecord,
    Record,
    RecordStatus,
    RecordVersion,
    SubjectType,
    VersionAction,
)
from disclosure.search_tokens import tokens
from disclosure.services.privacy import MaskContext, context_for, mask, public_payload
from disclosure.services.snapshots import snapshot

# Versions the public history names; drafts and their edits are the agency's own business. A
# ``repair`` is not among them: it takes the record out of the public view, and its reason names
# the application's tracking code, which is the applicant's key to the decision letter.
PUBLIC_HISTORY_ACTIONS = (VersionAction.PUBLISH, VersionAction.CHANGE, VersionAction.CORRECT, VersionAction.STATEMENT,
                          VersionAction.REVOKE, VersionAction.RECLASSIFY)
# Versions after which the record is public: their masked payload goes with their feed event.
_PAYLOAD_ACTIONS = (VersionAction.PUBLISH, VersionAction.CHANGE, VersionAction.CORRECT, VersionAction.STATEMENT)

LISTED = "listed"  # in search, on its page, on the entity page, in the feed
PAGE_ONLY = "page_only"  # revoked: its own page says so until the display period ends


def visibility(record: Record, *, today: date | None = None) -> str | None:
    """Where the public sees ``record`` now: ``LISTED``, ``PAGE_ONLY`` or nowhere (None)."""
    today = today or timezone.localdate()
    if record.disclosure != Disclosure.PUBLIC or record.published_at is None:
        return None
    if record.expires_on is not None and record.expires_on <= today:
        return None
    if record.surprise and not Record.objects.filter(task=record, published_at__isnull=False).exists():
        return None
    if record.status in ACTIVE_STATUSES:
        return LISTED
    # Expired and repaired records are nowhere: a credit repair ends the publication (终止公示)
    # everywhere the public looks, its own page included.
    return PAGE_ONLY if record.status == RecordStatus.REVOKED else None


def is_public(record: Record, *, today: date | None = None) -> bool:
    """Whether the public search, the entity page and the feed show ``record`` now."""
    return visibility(record, today=today) == LISTED


def _context(snapshots: Iterable[dict[str, Any]]) -> MaskContext:
    """One masking context over every version: a name a record ever carried is de-identified in
    all of them, so an old version cannot give away the person a newer one hides."""
    contexts = [context_for(values) for values in snapshots]
    names = tuple(dict.fromkeys(name for c in contexts for name in c.names))
    return MaskContext(natural_person=any(c.natural_person for c in contexts), names=names)


def _history(record: Record, versions: list[RecordVersion], context: MaskContext) -> list[dict[str, Any]]:
    history = []
    for version in versions:
        entry: dict[str, Any] = {
            "number": version.number, "action": version.action, "at": version.at.isoformat(),
            "reason": mask(version.reason, context), "legal_basis": mask(version.legal_basis, context),
            "document_number": mask(version.document_number, context),
        }
        # A record in force recomputed under a new rule table is still shown: the payload says until when.
        if version.action in _PAYLOAD_ACTIONS or (version.action == VersionAction.RECLASSIFY
                                                  and version.status in ACTIVE_STATUSES):
            entry["payload"] = public_payload(version.data, record_id=record.pk, context=context)
        history.append(entry)
    return history


def _search_text(payload: dict[str, Any], agency_name: str) -> tuple[str, str]:
    head = tokens(" ".join((payload["title"], payload["subject_name"], payload["subject_code"],
                            payload["document_number"])))
    texts = [v for v in payload["details"].values() if isinstance(v, str) and not v.isascii()]
    body = tokens(" ".join((payload["legal_basis"], payload["content"], agency_name, *texts)))
    return " ".join(head), " ".join(body)


def _row(record: Record, versions: list[RecordVersion], where: str | None) -> PublicRecord:
    current = snapshot(record)
    public_versions = [v for v in versions if v.action in PUBLIC_HISTORY_ACTIONS]
    context = _context([current, *(v.data for v in versions if v.action in PUBLIC_HISTORY_ACTIONS)])
    payload = public_payload(current, record_id=record.pk, context=context)
    head, body = _search_text(payload, record.agency.name)
    assert record.published_at is not None
    return PublicRecord(
        record_id=record.pk, listed=where == LISTED, page=where is not None, kind=record.kind,
        agency_id=record.agency_id,
        status=record.status, version=record.version, title=payload["title"], subject_name=payload["subject_name"],
        subject_code=payload["subject_code"], subject_type=record.subject_type or SubjectType.ORGANIZATION,
        event_date=record.event_date, content=payload["content"], legal_basis=payload["legal_basis"],
        document_number=payload["document_number"], penalty_types=list(record.penalty_types or []),
        fine_amount=record.fine_amount, details=payload["details"], task=record.task_id,
        published_at=record.published_at,
        expires_on=record.expires_on, severity=record.severity, repair_from=record.repair_from,
        history=_history(record, public_versions, context),
        # Shown beside the record, never searched (``_search_text`` does not read it).
        subject_statement=payload.get("subject_statement", ""), subject_statement_on=record.subject_statement_on,
        search_head=head, search_body=body, projected_at=timezone.now(),
    )


def statement_preview(record: Record, text: str) -> str:
    """``text`` as the public would see it as ``record``'s statement: masked with the context the
    projection masks the record with (``_context``). For the agency's check in the workspace; the
    public sees only what ``projection_refresh`` writes once the statement is accepted."""
    versions = record.versions.filter(action__in=PUBLIC_HISTORY_ACTIONS).only("data")
    return mask(text, _context([snapshot(record), *(v.data for v in versions)]))


def projection_row(record: Record, versions: list[RecordVersion], where: str) -> PublicRecord:
    """The projection of ``record`` (``versions``: all of them, in order), not saved: for writers
    that insert many at once (``bulk``); ``where`` is its ``visibility``."""
    return _row(record, versions, where)


_FIELDS = [f.attname for f in PublicRecord._meta.concrete_fields if f.attname != "record_id"]


def projection_refresh(record: Record, *, today: date | None = None) -> PublicRecord | None:
    """Recompute ``record``'s projection; call inside the transaction that changed the record."""
    where = visibility(record, today=today)
    exists = PublicRecord.objects.filter(record_id=record.pk).exists()
    if where is None and not exists:
        return None  # never public: nothing to show, nothing a receiver could hold
    row = _row(record, list(record.versions.order_by("number")), where)
    if exists:
        PublicRecord.objects.filter(record_id=record.pk).update(**{f: getattr(row, f) for f in _FIELDS})
    else:
        row.save(force_insert=True)
    return row


def _candidates(missing_only: bool) -> QuerySet[Record]:
    published = Record.objects.filter(published_at__isnull=False)
    return published.filter(public__isnull=True) if missing_only else published


def _batches(size: int, start_after: int, missing_only: bool) -> Iterator[list[int]]:
    last = start_after
    while True:
        ids = list(_candidates(missing_only).filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:size])
        if not ids:
            return
        yield ids
        last = ids[-1]


def projection_rebuild(*, batch_size: int = 500, start_after: int = 0, limit: int | None = None,
                       missing_only: bool = False, progress: bool = True, today: date | None = None) -> int:
    """Recompute the projection of every record ever published, in id order, one transaction per
    batch (so it is resumable from the last id a run reports, and idempotent: a re-run writes the
    same rows). ``limit`` stops after about that many records (whole batches); ``missing_only``
    projects only published records that have no projection yet (after an upgrade: a no-op when
    there are none, so ``bin/run`` runs it on every start). Returns how many of the records it
    projected are listed."""
    total = _candidates(missing_only).filter(pk__gt=start_after).count()
    total = min(total, limit) if limit is not None else total
    bar = tqdm(total=total, unit="record", disable=not progress)
    public = done = 0
    try:
        for ids in _batches(batch_size, start_after, missing_only):
            with transaction.atomic():
                records = {r.pk: r for r in Record.objects.select_for_update(of=("self",))
                           .select_related("agency").filter(pk__in=ids)}
                versions: dict[int, list[RecordVersion]] = {pk: [] for pk in ids}
                for version in RecordVersion.objects.filter(record_id__in=ids).order_by("record_id", "number"):
                    versions[version.record_id].append(version)
                # Ever public: a record has feed events exactly when the public saw it at some time.
                seen = set(FeedEvent.objects.filter(record_id__in=ids).values_list("record_id", flat=True))
                rows = []
                for pk in ids:
                    where = visibility(records[pk], today=today)
                    if where is not None or pk in seen:
                        rows.append(_row(records[pk], versions[pk], where))
                PublicRecord.objects.filter(record_id__in=ids).delete()
                PublicRecord.objects.bulk_create(rows)
                public += sum(row.listed for row in rows)
            done += len(ids)
            bar.update(len(ids))
            bar.set_postfix(last_id=ids[-1])
            if limit is not None and done >= limit:
                break
    finally:
        bar.close()
    return public
