"""The public portal's pages: thin views over the same selectors and services as the public API.

Record data reaches a template only as the masked payload of ``services.privacy.public_payload``.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from backend.errors import ApplicationError, NotVisible
from disclosure.apis_public import SearchThrottle, SubmitThrottle
from disclosure.models import Agency, Record, RecordVersion, RequestKind
from disclosure.selectors.deadline import deadline_explain
from disclosure.selectors.public import SearchParams, entity_records, public_history, public_record, public_search
from disclosure.serializers import DEADLINE_KINDS
from disclosure.services import requests as svc
from disclosure.services.privacy import context_for, mask, public_payload
from disclosure.services.reply_pdf import reply_pdf
from scheduler.rules import RecordKind

_KIND_LABELS = dict(RecordKind.choices)


def _public(record: Record) -> dict[str, Any]:
    values = {f: getattr(record, f) for f in (
        "kind", "status", "title", "subject_name", "subject_code", "subject_type", "event_date", "content",
        "legal_basis", "document_number", "published_at", "expires_on", "penalty_types", "task_id")}
    values["agency_code"] = record.agency.code
    payload = public_payload(values, record_id=record.pk)
    payload["kind_label"] = _KIND_LABELS.get(record.kind, record.kind)
    payload["agency_name"] = record.agency.name
    return payload


def _history(record: Record, versions: list[RecordVersion]) -> list[dict[str, Any]]:
    context = context_for(record.__dict__)
    return [{"action": v.action, "label": v.get_action_display(), "at": v.at, "reason": mask(v.reason, context),
             "legal_basis": mask(v.legal_basis, context), "document_number": mask(v.document_number, context)}
            for v in versions]


def _throttled(request: HttpRequest, throttle: type[SearchThrottle] | type[SubmitThrottle]) -> HttpResponse | None:
    # DRF's throttles read only the client address and the cache: a plain Django request will do.
    if throttle().allow_request(request, None):  # type: ignore[arg-type]
        return None
    return render(request, "disclosure/portal/message.html", {
        "title": _("Too many requests"),
        "message": _("Too many requests from your address; please wait a little and try again."),
    }, status=429)


def _date(raw: str) -> date | None:
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def _page(request: HttpRequest, items: Any) -> Any:
    from django.conf import settings

    return Paginator(items, settings.PUBLIC_PAGE_SIZE).get_page(request.GET.get("page"))


def _agencies() -> list[Agency]:
    return list(Agency.objects.order_by("path"))


def home(request: HttpRequest) -> HttpResponse:
    """The front page: the search form and the newest publications."""
    latest = [_public(r) for r in public_search(params=SearchParams())[:10]]
    return render(request, "disclosure/portal/home.html", {
        "latest": latest, "kinds": RecordKind.choices, "agencies": _agencies(), "params": {},
    })


def search(request: HttpRequest) -> HttpResponse:
    """Search by keyword, credit code, agency, kind and event-date range; paginated."""
    refused = _throttled(request, SearchThrottle)
    if refused:
        return refused
    get = request.GET
    kind = get.get("kind", "")
    params = SearchParams(
        q=get.get("q", "").strip()[:100], subject_code=get.get("subject_code", "").strip()[:18],
        agency=get.get("agency", "")[:64], kind=kind if kind in RecordKind.values else "",
        date_from=_date(get.get("date_from", "")), date_to=_date(get.get("date_to", "")),
    )
    page = _page(request, public_search(params=params))
    query = get.copy()
    query.pop("page", None)
    return render(request, "disclosure/portal/search.html", {
        "page": page, "results": [_public(r) for r in page.object_list], "params": get,
        "kinds": RecordKind.choices, "agencies": _agencies(), "query": query.urlencode(),
    })


def record_page(request: HttpRequest, pk: int) -> HttpResponse:
    """A record's current (masked) version and its plain history."""
    try:
        record = public_record(record_id=pk)
    except NotVisible:
        raise Http404 from None
    history = _history(record, public_history(record=record))
    revoked = next((h for h in reversed(history) if h["action"] == "revoke"), None)
    return render(request, "disclosure/portal/record.html", {
        "record": _public(record), "history": history, "revoked": revoked,
    })


