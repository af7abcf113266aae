"""Input and output serializers of the inspections API: types, choices and lengths only."""
from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from backend.serializer_fields import DayField
from disclosure.models import BackfillBatch
from disclosure.serializers import AgencyCodeField, VisibleRecordField, _choice
from inspections.models import (
    Conflict,
    Draw,
    Entity,
    Inspector,
    Outcome,
    Plan,
    Result,
    RiskLevel,
    Task,
)


class AgencyCode(serializers.SlugRelatedField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(slug_field="code", read_only=True, **kwargs)


# -- directory ------------------------------------------------------------------------------------
class EntityInput(serializers.Serializer):
    agency = AgencyCodeField()
    name = serializers.CharField(max_length=200)
    credit_code = serializers.CharField(max_length=40)
    address = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    industry = serializers.CharField(max_length=100)
    risk_level = _choice(RiskLevel.choices, _("risk level"))


class EntityEditInput(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False)
    address = serializers.CharField(max_length=300, required=False, allow_blank=True)
    industry = serializers.CharField(max_length=100, required=False)
    risk_level = _choice(RiskLevel.choices, _("risk level"), required=False)


class EntityOutput(serializers.ModelSerializer):
    agency = AgencyCode()
    active = serializers.SerializerMethodField()

    class Meta:
        model = Entity
        fields = ["id", "agency", "name", "credit_code", "address", "industry", "risk_level", "active", "created_at",
                  "updated_at", "deactivated_at"]
        read_only_fields = fields

    def get_active(self, entity: Entity) -> bool:
        return entity.deactivated_at is None


class InspectorInput(serializers.Serializer):
    agency = AgencyCodeField()
    name = serializers.CharField(max_length=100)
    badge_number = serializers.CharField(max_length=40)


class InspectorOutput(serializers.ModelSerializer):
    agency = AgencyCode()

    class Meta:
        model = Inspector
        fields = ["id", "agency", "name", "badge_number", "created_at", "deactivated_at"]
        read_only_fields = fields


class ConflictInput(serializers.Serializer):
    credit_code = serializers.CharField(max_length=40)
    reason = serializers.CharField(max_length=2000)


class ConflictOutput(serializers.ModelSerializer):
    inspector = serializers.CharField(source="inspector.badge_number", read_only=True)
    agency = serializers.CharField(source="inspector.agency.code", read_only=True)

    class Meta:
        model = Conflict
        fields = ["id", "agency", "inspector", "credit_code", "reason", "declared_at"]
        read_only_fields = fields


class ImportInput(serializers.Serializer):
    file = serializers.FileField()
    dry_run = serializers.BooleanField(required=False, default=False)


# -- plans and draws ------------------------------------------------------------------------------
class PlanInput(serializers.Serializer):
    agency = AgencyCodeField()
    title = serializers.CharField(max_length=200)
    scope = serializers.CharField(max_length=5000)
    period_start = DayField()
    period_end = DayField()
    sample_count = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    sample_percent = serializers.DecimalField(max_digits=5, decimal_places=2, required=False, allow_null=True)
    industry = serializers.CharField(max_length=100, required=False, allow_blank=True)
    risk_levels = serializers.ListField(child=_choice(RiskLevel.choices, _("risk level")), required=False)
    inspectors_per_task = serializers.IntegerField(required=False, min_value=1, max_value=20)
    surprise = serializers.BooleanField(required=False)


class PlanOutput(serializers.ModelSerializer):
    agency = AgencyCode()
    draw = serializers.SerializerMethodField()

    class Meta:
        model = Plan
        fields = ["id", "agency", "title", "scope", "period_start", "period_end", "sample_count", "sample_percent",
                  "industry", "risk_levels", "inspectors_per_task", "surprise", "status", "approved_on", "draw",
                  "created_at"]
        read_only_fields = fields

    def get_draw(self, plan: Plan) -> int | None:
        draw = getattr(plan, "draw", None)
        return draw.pk if draw is not None else None


class DrawOutput(serializers.ModelSerializer):
    plan = serializers.IntegerField(source="plan_id", read_only=True)

    class Meta:
        model = Draw
        fields = ["id", "plan", "algorithm", "seed", "drawn_at", "parameters", "entities", "entities_digest",
                  "inspectors", "inspectors_digest", "exclusions", "exclusions_digest", "result", "result_digest"]
        read_only_fields = fields


class VerificationOutput(serializers.Serializer):
    draw = serializers.IntegerField()
    ok = serializers.BooleanField()
    problems = serializers.ListField(child=serializers.CharField())
    digests = serializers.DictField(child=serializers.CharField())


# -- tasks and results ------------------------------------------------------------------------------
class InspectorBrief(serializers.ModelSerializer):
    class Meta:
        model = Inspector
        fields = ["name", "badge_number"]
        read_only_fields = fields


class TaskOutput(serializers.ModelSerializer):
    agency = serializers.CharField(source="plan.agency.code", read_only=True)
    entity_name = serializers.CharField(source="entity.name", read_only=True)
    credit_code = serializers.CharField(source="entity.credit_code", read_only=True)
    inspectors = InspectorBrief(many=True, read_only=True)
    record_status = serializers.CharField(source="record.status", read_only=True)
    due_date = serializers.DateField(source="record.due_date", read_only=True)
    surprise = serializers.BooleanField(source="record.surprise", read_only=True)
    result = serializers.SerializerMethodField()

    class Meta:
        model = Task
        fields = ["id", "plan", "draw", "position", "agency", "entity", "entity_name", "credit_code", "inspectors",
                  "record", "record_status", "due_date", "surprise", "drawn_at", "result"]
        read_only_fields = fields

    def get_result(self, task: Task) -> int | None:
        result = getattr(task, "result", None)
        return result.pk if result is not None else None


class ResultInput(serializers.Serializer):
    outcome = _choice(Outcome.choices, _("outcome"))
    findings = serializers.CharField(max_length=20000, required=False, allow_blank=True, default="")
    formed_on = DayField()
    penalty = VisibleRecordField(required=False, allow_null=True)


class PenaltyInput(serializers.Serializer):
    penalty = VisibleRecordField()


class ResultOutput(serializers.ModelSerializer):
    entity_name = serializers.CharField(source="task.entity.name", read_only=True)
    record_status = serializers.CharField(source="record.status", read_only=True)
    due_date = serializers.DateField(source="record.due_date", read_only=True)

    class Meta:
        model = Result
        fields = ["id", "task", "entity_name", "outcome", "findings", "formed_on", "record", "record_status",
                  "due_date", "penalty", "created_at"]
        read_only_fields = fields


class BatchOutput(serializers.ModelSerializer):
    imported_by = serializers.CharField(source="imported_by.username", read_only=True)

    class Meta:
        model = BackfillBatch
        fields = ["id", "file_name", "file_sha256", "imported_by", "imported_at", "rows", "created", "published",
                  "skipped"]
        read_only_fields = fields
