"""The bureau's audit dashboard (web, auditors only). Views read through reports.selectors."""
from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from disclosure.models import Agency, User
from reports import conf
from reports.charts import trend_svg
from reports.forms import PeriodForm
from reports.selectors import (
    AuditScope,
    audit_scope,
    incomplete_records,
    month_starts,
    monthly_report_ready,
    monthly_reports,
    overdue_records,
    ranking,
    ranking_units,
    timeliness_statistics,
    timeliness_trend,
    withheld_records,
)
from reports.services import parse_month

FORMATS = ("pdf", "csv", "xlsx")


def _auditor_scope(request: HttpRequest) -> AuditScope:
    user = request.user
    scope = audit_scope(user=user) if isinstance(user, User) else None
    if scope is None or not scope.auditor:
        raise PermissionDenied
    return scope


def _filters(request: HttpRequest, scope: AuditScope) -> tuple[PeriodForm, date, date, Agency | None]:
    form = PeriodForm(request.GET)
    date_from, date_to = form.period()
    code = request.GET.get("agency", "")
    agency = scope.find(code) if code else None
    if code and agency is None:
        raise Http404
    return form, date_from, date_to, agency


def _ancestors(scope: AuditScope, agency: Agency | None) -> list[Agency]:
    if agency is None:
        return []
    by_path = {a.path: a for a in scope.agencies}
    parts = agency.path.rstrip("/").split("/")
    found = (by_path.get("/".join(parts[:depth]) + "/") for depth in range(1, len(parts)))
    return [a for a in found if a is not None]


def _common(request: HttpRequest, scope: AuditScope) -> dict[str, Any]:
    form, date_from, date_to, agency = _filters(request, scope)
    query = {"from": date_from.isoformat(), "to": date_to.isoformat()}
    return {"form": form, "date_from": date_from, "date_to": date_to, "agency": agency, "period_query": query,
            "ancestors": _ancestors(scope, agency)}


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """Ranking, trend, overdue list and reports for the whole tree or one agency's subtree."""
    scope = _auditor_scope(request)
    context = _common(request, scope)
    agency, date_from, date_to = context["agency"], context["date_from"], context["date_to"]
    today = timezone.localdate()
    stats = timeliness_statistics(scope=scope, date_from=date_from, date_to=date_to, today=today)
    trend = timeliness_trend(scope=scope, agency=agency, months=month_starts(date_to, conf.trend_months()),
                             today=today)
    overdue = Paginator(overdue_records(scope=scope, agency=agency, date_from=date_from, date_to=date_to,
                                        today=today), conf.page_size()).get_page(request.GET.get("page"))
    parents = {a.parent_id for a in scope.agencies}
    context.update({
        "summary": stats.rows[agency.pk] if agency else stats.total,
        "ranking": ranking(stats.for_agencies(ranking_units(scope, agency))),
        "has_children": parents,
        "trend": trend,
        "trend_svg": trend_svg(trend),
        "overdue": overdue,
        "reports": monthly_reports()[:6],
        "min_to_rank": conf.min_records_to_rank(),
    })
    return render(request, "reports/dashboard.html", context)


def _record_list(request: HttpRequest, template: str, which: str) -> HttpResponse:
    scope = _auditor_scope(request)
    context = _common(request, scope)
    select = withheld_records if which == "withheld" else incomplete_records
    records = select(scope=scope, agency=context["agency"], date_from=context["date_from"],
                     date_to=context["date_to"])
    context["records"] = Paginator(records, conf.page_size()).get_page(request.GET.get("page"))
    context["document_number_kinds"] = set(conf.document_number_kinds())
    return render(request, template, context)


@login_required
def withheld(request: HttpRequest) -> HttpResponse:
    """Records not disclosed (不予公开), with their reasons (Art. 4)."""
    return _record_list(request, "reports/withheld.html", "withheld")


@login_required
def incomplete(request: HttpRequest) -> HttpResponse:
    """Records missing a legal basis or a document number (Art. 12 completeness)."""
    return _record_list(request, "reports/incomplete.html", "incomplete")


@login_required
def report_list(request: HttpRequest) -> HttpResponse:
    _auditor_scope(request)
    reports = Paginator(monthly_reports(), conf.page_size()).get_page(request.GET.get("page"))
    return render(request, "reports/report_list.html", {"reports": reports})


@login_required
def report_download(request: HttpRequest, month: str, kind: str) -> FileResponse:
    _auditor_scope(request)
    if kind not in FORMATS:
        raise Http404
    try:
        first = parse_month(month)
    except Exception:
        raise Http404 from None
    report = monthly_report_ready(month=first)
    if report is None:
        raise Http404
    return FileResponse(getattr(report, kind).open("rb"), as_attachment=True,
                        filename=f"timeliness-{month}.{kind}")
