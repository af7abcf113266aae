"""Input and output serializers: types, choices and lengths only; rules live in the services."""
from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from backend.ids import whole_number
from backend.serializer_fields import DayField
from disclosure.kinds import RecordKind
from disclosure.kinds.spec import ALL_FIELDS, KIND_FIELDS, Field, FieldType
from disclosure.models import (
    Agency,
    CitizenRequest,
    Disclosure,
    PenaltyType,
    PublicRecord,
    Record,
    RecordVersion,
    RequestStatus,
    Role,
    Severity,
    SubjectType,
)
from disclosure.selectors.access import VIEW, agencies_for
from scheduler.rules import CORRECTION_REPLY, QUERY_REPLY, REPAIR_REPLY, STATEMENT_REPLY

if TYPE_CHECKING:  # django-stubs' helper type; the package is a development dependency
    from django_stubs_ext import StrOrPromise


def _choice(choices: Any, what: StrOrPromise, **kwargs: Any) -> serializers.ChoiceField:
    """A choice field whose error names the valid values (translated when the request is served)."""
    message = format_lazy(
        _('"{{input}}" is not a valid {what}; expected one of: {values}.'),
        what=what, values=", ".join(str(c) for c in dict(choices)),
    )
    return serializers.ChoiceField(choices=choices, error_messages={"invalid_choice": message}, **kwargs)


@extend_schema_field(OpenApiTypes.INT)
class VisibleRecordField(serializers.PrimaryKeyRelatedField):
    """The id of a record the requesting user may see. Any other id gets the answer a missing one
    gets, so the error tells nothing about other agencies' records (their existence or kind).
    Needs ``context={"request": request}``."""

    def get_queryset(self) -> Any:
        user = getattr(self.context.get("request"), "user", None)
        if user is None or not user.is_authenticated:
            return Record.objects.none()
        return Record.objects.filter(agency__in=agencies_for(user, VIEW))


class IdField(serializers.IntegerField):
    """An id: a JSON number or a string of ASCII digits, through the one check every id goes through
    (``backend.ids.whole_number``). "１２" and "١٢" are digits ``int()`` reads, but no id of ours."""

    default_error_messages = {"invalid": _("A number written with the digits 0-9 is required.")}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 10**18 - 1)  # what ``whole_number`` reads
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> int:
        number = None if isinstance(data, bool) else whole_number(data.strip() if isinstance(data, str) else data)
        if number is None:
            self.fail("invalid")
        return number


