"""The expiry job (Art. 8): records past their display period leave the public view.

The reason each ``expire`` version gives is the source of its period: the publicity rule table's
row for a penalty or the dishonest list (NDRC Order 2025 No. 36), Art. 8 for the other kinds.

Each record moves to ``expired`` through the one version writer (``records.record_expire``): an
``expire`` version and a feed event, so it stays in the archive, its history and the audit trail.
"""
from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from backend.errors import ServiceError
from disclosure.models import ACTIVE_STATUSES, Record, User
from disclosure.services.display import period_source
from disclosure.services.records import record_expire
from disclosure.services.users import system_actor


def records_expire(*, today: date | None = None, batch_size: int | None = None) -> int:
    """Expire every published record whose display period has ended by ``today``; returns how many.

    Safe to re-run and to run in several workers at once: each batch claims its rows with
    ``SELECT … FOR UPDATE SKIP LOCKED`` and commits on its own, and an expired row no longer
    matches. A crash loses at most the batch in progress, which the next run redoes.
    """
    today = today or timezone.localdate()
    size = batch_size or settings.PUBLIC_EXPIRY_BATCH_SIZE
    actor: User = system_actor()
    sources: dict[str, str] = {}  # the period's source by class, read once a run
    done = 0
    last_id = 0
    while True:
        with transaction.atomic():
            batch = list(
                Record.objects.select_for_update(skip_locked=True, of=("self",)).select_related("agency")
                .filter(status__in=ACTIVE_STATUSES, expires_on__lte=today, pk__gt=last_id)
                .order_by("pk")[:size]
            )
            if not batch:
                return done
            last_id = batch[-1].pk
            for record in batch:
                with translation.override(settings.LANGUAGE_CODE):  # stored text: the site's language
                    # The period's last day: the day before the first day no longer shown.
                    last = record.expires_on - timedelta(days=1) if record.expires_on else ""
                    reason = _("Display period ended on %(date)s (%(source)s).") % {
                        "date": last, "source": _source(record.severity, sources)}
                record_expire(actor=actor, record=record, reason=reason)
            done += len(batch)


def _source(severity: str, sources: dict[str, str]) -> str:
    """The source of a class's period; Art. 8 for the other kinds, and, should no complete rule
    table be in force, for every kind (the record must leave the public view all the same)."""
    if severity not in sources:
        try:
            sources[severity] = period_source(severity)
        except ServiceError:
            sources[severity] = period_source("")
    return sources[severity]
