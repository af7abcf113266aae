"""Thin DRF views of the timeliness audit (API.md "Timeliness audit")."""
from __future__ import annotations

from datetime import date
from typing import Any

from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.api import Pagination
from backend.errors import AccessDenied, ConflictError, NotVisible
from disclosure.auth import request_user
from reports.models import MonthlyReport
from reports.selectors import (
    AgencyFigures,
    AuditScope,
    audit_scope,
    monthly_report_ready,
    monthly_reports,
    timeliness_statistics,
)
from reports.services import monthly_report_generate, parse_month, report_file_name


def _auditor_scope(request: Request) -> AuditScope:
    scope = audit_scope(user=request_user(request))
    if not scope.auditor:
        raise AccessDenied(_("Only the market-regulation bureau's auditors may read the monthly reports."))
    return scope


class TimelinessInput(serializers.Serializer):
    agency = serializers.CharField(required=False)
    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False)

    def to_internal_value(self, data: Any) -> Any:
        # ``from`` is a Python keyword: the query parameters are mapped onto date_from/date_to.
        data = {k: v for k, v in {"agency": data.get("agency"), "date_from": data.get("from"),
                                  "date_to": data.get("to")}.items() if v not in (None, "")}
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError as exc:
            detail = exc.detail if isinstance(exc.detail, dict) else {}
            renamed = {{"date_from": "from", "date_to": "to"}.get(k, k): v for k, v in detail.items()}
            raise serializers.ValidationError(renamed) from None

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        today = timezone.localdate()
        attrs.setdefault("date_to", today)
        attrs.setdefault("date_from", date(attrs["date_to"].year, 1, 1))
        if attrs["date_from"] > attrs["date_to"]:
            raise serializers.ValidationError({"from": [_("The period starts after it ends.")]})
        return attrs


class FiguresOutput(serializers.Serializer):
    due = serializers.IntegerField()
    published_on_time = serializers.IntegerField()
    published_late = serializers.IntegerField()
    late_working_days = serializers.IntegerField()
    max_late_working_days = serializers.IntegerField()
    overdue_unpublished = serializers.IntegerField()
    pending = serializers.IntegerField()
    on_time_rate = serializers.FloatField(allow_null=True)
    too_few_to_rank = serializers.BooleanField()
    median_latency_working_days = serializers.FloatField(allow_null=True)
    p90_latency_working_days = serializers.FloatField(allow_null=True)


class RepairFiguresOutput(serializers.Serializer):
    """Credit-repair applications received in the period (NDRC Order 2025 No. 36), as of ``as_of``."""

    received = serializers.IntegerField()
    accepted = serializers.IntegerField()
    rejected = serializers.IntegerField()
    open = serializers.IntegerField()
    overdue = serializers.IntegerField(help_text="Open past the reply due date.")


class AgencyFiguresOutput(FiguresOutput):
    agency = serializers.CharField()
    name = serializers.CharField()
    parent = serializers.CharField(allow_null=True)  # type: ignore[assignment]  # DRF pops declared fields
    backfill = serializers.IntegerField()
    by_kind = serializers.DictField(child=FiguresOutput())
    repairs = RepairFiguresOutput()


def agency_figures_data(row: AgencyFigures) -> dict[str, Any]:
    return {
        "agency": row.agency.code, "name": row.agency.name,
        "parent": row.agency.parent.code if row.agency.parent else None,
        **row.total.as_dict(), "backfill": row.backfill,
        "by_kind": {kind: figures.as_dict() for kind, figures in sorted(row.by_kind.items())},
        "repairs": row.repairs.as_dict(),
    }


class TimelinessOutput(serializers.Serializer):
    """The period, the day the classes were judged, and one page of agencies."""

    date_from = serializers.DateField()
    date_to = serializers.DateField()
    as_of = serializers.DateField()
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = AgencyFiguresOutput(many=True)

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        # "from" is a Python keyword: the fields are named date_from/date_to and renamed here.
        fields["from"], fields["to"] = fields.pop("date_from"), fields.pop("date_to")
        return fields