class AgencyCodeField(serializers.SlugRelatedField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(slug_field="code", queryset=Agency.objects.all(), **kwargs)
        self.error_messages["does_not_exist"] = _("No agency has the code {value}.")


def _detail_field(spec: Field) -> serializers.Field:
    """The serializer field of one standard field (``disclosure.kinds.spec``): its type, length and
    code list; the service checks the rest (which kinds and subjects carry it, ID numbers)."""
    kinds = ", ".join(k for k, fields in KIND_FIELDS.items() if spec in fields) or _("every kind (subject)")
    parts = [str(spec.label)]
    if spec.heading:
        parts.append(f"标准项: {spec.heading}" + (f" ({spec.code})" if spec.code else ""))
    parts.append(f"kinds: {kinds}")
    if not spec.public:
        parts.append("never public")
    if spec.help:
        parts.append(str(spec.help))
    common: dict[str, Any] = {"required": False, "allow_null": True, "help_text": "; ".join(parts)}
    if spec.type == FieldType.CODE:
        assert spec.choices is not None
        return _choice(spec.choices.choices, str(spec.label), allow_blank=True, **common)
    if spec.type == FieldType.BOOL:
        return serializers.BooleanField(**common)
    if spec.type == FieldType.DATE:
        return DayField(**common)
    if spec.type == FieldType.YUAN:
        return serializers.DecimalField(max_digits=14, decimal_places=2, min_value=Decimal(0), **common)
    if spec.type == FieldType.INSPECTORS:
        return serializers.ListField(child=InspectorInput(), max_length=50, **common)
    max_length = spec.max_length if spec.type == FieldType.TEXT else 64
    return serializers.CharField(max_length=max_length, allow_blank=True, **common)


class InspectorInput(serializers.Serializer):
    name = serializers.CharField(max_length=50, help_text="检查人员")
    badge = serializers.CharField(max_length=50, help_text="执法证号")


class RecordDetailsInput(serializers.Serializer):
    """The national standard's fields of a record (``disclosure.kinds.spec``): each kind carries
    the subject's fields and its own; a null or empty value removes a field from a draft."""

    def get_fields(self) -> dict[str, serializers.Field]:
        return {spec.name: _detail_field(spec) for spec in ALL_FIELDS.values() if not spec.exchange_only}

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            unknown = sorted(str(k) for k in data if k not in self.fields)
            if unknown:
                raise serializers.ValidationError({k: [_("Unknown field.")] for k in unknown})
        return super().to_internal_value(data)


def _flat_details(detail: Any) -> Any:
    """Errors of the nested ``details`` keyed ``details.<field>``, as the services name them."""
    if not isinstance(detail, dict) or not isinstance(detail.get("details"), dict):
        return detail
    out = {k: v for k, v in detail.items() if k != "details"}
    for name, messages in detail["details"].items():
        out[f"details.{name}"] = messages if isinstance(messages, list) else [messages]
    return out


class RecordDetailsOutput(RecordDetailsInput):
    """The stored standard fields of a record, as they are (only the fields it has)."""

    def to_representation(self, instance: Any) -> dict[str, Any]:
        return dict(instance or {})


class RecordInput(serializers.Serializer):
    kind = _choice(RecordKind.choices, _("record kind"))
    agency = AgencyCodeField()
    title = serializers.CharField(max_length=300)
    subject_name = serializers.CharField(max_length=200)
    subject_code = serializers.CharField(max_length=40, required=False, allow_blank=True)
    subject_type = _choice(SubjectType.choices, _("subject type"), required=False)
    event_date = DayField()
    content = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    legal_basis = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    document_number = serializers.CharField(required=False, allow_blank=True, max_length=100)
    disclosure = _choice(Disclosure.choices, _("disclosure attribute"), required=False)
    withheld_reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    surprise = serializers.BooleanField(required=False)
    backfill = serializers.BooleanField(required=False)
    task = VisibleRecordField(required=False, allow_null=True)
    penalty_types = serializers.ListField(child=_choice(PenaltyType.choices, _("penalty type")), required=False,
                                          max_length=len(PenaltyType.choices))
    fine_amount = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, allow_null=True)
    details = RecordDetailsInput(required=False, help_text=_(
        "The national standard's fields of the record's kind; required before publication as the rule "
        "table says (disclosure.kinds.spec.PUBLICATION_RULES)."))
    severity_override = serializers.ChoiceField(
        choices=[("", "")] + list(Severity.choices), required=False, allow_blank=True, help_text=_(
            "A penalty's class set by the agency instead of the one its categories give (NDRC Order 2025 "
            "No. 36); empty: the derived class. Needs severity_reason."))
    severity_reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)

    def to_internal_value(self, data: Any) -> Any:
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError as exc:
            raise serializers.ValidationError(_flat_details(exc.detail)) from exc


class RecordEditInput(RecordInput):
    version = serializers.IntegerField(min_value=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, partial=True, **kwargs)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "version" not in attrs:
            raise serializers.ValidationError({"version": [_("Send the version you edited (optimistic locking).")]})
        return attrs


class ActionInput(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)
    legal_basis = serializers.CharField(max_length=2000)
    document_number = serializers.CharField(max_length=100)
    version = serializers.IntegerField(min_value=1, required=False)


class ChangeInput(ActionInput):
    changes = serializers.DictField()
    type = _choice([("change", _("Change (Art. 9)")), ("correction", _("Correction (Art. 10)"))],
                   _("change type"), required=False, default="change")

    def validate_changes(self, value: dict[str, Any]) -> dict[str, Any]:
        if not value:
            raise serializers.ValidationError(_("Name at least one field to change."))
        known = {name: field for name, field in RecordInput().fields.items()}
        cleaned: dict[str, Any] = {}
        errors: dict[str, Any] = {}
        for name, raw in value.items():
            field = known.get(name)
            if field is None:
                cleaned[name] = raw  # the service names unknown and fixed fields precisely
                continue
            try:
                cleaned[name] = field.run_validation(raw)
            except serializers.ValidationError as exc:
                errors[name] = exc.detail if isinstance(exc.detail, list) else [str(exc.detail)]
        if errors:
            raise serializers.ValidationError(errors)
        return cleaned


class PublishInput(serializers.Serializer):
    version = serializers.IntegerField(min_value=1, required=False)


