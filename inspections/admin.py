"""Admin views of the inspections app: read-only, since every write goes through the services
(and so into the audit trail)."""
from __future__ import annotations

from django.contrib import admin

from backend.admin import ReadOnlyAdmin
from inspections.models import Conflict, Draw, Entity, Inspector, Plan, Result, Task


@admin.register(Entity)
class EntityAdmin(ReadOnlyAdmin):
    list_display = ("name", "credit_code", "industry", "risk_level", "agency", "deactivated_at")
    list_filter = ("risk_level",)
    search_fields = ("name", "credit_code")
    list_select_related = ("agency",)


@admin.register(Inspector)
class InspectorAdmin(ReadOnlyAdmin):
    list_display = ("name", "badge_number", "agency", "deactivated_at")
    search_fields = ("name", "badge_number")
    list_select_related = ("agency",)


@admin.register(Conflict)
class ConflictAdmin(ReadOnlyAdmin):
    list_display = ("inspector", "credit_code", "declared_at")
    list_select_related = ("inspector",)


@admin.register(Plan)
class PlanAdmin(ReadOnlyAdmin):
    list_display = ("title", "agency", "status", "surprise", "approved_on")
    list_filter = ("status", "surprise")
    list_select_related = ("agency",)


@admin.register(Draw)
class DrawAdmin(ReadOnlyAdmin):
    list_display = ("id", "plan", "algorithm", "drawn_at", "result_digest")
    list_select_related = ("plan",)


@admin.register(Task)
class TaskAdmin(ReadOnlyAdmin):
    list_display = ("id", "plan", "position", "entity", "record")
    list_select_related = ("plan", "entity", "record")


@admin.register(Result)
class ResultAdmin(ReadOnlyAdmin):
    list_display = ("id", "task", "outcome", "formed_on", "record")
    list_select_related = ("task__entity", "task__plan", "record")

