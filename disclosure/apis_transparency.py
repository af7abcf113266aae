"""The transparency log's public API (API.md, "Transparency log"): no login, JSON (the checkpoint:
text), every hash and signature in standard base64. Bad numbers answer 400, sizes and versions
the log does not have 404, in the JSON error format."""
from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.request import Request as ApiRequest
from rest_framework.response import Response

from backend.errors import ApplicationError
from backend.ids import whole_number
from disclosure import serializers as s
from disclosure.apis_public import SearchThrottle, _Public
from disclosure.selectors import transparency as sel


def _number(request: ApiRequest, name: str, *, required: bool = False, minimum: int = 0) -> int | None:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        if required:
            raise ApplicationError(_("Invalid input."), {name: [_("This parameter is required.")]})
        return None
    number = whole_number(raw)
    if number is None or number < minimum:
        message = _("A whole number of at least %(minimum)d.") % {"minimum": minimum}
        raise ApplicationError(_("Invalid input."), {name: [message]})
    return number


class _Log(_Public):
    """Anonymous, throttled per address like the public search (a proof is cheap, a flood is not)."""

    throttle_classes = [SearchThrottle]


def _size(description: str) -> OpenApiParameter:
    return OpenApiParameter("tree_size", OpenApiTypes.INT, description=description)


class TreeHead(_Log):
    """The newest signed tree head, or (``?tree_size=N``) the newest one of that size."""

    @extend_schema(parameters=[_size("a tree size that has a signed head")], responses=s.TreeHeadOutput)
    def get(self, request: ApiRequest) -> Response:
        size = _number(request, "tree_size")
        head = sel.head_newest() if size is None else sel.head_for_size(size)
        return Response(sel.head_json(head))


class PublicKeys(_Log):
    """Every key that has signed a head, the current one last: a head signed before a key rotation
    still verifies with its key. ``note_verifier_key`` is the C2SP signed-note verifier key."""

    @extend_schema(responses=s.PublicKeyOutput(many=True))
    def get(self, request: ApiRequest) -> Response:
        origin = settings.TRANSPARENCY_LOG_ORIGIN
        return Response([{"key_id": key.key_id, "algorithm": "ed25519", "public_key": sel.b64(sel.spki_der(
            bytes(key.public_key))), "public_key_raw": sel.b64(key.public_key),
            "note_verifier_key": sel.note_verifier_key(origin, bytes(key.public_key)),
            "first_used": key.first_used} for key in sel.public_keys()])


def _shown(leaf: Any) -> str | None:
    content = sel.leaf_shown(leaf)
    return None if content is None else sel.b64(content)


class Leaves(_Log):
    """Leaves ``start`` to ``end``, both inclusive and 0-based (RFC 6962 get-entries), at most 1000:
    ``leaf`` is the base64 of the bytes whose hash ``leaf_hash`` is SHA-256(0x00 ‖ leaf); null once
    the record has left the public view (its hash stays, so proofs still verify)."""

    @extend_schema(parameters=[
        OpenApiParameter("start", OpenApiTypes.INT, required=True, description="first leaf index (0-based)"),
        OpenApiParameter("end", OpenApiTypes.INT, description="last leaf index, inclusive"),
    ], responses=s.LeafOutput(many=True))
    def get(self, request: ApiRequest) -> Response:
        start = _number(request, "start", required=True)
        assert start is not None
        leaves = sel.leaves_between(start=start, end=_number(request, "end"))
        return Response([{"index": leaf.index, "position": leaf.event_id, "record": leaf.event.record_id,
                          "version": leaf.event.version.number, "leaf": _shown(leaf), "leaf_hash": sel.b64(leaf.hash)}
                         for leaf in leaves])


class InclusionProof(_Log):
    """The audit path of a record version's leaf in the tree of ``tree_size`` (default: the newest
    signed head's), RFC 9162 2.1.3; ``leaf`` is the leaf's bytes, so the caller hashes them itself
    (null once the record has left the public view: then check ``leaf_hash``)."""

    @extend_schema(parameters=[
        OpenApiParameter("record", OpenApiTypes.INT, required=True, description="record id"),
        OpenApiParameter("version", OpenApiTypes.INT, required=True, description="version number"),
        _size("the tree (a signed head's size); default the newest head"),
    ], responses=s.InclusionOutput)
    def get(self, request: ApiRequest) -> Response:
        record = _number(request, "record", required=True)
        version = _number(request, "version", required=True)
        size = _number(request, "tree_size", minimum=1)
        assert record is not None and version is not None
        proof = sel.inclusion_proof(record_id=record, version=version, size=size)
        return Response({"leaf_index": proof.leaf.index, "tree_size": proof.tree_size,
                         "audit_path": [sel.b64(h) for h in proof.audit_path],
                         "leaf": _shown(proof.leaf), "leaf_hash": sel.b64(proof.leaf.hash)})


class ConsistencyProof(_Log):
    """The proof that the tree of ``second`` (default: the newest head's size) extends the tree of
    ``first``, RFC 9162 2.1.4; empty when they are equal."""

    @extend_schema(parameters=[
        OpenApiParameter("first", OpenApiTypes.INT, required=True, description="the older tree size (≥ 1)"),
        OpenApiParameter("second", OpenApiTypes.INT, description="the newer tree size; default the newest head"),
    ], responses=s.ConsistencyOutput)
    def get(self, request: ApiRequest) -> Response:
        first = _number(request, "first", required=True, minimum=1)
        assert first is not None
        first, second, proof = sel.consistency_proof(first=first, second=_number(request, "second", minimum=1))
        return Response({"first": first, "second": second, "proof": [sel.b64(h) for h in proof]})


class Checkpoint(_Log):
    """The newest head (or ``?tree_size=N``'s) as a C2SP tlog-checkpoint in a C2SP signed note:
    what note verifiers and witnesses read."""

    def perform_content_negotiation(self, request: ApiRequest, force: bool = False) -> Any:
        # The checkpoint is text/plain whatever the client accepts (note verifiers and witnesses
        # ask for text/plain: no 406 for them); an error stays the JSON error format.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(parameters=[_size("a tree size that has a signed head")],
                   responses={(200, "text/plain"): OpenApiResponse(OpenApiTypes.STR)})
    def get(self, request: ApiRequest) -> Any:
        size = _number(request, "tree_size")
        head = sel.head_newest() if size is None else sel.head_for_size(size)
        return HttpResponse(sel.checkpoint_text(head), content_type="text/plain; charset=utf-8")
