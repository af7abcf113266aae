"""The bureau's audit dashboard (web, auditors only). Views read through reports.selectors."""
from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from backend.errors import ApplicationError, ServiceError
from disclosure.kinds.spec import field_label
from disclosure.models import Agency, User
from reports import conf
from reports.charts import trend_svg
from reports.forms import PeriodForm
from reports.monthly_pdf import month_label
from reports.selectors import (
    AuditScope,
    agencies_without_credit_code,
    audit_scope,
    classed_records,
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
from reports.services import monthly_report_generate, parse_month, previous_month, report_file_name

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
    select = {"withheld": withheld_records, "incomplete": incomplete_records, "classes": classed_records}[which]
    records = select(scope=scope, agency=context["agency"], date_from=context["date_from"],
                     date_to=context["date_to"])
    context["records"] = Paginator(records, conf.page_size()).get_page(request.GET.get("page"))
    context["document_number_kinds"] = set(conf.document_number_kinds())
    if which == "incomplete":
        for record in context["records"]:
            record.standard_missing_labels = [field_label(key.removeprefix("details."))
                                              for key in record.standard_missing or []]
        context["agencies_without_credit_code"] = agencies_without_credit_code(scope=scope, agency=context["agency"])
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
def classes(request: HttpRequest) -> HttpResponse:
    """Penalties whose severity class the agency set itself, with its reasons (NDRC Order 2025 No. 36)."""
    return _record_list(request, "reports/classes.html", "classes")


def _past_months(today: date, count: int = 12) -> list[date]:
    """The last ``count`` months that are over, newest first (the months a report can be made of)."""
    months, month = [], previous_month(today)
    for _i in range(count):
        months.append(month)
        month = previous_month(month)
    return months


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def report_list(request: HttpRequest) -> HttpResponse:
    """The stored reports, and a form to make a past month's report now. Making one takes the same
    claim as the scheduled job, so a report being made (by the job or another auditor) or already
    made is not made twice; a ready one is made again only when asked to."""
    scope = _auditor_scope(request)
    today = timezone.localdate()
    choices = _past_months(today)
    status = 200
    if request.method == "POST":
        raw = request.POST.get("month", "")
        try:
            month = parse_month(raw)
            if month not in choices:
                month_is_past = month < choices[0]
                raise ApplicationError(_("Invalid input."), {"month": [
                    _("Choose one of the last twelve months.") if month_is_past else
                    _("%(month)s is not over yet.") % {"month": raw}]})
            user = request.user
            assert isinstance(user, User) and scope.auditor
            report = monthly_report_generate(month=month, actor=user, force=request.POST.get("again") == "1",
                                             today=today)
        except ServiceError as exc:
            messages.error(request, " ".join(m for msgs in exc.errors.values() for m in msgs) or exc.message)
            status = 400
        else:
            label = month_label(month)
            if report is None:
                existing = monthly_reports().filter(month=month).first()
                messages.info(request, _("The report of %(month)s is already %(status)s; nothing was made again.") % {
                    "month": label, "status": existing.get_status_display() if existing else "—"})
            else:
                messages.success(request, _("The report of %(month)s is ready.") % {"month": label})
            return HttpResponseRedirect(reverse("audit:reports"))
    reports = Paginator(monthly_reports(), conf.page_size()).get_page(request.GET.get("page"))
    made = {r.month: r for r in monthly_reports().filter(month__in=choices)}
    options = [{"value": f"{m:%Y-%m}", "label": month_label(m), "report": made.get(m)} for m in choices]
    response = render(request, "reports/report_list.html", {"reports": reports, "options": options})
    response.status_code = status
    return response


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
                        filename=report_file_name(first, kind))
