"""The public API (no login), the agencies' request queue, and the outbound feed (API.md)."""
from __future__ import annotations

from typing import Any

import django_filters
from django.conf import settings
from django.db.models import QuerySet
from django.http import FileResponse, HttpResponse
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.request import Request as ApiRequest
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from backend.errors import ApplicationError, NotVisible
from backend.ids import whole_number
from disclosure import serializers as s
from disclosure.models import CitizenRequest, RequestKind, RequestStatus, Role, User
from disclosure.selectors.deadline import deadline_explain
from disclosure.selectors.feed import feed_after, feed_item
from disclosure.selectors.public import (
    SearchPage,
    SearchParams,
    entity_profile,
    entity_records,
    normalize_code,
    public_history,
    public_record,
    public_search,
)
from disclosure.selectors.requests import requests_visible_to
from disclosure.services import requests as svc
from disclosure.services.reply_pdf import reply_pdf


# -- abuse limits ------------------------------------------------------------------------------------
class _PublicThrottle(SimpleRateThrottle):
    """Per client address; the rate is a setting read on every request, so it can be tuned live."""

    setting = ""

    def get_rate(self) -> str:
        return str(getattr(settings, self.setting))

    def get_cache_key(self, request: Any, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class SearchThrottle(_PublicThrottle):
    scope = "public_search"
    setting = "PUBLIC_SEARCH_RATE"


class SubmitThrottle(_PublicThrottle):
    scope = "public_submit"
    setting = "PUBLIC_SUBMIT_RATE"


def _content_length(request: Any) -> int | None:
    return whole_number(str(request.META.get("CONTENT_LENGTH") or ""))


def _pk(raw: str) -> int:
    number = whole_number(raw)
    if number is None:
        raise NotVisible(_("Not found."))
    return number


class _Public(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list[type] = []  # anonymous by design: no session, so no CSRF either


# -- records -----------------------------------------------------------------------------------------------
def _search_body(page: SearchPage, request: ApiRequest, results: Any) -> dict[str, Any]:
    def link(number: int) -> str:
        query = request.query_params.copy()
        query["page"] = str(number)
        return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")

    return {
        "count": page.count, "count_capped": page.count_capped,
        "next": link(page.number + 1) if page.has_next else None,
        "previous": link(page.number - 1) if page.has_previous else None,
        "results": results,
    }


class PublicRecordList(_Public):
    """Published, unexpired, not embargoed, masked records: ``?q=&subject_code=&agency=&kind=&date_from=&date_to=``.
    ``q`` is one box (a name, a credit code, a document number or keywords, every word required);
    exact credit-code and document-number hits first, then records whose title or subject holds
    every word, then the rest, newest first. ``count`` is exact up to a cap, then ``count_capped``."""

    throttle_classes = [SearchThrottle]

    @extend_schema(parameters=[s.PublicSearchInput], responses=s.PublicRecordPageOutput)
    def get(self, request: ApiRequest) -> Response:
        params = s.PublicSearchInput(data=request.query_params)
        params.is_valid(raise_exception=True)
        v = dict(params.validated_data)
        page_no, size = v.pop("page", 1), v.pop("page_size", None)
        page = public_search(params=SearchParams(**{k: val for k, val in v.items() if val}), page=page_no,
                             page_size=size)
        return Response(_search_body(page, request, s.PublicRecordOutput(page.items, many=True).data))


class PublicRecordDetail(_Public):
    """One public record, its current (masked) version and its plain history."""

    throttle_classes = [SearchThrottle]

    @extend_schema(responses=s.PublicRecordDetailOutput)
    def get(self, request: ApiRequest, pk: str) -> Response:
        record = public_record(record_id=_pk(pk))
        body = s.PublicRecordOutput(record).data
        body["history"] = s.PublicHistoryOutput(public_history(record), many=True).data
        return Response(body)


class PublicEntity(_Public):
    """Everything public about one unified social credit code, in time order (Art. 13): the
    entity's name, type and counts by kind, then its records (``?kind=`` for one kind)."""

    throttle_classes = [SearchThrottle]

    @extend_schema(parameters=[s.PublicEntityInput], responses=s.PublicEntityPageOutput)
    def get(self, request: ApiRequest, code: str) -> Response:
        params = s.PublicEntityInput(data=request.query_params)
        params.is_valid(raise_exception=True)
        if not normalize_code(code):
            raise NotVisible(_("Not found."))
        profile = entity_profile(subject_code=code)
        kind = params.validated_data.get("kind") or ""
        size = params.validated_data.get("page_size") or settings.PUBLIC_PAGE_SIZE
        count = (profile.counts.get(kind, 0) if kind else profile.total) if profile else 0
        number = min(params.validated_data.get("page") or 1, max(1, -(-count // size)))
        items = list(entity_records(subject_code=code, kind=kind)[(number - 1) * size: number * size]) if count else []
        page = SearchPage(items=items, count=count, count_capped=False, number=number, page_size=size)
        body = _search_body(page, request, s.PublicRecordOutput(page.items, many=True).data)
        body["entity"] = s.PublicEntityOutput(profile).data if profile else None
        return Response(body)


# -- citizens' requests ----------------------------------------------------------------------------------
def _with_evidence(request: ApiRequest, input_class: type[serializers.Serializer]) -> tuple[dict[str, Any], list[Any]]:
    """A multipart submission with ``evidence`` files: the body's size first (413), then its fields
    checked by ``input_class`` (400); the files go to the service, which checks them."""
    svc.request_body_check(content_length=_content_length(request))
    fields = request.data if isinstance(request.data, dict) else {}
    data = input_class(data={k: v for k, v in fields.items() if k != "evidence"})
    data.is_valid(raise_exception=True)
    return dict(data.validated_data), list(request.FILES.getlist("evidence"))


class CorrectionCreate(_Public):
    """``POST`` multipart: ``record, requester_name, contact, description`` and ``evidence`` files."""

    parser_classes = [MultiPartParser, FormParser]
    throttle_classes = [SubmitThrottle]

    @extend_schema(request={"multipart/form-data": s.CorrectionInput}, responses={201: s.SubmittedOutput})
    def post(self, request: ApiRequest) -> Response:
        data, files = _with_evidence(request, s.CorrectionInput)
        created = svc.correction_submit(record_id=data["record"], requester_name=data["requester_name"],
                                        contact=data["contact"], description=data["description"], files=files)
        return Response(s.SubmittedOutput(created).data, status=status.HTTP_201_CREATED)


class RepairCreate(_Public):
    """``POST`` multipart: ``record, requester_name, contact, commitment`` and ``evidence`` files: a
    credit-repair application (信用修复, NDRC Order 2025 No. 36) for a public penalty or dishonest-list
    record. Refused (400, on ``record``, with the reason) for another kind of record, before the
    record's earliest repair date (the date is given), or while an application for it is open."""

    parser_classes = [MultiPartParser, FormParser]
    throttle_classes = [SubmitThrottle]

    @extend_schema(request={"multipart/form-data": s.RepairInput}, responses={201: s.SubmittedOutput})
    def post(self, request: ApiRequest) -> Response:
        data, files = _with_evidence(request, s.RepairInput)
        created = svc.repair_submit(record_id=data["record"], requester_name=data["requester_name"],
                                    contact=data["contact"], commitment=data["commitment"], files=files)
        return Response(s.SubmittedOutput(created).data, status=status.HTTP_201_CREATED)


class QueryCreate(_Public):
    """``POST {requester_name, contact, question, record?, agency?}``; due in 20 working days."""

    parser_classes = [JSONParser, FormParser, MultiPartParser]
    throttle_classes = [SubmitThrottle]

    @extend_schema(request=s.QueryInput, responses={201: s.SubmittedOutput})
    def post(self, request: ApiRequest) -> Response:
        svc.request_body_check(content_length=_content_length(request))
        data = s.QueryInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        created = svc.query_submit(requester_name=v["requester_name"], contact=v["contact"], question=v["question"],
                                   record_id=v.get("record"), agency_code=v.get("agency") or "")
        return Response(s.SubmittedOutput(created).data, status=status.HTTP_201_CREATED)


class StatementCreate(_Public):
    """``POST {record, requester_name, contact, statement}`` (JSON or a form): the subject of a
    public record states its side (当事人陈述), at most ``PUBLIC_STATEMENT_MAX_CHARS`` characters.
    The record's agency checks it is not abusive (5 working days, the bureau's practice); accepted,
    it is shown beside the record, masked, as the subject's own words. 400 with the reason when the
    record is not in the public search, the text is empty or too long, or a statement about the
    record is already waiting for the check."""

    parser_classes = [JSONParser, FormParser, MultiPartParser]
    throttle_classes = [SubmitThrottle]

    @extend_schema(request=s.StatementInput, responses={201: s.SubmittedOutput})
    def post(self, request: ApiRequest) -> Response:
        svc.request_body_check(content_length=_content_length(request))
        data = s.StatementInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        created = svc.statement_submit(record_id=v["record"], requester_name=v["requester_name"],
                                       contact=v["contact"], statement=v["statement"])
        return Response(s.SubmittedOutput(created).data, status=status.HTTP_201_CREATED)


class PublicRequestStatus(_Public):
    """The status of a correction, query, statement or credit-repair application, for whoever holds its
    tracking code."""

    throttle_classes = [SearchThrottle]

    @extend_schema(responses=s.PublicRequestOutput)
    def get(self, request: ApiRequest, code: str) -> Response:
        return Response(s.PublicRequestOutput(svc.request_by_tracking_code(code=code)).data)


def _pdf(body: bytes, request: CitizenRequest) -> HttpResponse:
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="reply-{request.pk}.pdf"'
    return response


class PublicReplyPdf(_Public):
    """The written reply of an answered query, through its tracking code."""

    throttle_classes = [SearchThrottle]

    @extend_schema(responses={(200, "application/pdf"): bytes})
    def get(self, request: ApiRequest, code: str) -> HttpResponse:
        citizen_request = svc.request_by_tracking_code(code=code)
        return _pdf(reply_pdf(request=citizen_request), citizen_request)


class DeadlineCalculator(_Public):
    """``?kind=&date=`` → the due date, provisional or not, and every day counted specially."""

    throttle_classes = [SearchThrottle]

    @extend_schema(parameters=[s.DeadlineInput])
    def get(self, request: ApiRequest) -> Response:
        data = s.DeadlineInput(data=request.query_params)
        data.is_valid(raise_exception=True)
        result = deadline_explain(kind=data.validated_data["kind"], event_date=data.validated_data["date"])
        return Response({
            "kind": result.kind, "event_date": result.event_date, "period": result.period, "unit": result.unit,
            "article": result.article, "first_day": result.first_day, "due_date": result.due_date,
            "provisional": result.provisional,
            "days": [{"date": n.date, "kind": n.kind, "name": n.name, "counted": n.counted} for n in result.notes],
        })


# -- the agencies' queue -------------------------------------------------------------------------------------
class RequestFilter(django_filters.FilterSet):  # type: ignore[misc]  # django-filter ships no types
    kind = django_filters.ChoiceFilter(choices=RequestKind.choices)
    status = django_filters.ChoiceFilter(choices=RequestStatus.choices)
    open = django_filters.BooleanFilter(method="filter_open")

    class Meta:
        model = CitizenRequest
        fields = ["kind", "status"]

    def filter_open(
        self, queryset: QuerySet[CitizenRequest], name: str, value: bool | None
    ) -> QuerySet[CitizenRequest]:
        if value is None:
            return queryset
        return queryset.open() if value else queryset.exclude(pk__in=queryset.open().values("pk"))  # type: ignore[attr-defined]


def _staff(request: ApiRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


class RequestViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Corrections, queries, statements and credit-repair applications addressed to the caller's
    agencies (API.md "Requests", "Credit repair"); ``?kind=repair`` for the applications."""

    serializer_class = s.RequestOutput
    filter_backends = [DjangoFilterBackend]
    filterset_class = RequestFilter

    def get_queryset(self) -> QuerySet[CitizenRequest]:
        return requests_visible_to(_staff(self.request))

    def get_object(self) -> CitizenRequest:
        found = self.get_queryset().filter(pk=_pk(str(self.kwargs["pk"]))).first()
        if found is None:
            raise NotVisible(_("Not found."))
        return found

    @extend_schema(request=s.AnswerInput, responses=s.RequestOutput)
    @action(detail=True, methods=["post"])
    def answer(self, request: ApiRequest, pk: str) -> Response:
        target = svc.request_for_action(actor=_staff(request), request_id=_pk(pk))
        data = s.AnswerInput(data=request.data)
        data.is_valid(raise_exception=True)
        answered = svc.request_answer(actor=_staff(request), request=target, **data.validated_data)
        return Response(s.RequestOutput(self.get_queryset().get(pk=answered.pk)).data)

    @extend_schema(responses={(200, "application/pdf"): bytes})
    @action(detail=True, methods=["get"], url_path="reply.pdf", filterset_class=None)
    def reply_pdf(self, request: ApiRequest, pk: str) -> HttpResponse:
        target = self.get_object()
        return _pdf(reply_pdf(request=target), target)

    @extend_schema(responses={(200, "application/octet-stream"): bytes})
    @action(detail=True, methods=["get"], url_path=r"evidence/(?P<evidence_id>\d+)", filterset_class=None)
    def evidence(self, request: ApiRequest, pk: str, evidence_id: str) -> FileResponse:
        item = self.get_object().evidence.filter(pk=int(evidence_id)).first()
        if item is None:
            raise NotVisible(_("Not found."))
        return FileResponse(item.file.open("rb"), as_attachment=True, filename=item.original_name,
                            content_type=item.content_type)


# -- the outbound feed -------------------------------------------------------------------------------------------
class IsPlatform(BasePermission):
    """Receiving platforms (role ``platform``) and system administrators."""

    def has_permission(self, request: Any, view: Any) -> bool:
        user = request.user
        if not user.is_authenticated:
            return False
        membership = getattr(user, "membership", None)
        return bool(user.is_superuser or (membership and membership.role == Role.PLATFORM))


class Feed(APIView):
    """``GET ?after=CURSOR&limit=N``: every publish/change/correct/statement/reclassify/revoke/expire/
    repair after the cursor, in order (revoke, expire and repair take the record down: ``public``
    false). Resume with ``next``; positions are gap-free and never reused."""

    permission_classes = [IsPlatform]

    @extend_schema(parameters=[
        OpenApiParameter("after", int, description="the last position you processed (0 to start)"),
        OpenApiParameter("limit", int, description="events per page"),
    ])
    def get(self, request: ApiRequest) -> Response:
        after = whole_number(request.query_params.get("after", "0") or "0")
        limit = whole_number(request.query_params.get("limit", "") or str(settings.PUBLIC_FEED_PAGE_SIZE))
        if after is None or not limit:
            raise ApplicationError(_("Invalid input."), {
                "after" if after is None else "limit": [_("A non-negative whole number.")]})
        limit = min(limit, settings.PUBLIC_FEED_MAX_PAGE_SIZE)
        events = feed_after(after=after, limit=limit)
        return Response({
            "events": [feed_item(e) for e in events],
            "next": events[-1].position if events else after,
            "has_more": len(events) == limit,
        })
