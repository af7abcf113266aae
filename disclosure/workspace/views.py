"""Pages of the agency workspace. Each view parses a form, calls one service or selector (the same
ones the API calls) and renders; the rules live in the services. Service errors map to HTTP as in
the API: ``NotVisible`` 404, ``AccessDenied`` 403, ``ConflictError`` a 409 page with the message,
``ApplicationError`` the form again with the messages next to their fields."""
from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST

from backend.errors import FORM_ERRORS, AccessDenied, ApplicationError, NotVisible
from backend.ids import whole_number
from disclosure.auth import request_user
from disclosure.kinds import RecordKind
from disclosure.kinds.spec import display_rows, field_label
from disclosure.models import Record, RecordStatus, RequestKind, RequestStatus, User, VersionAction
from disclosure.selectors.access import AUDIT, agencies_for
from disclosure.selectors.records import record_list, record_versions
from disclosure.services import records as svc
from disclosure.services.projection import statement_preview
from disclosure.services.requests import ANSWERS, request_answer, request_for_action
from disclosure.services.users import membership_change, user_create
from disclosure.workspace import forms as f
from disclosure.workspace import selectors as sel
from scheduler.selectors import get_calendar, get_rule, notices_of_record

View = Callable[..., HttpResponse]


def staff_view(view: View) -> View:
    """Signed-in staff only (anonymous → the login page); service refusals become 404/403."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotVisible as exc:
            raise Http404(exc.message) from exc
        except AccessDenied as exc:
            raise PermissionDenied(exc.message) from exc

    return login_required(wrapped, login_url=reverse_lazy("workspace:login"))


def _record_url(record: Record) -> str:
    return reverse("workspace:record", args=[record.pk])


def _may(record: Record, action: str) -> bool:
    """Whether the transition table allows ``action`` now (to show only the buttons that can work)."""
    return (record.status, action) in svc.TRANSITIONS


def home_url(user: Any) -> str:
    """Where a role starts: the bureau's auditors at the audit, everyone else at their records."""
    if isinstance(user, User) and agencies_for(user, AUDIT).exists():
        return reverse("audit:dashboard")
    return reverse("workspace:records")


# -- sign in and out ----------------------------------------------------------------------------------
class LoginView(auth_views.LoginView):
    """Session login. django-axes counts failures and answers a locked-out login with
    ``workspace/locked_out.html``; ``next`` is followed only to this site (Django checks the host)."""

    template_name = "workspace/login.html"
    redirect_authenticated_user = True

    def get_default_redirect_url(self) -> str:
        return home_url(self.request.user)


class LogoutView(auth_views.LogoutView):
    def get_default_redirect_url(self) -> str:
        return reverse("workspace:login")


# -- my records -----------------------------------------------------------------------------------------
DEADLINE_CHOICES = [
    (sel.OVERDUE, gettext_lazy("Overdue")),
    (sel.DUE_TODAY, gettext_lazy("Due today")),
    (sel.DUE_SOON, gettext_lazy("Due soon")),
    (sel.PROVISIONAL, gettext_lazy("Provisional deadline")),
]


@staff_view
@require_http_methods(["GET", "HEAD"])
def records(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    today = timezone.localdate()
    calendar = get_calendar()
    params = {key: request.GET.get(key, "") for key in ("kind", "status", "agency", "deadline", "sort", "q")}
    params["q"] = params["q"].strip()[:200]
    if params["kind"] not in RecordKind.values:
        params["kind"] = ""
    if params["status"] not in RecordStatus.values:
        params["status"] = ""
    if params["deadline"] not in dict(DEADLINE_CHOICES):
        params["deadline"] = ""
    if params["sort"] != "newest":
        params["sort"] = "urgency"
    rows = sel.workspace_records(user=user, calendar=calendar, today=today, **params)
    page = Paginator(rows, settings.WORKSPACE_PAGE_SIZE).get_page(request.GET.get("page"))
    act_ids = sel.act_agency_ids(user=user)
    items = [
        {"record": r, "badges": sel.deadline_badges(r, calendar=calendar, today=today),
         "publishable": r.status == RecordStatus.DRAFT and r.agency_id in act_ids}
        for r in page
    ]
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "workspace/records.html", {
        "page": page, "items": items, "params": params, "query": query.urlencode(),
        "kinds": RecordKind.choices, "statuses": RecordStatus.choices, "deadlines": DEADLINE_CHOICES,
        "agencies": sel.filter_agencies(user=user), "may_create": bool(act_ids),
        "bulk_max": settings.WORKSPACE_BULK_PUBLISH_MAX,
    })


