"""Open data (README "Open data"): what the daily dump holds, its documented schema, and the dumps
the portal offers.

The dump is public, so it reads only the public projection (``PublicRecord``, masked once when
each version was written) and only the records the portal lists on the dump's day (the one "is
public" rule, ``selectors.public.public_records``). Its columns are the exchange export's
(``kinds.exchange.COLUMNS``, formatted by ``selectors.exchange``), minus the never-public ones.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from disclosure.kinds.codes import STANDARD_TERMS, PenaltyType, SubjectType
from disclosure.kinds.exchange import DATASET_KINDS
from disclosure.kinds.spec import ALL_FIELDS, FieldType
from disclosure.models import OpenDataDump, OpenDataState
from disclosure.selectors.exchange import columns
from disclosure.selectors.public import public_records

OPEN_FORMATS = ("csv", "json")
DATASET_LABELS: dict[str, Promise] = {
    "permits": _("Administrative permits and filings"),
    "penalties": _("Administrative penalties"),
    "inspections": _("Inspections (tasks and results)"),
    "coercive_measures": _("Administrative coercive measures"),
}
_NAME = re.compile(r"(?P<dataset>[a-z_]+)_(?P<day>[0-9]{8})\.(?P<fmt>csv|json)")
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def dump_rows(dataset: str, day: date) -> QuerySet[Any]:
    """The rows of ``dataset`` public on ``day`` (published by its end, listed, inside the display
    period), oldest publication first, with the names the exchange formatter reads (a record's id
    is its projection's key)."""
    day_end = timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))
    rows: QuerySet[Any] = (public_records(today=day).filter(kind__in=DATASET_KINDS[dataset], published_at__lt=day_end)
                           .order_by("published_at", "record_id")
                           .values("kind", "status", "title", "subject_name", "subject_code", "subject_type",
                                   "event_date", "content", "legal_basis", "document_number", "penalty_types",
                                   "fine_amount", "expires_on", "published_at", "details", "agency__name",
                                   "agency__credit_code", "agency__region_code", id=F("record_id")))
    return rows


def dump_file_name(dataset: str, day: date, fmt: str) -> str:
    return f"{dataset}_{day:%Y%m%d}.{fmt}"


def open_data_root() -> Path:
    return Path(settings.OPEN_DATA_ROOT)


def dump_dir(day: date) -> Path:
    return open_data_root() / day.isoformat()


def oldest_kept_day(today: date | None = None) -> date:
    """Dumps of this day and later are kept (``OPEN_DATA_KEEP_DAYS`` days, today included)."""
    return (today or timezone.localdate()) - timedelta(days=settings.OPEN_DATA_KEEP_DAYS - 1)


def kept_dumps(today: date | None = None) -> QuerySet[OpenDataDump]:
    """The finished dumps the portal offers, newest first."""
    return OpenDataDump.objects.filter(state=OpenDataState.DONE, day__gte=oldest_kept_day(today)).order_by("-day")


def dump_file(day_text: str, name: str) -> Path | None:
    """The file ``name`` of the kept dump of ``day_text``, or None: the name must be one the dump
    recorded (so no path from the request reaches the file system unchecked)."""
    if not _DAY.fullmatch(day_text) or not _NAME.fullmatch(name):
        return None
    try:
        day = date.fromisoformat(day_text)
    except ValueError:
        return None
    dump = kept_dumps().filter(day=day).first()
    if dump is None or name not in dump.files:
        return None
    path = dump_dir(day) / name
    return path if path.is_file() else None


# -- the schema, documented on the page, from the spec --------------------------------------------
_DERIVED: dict[str, Promise] = {
    "subject_type": _("The subject's category: legal person, individual business or natural person."),
    "credit_code": _("The subject's unified social credit code (a natural person's, masked)."),
    "permit_document_number": _("The permit decision's document number (the permit number when it has none)."),
    "permit_category": _("The permit's category in the standard's terms."),
    "agency_name": _("The deciding agency (also the agency the data comes from)."),
    "agency_credit_code": _("The agency's unified social credit code."),
    "permit_status": _("Valid, or invalid once revoked or past its display period."),
    "penalty_types": _("The kinds of penalty, in the standard's terms."),
    "shown_until": _("The last day the record is shown publicly."),
    "remark": _("Changed, corrected or other notes on the record's state."),
    "record_number": _("The record's number on this portal."),
    "kind": _("Inspection task or inspection result."),
    "subject_id_type": _("The kind of the subject's code."),
    "subject_id_number": _("The subject's code (a natural person's, masked)."),
    "region_code": _("The administrative division code (GB/T 2260)."),
    "inspectors": _("The inspectors and their enforcement badge numbers."),
    "published_at": _("When the record was published."),
}
_RECORD_COLUMNS: dict[str, Promise] = {
    "subject_name": _("The subject's name (a natural person's name may be de-identified)."),
    "content": _("What was decided."),
    "legal_basis": _("The legal basis."),
    "document_number": _("The decision document's number."),
    "title": _("The title of the record."),
    "event_date": _("The date of the decision."),
    "fine_amount": _("The fine."),
}
_TEXT = _("Text; personal data masked")


def _format(how: str, name: str) -> tuple[str, list[str]]:
    """How a column's values are written, and the terms it takes (if a closed list)."""
    spec = ALL_FIELDS.get(name)
    if how == "wan":
        return str(_("Amount in 万元 (ten thousand yuan), up to 6 decimals, e.g. 0.2 for 2000 yuan")), []
    if how == "date" or (spec is not None and spec.type in (FieldType.DATE, FieldType.UNTIL)):
        return str(_("Date: YYYY/MM/DD in CSV, YYYY-MM-DD in JSON; long-term validity as 2099/12/31")), []
    if how == "fn" and name == "published_at":
        return str(_("Date and time, Beijing time: YYYY/MM/DD HH:MM:SS in CSV, ISO 8601 in JSON")), []
    if how == "fn" and name == "penalty_types":
        return str(_("Terms separated by ;")), list(STANDARD_TERMS[PenaltyType].values())
    if how == "fn" and name == "subject_type":
        return str(_("One of the terms")), list(STANDARD_TERMS[SubjectType].values())
    if spec is not None and spec.choices is not None:
        return str(_("One of the terms")), list(STANDARD_TERMS[spec.choices].values())
    if spec is not None and spec.type in (FieldType.DIGITS, FieldType.REGION) and spec.max_length:
        return str(_("%(n)d digits") % {"n": spec.max_length}), []
    if how == "fn" and name in ("credit_code", "agency_credit_code"):
        return str(_("18 characters (GB 32100); a natural person's masked with *")), []
    return str(_TEXT), []


@dataclass(frozen=True)
class SchemaColumn:
    heading: str
    meaning: str
    format: str
    terms: list[str]


def dataset_schema(dataset: str) -> list[SchemaColumn]:
    """The dump's columns of ``dataset``, in order: heading, meaning and format."""
    result = []
    for heading, source in columns(dataset, public=True):
        how, _sep, name = source.partition(":")
        spec = ALL_FIELDS.get(name)
        if how == "fn":
            meaning = str(_DERIVED.get(name, ""))
        elif spec is not None:
            meaning = str(spec.label)
        else:
            meaning = str(_RECORD_COLUMNS.get(name, ""))
        fmt, terms = _format(how, name)
        result.append(SchemaColumn(heading=heading, meaning=meaning, format=fmt, terms=terms))
    return result
