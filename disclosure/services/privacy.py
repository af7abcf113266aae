"""The one masking function, applied wherever record data leaves the system for the public.

What is masked (SPEC.md "Privacy", 2018 政务公开工作要点 "去标识化处理"):

* resident ID numbers (18 digits, the last one may be X; and the older 15 digits), recognised by
  their embedded birth date, with or without spaces or hyphens between the 6-8-4 groups;
* mobile numbers (11 digits starting 13–19, optional +86/0086, optional separators) and landline
  numbers (a 0-led area code, then 7–8 digits, optional extension), and any number written after
  a phone label (电话, 手机, Tel …);
* for a natural person as subject: addresses, found after an address label (住址, 地址, 户籍地 …,
  reduced to the district or county) and as house-number detail after a road, village or
  building word (…路12号3单元 → …路**);
* for a natural person in a record that is not punitive disclosure (``PUBLIC_PUNITIVE_KINDS``):
  the name, kept to its first character wherever it appears.

Legal persons' credit codes and registered addresses are public registration data and are left
as they are. An address written with neither a label nor a house number is not recognised: staff
are told to write addresses after a label.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from disclosure.models import SubjectType

_B = r"(?<![0-9A-Za-z])"  # not inside a longer run of letters or digits
_E = r"(?![0-9A-Za-z])"
_SEP = r"[ \-]?"
_DATE8 = r"(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"
_DATE6 = r"\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"
_ID18 = re.compile(_B + r"\d{6}" + _SEP + _DATE8 + _SEP + r"\d{3}[0-9Xx]" + _E)
_ID15 = re.compile(_B + r"\d{6}" + _SEP + _DATE6 + _SEP + r"\d{3}" + _E)
_MOBILE = re.compile(
    _B + r"(?:(?:\+|00)86[ \-]?)?(1[3-9]\d)" + _SEP + r"(\d{4})" + _SEP + r"(\d{4})" + _E
)
_LANDLINE = re.compile(
    r"(?<![0-9A-Za-z(（])" + r"[(（]?(0\d{2,3})[)）]?" + _SEP + r"(\d{7,8})(?:(?:转|-|ext\.?|x)\d{1,6})?" + _E
)
_PHONE_LABEL = re.compile(
    r"((?:联系)?电话|手机|联系方式|座机|[Tt]el\.?|TEL|[Pp]hone)([:：]?\s*)([0-9+()（）\- ]{5,24}\d)"
)
_ADDRESS_LABEL = re.compile(
    r"(家庭住址|家庭地址|现住址|现住所|住址|住所地|住所|居住地|户籍所在地|户籍地|地址)([:：为在]?\s*)([^，,。；;\n）)]+)"
)
_REGION = re.compile(r"^.*?(?:区|县|旗)")
_CITY = re.compile(r"^.*?市")
_HOUSE = re.compile(
    r"(路|街|大街|道|巷|胡同|里|村|屯|组|小区|花园|公寓|大厦|家园|社区|楼)"
    r"((?:\s*[0-9０-９一二三四五六七八九十百零〇]+\s*(?:号楼|号院|号|栋|幢|楼|单元|层|室|户|组))+)"
)
_MASK = "*"


@dataclass(frozen=True)
class MaskContext:
    """What the masking needs to know about the record a text belongs to."""

    natural_person: bool
    names: tuple[str, ...] = ()  # names to de-identify (natural persons in non-punitive records)


def context_for(values: Mapping[str, Any]) -> MaskContext:
    """The masking context of a record (a ``Record`` projection or a version snapshot)."""
    natural = values.get("subject_type") == SubjectType.NATURAL_PERSON
    name = (values.get("subject_name") or "").strip()
    deidentify = natural and values.get("kind") not in settings.PUBLIC_PUNITIVE_KINDS and len(name) > 1
    return MaskContext(natural_person=natural, names=(name,) if deidentify else ())


def _stars(value: str, keep_start: int, keep_end: int) -> str:
    compact = re.sub(r"[ \-]", "", value)
    hidden = max(len(compact) - keep_start - keep_end, 1)
    return compact[:keep_start] + _MASK * hidden + (compact[-keep_end:] if keep_end else "")


def _address(match: re.Match[str]) -> str:
    value = match.group(3)
    region = _REGION.match(value) or _CITY.match(value)
    return match.group(1) + match.group(2) + (region.group(0) if region else "") + _MASK * 4


def deidentify_name(name: str) -> str:
    return name[:1] + _MASK * max(len(name) - 1, 1)


def mask(text: str, context: MaskContext) -> str:
    """Mask personal data in one public text. Idempotent: masking a masked text changes nothing."""
    if not text:
        return text
    text = _ID18.sub(lambda m: _stars(m.group(0), 3, 2), text)
    text = _ID15.sub(lambda m: _stars(m.group(0), 3, 2), text)
    text = _MOBILE.sub(lambda m: f"{m.group(1)}{_MASK * 4}{m.group(3)}", text)
    text = _LANDLINE.sub(lambda m: f"{m.group(1)}-{_MASK * (len(m.group(2)) - 2)}{m.group(2)[-2:]}", text)
    text = _PHONE_LABEL.sub(lambda m: m.group(1) + m.group(2) + _stars(m.group(3), 0, 2), text)
    if context.natural_person:
        text = _ADDRESS_LABEL.sub(_address, text)
        text = _HOUSE.sub(lambda m: m.group(1) + _MASK * 2, text)
    for name in context.names:
        text = text.replace(name, deidentify_name(name))
    return text


# The text fields of a record that leave for the public, each masked.
PUBLIC_TEXT_FIELDS = ("title", "subject_name", "content", "legal_basis", "document_number")


def public_payload(values: Mapping[str, Any], *, record_id: int) -> dict[str, Any]:
    """The public form of a record or version snapshot: only public fields, every text masked."""
    context = context_for(values)
    code = values.get("subject_code") or ""
    payload: dict[str, Any] = {
        "id": record_id,
        "kind": values.get("kind"),
        "agency": values.get("agency_code"),
        "status": values.get("status"),
        "subject_type": values.get("subject_type"),
        # A natural person's code is an individual business's credit code at most; masked all the
        # same in case it carries an ID number.
        "subject_code": mask(code, context) if context.natural_person else code,
        "event_date": values.get("event_date"),
        "published_at": values.get("published_at"),
        "expires_on": values.get("expires_on"),
        "penalty_types": list(values.get("penalty_types") or []),
        "task": values.get("task_id"),
    }
    for field in PUBLIC_TEXT_FIELDS:
        payload[field] = mask(str(values.get(field) or ""), context)
    return payload
