"""Thin DRF views of the inspections API (under /api/v1/inspections/): parse, call one service or
selector, serialize. Lists are scoped by the selectors and paginated; writes are checked by the
services (404 for another agency's object, 403 for a read-only caller)."""
from __future__ import annotations

from typing import Any

from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from backend.errors import ApplicationError
from backend.ids import whole_number
from disclosure.auth import request_user
from disclosure.models import BackfillBatch
from disclosure.services import backfill
from inspections import conf
from inspections import selectors as sel
from inspections import serializers as s
from inspections.models import Entity, Inspector, Plan, Result, Task
from inspections.services import directory, plans
from inspections.verification import draw_verify


class FileTooLarge(ApplicationError):
    status_code = 413


def _valid(serializer_class: type, request: Request) -> dict[str, Any]:
    serializer = serializer_class(data=request.data, context={"request": request})
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _upload(request: Request) -> tuple[str, bytes, bool]:
    data = _valid(s.ImportInput, request)
    upload = data["file"]
    if upload.size > conf.import_max_bytes():
        raise FileTooLarge(_("The file is larger than %(n)d bytes.") % {"n": conf.import_max_bytes()},
                           {"file": [_("File too large.")]})
    return upload.name, upload.read(), data["dry_run"]


def _import_response(report: Any) -> Response:
    body = report.as_dict()
    if report.errors:
        return Response({"detail": _("Nothing was imported: the file has errors."), "errors": {
            "rows": [f"{e.row}:{e.field}: {e.message}" for e in report.errors]}, "report": body},
            status=status.HTTP_400_BAD_REQUEST)
    return Response(body, status=status.HTTP_200_OK if report.dry_run else status.HTTP_201_CREATED)


