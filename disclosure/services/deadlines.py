"""Deadlines that change when the calendar changes."""
from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from disclosure.models import Record
from disclosure.services.audit import audit_append
from scheduler.selectors import deadline_for, get_calendar

_BATCH = 2000


def records_recompute_provisional() -> int:
    """Recompute every provisional due date (and, for published records, their timeliness) with the
    calendar as loaded now. Safe to re-run: a record leaves the set once its years are covered.
    Commits per batch, so a crash loses at most one batch of work, which the next run redoes."""
    calendar = get_calendar()
    updated = 0
    last_id = 0
    while True:
        with transaction.atomic():
            batch = list(
                Record.objects.select_for_update(skip_locked=True)
                .filter(due_provisional=True, surprise=False, pk__gt=last_id)
                .order_by("pk")[:_BATCH]
            )
            if not batch:
                break
            last_id = batch[-1].pk
            changed = []
            for record in batch:
                deadline = deadline_for(record.kind, record.event_date, calendar=calendar)
                record.due_date, record.due_provisional = deadline.due_date, deadline.provisional
                if record.published_on is not None:
                    record.on_time, record.late_working_days = calendar.timeliness(
                        deadline.due_date, record.published_on)
                    record.latency_working_days = calendar.working_days_late(record.event_date, record.published_on)
                # bulk_update skips auto_now: set it, the incremental deadline sweep relies on it.
                record.updated_at = timezone.now()
                changed.append(record)
            Record.objects.bulk_update(
                changed,
                ["due_date", "due_provisional", "on_time", "late_working_days", "latency_working_days", "updated_at"],
                batch_size=_BATCH,
            )
            updated += len(changed)
            audit_append(
                actor=None, action="deadline.recompute", object_type="record", detail={
                    "records": [r.pk for r in changed],
                    "still_provisional": sum(r.due_provisional for r in changed),
                },
            )
    return updated


def requests_recompute_provisional() -> int:
    """The same for citizens' open requests (Art. 10, 11): their reply deadlines are provisional
    when they reach into a year whose holiday notice is not loaded."""
    from disclosure.models import Request, RequestKind
    from scheduler.rules import CORRECTION_REPLY, QUERY_REPLY

    calendar = get_calendar()
    updated = 0
    with transaction.atomic():
        batch = list(Request.objects.select_for_update(skip_locked=True).open().filter(due_provisional=True))
        for request in batch:
            rule = CORRECTION_REPLY if request.kind == RequestKind.CORRECTION else QUERY_REPLY
            deadline = deadline_for(rule, request.received_on, calendar=calendar)
            request.due_date, request.due_provisional = deadline.due_date, deadline.provisional
            request.updated_at = timezone.now()
        Request.objects.bulk_update(batch, ["due_date", "due_provisional", "updated_at"], batch_size=_BATCH)
        updated = len(batch)
        if batch:
            audit_append(actor=None, action="deadline.recompute", object_type="request", detail={
                "requests": [r.pk for r in batch], "still_provisional": sum(r.due_provisional for r in batch)})
    return updated
