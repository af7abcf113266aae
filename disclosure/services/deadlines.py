"""Deadlines that change when the calendar changes."""
from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from disclosure.models import AuditAction, CitizenRequest, Record
from disclosure.services.audit import audit_append
from disclosure.services.records import record_recompute_deadline
from disclosure.services.requests import REPLY_RULES
from disclosure.services.users import system_actor
from scheduler.selectors import deadline_for, get_calendar

_BATCH = 500


def records_recompute_provisional() -> int:
    """Recompute every provisional due date (and, for published records, their timeliness) with the
    calendar as loaded now, each through the one version writer (``record_recompute_deadline``: a
    ``recompute`` version and its audit entry when anything changed). Safe to re-run: a record
    leaves the set once its years are covered. Commits per batch, so a crash loses at most one
    batch of work, which the next run redoes. Returns how many records changed."""
    calendar = get_calendar()
    actor = system_actor()
    with translation.override(settings.LANGUAGE_CODE):  # stored text: the site's language
        reason = _("Deadline counted again with the State Council's holiday notice as loaded now.")
    updated = 0
    last_id = 0
    while True:
        with transaction.atomic():
            batch = list(
                Record.objects.select_for_update(skip_locked=True, of=("self",)).select_related("agency")
                .filter(due_provisional=True, surprise=False, pk__gt=last_id)
                .order_by("pk")[:_BATCH]
            )
            if not batch:
                break
            last_id = batch[-1].pk
            for record in batch:
                updated += record_recompute_deadline(actor=actor, record=record, calendar=calendar, reason=reason)
    return updated


def requests_recompute_provisional() -> int:
    """The same for citizens' open requests (Art. 10, 11, credit repair): their reply deadlines are provisional
    when they reach into a year whose holiday notice is not loaded."""
    calendar = get_calendar()
    updated = 0
    with transaction.atomic():
        batch = list(CitizenRequest.objects.select_for_update(skip_locked=True).open().filter(due_provisional=True))
        for request in batch:
            deadline = deadline_for(REPLY_RULES[request.kind], request.received_on, calendar=calendar)
            request.due_date, request.due_provisional = deadline.due_date, deadline.provisional
            request.updated_at = timezone.now()
        CitizenRequest.objects.bulk_update(batch, ["due_date", "due_provisional", "updated_at"], batch_size=_BATCH)
        updated = len(batch)
        if batch:
            audit_append(actor=None, action=AuditAction.DEADLINE_RECOMPUTE, object_type="request", detail={
                "requests": [r.pk for r in batch], "still_provisional": sum(r.due_provisional for r in batch)})
    return updated
