"""Inspection pages for agency staff (under /workspace/inspections/): thin views over the same
services and selectors as the API. Errors from a service are shown on the page, never a 500."""
from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from backend.errors import FORM_ERRORS, AccessDenied, NotVisible, ServiceError
from disclosure.auth import request_user
from disclosure.selectors.access import ACT, agencies_for
from disclosure.services import backfill
from inspections import conf
from inspections import selectors as sel
from inspections.forms import PlanForm, ResultForm, UploadForm
from inspections.models import Plan, Task
from inspections.services import directory, plans
from inspections.verification import draw_verify

PAGE_SIZE = 50


def _page(request: HttpRequest, queryset: Any) -> Any:
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _object(queryset: Any, pk: int) -> Any:
    try:
        return sel.visible_or_404(queryset, pk)
    except NotVisible:
        raise Http404 from None


def _service_errors(form: Any, exc: ServiceError) -> None:
    if isinstance(exc, NotVisible):
        raise Http404 from None
    if isinstance(exc, AccessDenied):
        raise PermissionDenied(exc.message) from None
    form.add_error(None, exc.message)
    for name, errors in exc.errors.items():
        for error in errors:
            form.add_error(name if name in form.fields else None, error)


def _upload(form: UploadForm) -> tuple[str, bytes] | None:
    upload = form.cleaned_data["file"]
    if upload.size > conf.import_max_bytes():
        form.add_error("file", _("The file is larger than %(n)d bytes.") % {"n": conf.import_max_bytes()})
        return None
    return upload.name, upload.read()


@login_required
@require_http_methods(["GET", "POST"])
def index(request: HttpRequest) -> HttpResponse:
    """Plans of the caller's agencies, and a form for a new one."""
    user = request_user(request)
    agencies = [(a.code, a.name) for a in agencies_for(user, ACT).order_by("path")]
    form = PlanForm(request.POST or None, agencies=agencies)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        agency = sel.agency_by_code(data.pop("agency"))
        assert agency is not None  # a choice of the form
        try:
            plan = plans.plan_create(actor=user, agency=agency, values=data)
        except FORM_ERRORS as exc:
            _service_errors(form, exc)
        else:
            messages.success(request, _("The plan was saved; approve it to draw."))
            return HttpResponseRedirect(reverse("inspections-web:plan", args=[plan.pk]))
    return render(request, "inspections/index.html", {
        "page": _page(request, sel.plan_list(user=user)), "form": form, "may_plan": bool(agencies)})


@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A plan, its draw (seed, digests, verification) and its tasks."""
    user = request_user(request)
    plan: Plan = _object(sel.plan_list(user=user), pk)
    draw = getattr(plan, "draw", None)
    return render(request, "inspections/plan.html", {
        "plan": plan, "draw": draw, "verification": draw_verify(draw=draw) if draw else None,
        "tasks": sel.task_list(user=user).filter(plan=plan).order_by("position"),
    })


@login_required
@require_POST
def plan_approve(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    plan: Plan = _object(sel.plan_list(user=user), pk)
    try:
        plans.plan_approve(actor=user, plan=plan)
    except NotVisible:
        raise Http404 from None
    except AccessDenied as exc:
        raise PermissionDenied(exc.message) from None
    except FORM_ERRORS as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Approved; the draw is below."))
    return HttpResponseRedirect(reverse("inspections-web:plan", args=[plan.pk]))


@login_required
@require_http_methods(["GET", "POST"])
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A task with its inspectors and record, and the form for its result."""
    user = request_user(request)
    task: Task = _object(sel.task_list(user=user), pk)
    form = ResultForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            plans.result_create(actor=user, task=task, **form.cleaned_data)
        except FORM_ERRORS as exc:
            _service_errors(form, exc)
        else:
            messages.success(request, _("The result was recorded as a draft record; publish it within its deadline."))
            return HttpResponseRedirect(reverse("inspections-web:task", args=[task.pk]))
    return render(request, "inspections/task.html", {"task": task, "form": form,
                                                     "result": getattr(task, "result", None)})


@login_required
@require_http_methods(["GET", "POST"])
def entities(request: HttpRequest) -> HttpResponse:
    """The directory (searchable, paginated), the inspector pools, and their imports."""
    user = request_user(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid() and (upload := _upload(form)):
        importer = directory.inspectors_import if request.POST.get("what") == "inspectors" else \
            directory.entities_import
        try:
            report = importer(actor=user, file_name=upload[0], data=upload[1],
                              dry_run=request.POST.get("action") != "import")
        except FORM_ERRORS as exc:
            _service_errors(form, exc)
    filters = sel.EntityFilter(request.GET, queryset=sel.entity_list(user=user))
    return render(request, "inspections/entities.html", {
        "page": _page(request, filters.qs), "inspectors": _page(request, sel.inspector_list(user=user)),
        "form": form, "report": report, "q": request.GET.get("q", ""),
    })


@login_required
@require_http_methods(["GET", "POST"])
def backfill_upload(request: HttpRequest) -> HttpResponse:
    """Backfill (补录) upload: a dry run shows what would happen; Import does it, all or nothing."""
    user = request_user(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid() and (upload := _upload(form)):
        try:
            report = backfill.backfill_import(actor=user, file_name=upload[0], data=upload[1],
                                              dry_run=request.POST.get("action") != "import",
                                              max_rows=conf.web_import_max_rows())
        except FORM_ERRORS as exc:
            _service_errors(form, exc)
    return render(request, "inspections/backfill.html", {
        "form": form, "report": report, "columns": backfill.REQUIRED + backfill.OPTIONAL,
        "max_rows": conf.web_import_max_rows()})
