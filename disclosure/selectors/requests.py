"""Reads of citizens' requests, scoped to the caller's agencies."""
from __future__ import annotations

from datetime import date

from django.db.models import QuerySet

from disclosure.models import CitizenRequest, Record
from disclosure.selectors.access import VIEW, User, agencies_for


def requests_visible_to(user: User) -> QuerySet[CitizenRequest]:
    """Corrections, queries and credit-repair applications addressed to the agencies ``user`` may
    read, oldest due first."""
    ids = list(agencies_for(user, VIEW).values_list("id", flat=True))
    return (
        CitizenRequest.objects.filter(agency_id__in=ids)
        .select_related("agency", "correction_version", "repair_version").prefetch_related("evidence")
        .order_by("due_date", "id")
    )


def repair_from_of(*, record_id: int) -> date | None:
    """The earliest day a credit repair of the record may be applied for (``Record.repair_from``,
    fixed at publication): a date, no text, so the portal may show it beside the projection."""
    return Record.objects.filter(pk=record_id).values_list("repair_from", flat=True).first()
