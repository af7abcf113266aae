"""Reads of citizens' requests, scoped to the caller's agencies."""
from __future__ import annotations

from django.db.models import QuerySet

from disclosure.models import CitizenRequest
from disclosure.selectors.access import VIEW, User, agencies_for


def requests_visible_to(user: User) -> QuerySet[CitizenRequest]:
    """Corrections, queries, statements and credit-repair applications addressed to the agencies
    ``user`` may read, oldest due first."""
    ids = list(agencies_for(user, VIEW).values_list("id", flat=True))
    return (
        CitizenRequest.objects.filter(agency_id__in=ids)
        .select_related("agency", "correction_version", "statement_version", "repair_version")
        .prefetch_related("evidence").order_by("due_date", "id")
    )