def entity_page(request: HttpRequest, code: str) -> HttpResponse:
    """Everything public about one credit code, in time order (Art. 13)."""
    page = _page(request, entity_records(subject_code=code))
    return render(request, "disclosure/portal/entity.html", {
        "code": code.upper(), "page": page, "results": [_public(r) for r in page.object_list],
    })


@require_http_methods(["GET", "POST"])
def request_form(request: HttpRequest, kind: str) -> HttpResponse:
    """The correction (with evidence files) and query forms; on success, the tracking code."""
    record = None
    record_raw = request.POST.get("record") or request.GET.get("record") or ""
    if record_raw.isdigit():
        try:
            record = _public(public_record(record_id=int(record_raw)))
        except NotVisible:
            record = None
    context: dict[str, Any] = {"kind": kind, "record": record, "record_raw": record_raw, "values": request.POST,
                               "agencies": _agencies(), "errors": {}}
    if request.method == "POST":
        refused = _throttled(request, SubmitThrottle)
        if refused:
            return refused
        post = request.POST
        try:
            svc.request_body_check(content_length=int(request.META.get("CONTENT_LENGTH") or 0))
            record_id = int(record_raw) if record_raw.isdigit() else None
            if kind == RequestKind.CORRECTION:
                created = svc.correction_submit(
                    record_id=record_id, requester_name=post.get("requester_name", ""),
                    contact=post.get("contact", ""), description=post.get("description", ""),
                    files=list(request.FILES.getlist("evidence")))
            else:
                created = svc.query_submit(
                    requester_name=post.get("requester_name", ""), contact=post.get("contact", ""),
                    question=post.get("question", ""), record_id=record_id, agency_code=post.get("agency", ""))
        except ApplicationError as exc:
            context.update(errors=exc.errors, message=exc.message)
            return render(request, "disclosure/portal/request_form.html", context, status=exc.status_code)
        return HttpResponseRedirect(reverse("portal-track-code", args=[created.tracking_code]) + "?new=1")
    return render(request, "disclosure/portal/request_form.html", context)


def track(request: HttpRequest) -> HttpResponse:
    """Enter a tracking code."""
    code = request.GET.get("code", "").strip()
    if code:
        return HttpResponseRedirect(reverse("portal-track-code", args=[svc.normalize_tracking_code(code)]))
    return render(request, "disclosure/portal/track.html", {})


def track_code(request: HttpRequest, code: str) -> HttpResponse:
    """A request's status and outcome (never the requester's contact details)."""
    refused = _throttled(request, SearchThrottle)
    if refused:
        return refused
    try:
        found = svc.request_by_tracking_code(code=code)
    except NotVisible:
        return render(request, "disclosure/portal/track.html", {"code": code, "not_found": True}, status=404)
    return render(request, "disclosure/portal/status.html", {"req": found, "new": request.GET.get("new") == "1"})


def track_reply(request: HttpRequest, code: str) -> HttpResponse:
    """The written reply of an answered query, through the tracking code."""
    try:
        found = svc.request_by_tracking_code(code=code)
        body = reply_pdf(request=found)
    except NotVisible:
        raise Http404 from None
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="reply-{found.pk}.pdf"'
    return response


def deadline_page(request: HttpRequest) -> HttpResponse:
    """The deadline calculator: kind and event date → due date and every day counted specially."""
    kind = request.GET.get("kind", "")
    event_date = _date(request.GET.get("date", ""))
    result, error = None, ""
    if kind or request.GET.get("date"):
        if kind not in dict(DEADLINE_KINDS) or event_date is None:
            error = _("Choose a kind and enter a date as YYYY-MM-DD.")
        else:
            try:
                result = deadline_explain(kind=kind, event_date=event_date)
            except ApplicationError as exc:
                error = exc.message
    return render(request, "disclosure/portal/deadline.html", {
        "kinds": DEADLINE_KINDS, "kind": kind, "date": request.GET.get("date", ""), "result": result,
        "error": error,
    }, status=400 if error else 200)
