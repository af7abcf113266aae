"""The one masking function, applied once, where record data is projected for the public.

What is masked (SPEC.md "Privacy", 2018 政务公开工作要点 "去标识化处理"):

* resident ID numbers (18 digits, the last one may be X; and the older 15 digits), recognised by
  their embedded birth date;
* mobile numbers (11 digits starting 13–19, optional 86/0086 country code) and landline numbers
  (a 0-led area code, then 7–8 digits; or 86 and the area code without its 0), and any number
  written after a phone label (电话, 手机, Tel …);
* for a natural person as subject: addresses, found after an address label (住址, 地址, 户籍地 …,
  reduced to the district or county) and as house-number detail after a road, village or
  building word (…路12号3单元 → …路**);
* for a natural person in a record that is not punitive disclosure (``PUBLIC_PUNITIVE_KINDS``):
  the name, kept to its first character wherever it appears.

Numbers are recognised however they are written: the text is first folded, one character for one
character (full-width and other Unicode digits to ASCII digits, full-width letters and
punctuation to ASCII, every dash to ``-``, zero-width and other formatting characters and every
kind of space to a space), so a match in the folded text is a span of the same length in the
original. A number is a run of digit groups joined by short runs of separators (spaces and line
breaks, dots and middle dots, hyphens, slashes, underscores, brackets, commas, colons; up to eight
in a row), after letters or not; every stretch of consecutive groups is tried, so
``2101 0219 9003 0712 34``, ``138.1234.5678`` and ``+86-429-2345678`` are found, and so is a phone
number written right after a date. Only the matched span is replaced; the rest of the text keeps
its own characters. The masked form keeps the original's length class (an 18-digit ID stays 18
characters, a mobile 11), so a reader sees that something was masked.

Legal persons' credit codes and registered addresses are public registration data and are left
as they are. An address written with neither a label nor a house number is not recognised: staff
are told to write addresses after a label.
"""
from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from disclosure.kinds.codes import LEGACY_PENALTY_TYPES, PenaltyType
from disclosure.models import SubjectType

_MASK = "*"
_BLANKS = "\u200b\u2060\ufeff\u3000\u3164\u115f\u1160\uffa0"
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d\u2e3a\u2e3b\u30fc"


def _fold_char(ch: str) -> str:
    """One character's folded form: always exactly one character, so spans keep their offsets."""
    category = unicodedata.category(ch)
    # Formatting and control characters (a line break inside a number), every kind of space,
    # combining marks and the Hangul fillers all separate digit groups like a space.
    if category in ("Cf", "Cc", "Zs", "Zl", "Zp", "Mn", "Me") or ch in _BLANKS:
        return " "
    if ch in _DASHES:
        return "-"
    digit = unicodedata.digit(ch, None)
    if digit is not None and not ch.isascii():
        return str(digit)
    folded = unicodedata.normalize("NFKC", ch)
    if len(folded) == 1 and folded.isascii() and folded.isprintable():
        return folded
    return ch


class _FoldTable(dict[int, str]):
    """A ``str.translate`` table computed lazily, one entry per character ever seen."""

    def __missing__(self, code: int) -> str:
        folded = _fold_char(chr(code))
        self[code] = folded
        return folded


_FOLD = _FoldTable()


def fold(text: str) -> str:
    """``text`` with every character folded (same length): the form all matching is done on."""
    return text if text.isascii() and text.isprintable() else text.translate(_FOLD)


