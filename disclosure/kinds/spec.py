"""One spec per record kind: the national standard's structured fields (``shared/STANDARD.md``).

Plain declarative data. Each ``Field`` names a key of ``Record.details`` (the one validated JSON
column that holds the kind-specific standard fields), its type, its code list, its length, the
standard's Chinese heading and field code where the standard gives one, and whether it may ever
reach the public. ``KIND_FIELDS`` says which fields each kind carries; ``PUBLICATION_RULES`` (rule
data with its source) says which fields — details or the common columns — must be filled before a
record of that kind is published. The API serializers (``disclosure.serializers``), the workspace
forms, the backfill columns, the version snapshot and the exchange files are derived from here;
``disclosure.services.details`` validates values against it.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from disclosure.kinds import RecordKind
from disclosure.kinds.codes import (
    CoercionKind,
    IdType,
    InspectionCategory,
    InspectionForm,
    InspectionResult,
    MeasureType,
    PermitCategory,
    PermitStatus,
    SubjectType,
)


class FieldType(StrEnum):
    TEXT = "text"
    DATE = "date"  # stored as ISO text
    UNTIL = "until"  # a date, or "long_term" (written 2099/12/31 in the standard)
    YUAN = "yuan"  # a non-negative amount in yuan, two decimals, stored as text
    CODE = "code"  # one value of ``choices``
    BOOL = "bool"
    INSPECTORS = "inspectors"  # a list of {"name", "badge"} (检查人员 and 执法证号)
    ID_NUMBER = "id_number"  # checked by the ID type named in ``id_type_field``
    REGION = "region"  # a six-digit administrative division code (GB/T 2260)
    DIGITS = "digits"  # exactly ``max_length`` digits


LONG_TERM = "long_term"
CodeList = type[models.TextChoices]  # (named here: inside ``Field`` the name ``type`` is the field)


@dataclass(frozen=True)
class Field:
    name: str
    type: FieldType
    label: Promise
    heading: str = ""  # the standard's Chinese heading
    code: str = ""  # the standard's field code where shared/STANDARD.md gives one (only the permit XK_ codes)
    max_length: int | None = None
    choices: CodeList | None = None
    public: bool = True  # False: never leaves for the public (projection, feed, portal, search)
    exchange_only: bool = False  # True: shown to staff and the exchange, not an input (derived)
    id_type_field: str = ""  # for ID_NUMBER: the field holding the ID type
    help: Promise | str = ""


# -- the subject (every kind) -----------------------------------------------------------------------
ORGANIZATIONS = frozenset({SubjectType.ORGANIZATION, SubjectType.INDIVIDUAL_BUSINESS})
PERSONS = frozenset({SubjectType.NATURAL_PERSON})

SUBJECT_FIELDS: tuple[Field, ...] = (
    Field("business_registration_number", FieldType.TEXT, _("Business registration number"), "工商注册号",
          "", 50, help=_("Required for an individual business written with the code 00000000000000000X.")),
    Field("organization_code", FieldType.TEXT, _("Organization code"), "组织机构代码", "", 9),
    Field("tax_registration_number", FieldType.TEXT, _("Tax registration number"), "税务登记号", "", 15),
    Field("institution_certificate_number", FieldType.TEXT, _("Public institution certificate number"),
          "事业单位证书号", "", 12),
    Field("social_organization_number", FieldType.TEXT, _("Social organization registration number"),
          "社会组织登记证号", "", 50),
    Field("legal_representative", FieldType.TEXT, _("Legal representative"), "法定代表人", "", 50,
          help=_("For an individual business, the operator.")),
    Field("legal_representative_id_type", FieldType.CODE, _("Legal representative's ID type"), "法定代表人证件类型",
          "", choices=IdType, public=False),
    Field("legal_representative_id_number", FieldType.ID_NUMBER, _("Legal representative's ID number"),
          "法定代表人证件号码", "", 64, public=False, id_type_field="legal_representative_id_type"),
    Field("person_id_type", FieldType.CODE, _("ID type"), "证件类型", "", choices=IdType, public=False),
    Field("person_id_number", FieldType.ID_NUMBER, _("ID number"), "证件号码", "", 64, public=False,
          id_type_field="person_id_type"),
)
# Which subject types may carry which subject fields.
SUBJECT_FIELD_TYPES: dict[str, frozenset[str]] = {
    "legal_representative": ORGANIZATIONS, "legal_representative_id_type": ORGANIZATIONS,
    "legal_representative_id_number": ORGANIZATIONS,
    "person_id_type": PERSONS, "person_id_number": PERSONS,
}

# -- per kind ----------------------------------------------------------------------------------------
_PERMIT = (
    Field("decision_document_name", FieldType.TEXT, _("Decision document name"), "行政许可决定文书名称", "XK_XKWS", 64),
    Field("permit_category", FieldType.CODE, _("Permit category"), "许可类别", "XK_XKLB", choices=PermitCategory),
    Field("permit_category_other", FieldType.TEXT, _("Permit category (other: which)"), "", "", 64,
          help=_("When the category is Other, the real category.")),
    Field("certificate_name", FieldType.TEXT, _("Certificate name"), "许可证书名称", "XK_XKZS", 64),
    Field("certificate_number", FieldType.TEXT, _("Permit number"), "许可编号", "XK_XKBH", 64),
    Field("valid_from", FieldType.DATE, _("Valid from"), "有效期自", "XK_YXQZ"),
    Field("valid_to", FieldType.UNTIL, _("Valid to"), "有效期至", "XK_YXQZI",
          help=_("A date, or long_term (written 2099/12/31).")),
    Field("permit_status", FieldType.CODE, _("Current status"), "当前状态", "XK_ZT", choices=PermitStatus),
)
_PENALTY = (
    Field("violation_type", FieldType.TEXT, _("Type of violation"), "违法行为类型", "", 2000),
    Field("violation_facts", FieldType.TEXT, _("Facts of the violation"), "违法事实", "", 5000),
    Field("confiscated_amount", FieldType.YUAN, _("Confiscated amount (yuan)"),
          "没收违法所得、没收非法财物的金额（万元）", ""),
    Field("licence_name_number", FieldType.TEXT, _("Suspended or revoked licence (name and number)"),
          "暂扣或吊销证照名称及编号", "", 200),
    Field("penalty_valid_to", FieldType.UNTIL, _("Penalty in effect until"), "处罚有效期", "",
          help=_("A date, or long_term (written 2099/12/31).")),
    # A decision made on the spot under the simple procedure (Administrative Penalty Law Art. 51) is
    # minor information (NDRC Order 2025 No. 36; ``disclosure.services.display``).
    Field("simple_procedure", FieldType.BOOL, _("Decided under the simple procedure"), "适用简易程序",
          help=_("Decided on the spot (Administrative Penalty Law Art. 51): minor information.")),
    Field("penalty_types_unconfirmed", FieldType.BOOL, _("Penalty types to confirm (migrated)"), public=False,
          exchange_only=True),
)
_INSPECTION = (
    Field("inspection_form", FieldType.CODE, _("Inspection form"), "检查形式", "", choices=InspectionForm),
    Field("inspection_category", FieldType.CODE, _("Inspection category"), "检查类别", "",
          choices=InspectionCategory),
    Field("inspection_time", FieldType.DATE, _("Inspection date"), "检查时间", ""),
    Field("inspectors", FieldType.INSPECTORS, _("Inspectors (name and badge number)"), "检查人员及执法证号", ""),
    Field("random_plan", FieldType.TEXT, _("Double-random plan"), "双随机计划编号", "", 64),
    Field("item_code", FieldType.DIGITS, _("Supervision item code"), "监管事项目录编码", "", 14),
    Field("region_code", FieldType.REGION, _("Administrative division code"), "行政区划代码", "", 6,
          help=_("Empty: the agency's own.")),
)
_INSPECTION_RESULT = (
    *_INSPECTION[:2],
    Field("inspection_result", FieldType.CODE, _("Inspection result"), "检查结果", "", choices=InspectionResult),
    *_INSPECTION[2:],
)
_COERCIVE = (
    Field("coercion_kind", FieldType.CODE, _("Kind of coercion"), "行政强制种类", "", choices=CoercionKind),
    Field("measure_type", FieldType.CODE, _("Coercive measure type"), "强制措施类型", "", choices=MeasureType),
    Field("enforcement_type", FieldType.TEXT, _("Coercive enforcement type"), "强制执行类型", "", 200),
    Field("violation_facts", FieldType.TEXT, _("Facts of the violation"), "违法事实", "", 5000),
    Field("start_date", FieldType.DATE, _("Start date"), "起始时间", ""),
    Field("end_date", FieldType.DATE, _("End date"), "截止时间", ""),
    Field("extension", FieldType.TEXT, _("Extension"), "延长期限", "", 200),
)

KIND_FIELDS: dict[str, tuple[Field, ...]] = {
    RecordKind.PERMIT: _PERMIT,
    RecordKind.FILING: _PERMIT,
    RecordKind.PENALTY: _PENALTY,
    RecordKind.INSPECTION_TASK: _INSPECTION,
    RecordKind.INSPECTION_RESULT: _INSPECTION_RESULT,
    RecordKind.COERCIVE_MEASURE: _COERCIVE,
}


def fields_for(kind: str) -> tuple[Field, ...]:
    """Every details field a record of ``kind`` may carry: the subject's, then the kind's own."""
    return SUBJECT_FIELDS + KIND_FIELDS.get(kind, ())


ALL_FIELDS: dict[str, Field] = {f.name: f for f in (*SUBJECT_FIELDS, *(f for fs in KIND_FIELDS.values() for f in fs))}
NEVER_PUBLIC: frozenset[str] = frozenset(name for name, f in ALL_FIELDS.items() if not f.public)


# -- the rule table: what must be filled before publication -------------------------------------------
@dataclass(frozen=True)
class Requirement:
    """``field`` (a details key or a Record column) must be filled to publish a record of ``kind``;
    ``subject_types``: only for those subject types; ``when``: only when another details field has
    one of the given values."""

    field: str
    source: str
    subject_types: frozenset[str] | None = None
    when: tuple[str, frozenset[str]] | None = None
    unless: str = ""  # not required when this other field is filled


_XK = "信用中国 行政许可信息数据标准（2021）; shared/STANDARD.md 行政许可"
_CF = "信用中国 行政处罚信息数据标准（2021）; shared/STANDARD.md 行政处罚"
_JC = "互联网+监管 监管行为数据（DB23/T 2833-2021 等）; shared/STANDARD.md 行政检查"
_QZ = "互联网+监管 监管行为数据; shared/STANDARD.md 行政强制"
_XDR = "信用中国 数据标准（2021）行政相对人; shared/STANDARD.md Subject"

_SUBJECT_RULES = (
    Requirement("legal_representative", _XDR + "（法人及非法人组织、个体工商户必填）", subject_types=ORGANIZATIONS),
    Requirement("person_id_type", _XDR + "（自然人必填）", subject_types=PERSONS),
    Requirement("person_id_number", _XDR + "（自然人必填）", subject_types=PERSONS),
)

PUBLICATION_RULES: dict[str, tuple[Requirement, ...]] = {
    RecordKind.PERMIT: (
        *_SUBJECT_RULES,
        Requirement("decision_document_name", _XK),
        Requirement("document_number", _XK + "（无文书号时填许可编号）", unless="certificate_number"),
        Requirement("permit_category", _XK),
        Requirement("permit_category_other", _XK + "（许可类别为其他时注明）", when=("permit_category",
                                                                              frozenset({"other"}))),
        Requirement("content", _XK),
        Requirement("valid_from", _XK),
        Requirement("valid_to", _XK),
    ),
    RecordKind.FILING: (
        Requirement("content", _XK + "（备案参照行政许可）"),
    ),
    RecordKind.PENALTY: (
        *_SUBJECT_RULES,
        Requirement("document_number", _CF),
        Requirement("violation_type", _CF),
        Requirement("violation_facts", _CF),
        Requirement("legal_basis", _CF),
        Requirement("penalty_types", _CF),
        Requirement("content", _CF),
        Requirement("penalty_valid_to", _CF),
        Requirement("fine_amount", _CF + "（处罚类别含罚款时）", when=("penalty_types", frozenset({"fine"}))),
        Requirement("confiscated_amount", _CF + "（处罚类别含没收时）",
                    when=("penalty_types", frozenset({"confiscate_gains", "confiscate_property"}))),
        Requirement("licence_name_number", _CF + "（处罚类别含暂扣或吊销许可证件时）",
                    when=("penalty_types", frozenset({"suspend_licence", "revoke_licence"}))),
    ),
    RecordKind.INSPECTION_TASK: (
        Requirement("inspection_category", _JC),
    ),
    RecordKind.INSPECTION_RESULT: (
        Requirement("inspection_result", _JC),
        Requirement("inspection_time", _JC),
        Requirement("inspectors", _JC),
    ),
    RecordKind.COERCIVE_MEASURE: (
        Requirement("document_number", _QZ),
        Requirement("coercion_kind", _QZ),
        Requirement("measure_type", _QZ + "（强制措施时）", when=("coercion_kind", frozenset({"measure"}))),
        Requirement("enforcement_type", _QZ + "（强制执行时）", when=("coercion_kind", frozenset({"enforcement"}))),
        Requirement("legal_basis", _QZ),
        Requirement("violation_facts", _QZ),
        Requirement("start_date", _QZ),
    ),
}


# Labels of the common columns a requirement may name (the details fields carry their own).
COLUMN_LABELS: dict[str, Promise] = {
    "document_number": _("Document number"), "content": _("Content"), "legal_basis": _("Legal basis"),
    "penalty_types": _("Penalty types"), "fine_amount": _("Fine (yuan)"),
}


def field_label(name: str) -> str:
    if name in ALL_FIELDS:
        return str(ALL_FIELDS[name].label)
    return str(COLUMN_LABELS.get(name, name))



def display_rows(kind: str, details: dict[str, object] | None) -> list[tuple[str, str]]:
    """``details`` as (label, text) pairs in the spec's order, codes by their labels: what a page
    shows (the public page passes the masked public details)."""
    rows = []
    for spec in fields_for(kind):
        value = (details or {}).get(spec.name)
        if value in (None, "", [], False):
            continue
        if spec.choices is not None:
            labels = dict(spec.choices.choices)
            text = str(labels.get(str(value), value))
        elif spec.type == FieldType.UNTIL and value == LONG_TERM:
            text = str(_("Long term"))
        elif spec.type == FieldType.INSPECTORS and isinstance(value, list):
            text = "、".join(f"{i.get('name', '')}（{i.get('badge', '')}）" for i in value if isinstance(i, dict))
        elif spec.type == FieldType.BOOL:
            text = str(_("Yes"))
        else:
            text = str(value)
        rows.append((str(spec.label), text))
    return rows
