"""``GET /api/v1/exchange/{dataset}/``: the national standard's exchange files (Art. 6, API.md)."""
from __future__ import annotations

import tempfile
from typing import Any

from django.http import FileResponse, HttpResponseBase, StreamingHttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.views import APIView

from backend.errors import AccessDenied
from disclosure.auth import request_user
from disclosure.kinds.exchange import DATASET_KINDS
from disclosure.selectors.exchange import (
    FORMATS,
    csv_chunks,
    exchange_params,
    exchange_rows,
    exchange_scope,
    file_name,
    json_chunks,
    stream_rows,
    write_xlsx,
)

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# The schema documents each file format's media type (without parameters) for a 200.
_MEDIA_TYPES = sorted({content_type.partition(";")[0] for content_type in CONTENT_TYPES.values()})
# format=json: the period, the headings in order and one object a row (heading → text).
_EXCHANGE_JSON = inline_serializer("ExchangeFile", {
    "dataset": serializers.CharField(), "from": serializers.CharField(), "to": serializers.CharField(),
    "columns": serializers.ListField(child=serializers.CharField()),
    "rows": serializers.ListField(child=serializers.DictField()),
})
_EXCHANGE_FILE = (
    "One row per published record; columns: the standard's headings (README.md, National standard mapping). "
    "Amounts in 万元 (up to 6 decimals), dates YYYY/MM/DD as the standard writes them (ISO in JSON), 有效期至 "
    "long-term as 2099/12/31, 公示截止期 the last day shown.")


class Exchange(APIView):
    """One dataset of the national standard for a publication period: CSV (UTF-8 with BOM), XLSX
    or JSON, the standard's Chinese headings in its order. Platform and auditor accounts get every
    agency's records, agency staff their own subtree's; natural persons' ID numbers are given as
    they are only to platform accounts (government-to-government), masked for everyone else."""

    permission_classes = [IsAuthenticated]

    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        # ``format`` names the file format here, not a renderer: errors are always JSON.
        return JSONRenderer(), JSONRenderer.media_type

    @extend_schema(
        parameters=[
            OpenApiParameter("dataset", str, OpenApiParameter.PATH, enum=list(DATASET_KINDS)),
            OpenApiParameter("from", OpenApiTypes.DATE, required=True, description="first publication date"),
            OpenApiParameter("to", OpenApiTypes.DATE, required=True, description="last publication date"),
            OpenApiParameter("format", str, enum=list(FORMATS), description="csv (default), xlsx or json"),
        ],
        responses={(200, media_type): OpenApiResponse(
            _EXCHANGE_JSON if media_type == "application/json" else OpenApiTypes.BINARY, description=_EXCHANGE_FILE)
            for media_type in _MEDIA_TYPES},
    )
    def get(self, request: Request, dataset: str) -> HttpResponseBase:
        date_from, date_to, fmt = exchange_params(dataset, request.query_params)
        scope = exchange_scope(request_user(request))
        if scope is None:
            raise AccessDenied(_("Only platform, auditor and agency accounts may export."))
        rows = stream_rows(exchange_rows(scope=scope, dataset=dataset, date_from=date_from, date_to=date_to))
        name = file_name(dataset, date_from, date_to, fmt)
        if fmt == "xlsx":
            out = tempfile.TemporaryFile()
            write_xlsx(rows, dataset, raw_ids=scope.raw_ids, out=out)
            out.seek(0)
            return FileResponse(out, as_attachment=True, filename=name, content_type=CONTENT_TYPES["xlsx"])
        chunks = (csv_chunks(rows, dataset, raw_ids=scope.raw_ids) if fmt == "csv" else
                  json_chunks(rows, dataset, raw_ids=scope.raw_ids, date_from=date_from, date_to=date_to))
        response = StreamingHttpResponse(chunks, content_type=CONTENT_TYPES[fmt])
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
