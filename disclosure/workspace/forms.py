"""Forms of the workspace: types, choices and lengths only (like the API's serializers); the rules
(credit code, withheld reason, surprise inspections, dates) are checked by the services, whose
``ApplicationError.errors`` the views put back next to the fields."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from backend.errors import ConflictError, ServiceError
from disclosure.kinds import RecordKind
from disclosure.kinds.spec import LONG_TERM, SUBJECT_FIELDS, Field, FieldType, fields_for
from disclosure.models import Agency, Disclosure, PenaltyType, Record, Role, Severity, SubjectType
from disclosure.services.records import CONTENT_FIELDS

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DETAIL_PREFIX = "d_"
LONG_TERM_SUFFIX = "_long_term"
# Common fields that only some kinds carry.
KIND_ONLY_FIELDS = {"penalty_types": {RecordKind.PENALTY}, "fine_amount": {RecordKind.PENALTY},
                    "severity_override": {RecordKind.PENALTY}, "severity_reason": {RecordKind.PENALTY},
                    "surprise": {RecordKind.INSPECTION_TASK}, "task": {RecordKind.INSPECTION_RESULT}}


def _stored_form(value: Any) -> Any:
    """A form value as ``Record.details`` stores it (dates ISO, amounts with two decimals)."""
    if isinstance(value, Decimal):
        return str(value.quantize(Decimal("0.01")))
    if isinstance(value, date):
        return value.isoformat()
    return value


class InspectorsField(forms.CharField):
    """检查人员 and 执法证号, one inspector a line: the name, then the badge number."""

    widget = forms.Textarea(attrs={"rows": 3})

    def to_python(self, value: Any) -> list[dict[str, str]]:  # type: ignore[override]
        text = super().to_python(value) or ""
        inspectors = []
        for line in text.splitlines():
            parts = line.replace("\u3000", " ").replace("（", " ").replace("）", " ").split()
            if not parts:
                continue
            if len(parts) < 2:
                raise forms.ValidationError(_("Write each inspector on a line: the name, then the badge number."))
            inspectors.append({"name": " ".join(parts[:-1]), "badge": parts[-1]})
        return inspectors

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list):
            return "\n".join(f"{i.get('name', '')} {i.get('badge', '')}" for i in value if isinstance(i, dict))
        return value


def _detail_form_field(spec: Field) -> forms.Field:
    """The form field of one standard field (``disclosure.kinds.spec``): its type, code list and
    length; the service checks the rest, as for the API."""
    common: dict[str, Any] = {"label": spec.label, "required": False, "help_text": spec.help or ""}
    if spec.type == FieldType.UNTIL:
        common["help_text"] = _("Or tick Long term.")
    elif spec.type == FieldType.YUAN:
        common["help_text"] = _("In yuan; the exchange file gives it in 10,000 yuan.")
    if spec.type == FieldType.CODE:
        assert spec.choices is not None
        return forms.ChoiceField(choices=[("", "—"), *spec.choices.choices], **common)
    if spec.type in (FieldType.DATE, FieldType.UNTIL):
        return forms.DateField(widget=DATE_INPUT, **common)
    if spec.type == FieldType.YUAN:
        return forms.DecimalField(max_digits=14, decimal_places=2, min_value=0, **common)
    if spec.type == FieldType.INSPECTORS:
        return InspectorsField(**{**common, "help_text": _("One inspector a line: the name, then the badge number.")})
    max_length = spec.max_length if spec.type == FieldType.TEXT else 64
    widget = forms.Textarea(attrs={"rows": 3}) if (max_length or 0) > 200 else None
    return forms.CharField(max_length=max_length, widget=widget, **common)


def detail_specs(kind: str) -> list[Field]:
    """The standard fields a form of ``kind`` shows (derived ones are the system's)."""
    return [spec for spec in fields_for(kind) if not spec.exchange_only]


class KindFieldsMixin(forms.Form):
    """Adds the standard fields of one kind (``d_<field>``), and drops the common fields the kind
    does not carry: a penalty form is not a permit form."""

    kind_value: str = ""

    def _fit_kind(self, kind: str) -> None:
        self.kind_value = kind if kind in RecordKind.values else RecordKind.OTHER
        for name, kinds in KIND_ONLY_FIELDS.items():
            if name in self.fields and self.kind_value not in kinds:
                del self.fields[name]
        for spec in detail_specs(self.kind_value):
            self.fields[DETAIL_PREFIX + spec.name] = _detail_form_field(spec)
            if spec.type == FieldType.UNTIL:
                self.fields[DETAIL_PREFIX + spec.name + LONG_TERM_SUFFIX] = forms.BooleanField(
                    label=_("Long term"), required=False)

    @staticmethod
    def detail_initial(details: dict[str, Any] | None) -> dict[str, Any]:
        """A record's details as this form's initial values."""
        initial: dict[str, Any] = {}
        for name, value in (details or {}).items():
            if value == LONG_TERM:
                initial[DETAIL_PREFIX + name + LONG_TERM_SUFFIX] = True
            else:
                initial[DETAIL_PREFIX + name] = value
        return initial

    def subject_detail_fields(self) -> list[forms.BoundField]:
        names = {spec.name for spec in SUBJECT_FIELDS}
        return [self[n] for n in self.fields if n.startswith(DETAIL_PREFIX) and n[len(DETAIL_PREFIX):] in names]

    def kind_detail_fields(self) -> list[forms.BoundField]:
        names = {spec.name for spec in SUBJECT_FIELDS}
        return [self[n] for n in self.fields if n.startswith(DETAIL_PREFIX)
                and n[len(DETAIL_PREFIX):].removesuffix(LONG_TERM_SUFFIX) not in names]

    def details(self) -> dict[str, Any]:
        """The standard fields as the service takes them (None: not filled, removed on an edit)."""
        out: dict[str, Any] = {}
        for spec in detail_specs(self.kind_value):
            value = self.cleaned_data.get(DETAIL_PREFIX + spec.name)
            if spec.type == FieldType.UNTIL and self.cleaned_data.get(DETAIL_PREFIX + spec.name + LONG_TERM_SUFFIX):
                value = LONG_TERM
            if spec.type == FieldType.BOOL and value is False:
                value = None  # an unticked box states nothing: the key is left out (or removed)
            out[spec.name] = None if value in (None, "", []) else value
        return out


class AgencyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Agency) -> str:
        return "\u3000" * max(obj.depth - 1, 0) + obj.name