# -- numbers ------------------------------------------------------------------------------------
# Between digit groups: spaces (a line break or an Excel column's padding folds to spaces, so up to
# eight in a row), dots and middle dots, hyphens, slashes, underscores, brackets, commas, colons.
_SEP = r"[ \t.\-/_(),:\u00b7\u30fb\u2022\u2027\u2219]{1,8}"
# A number may follow letters ("ID11010519491231002X"), never other digits.
_RUN = re.compile(r"(?<![0-9])[0-9]+(?:" + _SEP + r"[0-9]+)*[Xx]?(?![0-9])")
_GROUP = re.compile(r"[0-9]+[Xx]?")
_MAX_GROUPS = 18  # an 18-digit ID written one or two digits at a time
_DATE8 = r"(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"
_DATE6 = r"\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"
_ID18 = re.compile(r"[1-9]\d{5}" + _DATE8 + r"\d{3}[0-9Xx]")
_ID15 = re.compile(r"[1-9]\d{5}" + _DATE6 + r"\d{3}")
_MOBILE = re.compile(r"((?:00)?86)?(1[3-9]\d)(\d{4})(\d{4})")
_LANDLINE = re.compile(r"(0(?:[12]\d|[3-9]\d{2}))(\d{7,8})")
_LANDLINE_INTL = re.compile(r"((?:00)?86)((?:[12]\d|[3-9]\d{2}))(\d{7,8})")


def _kept_digits(compact: str, first_group: str) -> tuple[int, int] | None:
    """How many leading and trailing digits of a candidate number (separators removed) stay
    visible, or None when it is not a personal number."""
    if _ID18.fullmatch(compact) or _ID15.fullmatch(compact):
        return 3, 2
    mobile = _MOBILE.fullmatch(compact)
    if mobile:
        return len(mobile.group(1) or "") + 3, 4
    landline = _LANDLINE.fullmatch(compact)
    if landline:
        area = landline.group(1)
        if first_group.startswith("0") and 3 <= len(first_group) <= 4:
            area = first_group  # the area code as written
            if not 7 <= len(compact) - len(area) <= 8:
                return None
        return len(area), 2
    intl = _LANDLINE_INTL.fullmatch(compact)
    if intl:
        return len(intl.group(1)) + len(intl.group(2)), 2
    return None


def _hide_digits(written: str, keep_start: int, keep_end: int) -> str:
    """``written`` with its digits masked but the first and last few, separators kept as written
    (so the masked form has the original's length and shape)."""
    total = sum(c.isdigit() or c in "Xx" for c in written)
    out, seen = [], 0
    for c in written:
        if c.isdigit() or c in "Xx":
            seen += 1
            out.append(c if seen <= keep_start or seen > total - keep_end else _MASK)
        else:
            out.append(c)
    return "".join(out)


Span = tuple[int, int, str]


def _number_spans(folded: str) -> list[Span]:
    spans: list[Span] = []
    for run in _RUN.finditer(folded):
        groups = list(_GROUP.finditer(run.group(0)))
        i = 0
        while i < len(groups):
            for j in range(min(i + _MAX_GROUPS, len(groups)) - 1, i - 1, -1):  # longest first
                compact = "".join(g.group(0) for g in groups[i:j + 1])
                kept = _kept_digits(compact, groups[i].group(0))
                if kept is not None:
                    start, end = run.start() + groups[i].start(), run.start() + groups[j].end()
                    spans.append((start, end, _hide_digits(folded[start:end], *kept)))
                    i = j + 1
                    break
            else:
                i += 1
    return spans


_PHONE_LABEL = re.compile(
    r"((?:联系)?电话|手机|联系方式|座机|[Tt]el\.?|TEL|[Pp]hone)(:?\s*)([0-9+() \-]{5,24}[0-9])"
)


def _label_spans(folded: str) -> list[Span]:
    return [(m.start(3), m.end(3), _hide_digits(m.group(3), 0, 2)) for m in _PHONE_LABEL.finditer(folded)]


# -- addresses and names --------------------------------------------------------------------------
_ADDRESS_LABEL = re.compile(
    r"(家庭住址|家庭地址|现住址|现住所|住址|住所地|住所|居住地|户籍所在地|户籍地|地址)([:为在]?\s*)([^,，。;；\n)]+)"
)
_REGION = re.compile(r"^.*?(?:区|县|旗)")
_CITY = re.compile(r"^.*?市")
_HOUSE = re.compile(
    r"(?<=路|街|道|巷|里|村|屯|组|区|园|寓|厦|楼)"
    r"((?:\s*[0-9一二三四五六七八九十百零〇]+\s*(?:号楼|号院|号|栋|幢|楼|单元|层|室|户|组))+)"
)


