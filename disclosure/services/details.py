"""Validation of the national standard's fields against the kinds' specs (``disclosure.kinds.spec``).

``details_clean`` checks and normalizes a record's ``details`` (types, code lists, lengths, ID
numbers by their type, which subject types may carry which fields); ``subject_errors`` applies the
subject rules that involve the common columns (GB 32100 codes and the individual business's
``00000000000000000X``); ``publication_missing`` lists what the rule table requires before a
record of its kind is published; ``public_details`` is what of the details the public may see,
masked. The record services, the API, the workspace forms and the backfill import all call these.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from backend.serializer_fields import FIRST_YEAR, LAST_YEAR
from disclosure.kinds import RecordKind
from disclosure.kinds.codes import IdType, SubjectType
from disclosure.kinds.spec import (
    ALL_FIELDS,
    LONG_TERM,
    PUBLICATION_RULES,
    SUBJECT_FIELD_TYPES,
    Field,
    FieldType,
    field_label,
    fields_for,
)
from disclosure.services.privacy import MaskContext, fold, mask

# A 个体工商户 without a credit code is written with this placeholder (its check digit is wrong on
# purpose); then its 工商注册号 is required. No other subject may carry it.
INDIVIDUAL_PLACEHOLDER = "00000000000000000X"
MAX_INSPECTORS = 50
DETAILS_KEY = "details"

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID18 = re.compile(r"[1-9]\d{5}(18|19|20)\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])\d{3}[0-9X]")
_ID15 = re.compile(r"[1-9]\d{5}\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])\d{3}")
_ID_PATTERNS: dict[str, re.Pattern[str]] = {
    IdType.PASSPORT: re.compile(r"[A-Z0-9]{5,20}"),
    IdType.HK_MACAO_PERMIT: re.compile(r"[HM]\d{8}(\d{2})?"),
    IdType.TAIWAN_PERMIT: re.compile(r"\d{8}(\d{2})?"),
    IdType.FOREIGNER_PERMANENT: re.compile(r"[A-Z]{3}\d{12}|9\d{16}[0-9X]"),
}


def normalize_id_number(raw: str) -> str:
    """An ID number as written, folded (full-width digits and letters to ASCII), separators and
    spaces removed, upper case."""
    return re.sub(r"[\s\-./_]", "", fold(raw)).upper()


def resident_id_problem(number: str) -> str | None:
    """Why ``number`` (normalized) is not a resident ID number, or None."""
    if _ID15.fullmatch(number):
        return None
    if not _ID18.fullmatch(number):
        return _("A resident ID number has 18 characters (the last may be X) with a valid birth date.")
    try:
        date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return _("The birth date in this ID number does not exist.")
    check = _ID_CHECK[sum(int(c) * w for c, w in zip(number[:17], _ID_WEIGHTS, strict=True)) % 11]
    if number[17] != check:
        return _("The check character of this ID number should be %(expected)s.") % {"expected": check}
    return None


def id_number_problem(id_type: str, number: str) -> str | None:
    """Why ``number`` is not an ID number of ``id_type``, or None."""
    if id_type == IdType.ID_CARD:
        return resident_id_problem(number)
    pattern = _ID_PATTERNS.get(id_type)
    if pattern is not None and not pattern.fullmatch(number):
        return _("This is not a number of the form the ID type %(type)s has.") % {"type": IdType(id_type).label}
    if len(number) > 64:
        return _("An ID number has at most 64 characters.")
    return None


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _clean_value(spec: Field, value: Any) -> tuple[Any, str | None]:
    """``value`` in its stored form, or the problem with it."""
    kind = spec.type
    if kind == FieldType.BOOL:
        return (value, None) if isinstance(value, bool) else (None, _("Expected true or false."))
    if kind == FieldType.INSPECTORS:
        return _clean_inspectors(value)
    if isinstance(value, date) and kind in (FieldType.DATE, FieldType.UNTIL):
        return value.isoformat(), None
    if isinstance(value, (int, Decimal)) and not isinstance(value, bool) and kind == FieldType.YUAN:
        value = str(value)
    if not isinstance(value, str):
        return None, _("Expected text.")
    value = value.strip()
    if "\x00" in value:
        return None, _("Null characters are not allowed.")
    if kind == FieldType.TEXT:
        if spec.max_length and len(value) > spec.max_length:
            return None, _("At most %(n)d characters.") % {"n": spec.max_length}
        return value, None
    if kind == FieldType.CODE:
        assert spec.choices is not None
        if value not in spec.choices.values:
            return None, _("Unknown value %(value)s; expected one of: %(values)s.") % {
                "value": value[:40], "values": ", ".join(spec.choices.values)}
        return value, None
    if kind in (FieldType.DATE, FieldType.UNTIL):
        if kind == FieldType.UNTIL and value == LONG_TERM:
            return value, None
        try:
            folded = fold(value)
            # Only the calendar form the standard writes (not an ISO week, nor a date of the year 1).
            if not _ISO_DAY.fullmatch(folded):
                raise ValueError(folded)
            day = date.fromisoformat(folded)
            if not FIRST_YEAR <= day.year <= LAST_YEAR:
                raise ValueError(folded)
            return day.isoformat(), None
        except ValueError:
            if kind == FieldType.UNTIL:
                return None, _("Expected a date (YYYY-MM-DD) or long_term.")
            return None, _("Expected a date (YYYY-MM-DD).")
    if kind == FieldType.YUAN:
        try:
            amount = Decimal(fold(value).replace(",", ""))
        except InvalidOperation:
            return None, _("Expected an amount in yuan.")
        exponent = amount.as_tuple().exponent
        # ``is_signed``: "-0" too, which would be stored as "-0.00".
        if not amount.is_finite() or amount.is_signed() or exponent < -2 or amount >= Decimal(10) ** 12:  # type: ignore[operator]
            return None, _("Expected a non-negative amount in yuan with at most two decimals.")
        return str(amount.quantize(Decimal("0.01"))), None
    if kind in (FieldType.REGION, FieldType.DIGITS):
        digits = fold(value)
        length = spec.max_length or 6
        if not (len(digits) == length and digits.isascii() and digits.isdigit()):
            return None, _("Expected exactly %(n)d digits.") % {"n": length}
        return digits, None
    if kind == FieldType.ID_NUMBER:
        return normalize_id_number(value), None  # checked against its type by ``details_clean``
    raise AssertionError(kind)


def _clean_inspectors(value: Any) -> tuple[Any, str | None]:
    message = _("Expected a list of inspectors, each with a name and a badge number.")
    if not isinstance(value, list) or len(value) > MAX_INSPECTORS:
        return None, message
    out = []
    for item in value:
        if not isinstance(item, Mapping) or set(item) - {"name", "badge"}:
            return None, message
        name, badge = item.get("name"), item.get("badge")
        if not isinstance(name, str) or not isinstance(badge, str):
            return None, message
        name, badge = name.strip(), fold(badge).strip()
        if not name or not badge or len(name) > 50 or len(badge) > 50 or "\x00" in name + badge:
            return None, message
        out.append({"name": name, "badge": badge})
    return out, None


def details_clean(*, kind: str, subject_type: str, details: Any) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """``details`` checked against the spec of ``kind``: the stored form (empty values dropped)
    and the errors, keyed ``details.<field>``."""
    errors: dict[str, list[str]] = {}
    if not isinstance(details, Mapping):
        return {}, {DETAILS_KEY: [_("Expected an object of the standard's fields.")]}
    specs = {f.name: f for f in fields_for(kind)}
    out: dict[str, Any] = {}
    for name, value in details.items():
        key = f"{DETAILS_KEY}.{name}"
        spec = specs.get(str(name))
        if spec is None:
            errors[key] = [_("Not a field of a record of kind %(kind)s.") % {
                "kind": RecordKind(kind).label if kind in RecordKind.values else kind}]
            continue
        if _empty(value):
            continue
        allowed = SUBJECT_FIELD_TYPES.get(spec.name)
        if allowed is not None and subject_type not in allowed:
            errors[key] = [_("Not a field of a subject of type %(type)s.") % {
                "type": SubjectType(subject_type).label if subject_type in SubjectType.values else subject_type}]
            continue
        clean, problem = _clean_value(spec, value)
        if problem:
            errors[key] = [problem]
        elif not _empty(clean):
            out[spec.name] = clean
    for spec in specs.values():
        if spec.type == FieldType.ID_NUMBER and spec.name in out:
            id_type = out.get(spec.id_type_field)
            problem = (_("Name the ID type first.") if id_type is None
                       else id_number_problem(id_type, out[spec.name]))
            if problem:
                errors[f"{DETAILS_KEY}.{spec.name}"] = [problem]
    if out.get("valid_from") and out.get("valid_to") not in (None, LONG_TERM) and out["valid_to"] < out["valid_from"]:
        errors[f"{DETAILS_KEY}.valid_to"] = [_("The end of validity cannot be before its start.")]
    if out.get("start_date") and out.get("end_date") and out["end_date"] < out["start_date"]:
        errors[f"{DETAILS_KEY}.end_date"] = [_("The end cannot be before the start.")]
    return out, errors


def subject_errors(values: Mapping[str, Any]) -> dict[str, list[str]]:
    """The subject rules over the common columns and the details: the placeholder code only for an
    individual business, which then needs its business registration number."""
    errors: dict[str, list[str]] = {}
    code, subject_type = values.get("subject_code") or "", values.get("subject_type")
    details = values.get("details") or {}
    if code == INDIVIDUAL_PLACEHOLDER:
        if subject_type != SubjectType.INDIVIDUAL_BUSINESS:
            errors["subject_code"] = [_("The code 00000000000000000X is only for an individual business "
                                        "without a unified social credit code.")]
        elif not details.get("business_registration_number"):
            errors[f"{DETAILS_KEY}.business_registration_number"] = [
                _("An individual business written with 00000000000000000X needs its business registration number.")]
    elif subject_type == SubjectType.INDIVIDUAL_BUSINESS and not code:
        errors["subject_code"] = [_("An individual business is identified by its unified social credit code, "
                                    "or 00000000000000000X with its business registration number.")]
    return errors


def _filled(values: Mapping[str, Any], name: str) -> bool:
    details = values.get("details") or {}
    value = details.get(name) if name in details else values.get(name)
    if isinstance(value, str):
        return bool(value.strip())
    return not _empty(value)


def _applies(rule: Any, values: Mapping[str, Any]) -> bool:
    if rule.subject_types is not None and values.get("subject_type") not in rule.subject_types:
        return False
    if rule.when is not None:
        field, wanted = rule.when
        details = values.get("details") or {}
        current = details.get(field, values.get(field))
        current_set = set(current) if isinstance(current, list) else {current}
        if not current_set & wanted:
            return False
    return not (rule.unless and _filled(values, rule.unless))


def _key(name: str) -> str:
    return f"{DETAILS_KEY}.{name}" if name in ALL_FIELDS else name


def publication_missing(values: Mapping[str, Any]) -> dict[str, str]:
    """What the rule table requires of a record of ``values["kind"]`` before publication and it
    lacks: ``{key: source}``, keys as the API names the fields (``details.<field>`` or the column)."""
    return {_key(rule.field): rule.source for rule in PUBLICATION_RULES.get(values.get("kind") or "", ())
            if _applies(rule, values) and not _filled(values, rule.field)}


def standard_missing(values: Mapping[str, Any]) -> list[str]:
    """What the auditor's completeness list shows for a record: the publication requirements it
    lacks and the migrated penalty types its agency has still to confirm."""
    missing = list(publication_missing(values))
    if (values.get("details") or {}).get("penalty_types_unconfirmed"):
        missing.append("penalty_types_unconfirmed")
    return missing


def missing_message(missing: Mapping[str, str]) -> tuple[str, dict[str, list[str]]]:
    """The refusal of a publication naming every missing field."""
    names = "、".join(field_label(k.removeprefix(f"{DETAILS_KEY}.")) for k in missing)
    errors = {key: [_("%(field)s: required before publication (%(source)s).") % {
        "field": field_label(key.removeprefix(f"{DETAILS_KEY}.")), "source": source}]
        for key, source in missing.items()}
    return _("The national standard requires these fields before publication: %(fields)s.") % {"fields": names}, errors


def public_details(kind: str, details: Mapping[str, Any] | None, context: MaskContext) -> dict[str, Any]:
    """The details the public may see: never-public fields dropped, every text masked."""
    out: dict[str, Any] = {}
    for spec in fields_for(kind):
        value = (details or {}).get(spec.name)
        if not spec.public or _empty(value):
            continue
        if spec.type == FieldType.TEXT:
            out[spec.name] = mask(str(value), context)
        elif spec.type == FieldType.INSPECTORS:
            out[spec.name] = [{"name": mask(str(i.get("name", "")), context), "badge": str(i.get("badge", ""))}
                              for i in (value or []) if isinstance(i, Mapping)]
        else:
            out[spec.name] = value
    return out
