"""Reads for the public: what anyone may see, with no login (API.md "Public", the portal, the feed).

Public means: published (published, changed or corrected), disclosed proactively (``public``),
inside its display period (Art. 8), and, for a surprise inspection's plan, only once a result
naming it has been published (Art. 7). A revoked record leaves the search; its own page stays
reachable until its display period ends and says that it was revoked, when and why.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.errors import NotVisible
from disclosure.models import Agency, Disclosure, Record, RecordStatus, RecordVersion, VersionAction
from disclosure.services.feed import ACTIVE_STATUSES

# Versions that the public history names; drafts and their edits are the agency's own business.
PUBLIC_HISTORY_ACTIONS = (VersionAction.PUBLISH, VersionAction.CHANGE, VersionAction.CORRECT, VersionAction.REVOKE)


def _shown(statuses: tuple[str, ...], today: date) -> QuerySet[Record]:
    result_out = Record.objects.filter(task=OuterRef("pk"), published_at__isnull=False)
    return (
        Record.objects.filter(status__in=statuses, disclosure=Disclosure.PUBLIC)
        .filter(Q(expires_on__isnull=True) | Q(expires_on__gt=today))
        .filter(Q(surprise=False) | Exists(result_out))
    )


def public_records(*, today: date | None = None) -> QuerySet[Record]:
    """Every record the public search may show (active ones only), newest publication first."""
    return _shown(ACTIVE_STATUSES, today or timezone.localdate()).select_related("agency").order_by(
        "-published_at", "-id")


@dataclass(frozen=True)
class SearchParams:
    q: str = ""
    subject_code: str = ""
    agency: str = ""
    kind: str = ""
    date_from: date | None = None
    date_to: date | None = None


def public_search(*, params: SearchParams, today: date | None = None) -> QuerySet[Record]:
    """The public search: keyword in title or subject name, exact credit code, an agency with its
    bodies, kind, and a range of event dates."""
    qs = public_records(today=today)
    if params.q:
        qs = qs.filter(Q(title__icontains=params.q) | Q(subject_name__icontains=params.q))
    if params.subject_code:
        qs = qs.filter(subject_code=params.subject_code.strip().upper())
    if params.agency:
        path = Agency.objects.filter(code=params.agency).values_list("path", flat=True).first()
        qs = qs.filter(agency__path__startswith=path) if path else qs.none()
    if params.kind:
        qs = qs.filter(kind=params.kind)
    if params.date_from:
        qs = qs.filter(event_date__gte=params.date_from)
    if params.date_to:
        qs = qs.filter(event_date__lte=params.date_to)
    return qs


def public_record(*, record_id: int, today: date | None = None) -> Record:
    """One record for its public page: an active one, or a revoked one (shown as revoked); 404
    for anything else, exactly as for a record that does not exist."""
    record = (
        _shown((*ACTIVE_STATUSES, RecordStatus.REVOKED), today or timezone.localdate())
        .select_related("agency").filter(pk=record_id).first()
    )
    if record is None:
        raise NotVisible(_("Not found."))
    return record


def public_history(*, record: Record) -> list[RecordVersion]:
    """The plain history of a public record: published, changed, corrected, revoked; oldest first."""
    return list(record.versions.filter(action__in=PUBLIC_HISTORY_ACTIONS).order_by("number"))


def entity_records(*, subject_code: str, today: date | None = None) -> QuerySet[Record]:
    """Everything public about one credit code, in time order (Art. 13)."""
    return public_records(today=today).filter(subject_code=subject_code.strip().upper()).order_by("event_date", "id")
