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
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from scheduler.models import Notice, NoticeKind, Notification
from scheduler.selectors import get_calendar
from scheduler.subjects import recipients, subject_path, subject_titles

logger = logging.getLogger(__name__)

@dataclass
class DeliverySummary:
    notices: int = 0
    notifications: int = 0


def notices_deliver(
    *, batch_size: int | None = None, progress: Callable[[int], object] | None = None
) -> DeliverySummary:
    """Turn every undelivered notice into its recipients' notifications, batch by batch."""
    size = batch_size or settings.SWEEP_BATCH_SIZE
    policy = recipients()
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
                users = policy.for_notice(notice)
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
            url=settings.SITE_URL.rstrip("/") + subject_path(n),
        )
        for n in notices
    ]


def _digest(items: list[Notification]) -> tuple[str, str]:
    with translation.override(settings.LANGUAGE_CODE):
        context = {"user": items[0].user, "lines": notice_lines(n.notice for n in items)}
        subject = render_to_string("scheduler/email/digest_subject.txt", context).strip()
        body = render_to_string("scheduler/email/digest_body.txt", context)
    return subject, body


# -- the inbox ---------------------------------------------------------------------------------
def notification_mark_read(*, user: AbstractBaseUser, notification_id: int) -> bool:
    """Mark one of ``user``'s notifications read; False when it is not theirs (or does not exist)."""
    found = Notification.objects.filter(pk=notification_id, user_id=user.pk)
    if not found.exists():
        return False
    found.filter(read_at__isnull=True).update(read_at=timezone.now())
    return True


def notifications_mark_all_read(*, user: AbstractBaseUser) -> int:
    return Notification.objects.filter(user_id=user.pk, read_at__isnull=True).update(read_at=timezone.now())
