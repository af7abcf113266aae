"""Admin views of the inspections app: read-only, since every write goes through the services
(and so into the audit trail)."""
from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from inspections.models import BackfillBatch, Conflict, Draw, Entity, Inspector, Plan, Result, Task


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Entity)
class EntityAdmin(ReadOnly):
    list_display = ("name", "credit_code", "industry", "risk_level", "agency", "deactivated_at")
    list_filter = ("risk_level",)
    search_fields = ("name", "credit_code")
    list_select_related = ("agency",)


@admin.register(Inspector)
class InspectorAdmin(ReadOnly):
    list_display = ("name", "badge_number", "agency", "deactivated_at")
    search_fields = ("name", "badge_number")
    list_select_related = ("agency",)


@admin.register(Conflict)
class ConflictAdmin(ReadOnly):
    list_display = ("inspector", "credit_code", "declared_at")
    list_select_related = ("inspector",)


@admin.register(Plan)
class PlanAdmin(ReadOnly):
    list_display = ("title", "agency", "status", "surprise", "approved_on")
    list_filter = ("status", "surprise")
    list_select_related = ("agency",)


@admin.register(Draw)
class DrawAdmin(ReadOnly):
    list_display = ("id", "plan", "algorithm", "drawn_at", "result_digest")
    list_select_related = ("plan",)


@admin.register(Task)
class TaskAdmin(ReadOnly):
    list_display = ("id", "plan", "position", "entity", "record")
    list_select_related = ("plan", "entity", "record")


@admin.register(Result)
class ResultAdmin(ReadOnly):
    list_display = ("id", "task", "outcome", "formed_on", "record")
    list_select_related = ("task__entity", "task__plan", "record")


@admin.register(BackfillBatch)
class BackfillBatchAdmin(ReadOnly):
    list_display = ("id", "file_name", "imported_by", "imported_at", "rows", "created", "published", "skipped")
    list_select_related = ("imported_by",)