class TimelinessView(APIView):
    """Per agency (each over its whole subtree) for records due in [from, to] (default: this
    year to date). Auditors see every agency, an agency's staff their own subtree; ``agency``
    narrows to one agency and its bodies (404 outside the caller's scope)."""

    @extend_schema(
        parameters=[OpenApiParameter("agency", str), OpenApiParameter("from", date), OpenApiParameter("to", date)],
        responses=TimelinessOutput,
    )
    def get(self, request: Request) -> Response:
        data = TimelinessInput(data=request.query_params)
        data.is_valid(raise_exception=True)
        params = data.validated_data
        scope = audit_scope(user=request_user(request))
        agencies = list(scope.agencies)
        if "agency" in params:
            chosen = scope.find(params["agency"])
            if chosen is None:
                raise NotVisible(_("Not found."), {"agency": [_("No such agency in your scope.")]})
            agencies = [a for a in agencies if a.path.startswith(chosen.path)]
        stats = timeliness_statistics(scope=scope, date_from=params["date_from"], date_to=params["date_to"],
                                      today=timezone.localdate())
        paginator = Pagination()
        page = paginator.paginate_queryset(stats.for_agencies(agencies), request, view=self)
        response = paginator.get_paginated_response([agency_figures_data(row) for row in page or []])
        response.data = {"from": stats.date_from, "to": stats.date_to, "as_of": stats.today, **response.data}
        return response


class MonthlyReportOutput(serializers.ModelSerializer):
    month = serializers.SerializerMethodField()
    files = serializers.SerializerMethodField()

    class Meta:
        model = MonthlyReport
        fields = ["month", "status", "generated_at", "summary", "audit_head_entry_id", "audit_head_hash",
                  "emailed_at", "files"]

    def get_month(self, report: MonthlyReport) -> str:
        return f"{report.month:%Y-%m}"

    def get_files(self, report: MonthlyReport) -> dict[str, str]:
        request = self.context["request"]
        return {kind: request.build_absolute_uri(
            f"/api/v1/audit/reports/monthly/?month={report.month:%Y-%m}&format={kind}")
            for kind in ("pdf", "csv", "xlsx") if getattr(report, kind)}


class MonthlyReportList(APIView):
    """The stored monthly reports, newest first (auditors)."""

    @extend_schema(responses=MonthlyReportOutput(many=True))
    def get(self, request: Request) -> Response:
        _auditor_scope(request)
        paginator = Pagination()
        page = paginator.paginate_queryset(monthly_reports(), request, view=self)
        return paginator.get_paginated_response(
            MonthlyReportOutput(page, many=True, context={"request": request}).data)


CONTENT_TYPES = {
    "pdf": "application/pdf",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class MonthlyReportInput(serializers.Serializer):
    month = serializers.CharField()
    format = serializers.ChoiceField(choices=sorted(CONTENT_TYPES), default="pdf")


class MonthlyReportFile(APIView):
    """One month's report file. A past month not made yet is made now (once: the same claim as
    the scheduled job, which also e-mails it); the current month is refused (not over)."""

    # ``format`` is this endpoint's own parameter (API.md), not DRF's renderer override.
    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(parameters=[MonthlyReportInput], responses={(200, "application/pdf"): bytes})
    def get(self, request: Request) -> FileResponse:
        _auditor_scope(request)
        data = MonthlyReportInput(data=request.query_params)
        data.is_valid(raise_exception=True)
        month = parse_month(data.validated_data["month"])
        kind = data.validated_data["format"]
        report = monthly_report_ready(month=month)
        if report is None:
            monthly_report_generate(month=month, actor=request_user(request))
            report = monthly_report_ready(month=month)
        if report is None:
            raise ConflictError(_("The report of this month is being made; try again in a minute."),
                                   {"month": [_("Being generated.")]})
        stored = getattr(report, kind)
        return FileResponse(stored.open("rb"), as_attachment=True, filename=report_file_name(month, kind),
                            content_type=CONTENT_TYPES[kind])