class _Scoped(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_object(self) -> Any:
        return sel.visible_or_404(self.get_queryset(), self.kwargs["pk"])

    def _writable(self, model: type[Model]) -> Any:
        """The object for a write, fetched unscoped: the service answers 404 or 403 (audited)."""
        return sel.visible_or_404(model._default_manager.select_related(*self.write_related), self.kwargs["pk"])

    write_related: tuple[str, ...] = ()


class EntityViewSet(_Scoped):
    """The directory of inspected entities of the caller's agencies."""

    serializer_class = s.EntityOutput
    filter_backends = [DjangoFilterBackend]
    filterset_class = sel.EntityFilter
    write_related = ("agency",)

    def get_queryset(self) -> QuerySet[Entity]:
        return sel.entity_list(user=request_user(self.request))

    @extend_schema(request=s.EntityInput, responses={201: s.EntityOutput})
    def create(self, request: Request) -> Response:
        data = _valid(s.EntityInput, request)
        entity = directory.entity_create(actor=request_user(request), agency=data.pop("agency"), values=data)
        return Response(s.EntityOutput(entity).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.EntityEditInput, responses=s.EntityOutput)
    def partial_update(self, request: Request, pk: str) -> Response:
        entity = self._writable(Entity)
        serializer = s.EntityEditInput(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        entity = directory.entity_update(
            actor=request_user(request), entity=entity, values=dict(serializer.validated_data)
        )
        return Response(s.EntityOutput(entity).data)

    @extend_schema(request=None, responses=s.EntityOutput)
    @action(detail=True, methods=["post"])
    def deactivate(self, request: Request, pk: str) -> Response:
        entity = directory.entity_deactivate(actor=request_user(request), entity=self._writable(Entity))
        return Response(s.EntityOutput(entity).data)

    @extend_schema(request=s.ImportInput, responses=dict)
    @action(detail=False, methods=["post"], url_path="import", parser_classes=[MultiPartParser, FormParser])
    def import_file(self, request: Request) -> Response:
        name, data, dry_run = _upload(request)
        return _import_response(directory.entities_import(actor=request_user(request), file_name=name, data=data,
                                                          dry_run=dry_run))


class InspectorViewSet(_Scoped):
    """The inspector pools of the caller's agencies."""

    serializer_class = s.InspectorOutput
    write_related = ("agency",)

    def get_queryset(self) -> QuerySet[Inspector]:
        return sel.inspector_list(user=request_user(self.request))

    @extend_schema(request=s.InspectorInput, responses={201: s.InspectorOutput})
    def create(self, request: Request) -> Response:
        data = _valid(s.InspectorInput, request)
        inspector = directory.inspector_create(actor=request_user(request), **data)
        return Response(s.InspectorOutput(inspector).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=s.InspectorOutput)
    @action(detail=True, methods=["post"])
    def deactivate(self, request: Request, pk: str) -> Response:
        inspector = directory.inspector_deactivate(actor=request_user(request), inspector=self._writable(Inspector))
        return Response(s.InspectorOutput(inspector).data)

    @extend_schema(request=s.ConflictInput, responses={201: s.ConflictOutput})
    @action(detail=True, methods=["post"])
    def conflicts(self, request: Request, pk: str) -> Response:
        inspector = self._writable(Inspector)
        data = _valid(s.ConflictInput, request)
        conflict = directory.conflict_declare(actor=request_user(request), inspector=inspector, **data)
        return Response(s.ConflictOutput(conflict).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.ImportInput, responses=dict)
    @action(detail=False, methods=["post"], url_path="import", parser_classes=[MultiPartParser, FormParser])
    def import_file(self, request: Request) -> Response:
        name, data, dry_run = _upload(request)
        return _import_response(directory.inspectors_import(actor=request_user(request), file_name=name, data=data,
                                                            dry_run=dry_run))


class ConflictViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Declared conflicts of interest in the caller's agencies' pools."""

    serializer_class = s.ConflictOutput

    def get_queryset(self) -> QuerySet[Any]:
        return sel.conflict_list(user=request_user(self.request))


class PlanViewSet(_Scoped):
    """Inspection plans; approving one draws its tasks."""

    serializer_class = s.PlanOutput
    write_related = ("agency",)

    def get_queryset(self) -> QuerySet[Plan]:
        return sel.plan_list(user=request_user(self.request))

    @extend_schema(request=s.PlanInput, responses={201: s.PlanOutput})
    def create(self, request: Request) -> Response:
        data = _valid(s.PlanInput, request)
        plan = plans.plan_create(actor=request_user(request), agency=data.pop("agency"), values=data)
        return Response(s.PlanOutput(plan).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={201: s.DrawOutput})
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str) -> Response:
        draw = plans.plan_approve(actor=request_user(request), plan=self._writable(Plan))
        return Response(s.DrawOutput(draw).data, status=status.HTTP_201_CREATED)


class DrawViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """A draw with its seed, eligible lists, digests and result, and its verification."""

    serializer_class = s.DrawOutput

    def get_object(self) -> Any:
        return sel.draw_get(user=request_user(self.request), draw_id=self.kwargs["pk"])

    @extend_schema(responses=s.VerificationOutput)
    @action(detail=True, methods=["get"])
    def verify(self, request: Request, pk: str) -> Response:
        return Response(draw_verify(draw=self.get_object()).as_dict())


class TaskViewSet(_Scoped):
    """Drawn inspection tasks, each with its record; ``POST result/`` records the result."""

    serializer_class = s.TaskOutput
    write_related = ("plan__agency", "entity", "record")

    def get_queryset(self) -> QuerySet[Task]:
        queryset = sel.task_list(user=request_user(self.request))
        plan = self.request.query_params.get("plan", "")
        plan_id = whole_number(plan)
        return queryset if plan_id is None else queryset.filter(plan_id=plan_id)

    @extend_schema(request=s.ResultInput, responses={201: s.ResultOutput})
    @action(detail=True, methods=["post"])
    def result(self, request: Request, pk: str) -> Response:
        task = self._writable(Task)
        data = _valid(s.ResultInput, request)
        result = plans.result_create(actor=request_user(request), task=task, **data)
        return Response(s.ResultOutput(result).data, status=status.HTTP_201_CREATED)


class ResultViewSet(_Scoped):
    """Inspection results; ``POST penalty/`` names the penalty a result led to."""

    serializer_class = s.ResultOutput
    write_related = ("task__plan__agency", "task__entity")

    def get_queryset(self) -> QuerySet[Result]:
        return sel.result_list(user=request_user(self.request))

    @extend_schema(request=s.PenaltyInput, responses=s.ResultOutput)
    @action(detail=True, methods=["post"])
    def penalty(self, request: Request, pk: str) -> Response:
        result = self._writable(Result)
        data = _valid(s.PenaltyInput, request)
        result = plans.result_link_penalty(actor=request_user(request), result=result, penalty=data["penalty"])
        return Response(s.ResultOutput(result).data)


class BackfillViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Backfill imports (补录): ``POST`` a file (``dry_run`` to rehearse); ``GET`` your batches."""

    serializer_class = s.BatchOutput
    parser_classes = [MultiPartParser, FormParser]

    def get_queryset(self) -> QuerySet[BackfillBatch]:
        user = request_user(self.request)
        batches = BackfillBatch.objects.select_related("imported_by").order_by("-id")
        return batches if user.is_superuser else batches.filter(imported_by=user)

    @extend_schema(request=s.ImportInput, responses=dict)
    def create(self, request: Request) -> Response:
        name, data, dry_run = _upload(request)
        return _import_response(backfill.backfill_import(actor=request_user(request), file_name=name, data=data,
                                                         dry_run=dry_run, max_rows=conf.web_import_max_rows()))
