"""Thin DRF views: parse input, call one service or selector, serialize the result."""
from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import generics, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.errors import NotVisible
from backend.ids import whole_number
from disclosure import serializers as s
from disclosure.auth import request_user
from disclosure.models import Agency, Record
from disclosure.selectors.access import records_visible_to
from disclosure.selectors.records import RecordFilter, record_list, record_versions
from disclosure.services import records as svc
from disclosure.services.users import user_create
from scheduler.models import Notice
from scheduler.selectors import notices_of_record
from scheduler.serializers import NoticeOutput


def _valid(serializer_class: type, request: Request, **kwargs: Any) -> dict[str, Any]:
    serializer = serializer_class(data=request.data, context={"request": request}, **kwargs)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _grounds(data: dict[str, Any]) -> dict[str, str]:
    """Why a published record changes: reason, legal basis and document number (Art. 9)."""
    return {key: data[key] for key in ("reason", "legal_basis", "document_number")}


class RecordViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Supervision records of the caller's agencies (API.md "Records")."""

    serializer_class = s.RecordOutput
    filter_backends = [DjangoFilterBackend]
    filterset_class = RecordFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Record]:
        return record_list(user=request_user(self.request))

    def _record_id(self) -> int:
        pk = whole_number(self.kwargs["pk"])
        if pk is None:
            raise NotVisible(_("Not found."))
        return pk

    def _for_action(self, action_name: str) -> Record:
        return svc.record_for_action(actor=request_user(self.request), record_id=self._record_id(), action=action_name)

    @extend_schema(request=s.RecordInput, responses={201: s.RecordOutput})
    def create(self, request: Request) -> Response:
        data = _valid(s.RecordInput, request)
        agency = data.pop("agency")
        record = svc.record_create(actor=request_user(request), agency=agency, values=data)
        return Response(s.RecordOutput(record).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.RecordEditInput, responses=s.RecordOutput)
    def partial_update(self, request: Request, pk: str) -> Response:
        record = self._for_action("edit")
        data = _valid(s.RecordEditInput, request)
        version = data.pop("version")
        record = svc.record_edit(actor=request_user(request), record=record, version=version, values=data)
        return Response(s.RecordOutput(record).data)

    @extend_schema(request=s.PublishInput, responses=s.PublishOutput)
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, pk: str) -> Response:
        record = self._for_action("publish")
        data = _valid(s.PublishInput, request)
        record = svc.record_publish(actor=request_user(request), record=record, version=data.get("version"))
        return Response(s.PublishOutput(record).data)

    @extend_schema(request=s.ChangeInput, responses=s.RecordOutput)
    @action(detail=True, methods=["post"])
    def change(self, request: Request, pk: str) -> Response:
        record = self._for_action("change")
        data = _valid(s.ChangeInput, request)
        record = svc.record_change(
            actor=request_user(request), record=record, changes=data["changes"],
            correction=data["type"] == "correction", version=data.get("version"), **_grounds(data),
        )
        return Response(s.RecordOutput(record).data)

    @extend_schema(request=s.ActionInput, responses=s.RecordOutput)
    @action(detail=True, methods=["post"])
    def revoke(self, request: Request, pk: str) -> Response:
        record = self._for_action("revoke")
        data = _valid(s.ActionInput, request)
        record = svc.record_revoke(
            actor=request_user(request), record=record, version=data.get("version"), **_grounds(data)
        )
        return Response(s.RecordOutput(record).data)

    @extend_schema(responses=s.VersionOutput(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def versions(self, request: Request, pk: str) -> Response:
        record = self.get_object()
        return Response(s.VersionOutput(record_versions(record=record), many=True).data)

    def get_object(self) -> Record:
        record = self.get_queryset().filter(pk=self._record_id()).first()
        if record is None:
            raise NotVisible(_("Not found."))
        return record


class AgencyList(APIView):
    """The agency tree, in tree order: ``[{code, name, parent, kind}]``."""

    @extend_schema(responses=s.AgencyOutput(many=True))
    def get(self, request: Request) -> Response:
        agencies = Agency.objects.select_related("parent").order_by("path")
        return Response(s.AgencyOutput(agencies, many=True).data)


class UserCreate(APIView):
    """Create a staff account (superuser, or an agency admin within the agency's subtree)."""

    @extend_schema(request=s.UserInput, responses={201: s.UserOutput})
    def post(self, request: Request) -> Response:
        data = _valid(s.UserInput, request)
        user, membership, token = user_create(
            actor=request_user(request), username=data["username"], password=data["password"],
            agency_code=data["agency"], role=data["role"], email=data["email"],
        )
        return Response(
            {"username": user.get_username(), "agency": membership.agency.code, "role": membership.role,
             "token": token.key},
            status=status.HTTP_201_CREATED,
        )


class RecordNotices(generics.ListAPIView):
    """The deadline notices about one record: part of its history (Art. 12)."""

    serializer_class = NoticeOutput
    pagination_class = None

    def get_queryset(self) -> QuerySet[Notice]:
        record = records_visible_to(request_user(self.request)).filter(pk=self.kwargs["pk"]).first()
        if record is None:
            raise NotVisible(_("Not found."))
        return notices_of_record(record_id=record.pk)
