"""The public portal's pages: thin views over the same selectors and services as the public API.

Record data reaches a template only from the public projection (``PublicRecord``), masked once
when it was written; nothing here reads a record's raw text.
"""
from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from backend.errors import NotVisible, ServiceError
from backend.ids import whole_number
from backend.middleware import too_many_requests
from disclosure.apis_public import SearchThrottle, SubmitThrottle
from disclosure.kinds import RecordKind
from disclosure.kinds.spec import display_rows
from disclosure.models import (
    Agency,
    PenaltyType,
    PublicityClass,
    PublicRecord,
    RequestKind,
    SignedTreeHead,
    SubjectType,
)
from disclosure.selectors import transparency as tlog
from disclosure.selectors.deadline import deadline_explain
from disclosure.selectors.open_data import DATASET_LABELS, dataset_schema, dump_file, kept_dumps
from disclosure.selectors.public import (
    SearchParams,
    clean_text,
    entity_profile,
    entity_records,
    normalize_code,
    page_number,
    public_history,
    public_record,
    public_records,
    public_search,
    revoked_entry,
)
from disclosure.serializers import DEADLINE_KINDS
from disclosure.services import requests as svc
from disclosure.services.privacy import fold
from disclosure.services.reply_pdf import reply_pdf
from scheduler.selectors import get_rule

_KIND_LABELS = dict(RecordKind.choices)


def _public(record: PublicRecord) -> dict[str, Any]:
    """A projection row as a template reads it, with the labels the page shows."""
    labels = dict(PenaltyType.choices)
    return {
        "id": record.record_id, "kind": record.kind, "kind_label": _KIND_LABELS.get(record.kind, record.kind),
        "agency": record.agency.code, "agency_name": record.agency.name, "status": record.status,
        "title": record.title, "subject_name": record.subject_name, "subject_code": record.subject_code,
        "subject_type": record.subject_type, "event_date": record.event_date, "content": record.content,
        "legal_basis": record.legal_basis, "document_number": record.document_number,
        "published_at": record.published_at, "expires_on": record.expires_on,
        # The last day shown (``expires_on`` is the first day no longer shown).
        "last_shown": record.expires_on - timedelta(days=1) if record.expires_on else None,
        "severity": record.severity, "severity_label": PublicityClass(record.severity).label if record.severity else "",
        "repair_from": record.repair_from,
        "penalty_types": [str(labels.get(t, t)) for t in record.penalty_types], "fine_amount": record.fine_amount,
        "details": display_rows(record.kind, record.details),  # the masked public details
        # The subject's own words (当事人陈述), masked in the projection like the rest.
        "subject_statement": record.subject_statement, "subject_statement_on": record.subject_statement_on,
    }


def _throttled(request: HttpRequest, throttle: type[SearchThrottle] | type[SubmitThrottle]) -> HttpResponse | None:
    # DRF's throttles read only the client address and the cache: a plain Django request will do.
    if throttle().allow_request(request, None):  # type: ignore[arg-type]
        return None
    return too_many_requests(request)


def _date(raw: str) -> date | None:
    try:
        return date.fromisoformat(raw) if raw and raw.isascii() else None
    except ValueError:
        return None


def _agencies() -> list[Agency]:
    return list(Agency.objects.order_by("path"))


def _code_hint(q: str) -> str:
    """A word about a query that looks like a credit code of the wrong length (letters and digits,
    15 to 21 of them): it is searched as a keyword, which the citizen may not expect."""
    code = re.sub(r"[\s\-]", "", fold(q)).upper()
    if not re.fullmatch(r"[0-9A-Z]{15,21}", code) or len(code) == 18 or code.isdigit() or code.isalpha():
        return ""
    return _("A unified social credit code has 18 characters; you typed %(n)d, so it was searched as a "
             "keyword.") % {"n": len(code)}


def _search_context(get: Any) -> dict[str, Any]:
    return {"params": get, "kinds": RecordKind.choices, "agencies": _agencies()}


def home(request: HttpRequest) -> HttpResponse:
    """The front page: the search box and the newest publications."""
    latest = [_public(r) for r in public_records()[:10]]
    return render(request, "disclosure/portal/home.html", {"latest": latest, **_search_context({})})


def search(request: HttpRequest) -> HttpResponse:
    """One search box (name, credit code, document number or keywords) with filters; paginated,
    counted exactly up to the cap."""
    refused = _throttled(request, SearchThrottle)
    if refused:
        return refused
    get = request.GET
    kind = get.get("kind", "")
    agency = clean_text(get.get("agency", ""), max_length=64)
    params = SearchParams(
        q=clean_text(get.get("q", "")), subject_code=clean_text(get.get("subject_code", ""), max_length=40),
        agency=agency, kind=kind if kind in RecordKind.values else "",
        date_from=_date(get.get("date_from", "")), date_to=_date(get.get("date_to", "")),
    )
    page = public_search(params=params, page=page_number(get.get("page")))
    code_hint = _code_hint(params.q)
    query = get.copy()
    query.pop("page", None)
    return render(request, "disclosure/portal/search.html", {
        "page": page, "results": [_public(r) for r in page.items], "query": query.urlencode(), "code_hint": code_hint,
        "searched": bool(params.q or params.subject_code or params.agency or params.kind or params.date_from
                         or params.date_to), **_search_context(get),
    })