# -- one record -----------------------------------------------------------------------------------------
@staff_view
@require_http_methods(["GET", "HEAD"])
def record_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    record = sel.visible_record(user=user, record_id=pk)
    if record is None:
        raise Http404(_("Not found."))
    calendar = get_calendar()
    today = timezone.localdate()
    versions = list(record_versions(record=record))
    by_number = {v.number: v for v in versions}
    diff_a = whole_number(request.GET.get("a"))
    diff_b = whole_number(request.GET.get("b"))
    if diff_a is None or diff_b is None:
        diff_b = versions[-1].number if versions else None
        diff_a = versions[-2].number if len(versions) > 1 else None
    old, new = by_number.get(diff_a or 0), by_number.get(diff_b or 0)
    diff = sel.version_diff(old, new) if old and new else None
    try:
        rule = get_rule(record.kind)
    except ApplicationError:
        rule = None
    act_ids = sel.act_agency_ids(user=user)
    may_act = record.agency_id in act_ids
    return render(request, "workspace/record.html", {
        "standard_rows": display_rows(record.kind, record.details),
        "standard_missing": [field_label(k.removeprefix("details.")) for k in record.standard_missing or []],
        "record": record, "badges": sel.deadline_badges(record, calendar=calendar, today=today),
        "arithmetic": sel.deadline_arithmetic(record=record, calendar=calendar, rule=rule), "rule": rule,
        "versions": versions, "diff": diff, "diff_old": old, "diff_new": new,
        "audit": sel.record_audit_entries(record=record).select_related("actor"),
        "notices": notices_of_record(record_id=record.pk),
        "may_edit": may_act and _may(record, VersionAction.EDIT),
        "may_publish": may_act and _may(record, VersionAction.PUBLISH),
        "may_change": may_act and _may(record, VersionAction.CHANGE),
        "may_revoke": may_act and _may(record, VersionAction.REVOKE),
    })


def _kind(request: HttpRequest, default: str = "") -> str:
    """The kind a record form is for: the posted one, else ``?kind=``, else ``default``."""
    kind = request.POST.get("kind") if request.method == "POST" else request.GET.get("kind")
    return kind if kind in RecordKind.values else default


def _record_form(request: HttpRequest, data: Any = None, *, kind: str, **kwargs: Any) -> f.RecordForm:
    user = request_user(request)
    tasks = record_list(user=user).filter(kind=RecordKind.INSPECTION_TASK)
    return f.RecordForm(data, agencies=sel.act_agencies(user=user), tasks=tasks, kind=kind, **kwargs)


