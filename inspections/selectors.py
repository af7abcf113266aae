"""Reads of the inspections app, always starting from the caller's scope (``agencies_for``)."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import django_filters
from django.contrib.auth.models import AnonymousUser
from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from backend.errors import NotVisible
from backend.ids import whole_number
from disclosure.models import Agency, User
from disclosure.selectors.access import VIEW, agencies_for
from inspections.models import (
    Conflict,
    Draw,
    Entity,
    Inspector,
    Plan,
    Result,
    RiskLevel,
    Task,
    TaskInspector,
)

Caller = User | AnonymousUser


def _visible_agency_ids(user: Caller) -> list[int]:
    # Literal ids, as disclosure.selectors.access does for records: a few hundred at most.
    return list(agencies_for(user, VIEW).values_list("id", flat=True))


# -- lists -----------------------------------------------------------------------------------------
class EntityFilter(django_filters.FilterSet):  # type: ignore[misc]  # django-filter ships no types
    agency = django_filters.CharFilter(field_name="agency__code")
    industry = django_filters.CharFilter(field_name="industry")
    risk_level = django_filters.ChoiceFilter(choices=RiskLevel.choices)
    q = django_filters.CharFilter(method="filter_q")
    active = django_filters.BooleanFilter(field_name="deactivated_at", lookup_expr="isnull")

    class Meta:
        model = Entity
        fields = ["agency", "industry", "risk_level", "q", "active"]

    def filter_q(self, queryset: QuerySet[Entity], name: str, value: str) -> QuerySet[Entity]:
        return queryset.filter(Q(name__icontains=value) | Q(credit_code=value.upper())) if value else queryset


def entity_list(*, user: Caller) -> QuerySet[Entity]:
    """Entities of the agencies ``user`` may see."""
    return Entity.objects.filter(agency_id__in=_visible_agency_ids(user)).select_related("agency").order_by("-id")


def inspector_list(*, user: Caller) -> QuerySet[Inspector]:
    """Inspectors of the agencies ``user`` may see."""
    return Inspector.objects.filter(agency_id__in=_visible_agency_ids(user)).select_related("agency").order_by(
        "agency__path", "badge_number")


def conflict_list(*, user: Caller) -> QuerySet[Conflict]:
    return Conflict.objects.filter(inspector__agency_id__in=_visible_agency_ids(user)).select_related(
        "inspector__agency").order_by("-id")


def plan_list(*, user: Caller) -> QuerySet[Plan]:
    """Plans of the agencies ``user`` may see, with their draw when there is one."""
    return Plan.objects.filter(agency_id__in=_visible_agency_ids(user)).select_related("agency", "draw").order_by("-id")


def _task_queryset() -> QuerySet[Task]:
    return Task.objects.select_related("plan__agency", "entity", "record", "result__record").prefetch_related(
        Prefetch("inspectors", queryset=Inspector.objects.order_by("badge_number"))
    )


def task_list(*, user: Caller) -> QuerySet[Task]:
    """Tasks of the agencies ``user`` may see, with entity, inspectors, record and result."""
    return _task_queryset().filter(plan__agency_id__in=_visible_agency_ids(user)).order_by("-id")


def result_list(*, user: Caller) -> QuerySet[Result]:
    return Result.objects.filter(task__plan__agency_id__in=_visible_agency_ids(user)).select_related(
        "task__entity", "task__plan__agency", "record", "penalty").order_by("-id")


# -- one object ---------------------------------------------------------------------------------
def visible_or_404(queryset: QuerySet[Any], pk: object) -> Any:
    """The object of a scoped queryset, or 404 for anything missing, invisible or malformed."""
    number = whole_number(pk)
    if number is None:
        raise NotVisible(_("Not found."))
    obj = queryset.filter(pk=number).first()
    if obj is None:
        raise NotVisible(_("Not found."))
    return obj


def draw_get(*, user: Caller, draw_id: object) -> Draw:
    draw: Draw = visible_or_404(
        Draw.objects.filter(plan__agency_id__in=_visible_agency_ids(user)).select_related("plan__agency"), draw_id)
    return draw


# -- the inputs of a draw, as of a moment ----------------------------------------------------------
def eligible_entities(*, plan: Plan, at: datetime) -> list[list[str]]:
    """``[credit_code, industry, risk_level]`` of the plan agency's entities in the directory at
    ``at`` that match the plan's filters, canonically sorted."""
    entities = Entity.objects.filter(agency_id=plan.agency_id, created_at__lte=at).filter(
        Q(deactivated_at__isnull=True) | Q(deactivated_at__gt=at))
    if plan.industry:
        entities = entities.filter(industry=plan.industry)
    if plan.risk_levels:
        entities = entities.filter(risk_level__in=plan.risk_levels)
    return sorted([list(row) for row in entities.values_list("credit_code", "industry", "risk_level")])


def eligible_inspectors(*, plan: Plan, at: datetime) -> list[str]:
    """Badge numbers of the plan agency's inspectors in the pool at ``at``, sorted."""
    inspectors = Inspector.objects.filter(agency_id=plan.agency_id, created_at__lte=at).filter(
        Q(deactivated_at__isnull=True) | Q(deactivated_at__gt=at))
    return sorted(inspectors.values_list("badge_number", flat=True))


def exclusions(*, plan: Plan, at: datetime, window_days: int, codes: list[str],
               exclude_draw: int | None = None) -> list[list[str]]:
    """Inspector-entity pairs that may not be drawn at ``at``: declared conflicts, and any
    inspection of the same entity by the same inspector in the ``window_days`` before ``at``."""
    wanted = set(codes)
    pairs: set[tuple[str, str, str]] = set()
    conflicts = Conflict.objects.filter(inspector__agency_id=plan.agency_id, declared_at__lte=at).values_list(
        "inspector__badge_number", "credit_code")
    pairs.update((badge, code, "conflict") for badge, code in conflicts if code in wanted)
    recent = TaskInspector.objects.filter(
        inspector__agency_id=plan.agency_id, drawn_at__gte=at - timedelta(days=window_days), drawn_at__lt=at,
    )
    if exclude_draw is not None:
        recent = recent.exclude(task__draw_id=exclude_draw)
    pairs.update((badge, code, "recent") for badge, code in recent.values_list("inspector__badge_number",
                                                                                 "credit_code") if code in wanted)
    return sorted([list(pair) for pair in pairs])


def agency_by_code(code: str) -> Agency | None:
    return Agency.objects.filter(code=code).first()