def _server(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def _head_context(head: SignedTreeHead | None) -> dict[str, Any] | None:
    if head is None:
        return None
    return {"tree_size": head.tree_size, "root_hash": tlog.b64(head.root_hash), "key_id": head.key_id,
            "signed_at": head.timestamp, "timestamp": tlog.head_time(head.timestamp),
            "checkpoint": tlog.checkpoint_text(head)}


def _newest_head() -> SignedTreeHead | None:
    try:
        return tlog.head_newest()
    except NotVisible:
        return None


def record_page(request: HttpRequest, pk: int) -> HttpResponse:
    """A record's current (masked) version, its plain history, and how to verify it in the
    transparency log (its newest leaf's inclusion proof in the newest signed head)."""
    try:
        record = public_record(record_id=pk)
    except NotVisible:
        raise Http404 from None
    history = public_history(record)
    leaf, head = tlog.newest_leaf_of(record_id=pk), _newest_head()
    verify = None
    if leaf is not None:
        version = leaf.event.version.number
        query = urlencode({"record": pk, "version": version} | ({"tree_size": head.tree_size} if head else {}))
        verify = {"index": leaf.index, "version": version, "action": leaf.event.get_action_display(),
                  "leaf_hash": tlog.b64(leaf.hash), "in_head": head is not None and leaf.index < head.tree_size,
                  "head": _head_context(head), "proof_url": f"{reverse('transparency-inclusion')}?{query}",
                  "command": f"python verify_transparency.py {_server(request)} --record {pk} --version {version}"
                             # the key pinned, so the answer does not rest on whatever keys the server lists
                             + (f" --key {tlog.note_verifier_key(head.origin, bytes(head.key.public_key))}"
                                if head else "")}
    revoked = revoked_entry(history)
    return render(request, "disclosure/portal/record.html", {
        "record": _public(record), "history": history, "revoked": revoked, "verify": verify,
        "repair": None if revoked else _repair_offer(record),
    })


def _repair_offer(record: PublicRecord) -> dict[str, Any] | None:
    """What a record's page says of credit repair: for a penalty or the dishonest list, from which
    day it may be applied for, and whether that day has come (the form's link is shown then)."""
    if record.kind not in svc.REPAIRABLE_KINDS:
        return None
    earliest = record.repair_from
    return {"from": earliest, "open": earliest is not None and earliest <= timezone.localdate()}


def transparency_page(request: HttpRequest) -> HttpResponse:
    """The transparency log: the newest signed head, the keys, and how anyone verifies."""
    head = _newest_head()
    origin = settings.TRANSPARENCY_LOG_ORIGIN
    keys = [{"key_id": key.key_id, "first_used": key.first_used,
             "note_verifier_key": tlog.note_verifier_key(origin, bytes(key.public_key)),
             "public_key": tlog.b64(tlog.spki_der(bytes(key.public_key)))} for key in tlog.public_keys()]
    heads = [_head_context(h) for h in SignedTreeHead.objects.select_related("key").order_by("-tree_size",
                                                                                            "-timestamp")[:10]]
    api = {name.replace("-", "_"): reverse(f"transparency-{name}") for name in
           ("sth", "public-keys", "leaves", "inclusion", "consistency", "checkpoint")}
    return render(request, "disclosure/portal/transparency.html", {
        "head": _head_context(head), "heads": heads, "keys": keys, "origin": origin, "server": _server(request),
        "api": api, "current_key": keys[-1] if keys else None,
        "verifier_url": reverse("portal-transparency-verifier"),
    })


def open_data_page(request: HttpRequest) -> HttpResponse:
    """Open data: the kept daily dumps with their files, and each dataset's schema (from the spec)."""
    dumps = [{"day": dump.day, "finished_at": dump.finished_at,
              "files": [{"name": name, **info, "dataset_label": DATASET_LABELS[info["dataset"]],
                         "url": reverse("portal-open-data-file", args=[dump.day.isoformat(), name])}
                        for name, info in sorted(dump.files.items())]}
             for dump in kept_dumps()]
    schemas = [{"dataset": dataset, "label": label, "columns": dataset_schema(dataset)}
               for dataset, label in DATASET_LABELS.items()]
    return render(request, "disclosure/portal/open_data.html", {
        "dumps": dumps, "schemas": schemas, "keep_days": settings.OPEN_DATA_KEEP_DAYS})


def open_data_file(request: HttpRequest, day: str, name: str) -> FileResponse:
    """One file of a kept dump; anything else (another name, another day, a path) is a 404 page."""
    path = dump_file(day, name)
    if path is None:
        raise Http404(_("No such open-data file."))
    content_type = "text/csv; charset=utf-8" if name.endswith(".csv") else "application/json"
    return FileResponse(path.open("rb"), as_attachment=True, filename=name, content_type=content_type)


def transparency_verifier(request: HttpRequest) -> HttpResponse:
    """The standalone verifier (docs/verify_transparency.py), to download and read."""
    path = Path(settings.BASE_DIR) / "docs" / "verify_transparency.py"
    response = HttpResponse(path.read_bytes(), content_type="text/x-python; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="verify_transparency.py"'
    return response


def entity_page(request: HttpRequest, code: str) -> HttpResponse:
    """Everything public about one credit code, in time order (Art. 13): the entity's name and
    type, counts by kind, and a tab per kind."""
    if not normalize_code(code):
        raise Http404
    profile = entity_profile(subject_code=code)
    if profile is None:
        return render(request, "disclosure/portal/message.html", {
            "title": normalize_code(code), "message": _("Nothing is published about this entity."),
        })
    kind = request.GET.get("kind", "")
    kind = kind if kind in profile.counts else ""
    page = Paginator(entity_records(subject_code=profile.code, kind=kind), settings.PUBLIC_PAGE_SIZE).get_page(
        page_number(request.GET.get("page")))
    tabs = [(value, label, profile.counts[value]) for value, label in RecordKind.choices if value in profile.counts]
    return render(request, "disclosure/portal/entity.html", {
        "profile": profile, "tabs": tabs, "kind": kind, "page": page,
        "subject_type_label": dict(SubjectType.choices).get(profile.subject_type, profile.subject_type),
        "results": [_public(r) for r in page.object_list], "query": f"kind={kind}" if kind else "",
    })


_FORM_TEMPLATES = {RequestKind.STATEMENT: "disclosure/portal/statement_form.html"}


@require_http_methods(["GET", "POST"])
def request_form(request: HttpRequest, kind: str) -> HttpResponse:
    """The correction and credit-repair (with evidence files), query and statement forms; on
    success, the tracking code. The repair form says at once why the named record cannot be
    repaired yet (the earliest date, another application open), before the applicant writes
    anything."""
    record = None
    record_raw = request.POST.get("record") or request.GET.get("record") or ""
    record_id = whole_number(record_raw)
    if record_id is not None:
        try:
            record = _public(public_record(record_id=record_id))
        except NotVisible:
            record = None
    context: dict[str, Any] = {"kind": kind, "record": record, "record_raw": record_raw, "values": request.POST,
                               "agencies": _agencies(), "errors": {},
                               "statement_max": settings.PUBLIC_STATEMENT_MAX_CHARS}
    template = _FORM_TEMPLATES.get(RequestKind(kind), "disclosure/portal/request_form.html")
    if kind == RequestKind.REPAIR and record is not None:
        context["repair_refusal"] = svc.repair_check(record_id=record_id)[1]
        context["repair_from"] = record["repair_from"]
    if request.method == "POST":
        refused = _throttled(request, SubmitThrottle)
        if refused:
            return refused
        post = request.POST
        try:
            svc.request_body_check(content_length=int(request.META.get("CONTENT_LENGTH") or 0))
            if kind == RequestKind.CORRECTION:
                created = svc.correction_submit(
                    record_id=record_id, requester_name=post.get("requester_name", ""),
                    contact=post.get("contact", ""), description=post.get("description", ""),
                    files=list(request.FILES.getlist("evidence")))
            elif kind == RequestKind.STATEMENT:
                created = svc.statement_submit(
                    record_id=record_id, requester_name=post.get("requester_name", ""),
                    contact=post.get("contact", ""), statement=post.get("statement", ""))
            elif kind == RequestKind.REPAIR:
                created = svc.repair_submit(
                    record_id=record_id, requester_name=post.get("requester_name", ""),
                    contact=post.get("contact", ""), commitment=post.get("commitment", ""),
                    files=list(request.FILES.getlist("evidence")))
            else:
                created = svc.query_submit(
                    requester_name=post.get("requester_name", ""), contact=post.get("contact", ""),
                    question=post.get("question", ""), record_id=record_id, agency_code=post.get("agency", ""))
        except ServiceError as exc:
            context.update(errors=exc.errors, message=exc.message)
            return render(request, template, context, status=exc.status_code)
        return HttpResponseRedirect(reverse("portal-track-code", args=[created.tracking_code]) + "?new=1")
    return render(request, template, context)


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
    """The letter of an answered query or a decided correction, through the tracking code."""
    refused = _throttled(request, SearchThrottle)
    if refused:
        return refused
    try:
        found = svc.request_by_tracking_code(code=code)
        body = reply_pdf(request=found)
    except NotVisible:
        raise Http404 from None
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, f"{found.reply_number or found.pk}.pdf") or ""
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
            except ServiceError as exc:
                error = exc.message

    # The rule is shown with the same explanation as the workspace's record page (one include).
    return render(request, "disclosure/portal/deadline.html", {
        "kinds": DEADLINE_KINDS, "kind": kind, "date": request.GET.get("date", ""), "result": result,
        "rule": get_rule(kind) if result else None, "error": error,
    }, status=400 if error else 200)