class RecordOutput(serializers.ModelSerializer):
    agency: serializers.SlugRelatedField = serializers.SlugRelatedField(slug_field="code", read_only=True)
    details = RecordDetailsOutput(read_only=True)
    severity = serializers.CharField(read_only=True, help_text=(
        "the class in force (NDRC Order 2025 No. 36): minor, general, serious, dishonest_list; empty for other kinds"))
    severity_override = serializers.CharField(read_only=True, help_text="the class the agency set, or empty")

    class Meta:
        model = Record
        fields = [
            "id", "kind", "agency", "status", "version", "title", "subject_name", "subject_code", "subject_type",
            "event_date", "content", "legal_basis", "document_number", "disclosure", "withheld_reason", "surprise",
            "backfill", "task", "due_date", "due_provisional", "published_at", "on_time", "late_working_days",
            "latency_working_days", "penalty_types", "fine_amount", "expires_on", "details",
            "predates_standard", "standard_missing", "severity", "severity_override", "severity_reason",
            "repair_from", "created_at", "updated_at",
        ]
        read_only_fields = fields


class PublishOutput(serializers.ModelSerializer):
    class Meta:
        model = Record
        fields = ["id", "status", "version", "published_at", "due_date", "on_time", "late_working_days"]
        read_only_fields = fields


class VersionOutput(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.username", read_only=True)

    class Meta:
        model = RecordVersion
        fields = ["number", "action", "status", "actor", "at", "reason", "legal_basis", "document_number",
                  "digest", "data"]
        read_only_fields = fields


class AgencyOutput(serializers.ModelSerializer):
    parent: serializers.SlugRelatedField = serializers.SlugRelatedField(  # type: ignore[assignment]
        slug_field="code", read_only=True, allow_null=True  # the city government has no parent
    )

    class Meta:
        model = Agency
        fields = ["code", "name", "parent", "kind"]
        read_only_fields = fields


class UserInput(serializers.Serializer):
    username = serializers.RegexField(r"^[\w.@+-]+\Z", max_length=150)
    password = serializers.CharField(max_length=128, write_only=True, trim_whitespace=False)
    agency = serializers.CharField(max_length=64)
    role = _choice(Role.choices, _("role"))
    email = serializers.EmailField(required=False, allow_blank=True, default="")


class UserOutput(serializers.Serializer):
    """``POST /api/v1/users/`` → the new account, its role and its API token."""

    username = serializers.CharField()
    agency = serializers.CharField()
    role = serializers.ChoiceField(choices=Role.choices)
    token = serializers.CharField()


# -- outbound feed and deadline calculator: response bodies for the schema (backend/schema.py) ----
class FeedEventOutput(serializers.Serializer):
    position = serializers.IntegerField()
    action = serializers.CharField()
    at = serializers.DateTimeField()
    record = serializers.IntegerField()
    version = serializers.IntegerField()
    public = serializers.BooleanField()
    reason = serializers.CharField(allow_blank=True)
    legal_basis = serializers.CharField(allow_blank=True)
    document_number = serializers.CharField(allow_blank=True)
    payload = serializers.DictField(help_text="the record as the public sees it; only its id and status once it "
                                              "left the public view")


class FeedPageOutput(serializers.Serializer):
    events = FeedEventOutput(many=True)
    next = serializers.IntegerField()
    has_more = serializers.BooleanField()


class DeadlineDayOutput(serializers.Serializer):
    date = serializers.DateField()
    kind = serializers.CharField()
    name = serializers.CharField(allow_blank=True)
    counted = serializers.BooleanField()


class DeadlineOutput(serializers.Serializer):
    kind = serializers.CharField()
    event_date = serializers.DateField()
    period = serializers.IntegerField()
    unit = serializers.CharField()
    article = serializers.CharField()
    first_day = serializers.DateField()
    due_date = serializers.DateField(allow_null=True)
    provisional = serializers.BooleanField()
    days = DeadlineDayOutput(many=True)


# -- public side ----------------------------------------------------------------------------------
class PublicSearchInput(serializers.Serializer):
    q = serializers.CharField(required=False, allow_blank=True, max_length=100, trim_whitespace=True,
                              help_text=_("A name, a credit code, a document number or keywords; "
                                          "every word must match."))
    subject_code = serializers.CharField(required=False, allow_blank=True, max_length=40)
    agency = serializers.CharField(required=False, allow_blank=True, max_length=64)
    kind = _choice(RecordKind.choices, _("record kind"), required=False, allow_blank=True)
    date_from = serializers.DateField(required=False, allow_null=True, input_formats=["iso-8601"])
    date_to = serializers.DateField(required=False, allow_null=True, input_formats=["iso-8601"])
    page = serializers.IntegerField(required=False, min_value=1, max_value=100000)
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=100)