class RecordForm(KindFieldsMixin, forms.Form):
    """A draft of one kind: the API's ``RecordInput`` fields that kind carries, and its standard
    fields (``disclosure.kinds.spec``). The kind is chosen first (``?kind=``)."""

    kind = forms.ChoiceField(label=_("Kind"), choices=RecordKind.choices, widget=forms.HiddenInput)
    agency = AgencyChoiceField(label=_("Agency"), queryset=Agency.objects.none(), to_field_name="code")
    title = forms.CharField(label=_("Title"), max_length=300)
    subject_name = forms.CharField(label=_("Subject name"), max_length=200)
    subject_type = forms.ChoiceField(label=_("Subject type"), choices=SubjectType.choices,
                                     initial=SubjectType.ORGANIZATION)
    subject_code = forms.CharField(
        label=_("Unified social credit code"), max_length=40, required=False,
        help_text=_("18 characters (GB 32100); may be empty for a natural person."),
        widget=forms.TextInput(attrs={"data-credit-code": "1", "autocomplete": "off", "spellcheck": "false"}),
    )
    event_date = forms.DateField(label=_("Event date"), widget=DATE_INPUT,
                                 help_text=_("The day of the decision or approval; the deadline counts from it."))
    content = forms.CharField(label=_("Content"), required=False, max_length=20000,
                              widget=forms.Textarea(attrs={"rows": 5}))
    legal_basis = forms.CharField(label=_("Legal basis"), required=False, max_length=2000,
                                  widget=forms.Textarea(attrs={"rows": 2}))
    document_number = forms.CharField(label=_("Document number"), required=False, max_length=100)
    disclosure = forms.ChoiceField(label=_("Disclosure attribute"), choices=Disclosure.choices,
                                   initial=Disclosure.PUBLIC)
    withheld_reason = forms.CharField(label=_("Reason for not disclosing"), required=False, max_length=2000,
                                      widget=forms.Textarea(attrs={"rows": 2}))
    penalty_types = forms.MultipleChoiceField(label=_("Penalty types"), choices=PenaltyType.choices, required=False,
                                              widget=forms.CheckboxSelectMultiple)
    fine_amount = forms.DecimalField(label=_("Fine (yuan)"), max_digits=14, decimal_places=2, required=False)
    severity_override = forms.ChoiceField(
        label=_("Severity class"), required=False, choices=[("", _("As the penalty types give it"))] + Severity.choices,
        help_text=_("NDRC Order 2025 No. 36: minor, general or serious information. Set another class than the "
                    "penalty types give only with a reason; the auditor sees it."))
    severity_reason = forms.CharField(label=_("Reason for this class"), required=False, max_length=2000,
                                      widget=forms.Textarea(attrs={"rows": 2}))
    surprise = forms.BooleanField(label=_("Surprise inspection (plan published with its result)"), required=False)
    backfill = forms.BooleanField(label=_("Backfilled record (kept out of timeliness statistics)"), required=False)
    task = forms.IntegerField(label=_("Inspection task (record number)"), required=False, min_value=1,
                              help_text=_("For an inspection result: the number of the task it answers."))

    def __init__(self, *args: Any, agencies: QuerySet[Agency], tasks: QuerySet[Record], kind: str,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._fit_kind(kind)
        agency_field = self.fields["agency"]
        assert isinstance(agency_field, forms.ModelChoiceField)
        agency_field.queryset = agencies
        self._tasks = tasks

    def clean_task(self) -> Record | None:
        task_id = self.cleaned_data.get("task")
        if task_id is None:
            return None
        task = self._tasks.filter(pk=task_id).first()
        if task is None:
            raise forms.ValidationError(_("No record %(id)s among your records.") % {"id": task_id})
        return task

    def clean_kind(self) -> str:
        return self.kind_value  # the kind the form was built for

    def values(self) -> dict[str, Any]:
        """What the service takes: every field but the agency, the details as one object."""
        values = {name: value for name, value in self.cleaned_data.items()
                  if name != "agency" and not name.startswith(DETAIL_PREFIX)}
        if "penalty_types" in values:
            values["penalty_types"] = list(values.get("penalty_types") or [])
        values["details"] = self.details()
        return values


class VersionForm(forms.Form):
    """The version the user saw, for optimistic locking."""

    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


class GroundsForm(VersionForm):
    """Why a published record changes or is revoked (Art. 9): all three are required, as in the API."""

    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    legal_basis = forms.CharField(label=_("Legal basis of this change"), max_length=2000,
                                  widget=forms.Textarea(attrs={"rows": 2}))
    document_number = forms.CharField(label=_("Document number of this change"), max_length=100)


class RevokeGroundsForm(GroundsForm):
    """The same three grounds, named for a revocation."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = _("Reason for the revocation")
        self.fields["legal_basis"].label = _("Legal basis of the revocation")
        self.fields["document_number"].label = _("Document number of the revocation")


class ChangeGroundsForm(GroundsForm):
    type = forms.ChoiceField(
        label=_("Type"), initial="change",
        choices=[("change", _("Change (Art. 9)")), ("correction", _("Correction (Art. 10)"))],
    )


class ContentForm(KindFieldsMixin, forms.Form):
    """The content fields a published record of one kind may change (``CONTENT_FIELDS``), prefilled."""

    title = RecordForm.base_fields["title"]
    subject_name = RecordForm.base_fields["subject_name"]
    subject_type = RecordForm.base_fields["subject_type"]
    subject_code = RecordForm.base_fields["subject_code"]
    content = RecordForm.base_fields["content"]
    legal_basis = RecordForm.base_fields["legal_basis"]
    document_number = RecordForm.base_fields["document_number"]
    disclosure = RecordForm.base_fields["disclosure"]
    withheld_reason = RecordForm.base_fields["withheld_reason"]
    penalty_types = RecordForm.base_fields["penalty_types"]
    fine_amount = RecordForm.base_fields["fine_amount"]
    severity_override = RecordForm.base_fields["severity_override"]
    severity_reason = RecordForm.base_fields["severity_reason"]

    def __init__(self, *args: Any, kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._fit_kind(kind)

    def changes(self, record: Record) -> dict[str, Any]:
        """Only the fields whose value differs from the record's (the service refuses "no change")."""
        out: dict[str, Any] = {}
        details = self.details()
        current = {k: v for k, v in (record.details or {}).items() if k in details}
        wanted = {k: _stored_form(v) for k, v in details.items() if v is not None}
        if wanted != current:
            out["details"] = details
        for name in CONTENT_FIELDS:
            if name == "details" or name not in self.fields:
                continue
            value = self.cleaned_data.get(name)
            if name == "penalty_types":
                value = list(value or [])
            current = getattr(record, name)
            if name == "subject_code":
                from disclosure.credit_code import normalize_credit_code

                same = normalize_credit_code(value or "") == current
            else:
                same = value == current
            if not same:
                out[name] = value
        return out


class UserAddForm(forms.Form):
    username = forms.RegexField(label=_("Username"), regex=r"^[\w.@+-]+\Z", max_length=150)
    password = forms.CharField(label=_("Initial password"), max_length=128, strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    agency = AgencyChoiceField(label=_("Agency"), queryset=Agency.objects.none(), to_field_name="code")
    role = forms.ChoiceField(label=_("Role"), choices=[(r.value, r.label) for r in
                                                       (Role.CLERK, Role.AGENCY_ADMIN, Role.VIEWER)])
    email = forms.EmailField(label=_("E-mail (for deadline notices)"), required=False)

    def __init__(self, *args: Any, agencies: QuerySet[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        agency_field = self.fields["agency"]
        assert isinstance(agency_field, forms.ModelChoiceField)
        agency_field.queryset = agencies


class RoleForm(forms.Form):
    agency = UserAddForm.base_fields["agency"]
    role = UserAddForm.base_fields["role"]

    def __init__(self, *args: Any, agencies: QuerySet[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        agency_field = self.fields["agency"]
        assert isinstance(agency_field, forms.ModelChoiceField)
        agency_field.queryset = agencies


def refusal_onto(
    form: forms.Form, error: ServiceError, *, prefix: str = "", conflict_form: forms.Form | None = None
) -> int:
    """Put a service's refusal onto ``form`` and return the HTTP status to answer with.

    A state conflict (a stale version, an illegal transition) goes above ``conflict_form`` (the
    form itself by default) with 409; invalid input goes next to the fields it names with 400.
    Callers catch ``FORM_ERRORS`` only: a refusal of access is no form error, and its 404 or 403
    propagates to the view's decorator.
    """
    if isinstance(error, ConflictError):
        (conflict_form or form).add_error(None, error.message)
        return 409
    add_service_errors(form, error, prefix=prefix)
    return 400


def add_service_errors(form: forms.Form, error: ServiceError, *, prefix: str = "") -> None:
    """Put a service's ``{field: [messages]}`` next to the form's fields; the rest above the form.

    ``prefix`` strips the service's own prefix (``changes.`` for a change's content fields).
    """
    placed = False
    for key, messages in error.errors.items():
        name = key[len(prefix):] if prefix and key.startswith(prefix) else key
        if not prefix and key.startswith("changes."):
            continue  # a change's field: placed on the content form by the caller
        for message in messages:
            if name.startswith("details.") and DETAIL_PREFIX + name.removeprefix("details.") in form.fields:
                name = DETAIL_PREFIX + name.removeprefix("details.")
            if name in form.fields:
                form.add_error(name, message)
                placed = True
            else:
                form.add_error(None, message)
                placed = True
    if not placed:
        form.add_error(None, error.message)


class AnswerForm(forms.Form):
    """The agency's answer to a correction or a query (Art. 10, Art. 11)."""

    decision = forms.ChoiceField(label=_("Decision"), choices=[])
    reply = forms.CharField(label=_("Reply"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5}),
                            help_text=_("The body of the letter to the requester: for a rejection, the reasons; "
                                        "for a query, the written reply."))
    correction_reason = forms.CharField(
        label=_("Reason of the correction (public)"), max_length=2000, required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Shown in the record's public history; not the letter to the requester. Empty: a standard "
                    "reason citing Art. 10."))
    legal_basis = forms.CharField(label=_("Legal basis of the correction"), max_length=2000, required=False)
    document_number = forms.CharField(label=_("Document number of the correction"), max_length=100, required=False)

    def __init__(self, *args: Any, decisions: list[tuple[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        decision = self.fields["decision"]
        assert isinstance(decision, forms.ChoiceField)
        decision.choices = decisions
