"""Delivering deadline notices: inbox notifications (exactly once) and e-mail digests.

Delivery takes undelivered notices in batches (``select_for_update(skip_locked=True)``, so
several workers share the work without waiting on each other), writes one ``Notification`` per
recipient and marks the notices delivered, all in one transaction: a crash delivers a batch
whole or not at all, and the next run picks up what is left.

E-mail cannot be part of a database transaction. Each user's pending notifications are claimed
with a conditional UPDATE, sent as one digest, then marked sent. A worker that dies after the
claim leaves it to expire (``NOTIFICATION_EMAIL_LEASE_SECONDS``) and another takes it over; the
one window for a duplicate is a death between the SMTP server accepting the message and the
mark being written.
"""
from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from disclosure.models import Agency, Record, Request, RequestKind, StaffMembership, User
from scheduler.models import Notice, NoticeKind, Notification, SubjectKind
from scheduler.selectors import get_calendar

logger = logging.getLogger(__name__)

# Who answers for a deadline at an agency; who is told when one is escalated to it.
RESPONSIBLE_ROLES = ("clerk", "agency_admin")
SUPERIOR_ROLES = ("agency_admin",)
BUREAU_ROLES = ("auditor",)


@dataclass
class DeliverySummary:
    notices: int = 0
    notifications: int = 0


class _Recipients:
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


def notices_deliver(
    *, batch_size: int | None = None, progress: Callable[[int], object] | None = None
) -> DeliverySummary:
    """Turn every undelivered notice into its recipients' notifications, batch by batch."""
    size = batch_size or settings.SWEEP_BATCH_SIZE
    recipients = _Recipients()
    summary = DeliverySummary()
    while True:
        with transaction.atomic():
            batch = list(
                Notice.objects.select_for_update(skip_locked=True)
                .filter(delivered_at__isnull=True).order_by("id")[:size]
            )
            if not batch:
                break
            now = timezone.now()
            rows: list[Notification] = []
            for notice in batch:
                users = recipients.for_notice(notice)
                notice.recipients = len(users)
                notice.delivered_at = now
                rows.extend(Notification(user_id=u, notice=notice, created_at=now) for u in users)
            Notification.objects.bulk_create(rows, ignore_conflicts=True, batch_size=size)
            Notice.objects.bulk_update(batch, ["recipients", "delivered_at"], batch_size=size)
        summary.notices += len(batch)
        summary.notifications += len(rows)
        if progress:
            progress(len(batch))
    return summary


# -- e-mail ------------------------------------------------------------------------------------
def _pending_email() -> Q:
    lease = timezone.now() - timedelta(seconds=settings.NOTIFICATION_EMAIL_LEASE_SECONDS)
    return Q(emailed_at__isnull=True) & (Q(email_claimed_at__isnull=True) | Q(email_claimed_at__lt=lease))


def notifications_email() -> int:
    """Send each user one digest of their notifications not e-mailed yet; returns digests sent."""
    users = (
        Notification.objects.filter(_pending_email()).exclude(user__email="")
        .values_list("user_id", flat=True).distinct()
    )
    sent = 0
    for user_id in list(users):
        claim = timezone.now()
        with transaction.atomic():
            claimed = Notification.objects.filter(_pending_email(), user_id=user_id).update(email_claimed_at=claim)
        if not claimed:
            continue  # another worker took them
        items = list(
            Notification.objects.filter(user_id=user_id, email_claimed_at=claim, emailed_at__isnull=True)
            .select_related("user", "notice", "notice__agency").order_by("notice__due_date", "notice_id")
        )
        if not items:
            continue
        user = items[0].user
        subject, body = _digest(items)
        try:
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email], fail_silently=False)
        except Exception:
            # The claim expires and the next run tries again; the inbox already has the notices.
            logger.exception("e-mail digest to user %s failed", user_id)
            continue
        Notification.objects.filter(pk__in=[n.pk for n in items]).update(emailed_at=timezone.now())
        sent += 1
    return sent


@dataclass(frozen=True)
class NoticeLine:
    """What a person needs to read about a notice (inbox page, API, e-mail)."""

    notice: Notice
    kind: str
    title: str
    agency: str
    due_date: date
    overdue_working_days: int
    url: str


def notice_lines(notices: Iterable[Notice]) -> list[NoticeLine]:
    """Lines for ``notices`` (with ``agency`` selected): titles in one query, days late as of today."""
    notices = list(notices)
    titles = subject_titles(notices)
    calendar = get_calendar()
    today = timezone.localdate()
    return [
        NoticeLine(
            notice=n,
            kind=str(n.get_kind_display()),
            title=titles.get((n.subject_kind, n.subject_id), ""),
            agency=n.agency.name if n.agency_id and n.agency else "",
            due_date=n.due_date,
            overdue_working_days=calendar.working_days_late(n.due_date, today)
            if n.kind in (NoticeKind.OVERDUE, NoticeKind.ESCALATION) else 0,
            url=_subject_url(n),
        )
        for n in notices
    ]


def subject_titles(notices: Iterable[Notice]) -> dict[tuple[str, int], str]:
    """Titles of what the notices are about: records and requests in one query each."""
    notices = list(notices)
    record_ids = [n.subject_id for n in notices if n.subject_kind == SubjectKind.RECORD]
    titles: dict[tuple[str, int], str] = {
        (SubjectKind.RECORD, pk): title
        for pk, title in Record.objects.filter(pk__in=record_ids).values_list("pk", "title")
    }
    request_ids = [n.subject_id for n in notices if n.subject_kind == SubjectKind.REQUEST]
    for pk, kind, code in Request.objects.filter(pk__in=request_ids).values_list("pk", "kind", "tracking_code"):
        titles[(SubjectKind.REQUEST, pk)] = f"{RequestKind(kind).label} {code}"
    for n in notices:
        if n.subject_kind == SubjectKind.CALENDAR:
            titles[(n.subject_kind, n.subject_id)] = _(
                "The State Council holiday notice for %(year)d is not loaded: deadlines reaching into "
                "%(year)d are provisional until an administrator loads it."
            ) % {"year": n.subject_id}
    return titles


def _subject_url(notice: Notice) -> str:
    """Where the recipient acts on the notice: the workspace's record or request page."""
    site = settings.SITE_URL.rstrip("/")
    if notice.subject_kind == SubjectKind.RECORD:
        return site + reverse("workspace:record", args=[notice.subject_id])
    if notice.subject_kind == SubjectKind.REQUEST:
        return site + reverse("workspace:request", args=[notice.subject_id])
    return site + reverse("admin:scheduler_calendaryear_changelist")


def _digest(items: list[Notification]) -> tuple[str, str]:
    with translation.override(settings.LANGUAGE_CODE):
        context = {"user": items[0].user, "lines": notice_lines(n.notice for n in items)}
        subject = render_to_string("scheduler/email/digest_subject.txt", context).strip()
        body = render_to_string("scheduler/email/digest_body.txt", context)
    return subject, body


# -- the inbox ---------------------------------------------------------------------------------
def notification_mark_read(*, user: User, notification_id: int) -> bool:
    """Mark one of ``user``'s notifications read; False when it is not theirs (or does not exist)."""
    found = Notification.objects.filter(pk=notification_id, user=user)
    if not found.exists():
        return False
    found.filter(read_at__isnull=True).update(read_at=timezone.now())
    return True


def notifications_mark_all_read(*, user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())