class PublicRecordOutput(serializers.Serializer):
    """A record as the public sees it: its public projection (masked once, when it was written)."""

    id = serializers.IntegerField(source="record_id")
    kind = serializers.CharField()
    kind_label = serializers.SerializerMethodField()
    agency = serializers.CharField(source="agency.code")
    agency_name = serializers.CharField(source="agency.name")
    status = serializers.CharField()
    title = serializers.CharField()
    subject_name = serializers.CharField()
    subject_code = serializers.CharField()
    subject_type = serializers.CharField()
    event_date = serializers.DateField()
    content = serializers.CharField()
    legal_basis = serializers.CharField()
    document_number = serializers.CharField()
    published_at = serializers.DateTimeField()
    expires_on = serializers.DateField(allow_null=True)
    severity = serializers.CharField(help_text="the class of penalty information (NDRC Order 2025 No. 36): minor, "
                                               "general, serious, or dishonest_list; empty for other kinds")
    repair_from = serializers.DateField(allow_null=True, help_text="the first day the subject may apply for credit "
                                                                   "repair (the minimum publicity period has passed)")
    penalty_types = serializers.ListField(child=serializers.CharField())
    penalty_type_labels = serializers.SerializerMethodField()
    fine_amount = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    details = serializers.DictField(help_text="the national standard's public fields, masked (never an ID number)")
    task = serializers.IntegerField(allow_null=True)
    subject_statement = serializers.CharField(
        help_text="the subject's own statement (当事人陈述) as the agency accepted it, masked like the record's texts; "
                  "empty when there is none. The subject's words, not the agency's view.")
    subject_statement_on = serializers.DateField(allow_null=True, help_text="the day the subject made the statement")

    def get_kind_label(self, instance: PublicRecord) -> str:
        return str(RecordKind(instance.kind).label)

    def get_penalty_type_labels(self, instance: PublicRecord) -> list[str]:
        labels = dict(PenaltyType.choices)
        return [str(labels.get(t, t)) for t in instance.penalty_types]


class PublicHistoryOutput(serializers.Serializer):
    """One line of a public record's history: what happened, when, why; never who."""

    number = serializers.IntegerField()
    action = serializers.CharField()
    at = serializers.DateTimeField()
    reason = serializers.CharField()
    legal_basis = serializers.CharField()
    document_number = serializers.CharField()


class PublicRecordPageOutput(serializers.Serializer):
    count = serializers.IntegerField()
    count_capped = serializers.BooleanField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = PublicRecordOutput(many=True)


class PublicRecordDetailOutput(PublicRecordOutput):
    history = PublicHistoryOutput(many=True)


class PublicEntityInput(serializers.Serializer):
    kind = _choice(RecordKind.choices, _("record kind"), required=False, allow_blank=True)
    page = serializers.IntegerField(required=False, min_value=1, max_value=100000)
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=100)


class PublicEntityOutput(serializers.Serializer):
    """The entity at the top of its profile: name and type as its newest publication gives them."""

    code = serializers.CharField()
    name = serializers.CharField()
    subject_type = serializers.CharField()
    counts = serializers.DictField(child=serializers.IntegerField())
    total = serializers.IntegerField()


class PublicEntityPageOutput(PublicRecordPageOutput):
    entity = PublicEntityOutput(allow_null=True)


class RecordNumberField(serializers.IntegerField):
    """A record's number as a link of ours carries it: 1 to 18 ASCII digits (``backend.ids``).
    DRF's ``IntegerField`` reads "١٢" and "１２" as 12, and takes a number of any size, which the
    database driver then refuses (a 500); neither is an id here."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 10**18 - 1)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> int:
        number = whole_number(data if isinstance(data, str) or (isinstance(data, int) and not isinstance(data, bool))
                              else None)
        if number is None:
            self.fail("invalid")
        return int(super().to_internal_value(number))


@extend_schema_field({"type": "array", "items": {"type": "string", "format": "binary"}, "minItems": 1})
class EvidenceFilesField(serializers.ListField):
    """The ``evidence`` parts of a multipart submission, as the schema documents them: one or more
    files. The view hands the uploads to the service, which checks them (``evidence_check``)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(child=serializers.FileField(allow_empty_file=True), required=False, **kwargs)