def _address_spans(folded: str) -> list[Span]:
    spans: list[Span] = []
    for m in _ADDRESS_LABEL.finditer(folded):
        value = m.group(3)
        region = _REGION.match(value) or _CITY.match(value)
        kept = region.group(0) if region else ""
        if value != kept + _MASK * 4:
            spans.append((m.start(3) + len(kept), m.end(3), _MASK * 4))
    return spans


def _house_spans(folded: str) -> list[Span]:
    return [(m.start(1), m.end(1), _MASK * 2) for m in _HOUSE.finditer(folded)]


def deidentify_name(name: str) -> str:
    return name[:1] + _MASK * max(len(name) - 1, 1)


def _name_finder(name: str) -> Callable[[str], list[Span]]:
    chars = [c for c in fold(name) if not c.isspace()]
    pattern = re.compile(r"\s*".join(re.escape(c) for c in chars))
    hidden = deidentify_name("".join(chars))
    return lambda folded: [(m.start(), m.end(), hidden) for m in pattern.finditer(folded)]


def _apply(text: str, folded: str, spans: list[Span]) -> tuple[str, str]:
    """Replace ``spans`` (found in ``folded``) in both strings, which stay aligned."""
    for start, end, replacement in sorted(spans, reverse=True):
        text = text[:start] + replacement + text[end:]
        folded = folded[:start] + replacement + folded[end:]
    return text, folded


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


@functools.lru_cache(maxsize=4096)
def mask(text: str, context: MaskContext) -> str:
    """Mask personal data in one public text. Idempotent: masking a masked text changes nothing.

    A pure function of the text and the context (the rules are this module's constants), so its
    recent answers are kept: the texts of a record's versions repeat its own, and legal bases and
    standard wordings repeat across records (a batched import masks each such text once)."""
    if not text:
        return text
    folded = fold(text)
    if any(c.isdigit() for c in folded):
        text, folded = _apply(text, folded, _number_spans(folded))
        text, folded = _apply(text, folded, _label_spans(folded))
    if context.natural_person:
        text, folded = _apply(text, folded, _address_spans(folded))
        text, folded = _apply(text, folded, _house_spans(folded))
    for name in context.names:
        text, folded = _apply(text, folded, _name_finder(name)(folded))
    return text


# The text fields of a record that leave for the public, each masked.
PUBLIC_TEXT_FIELDS = ("title", "subject_name", "content", "legal_basis", "document_number")


def public_payload(values: Mapping[str, Any], *, record_id: int, context: MaskContext | None = None
                   ) -> dict[str, Any]:
    """The public form of a record or version snapshot: only public fields, every text masked."""
    context = context or context_for(values)
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
        # A version sealed before migration 0015 names the old types: shown as they were migrated.
        "penalty_types": [t if t in PenaltyType.values else LEGACY_PENALTY_TYPES.get(t, t)
                          for t in values.get("penalty_types") or []],
        "fine_amount": values.get("fine_amount"),
        "task": values.get("task_id"),
    }
    # The class and the first day credit repair may be applied for (NDRC Order 2025 No. 36); a
    # version sealed before they existed has neither, and its payload stays what it was.
    for key in ("severity", "repair_from"):
        if key in values:
            payload[key] = values[key]
    for field in PUBLIC_TEXT_FIELDS:
        payload[field] = mask(str(values.get(field) or ""), context)
    # The standard's fields the public may see (never an ID number), texts masked. A version
    # sealed before they existed has none.
    from disclosure.services.details import public_details  # details builds on this module
    payload["details"] = public_details(str(values.get("kind") or ""), values.get("details"), context)
    # The subject's statement (当事人陈述) goes with the record, masked with the record's context
    # ("" and None without one). A version sealed before statements existed has neither key, and
    # its payload stays byte for byte what it was: the transparency log's frozen leaves of it keep
    # matching what the projection derives again (``selectors.transparency.leaf_shown``).
    if "subject_statement" in values:
        payload["subject_statement"] = mask(str(values.get("subject_statement") or ""), context)
        payload["subject_statement_on"] = values.get("subject_statement_on")
    return payload
