"""Reads of records, always starting from the caller's scope."""
from __future__ import annotations

import django_filters
from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.utils import timezone

from disclosure.kinds import RecordKind
from disclosure.models import Record, RecordStatus, RecordVersion, User
from disclosure.selectors.access import records_visible_to


class RecordFilter(django_filters.FilterSet):  # type: ignore[misc]  # django-filter ships no types
    agency = django_filters.CharFilter(field_name="agency__code")
    kind = django_filters.ChoiceFilter(choices=RecordKind.choices)
    status = django_filters.ChoiceFilter(choices=RecordStatus.choices)
    overdue = django_filters.BooleanFilter(method="filter_overdue")

    class Meta:
        model = Record
        fields = ["agency", "kind", "status", "overdue"]

    def filter_overdue(self, queryset: QuerySet[Record], name: str, value: bool | None) -> QuerySet[Record]:
        if value is None:
            return queryset
        overdue = queryset.overdue(timezone.localdate())  # type: ignore[attr-defined]
        return overdue if value else queryset.exclude(pk__in=overdue.values("pk"))


def record_list(*, user: User | AnonymousUser) -> QuerySet[Record]:
    return records_visible_to(user).select_related("agency").order_by("-id")


def record_versions(*, record: Record) -> QuerySet[RecordVersion]:
    return record.versions.select_related("actor").order_by("number")