class CorrectionInput(serializers.Serializer):
    record = RecordNumberField()
    requester_name = serializers.CharField(max_length=100)
    contact = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=20000)
    evidence = EvidenceFilesField()


class RepairInput(serializers.Serializer):
    """A credit-repair application (信用修复, NDRC Order 2025 No. 36)."""

    record = RecordNumberField(
        help_text=_("The public penalty or dishonest-list record whose publication is to end."))
    requester_name = serializers.CharField(max_length=100)
    contact = serializers.CharField(max_length=200)
    commitment = serializers.CharField(
        max_length=20000, help_text=_("The written credit commitment (信用承诺书)."))
    evidence = EvidenceFilesField(
        help_text=_("Proof that the decision's duties are performed (fine paid, order complied with): PDF, JPG or "
                    "PNG files."))


class QueryInput(serializers.Serializer):
    requester_name = serializers.CharField(max_length=100)
    contact = serializers.CharField(max_length=200)
    question = serializers.CharField(max_length=20000)
    record = RecordNumberField(required=False, allow_null=True)
    agency = serializers.CharField(max_length=64, required=False, allow_blank=True)


class _LinesField(serializers.CharField):
    """Text whose line breaks count as one character however they were sent (a form sends CRLF)."""

    def to_internal_value(self, data: Any) -> str:
        return str(super().to_internal_value(data)).replace("\r\n", "\n").replace("\r", "\n")


class StatementInput(serializers.Serializer):
    """The subject's statement about a public record (当事人陈述); ``statement`` at most
    ``PUBLIC_STATEMENT_MAX_CHARS`` characters."""

    record = IdField(help_text="the id of a record the public search shows")
    requester_name = serializers.CharField(max_length=100, help_text="never published")
    contact = serializers.CharField(max_length=200, help_text="phone or e-mail; never published")
    statement = serializers.CharField()

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        # The limit is a setting, read when the serializer is made: the schema says what is accepted.
        fields["statement"] = _LinesField(
            max_length=settings.PUBLIC_STATEMENT_MAX_CHARS,
            help_text="the subject's own words, shown beside the record once the agency has checked them "
                      "(ID and phone numbers masked)")
        return fields


class SubmittedOutput(serializers.ModelSerializer):
    class Meta:
        model = CitizenRequest
        fields = ["id", "tracking_code", "kind", "status", "due_date", "due_provisional"]
        read_only_fields = fields


class PublicRequestOutput(serializers.ModelSerializer):
    """A request's status for whoever holds the tracking code: never the requester's contact."""

    agency = serializers.CharField(source="agency.name", read_only=True)
    corrected_version = serializers.SerializerMethodField()
    statement_version = serializers.SerializerMethodField()
    repair_version = serializers.SerializerMethodField()
    reply_pdf = serializers.SerializerMethodField()

    class Meta:
        model = CitizenRequest
        fields = ["tracking_code", "kind", "status", "agency", "record", "received_on", "due_date",
                  "due_provisional", "answered_at", "reply", "reply_number", "corrected_version",
                  "statement_version", "repair_version", "reply_pdf"]
        read_only_fields = fields

    def get_corrected_version(self, obj: CitizenRequest) -> int | None:
        return obj.correction_version.number if obj.correction_version else None

    def get_statement_version(self, obj: CitizenRequest) -> int | None:
        """The record's version that shows an accepted statement."""
        return obj.statement_version.number if obj.statement_version else None
    def get_repair_version(self, obj: CitizenRequest) -> int | None:
        """The record's version that ended its publication, for an accepted credit repair."""
        return obj.repair_version.number if obj.repair_version else None

    def get_reply_pdf(self, obj: CitizenRequest) -> str | None:
        # Every decided request has its letter: the written reply of a query, the decision on a
        # correction.
        if obj.status == RequestStatus.OPEN:
            return None
        return f"/api/v1/public/requests/{obj.tracking_code}/reply.pdf"


class EvidenceOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="original_name")
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()


