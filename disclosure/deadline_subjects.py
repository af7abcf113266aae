"""What disclosure gives the scheduler's deadline supervision (Art. 7, 10-12): registered in ``ready``.

* records waiting for publication and citizens' requests waiting for an answer, as deadline
  subjects of the sweep, with their titles and the workspace page a recipient acts on;
* who is told: the staff of the agency (or of the nearest agency above it that has staff), on
  escalation the superior agency and the bureau, and the administrators of a missing calendar;
* when the calendar changes, every provisional due date is counted again.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from disclosure.models import Agency, CitizenRequest, Record, RecordStatus, RequestKind, Role, StaffMembership, User
from disclosure.services.deadlines import records_recompute_provisional, requests_recompute_provisional
from disclosure.tasks import recompute_provisional_deadlines
from scheduler.models import Notice, NoticeKind, SubjectKind
from scheduler.signals import calendar_changed
from scheduler.subjects import DeadlineSubject, recipients_register, subject_register

# Who answers for a deadline at an agency; who is told when one is escalated to it.
RESPONSIBLE_ROLES = (Role.CLERK, Role.AGENCY_ADMIN)
SUPERIOR_ROLES = (Role.AGENCY_ADMIN,)
BUREAU_ROLES = (Role.AUDITOR,)


def _open_records() -> QuerySet[Record]:
    # Backfilled records are history, not work: no deadline runs for them. A surprise task has
    # no due date until its result exists.
    return Record.objects.filter(status=RecordStatus.DRAFT, backfill=False, due_date__isnull=False)


def _open_requests() -> QuerySet[CitizenRequest]:
    # Citizens' corrections (Art. 10) and queries (Art. 11) until they are answered.
    return CitizenRequest.objects.open().filter(due_date__isnull=False)


def _record_titles(ids: list[int]) -> dict[int, str]:
    return dict(Record.objects.filter(pk__in=ids).values_list("pk", "title"))


def _request_titles(ids: list[int]) -> dict[int, str]:
    rows = CitizenRequest.objects.filter(pk__in=ids).values_list("pk", "kind", "tracking_code")
    return {pk: f"{RequestKind(kind).label} {code}" for pk, kind, code in rows}


class StaffRecipients:
    """Recipient lookups, memoised for one delivery run (a few queries per agency, not per notice)."""

    def __init__(self) -> None:
        self._agency_path: dict[int, str] = {}
        self._staff: dict[tuple[str, tuple[str, ...]], list[int]] = {}
        self._bureau: list[int] | None = None
        self._admins: list[int] | None = None

    def _path(self, agency_id: int) -> str:
        if agency_id not in self._agency_path:
            self._agency_path[agency_id] = Agency.objects.values_list("path", flat=True).get(pk=agency_id)
        return self._agency_path[agency_id]

    def _nearest_staff(self, path: str, roles: tuple[str, ...]) -> list[int]:
        """Active users in ``roles`` at the deepest agency on ``path`` (itself first, then up) that has any.

        A dispatched body without its own staff is looked after by its parent's clerks, who hold
        the grant over it; a city-level clerk is not told about every district's drafts.
        """
        key = (path, roles)
        if key not in self._staff:
            codes = [c for c in path.split("/") if c]
            rows = StaffMembership.objects.filter(
                agency__code__in=codes, role__in=roles, user__is_active=True
            ).values_list("agency__path", "user_id")
            by_path: dict[str, list[int]] = defaultdict(list)
            for agency_path, user_id in rows:
                by_path[agency_path].append(user_id)
            nearest = max(by_path, key=len, default=None)
            self._staff[key] = sorted(by_path[nearest]) if nearest else []
        return self._staff[key]

    def bureau(self) -> list[int]:
        if self._bureau is None:
            self._bureau = sorted(StaffMembership.objects.filter(
                agency__is_market_regulator=True, role__in=BUREAU_ROLES, user__is_active=True,
            ).values_list("user_id", flat=True))
        return self._bureau

    def administrators(self) -> list[int]:
        if self._admins is None:
            self._admins = sorted(User.objects.filter(is_superuser=True, is_active=True).values_list("id", flat=True))
        return self._admins

    def for_notice(self, notice: Notice) -> list[int]:
        if notice.kind == NoticeKind.CALENDAR_MISSING:
            return self.administrators()
        if notice.agency_id is None:
            return []
        path = self._path(notice.agency_id)
        if notice.kind != NoticeKind.ESCALATION:
            return self._nearest_staff(path, RESPONSIBLE_ROLES)
        # Art. 12: the superior agency orders correction; the market-regulation bureau supervises.
        parent_path = path[: path.rstrip("/").rfind("/") + 1]
        superiors = self._nearest_staff(parent_path, SUPERIOR_ROLES) if parent_path else []
        return sorted(set(superiors) | set(self.bureau()))


def _calendar_changed(sender: object, *, deferred: bool, **kwargs: Any) -> int | None:
    """Count every provisional due date (records and open requests) again with the calendar as loaded now."""
    if deferred:
        transaction.on_commit(recompute_provisional_deadlines.delay)
        return None
    return records_recompute_provisional() + requests_recompute_provisional()


def register() -> None:
    subject_register(DeadlineSubject(SubjectKind.RECORD, _open_records, _record_titles, "workspace:record"))
    subject_register(DeadlineSubject(SubjectKind.REQUEST, _open_requests, _request_titles, "workspace:request"))
    recipients_register(StaffRecipients)
    calendar_changed.connect(_calendar_changed, dispatch_uid="disclosure.recompute_provisional")