@staff_view
@require_http_methods(["GET", "HEAD", "POST"])
def record_new(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    if request.method != "POST":
        agencies = sel.act_agencies(user=user)
        if not agencies.exists():
            raise PermissionDenied(_("You may not submit records for any agency."))
        kind = _kind(request)
        if not kind:
            return render(request, "workspace/record_kind.html", {"kinds": RecordKind.choices, "record": None})
        initial = {"agency": agencies.first(), "event_date": timezone.localdate(), "kind": kind}
        return _render_record_form(request, _record_form(request, initial=initial, kind=kind), None)
    form = _record_form(request, request.POST, kind=_kind(request, RecordKind.OTHER))
    if form.is_valid():
        try:
            record = svc.record_create(actor=user, agency=form.cleaned_data["agency"], values=form.values())
        except FORM_ERRORS as exc:
            return _render_record_form(request, form, None, status=f.refusal_onto(form, exc))
        messages.success(request, _("Draft %(id)s saved. Due %(due)s.") % {
            "id": record.pk, "due": record.due_date or _("with its result")})
        return HttpResponseRedirect(_record_url(record))
    return _render_record_form(request, form, None, status=400)


@staff_view
@require_http_methods(["GET", "HEAD", "POST"])
def record_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    record = svc.record_for_action(actor=user, record_id=pk, action="edit")
    if request.method != "POST":
        kind = _kind(request, record.kind)
        initial = {name: getattr(record, name) for name in f.RecordForm.base_fields if name not in ("agency", "task")}
        initial |= {"agency": record.agency, "task": record.task_id, "kind": kind}
        initial |= f.RecordForm.detail_initial(record.details)
        return _render_record_form(request, _record_form(request, initial=initial, kind=kind), record,
                                   version=f.VersionForm(initial={"version": record.version}))
    form = _record_form(request, request.POST, kind=_kind(request, record.kind))
    version = f.VersionForm(request.POST)
    status = 400
    if form.is_valid() and version.is_valid():
        try:
            record = svc.record_edit(actor=user, record=record, version=version.cleaned_data["version"],
                                     values={"agency": form.cleaned_data["agency"], **form.values()})
        except FORM_ERRORS as exc:
            status = f.refusal_onto(form, exc)
        else:
            messages.success(request, _("Draft %(id)s saved.") % {"id": record.pk})
            return HttpResponseRedirect(_record_url(record))
    return _render_record_form(request, form, record, version=version, status=status)


def _render_record_form(request: HttpRequest, form: f.RecordForm, record: Record | None, *,
                        version: f.VersionForm | None = None, status: int = 200) -> HttpResponse:
    return render(request, "workspace/record_form.html",
                  {"form": form, "record": record, "version_form": version, "kinds": RecordKind.choices,
                   "kind_label": RecordKind(form.kind_value).label}, status=status)


@staff_view
@require_http_methods(["GET", "HEAD", "POST"])
def record_publish(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    record = svc.record_for_action(actor=user, record_id=pk, action="publish")
    form = f.VersionForm(request.POST if request.method == "POST" else None, initial={"version": record.version})
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            record = svc.record_publish(actor=user, record=record, version=form.cleaned_data["version"])
        except FORM_ERRORS as exc:
            status = f.refusal_onto(form, exc)
        else:
            messages.success(request, _published_message(record))
            return HttpResponseRedirect(_record_url(record))
    today = timezone.localdate()
    on_time, late = svc.timeliness_on(record, today, get_calendar())
    return render(request, "workspace/publish.html", {
        "record": record, "form": form, "today": today, "on_time": on_time, "late": late,
        "may_publish": _may(record, VersionAction.PUBLISH),
    }, status=status)


def _published_message(record: Record) -> str:
    if record.on_time:
        return _("Record %(id)s published on time.") % {"id": record.pk}
    n = record.late_working_days or 0
    return ngettext("Record %(id)s published %(n)d working day late.",
                    "Record %(id)s published %(n)d working days late.", n) % {"id": record.pk, "n": n}


@staff_view
@require_http_methods(["GET", "HEAD", "POST"])
def record_change(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    record = svc.record_for_action(actor=user, record_id=pk, action="change")
    status = 200
    if request.method != "POST":
        grounds = f.ChangeGroundsForm(initial={"version": record.version})
        content = f.ContentForm(prefix="new", kind=record.kind, initial={
            name: getattr(record, name) for name in svc.CONTENT_FIELDS} | f.ContentForm.detail_initial(record.details))
    else:
        grounds = f.ChangeGroundsForm(request.POST)
        content = f.ContentForm(request.POST, prefix="new", kind=record.kind)
        status = 400
        if grounds.is_valid() and content.is_valid():
            data = grounds.cleaned_data
            try:
                record = svc.record_change(
                    actor=user, record=record, changes=content.changes(record), correction=data["type"] == "correction",
                    reason=data["reason"], legal_basis=data["legal_basis"], document_number=data["document_number"],
                    version=data["version"],
                )
            except FORM_ERRORS as exc:
                status = f.refusal_onto(content, exc, prefix="changes.", conflict_form=grounds)
            else:
                messages.success(request, _("Record %(id)s changed: version %(v)s.") % {
                    "id": record.pk, "v": record.version})
                return HttpResponseRedirect(_record_url(record))
    return render(request, "workspace/change.html", {
        "record": record, "grounds": grounds, "content": content, "may_change": _may(record, VersionAction.CHANGE),
    }, status=status)


@staff_view
@require_http_methods(["GET", "HEAD", "POST"])
def record_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    record = svc.record_for_action(actor=user, record_id=pk, action="revoke")
    form = f.RevokeGroundsForm(request.POST if request.method == "POST" else None,
                               initial={"version": record.version})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                record = svc.record_revoke(actor=user, record=record, reason=data["reason"],
                                           legal_basis=data["legal_basis"], document_number=data["document_number"],
                                           version=data["version"])
            except FORM_ERRORS as exc:
                status = f.refusal_onto(form, exc)
            else:
                messages.success(request, _("Record %(id)s revoked.") % {"id": record.pk})
                return HttpResponseRedirect(_record_url(record))
    return render(request, "workspace/revoke.html", {
        "record": record, "form": form, "may_revoke": _may(record, VersionAction.REVOKE)}, status=status)


# -- bulk publish -------------------------------------------------------------------------------------------
@staff_view
@require_POST
def bulk_publish(request: HttpRequest) -> HttpResponse:
    """Publish the selected drafts, after the same summary single publication shows: the list's
    button leads to a confirmation page (each draft on time or late by N working days, or why it
    will be refused); only its "confirm" publishes. Each draft is published by ``record_publish``
    in its own transaction: a refusal (overdue is no refusal; a stale or foreign record is)
    leaves the others published."""
    user = request_user(request)
    ids = list(dict.fromkeys(n for n in map(whole_number, request.POST.getlist("record")) if n is not None))
    limit = settings.WORKSPACE_BULK_PUBLISH_MAX
    if not ids:
        messages.error(request, _("Select the drafts to publish first."))
        return HttpResponseRedirect(reverse("workspace:records"))
    if len(ids) > limit:
        messages.error(request, _("Publish at most %(n)d records at once.") % {"n": limit})
        return HttpResponseRedirect(reverse("workspace:records"))
    if request.POST.get("confirm") != "1":
        today = timezone.localdate()
        rows = sel.bulk_preview(user=user, record_ids=ids, calendar=get_calendar(), today=today)
        publishable = [r for r in rows if not r["refusal"]]
        return render(request, "workspace/bulk_confirm.html", {
            "rows": rows, "today": today, "publishable": publishable,
            "on_time": sum(1 for r in publishable if r["on_time"]),
            "late": sum(1 for r in publishable if not r["on_time"]),
            "refused": len(rows) - len(publishable),
        })
    results = svc.records_publish_each(actor=user, record_ids=ids)
    published = sum(r.published for r in results)
    return render(request, "workspace/bulk_result.html", {
        "results": results, "published": published, "refused": len(results) - published})


# -- agency administration ------------------------------------------------------------------------------------
def _managed(request: HttpRequest) -> Any:
    agencies = sel.managed_agencies(user=request_user(request))
    if not agencies.exists():
        raise PermissionDenied(_("Only an agency administrator may manage users."))
    return agencies


@staff_view
@require_http_methods(["GET", "HEAD", "POST"])
def users(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    agencies = _managed(request)
    form = f.UserAddForm(request.POST if request.method == "POST" else None, agencies=agencies)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                created, membership, _token = user_create(
                    actor=user, username=data["username"], password=data["password"],
                    agency_code=data["agency"].code, role=data["role"], email=data["email"])
            except FORM_ERRORS as exc:
                f.refusal_onto(form, exc)
            else:
                messages.success(request, _("%(user)s added as %(role)s of %(agency)s.") % {
                    "user": created.username, "role": membership.get_role_display(), "agency": membership.agency})
                return HttpResponseRedirect(reverse("workspace:users"))
    page = Paginator(sel.managed_memberships(user=user), settings.WORKSPACE_PAGE_SIZE).get_page(
        request.GET.get("page"))
    rows = [(m, f.RoleForm(agencies=agencies, prefix=f"u{m.user_id}",
                           initial={"agency": m.agency, "role": m.role})) for m in page]
    return render(request, "workspace/users.html", {"form": form, "page": page, "rows": rows}, status=status)


@staff_view
@require_POST
def user_role(request: HttpRequest, user_id: int) -> HttpResponse:
    agencies = _managed(request)
    form = f.RoleForm(request.POST, agencies=agencies, prefix=f"u{user_id}")
    if not form.is_valid():
        messages.error(request, "; ".join(str(m) for msgs in form.errors.values() for m in msgs))
        return HttpResponseRedirect(reverse("workspace:users"))
    try:
        membership = membership_change(actor=request_user(request), user_id=user_id,
                                       agency_code=form.cleaned_data["agency"].code, role=form.cleaned_data["role"])
    except FORM_ERRORS as exc:
        messages.error(request, "; ".join(m for msgs in exc.errors.values() for m in msgs) or exc.message)
    else:
        messages.success(request, _("%(user)s is now %(role)s of %(agency)s.") % {
            "user": membership.user.username, "role": membership.get_role_display(), "agency": membership.agency})
    return HttpResponseRedirect(reverse("workspace:users"))


# -- citizens' corrections and queries, subjects' statements ----------------------------------------------
# A statement is accepted when it is not abusive (it is then shown): the choices say so.
_DECISION_LABELS: dict[tuple[str, str], Any] = {
    (RequestKind.STATEMENT, RequestStatus.ACCEPTED): gettext_lazy("Accept: not abusive, show it beside the record"),
    (RequestKind.STATEMENT, RequestStatus.REJECTED): gettext_lazy("Reject, giving the reasons"),
}


@staff_view
@require_http_methods(["GET", "HEAD"])
def requests_queue(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    kind = request.GET.get("kind", "") if request.GET.get("kind") in RequestKind.values else ""
    status = request.GET.get("status", "") if request.GET.get("status") in RequestStatus.values else ""
    page = Paginator(sel.workspace_requests(user=user, kind=kind, status=status),
                     settings.WORKSPACE_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "workspace/requests.html", {
        "page": page, "kind": kind, "status": status, "kinds": RequestKind.choices, "statuses": RequestStatus.choices,
        "query": query.urlencode(), "today": timezone.localdate(),
    })


@staff_view
@require_http_methods(["GET", "HEAD", "POST"])
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One request and, for who may act for its agency, the answer form. An accepted correction
    changes the record in the same transaction (``request_answer``), with the fields given here;
    an accepted statement is shown beside the record (the page previews it masked, as it would be)."""
    user = request_user(request)
    item = sel.workspace_requests(user=user).filter(pk=pk).first()
    if item is None:
        raise Http404(_("Not found."))
    decisions: list[tuple[str, Any]] = [(d.value, _DECISION_LABELS.get((item.kind, d), d.label))
                                        for d in ANSWERS[RequestKind(item.kind)]]
    if item.kind == RequestKind.REPAIR:  # a credit repair is granted or refused (NDRC Order 2025 No. 36)
        decisions = [(RequestStatus.ACCEPTED.value, _("Grant credit repair (the publication ends)")),
                     (RequestStatus.REJECTED.value, _("Refuse credit repair"))]
    may_answer = item.is_open and item.agency_id in sel.act_agency_ids(user=user)
    record = item.record
    # No decision preselected where it takes the record's public view: the clerk chooses.
    if item.kind == RequestKind.STATEMENT:
        decisions = [("", _("Choose: show it or not")), *decisions]
    elif item.kind == RequestKind.REPAIR:
        decisions = [("", _("Choose: grant credit repair or not")), *decisions]
    form = f.AnswerForm(request.POST if request.method == "POST" else None, decisions=decisions)
    if item.kind == RequestKind.STATEMENT:
        form.fields["reply"].help_text = _("The body of the letter to the subject; for a rejection, the reasons "
                                           "(the subject also sees them with the tracking code).")
    if item.kind == RequestKind.REPAIR:
        form.fields["reply"].help_text = _("The body of the decision letter to the applicant: for a refusal, the "
                                           "reasons.")
    content = None
    if record is not None and item.kind == RequestKind.CORRECTION:
        content = f.ContentForm(request.POST if request.method == "POST" else None, prefix="new", kind=record.kind,
                                initial={name: getattr(record, name) for name in svc.CONTENT_FIELDS}
                                | f.ContentForm.detail_initial(record.details))
    status = 200
    if request.method == "POST":
        target = request_for_action(actor=user, request_id=pk)  # 404 / 403 as the API
        status = 400
        if form.is_valid() and (content is None or content.is_valid()):
            data = form.cleaned_data
            changes = content.changes(record) if content is not None and record is not None else None
            try:
                request_answer(actor=user, request=target, decision=data["decision"], reply=data["reply"],
                               changes=changes if data["decision"] == RequestStatus.ACCEPTED else None,
                               legal_basis=data["legal_basis"], document_number=data["document_number"],
                               correction_reason=data["correction_reason"])
            except FORM_ERRORS as exc:
                status = f.refusal_onto(form, exc)
                field_errors = {k: v for k, v in exc.errors.items() if k.startswith("changes.")}
                if content is not None and field_errors:
                    f.add_service_errors(content, ApplicationError(exc.message, field_errors), prefix="changes.")
            else:
                messages.success(request, _("Request %(code)s answered.") % {"code": item.tracking_code})
                return HttpResponseRedirect(reverse("workspace:request", args=[pk]))
    preview = statement_preview(record, item.text) if record is not None and item.kind == RequestKind.STATEMENT else ""
    return render(request, "workspace/request.html", {
        "item": item, "form": form, "content": content, "may_answer": may_answer, "preview": preview}, status=status)