class RequestOutput(serializers.ModelSerializer):
    """A request as its agency's staff see it (contact details included: they must answer)."""

    agency: serializers.SlugRelatedField = serializers.SlugRelatedField(slug_field="code", read_only=True)
    evidence = EvidenceOutput(many=True, read_only=True)
    corrected_version = serializers.SerializerMethodField()
    statement_version = serializers.SerializerMethodField()
    repair_version = serializers.SerializerMethodField()

    class Meta:
        model = CitizenRequest
        fields = ["id", "kind", "agency", "record", "tracking_code", "status", "requester_name", "contact", "text",
                  "received_on", "due_date", "due_provisional", "answered_at", "reply", "reply_number",
                  "corrected_version", "statement_version", "repair_version", "evidence"]
        read_only_fields = fields

    def get_corrected_version(self, obj: CitizenRequest) -> int | None:
        return obj.correction_version.number if obj.correction_version else None

    def get_statement_version(self, obj: CitizenRequest) -> int | None:
        return obj.statement_version.number if obj.statement_version else None
    def get_repair_version(self, obj: CitizenRequest) -> int | None:
        return obj.repair_version.number if obj.repair_version else None


class AnswerInput(serializers.Serializer):
    decision = _choice([(s, s) for s in (RequestStatus.ACCEPTED, RequestStatus.REJECTED, RequestStatus.ANSWERED)],
                       _("decision"))
    reply = serializers.CharField(max_length=20000)
    changes = serializers.DictField(required=False)
    legal_basis = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    document_number = serializers.CharField(required=False, allow_blank=True, max_length=100)
    correction_reason = serializers.CharField(
        required=False, allow_blank=True, max_length=2000,
        help_text=_("An accepted correction's public reason (what was wrong), shown in the record's history."))

    def validate_changes(self, value: dict[str, Any]) -> dict[str, Any]:
        return ChangeInput().validate_changes(value)


DEADLINE_KINDS = [*RecordKind.choices, (QUERY_REPLY, _("Reply to a query (Art. 11)")),
                  (CORRECTION_REPLY, _("Reply to a correction request (Art. 10)")),
                  (STATEMENT_REPLY, _("Check of a subject's statement (the bureau's practice)")),
                  (REPAIR_REPLY, _("Decision on a credit-repair application (NDRC Order 2025 No. 36)"))]


class DeadlineInput(serializers.Serializer):
    kind = _choice(DEADLINE_KINDS, _("deadline kind"))
    date = DayField()


# -- the transparency log (documentation of the public API's bodies) ------------------------------
class TreeHeadOutput(serializers.Serializer):
    tree_size = serializers.IntegerField()
    root_hash = serializers.CharField(help_text="base64 of the 32-byte RFC 9162 root hash")
    timestamp = serializers.DateTimeField(help_text="when the head was signed: ISO 8601 in Asia/Shanghai with "
                                          "milliseconds and the offset, e.g. 2026-12-06T21:30:00.123+08:00; "
                                          "signed as this exact string")
    signature = serializers.CharField(help_text="base64 Ed25519 signature over the canonical JSON "
                                                "{key_id, root_hash, timestamp, tree_size}")
    key_id = serializers.CharField(help_text="base64 SHA-256 of the key's DER SubjectPublicKeyInfo")


class PublicKeyOutput(serializers.Serializer):
    key_id = serializers.CharField()
    algorithm = serializers.CharField()
    public_key = serializers.CharField(help_text="base64 DER SubjectPublicKeyInfo")
    public_key_raw = serializers.CharField(help_text="base64 of the 32-byte Ed25519 public key")
    note_verifier_key = serializers.CharField(help_text="C2SP signed-note verifier key")
    first_used = serializers.DateTimeField()


class LeafOutput(serializers.Serializer):
    index = serializers.IntegerField()
    position = serializers.IntegerField(help_text="the feed position (index + 1)")
    record = serializers.IntegerField()
    version = serializers.IntegerField()
    leaf = serializers.CharField(allow_null=True, help_text="base64 of the leaf bytes (canonical JSON); null once "
                                 "the record has left the public view")
    leaf_hash = serializers.CharField(help_text="base64 SHA-256(0x00 ‖ leaf)")


class InclusionOutput(serializers.Serializer):
    leaf_index = serializers.IntegerField()
    tree_size = serializers.IntegerField()
    audit_path = serializers.ListField(child=serializers.CharField())
    leaf = serializers.CharField(allow_null=True, help_text="null once the record has left the public view")
    leaf_hash = serializers.CharField()


class ConsistencyOutput(serializers.Serializer):
    first = serializers.IntegerField()
    second = serializers.IntegerField()
    proof = serializers.ListField(child=serializers.CharField())
