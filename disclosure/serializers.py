"""Input and output serializers: types, choices and lengths only; rules live in the services."""
from __future__ import annotations

from typing import Any

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise
from rest_framework import serializers

from disclosure.models import Agency, Disclosure, Record, RecordVersion, Role, SubjectType
from scheduler.rules import RecordKind


def _choice(choices: Any, what: StrOrPromise, **kwargs: Any) -> serializers.ChoiceField:
    """A choice field whose error names the valid values (translated when the request is served)."""
    message = format_lazy(
        _('"{{input}}" is not a valid {what}; expected one of: {values}.'),
        what=what, values=", ".join(str(c) for c in dict(choices)),
    )
    return serializers.ChoiceField(choices=choices, error_messages={"invalid_choice": message}, **kwargs)


class AgencyCodeField(serializers.SlugRelatedField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(slug_field="code", queryset=Agency.objects.all(), **kwargs)
        self.error_messages["does_not_exist"] = _("No agency has the code {value}.")


class RecordInput(serializers.Serializer):
    kind = _choice(RecordKind.choices, _("record kind"))
    agency = AgencyCodeField()
    title = serializers.CharField(max_length=300)
    subject_name = serializers.CharField(max_length=200)
    subject_code = serializers.CharField(max_length=40, required=False, allow_blank=True)
    subject_type = _choice(SubjectType.choices, _("subject type"), required=False)
    event_date = serializers.DateField(input_formats=["iso-8601"])
    content = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    legal_basis = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    document_number = serializers.CharField(required=False, allow_blank=True, max_length=100)
    disclosure = _choice(Disclosure.choices, _("disclosure attribute"), required=False)
    withheld_reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    surprise = serializers.BooleanField(required=False)
    backfill = serializers.BooleanField(required=False)
    task = serializers.PrimaryKeyRelatedField(queryset=Record.objects.all(), required=False, allow_null=True)


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

    class Meta:
        model = Record
        fields = [
            "id", "kind", "agency", "status", "version", "title", "subject_name", "subject_code", "subject_type",
            "event_date", "content", "legal_basis", "document_number", "disclosure", "withheld_reason", "surprise",
            "backfill", "task", "due_date", "due_provisional", "published_at", "on_time", "late_working_days",
            "latency_working_days",
            "created_at", "updated_at",
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
        slug_field="code", read_only=True
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
