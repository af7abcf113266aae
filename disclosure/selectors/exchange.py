"""The national standard's exchange files (Art. 6): who may export what, the rows, their values,
and the three file formats, streamed.

One row per record published with ``published_on`` in the period (disclosed proactively, any
state after publication: a revoked, changed, expired or credit-repaired record says so in 备注, so
a receiver takes down what is no longer shown), oldest publication first.
The query reads only the columns the columns need, joined with the agency, and walks them with
``iterator(chunk_size=…)``: memory stays the same whatever the number of rows, and the number of
queries too. The API view and ``manage.py export_exchange`` both write through ``write_csv``,
``write_json`` and ``write_xlsx``.
"""
from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import IO, Any

from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.errors import ApplicationError
from disclosure.kinds.codes import STANDARD_TERMS, IdType, PenaltyType, PermitStatus, SubjectType
from disclosure.kinds.exchange import COLUMNS, DATASET_KINDS, LONG_TERM_DATE, STANDARD_DATE_FORMAT
from disclosure.kinds.spec import ALL_FIELDS, LONG_TERM
from disclosure.models import Disclosure, Record, RecordStatus, Role, User
from disclosure.selectors.access import records_visible_to
from disclosure.services.privacy import MaskContext, mask

FORMATS = ("csv", "xlsx", "json")
_CACHE_MAX = 4096  # amounts remembered per export: bounded, so memory stays constant
CHUNK = 2000
_WAN = Decimal(10000)
_SIX = Decimal("0.000001")
_QUERY_FIELDS = (
    "id", "kind", "status", "title", "subject_name", "subject_code", "subject_type", "event_date", "content",
    "legal_basis", "document_number", "penalty_types", "fine_amount", "expires_on", "published_at", "details",
    "agency__name", "agency__credit_code", "agency__region_code",
)
_REMARKS = {RecordStatus.CHANGED: "已变更", RecordStatus.CORRECTED: "已更正", RecordStatus.REVOKED: "已撤销",
            RecordStatus.EXPIRED: "公示期满",
            # A credit repair ended the publication; 公示截止期 is then the day before the repair.
            RecordStatus.REPAIRED: "信用修复，已终止公示"}


@dataclass(frozen=True)
class ExchangeScope:
    records: QuerySet[Record]
    raw_ids: bool  # natural persons' ID numbers as they are (government-to-government), else masked


def exchange_scope(user: User) -> ExchangeScope | None:
    """What ``user`` may export: platform and auditor accounts every agency's records, agency staff
    their subtree's (the one scoping function); ID numbers raw only to a platform. None: nothing."""
    if not user.is_authenticated or not user.is_active:
        return None
    membership = getattr(user, "membership", None)
    role = membership.role if membership is not None else None
    if role in (Role.PLATFORM, Role.AUDITOR):
        return ExchangeScope(Record.objects.all(), raw_ids=role == Role.PLATFORM)
    if role is None and not user.is_superuser:
        return None
    return ExchangeScope(records_visible_to(user), raw_ids=False)


def exchange_rows(*, scope: ExchangeScope, dataset: str, date_from: date, date_to: date) -> QuerySet[Any]:
    """The rows of ``dataset`` published in [date_from, date_to], as ``values()`` dicts."""
    rows: QuerySet[Any] = scope.records.filter(
        kind__in=DATASET_KINDS[dataset], disclosure=Disclosure.PUBLIC, published_on__gte=date_from,
        published_on__lte=date_to).exclude(status=RecordStatus.DRAFT).order_by("published_on", "id").values(
        *query_fields(dataset))
    return rows


def query_fields(dataset: str) -> tuple[str, ...]:
    """The columns ``dataset``'s columns read (``published_at`` only where it is shown)."""
    return tuple(f for f in _QUERY_FIELDS if f != "published_at" or dataset == "inspections")


def stream_rows(rows: QuerySet[Any]) -> Iterator[dict[str, Any]]:
    """The rows of ``exchange_rows``, read a chunk at a time. On PostgreSQL straight from a
    server-side cursor, the columns decoded here once (Django's per-value converters cost more
    than the whole formatting at a million rows); elsewhere through ``iterator()``. One query."""
    if connection.vendor != "postgresql":
        yield from rows.iterator(chunk_size=CHUNK)
        return
    sql, params = rows.query.get_compiler(using=rows.db).as_sql()
    names = tuple(rows.query.values_select)
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while batch := cursor.fetchmany(CHUNK):
            for values in batch:
                row = dict(zip(names, values, strict=True))
                for key in ("details", "penalty_types"):
                    if isinstance(row[key], str):  # jsonb arrives as text (Django's loader)
                        row[key] = json.loads(row[key])
                yield row


# -- the request ------------------------------------------------------------------------------------
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def parse_day(raw: str, field: str) -> date:
    """A query's ISO date (ASCII digits only), or a 400 naming the field."""
    if _DATE.fullmatch(raw or ""):
        try:
            return date.fromisoformat(raw)
        except ValueError:
            pass
    raise ApplicationError(_("Invalid input."), {field: [_("A date as YYYY-MM-DD.")]})


def exchange_params(dataset: str, params: Any) -> tuple[date, date, str]:
    """The period and format of an export request; 400 with every problem named."""
    errors: dict[str, list[str]] = {}
    if dataset not in DATASET_KINDS:
        errors["dataset"] = [_("Unknown dataset; expected one of: %(values)s.") % {"values": ", ".join(DATASET_KINDS)}]
    days: dict[str, date] = {}
    for field in ("from", "to"):
        try:
            days[field] = parse_day(str(params.get(field, "")), field)
        except ApplicationError as exc:
            errors.update(exc.errors)
    fmt = str(params.get("format", "csv") or "csv")
    if fmt not in FORMATS:
        errors["format"] = [_("Expected one of: %(values)s.") % {"values": ", ".join(FORMATS)}]
    if not errors and days["from"] > days["to"]:
        errors["to"] = [_("The end of the period cannot be before its start.")]
    if errors:
        raise ApplicationError(_("Invalid input."), errors)
    return days["from"], days["to"], fmt


# -- values -------------------------------------------------------------------------------------
def wan_yuan(amount: Decimal | str | None) -> str:
    """Yuan as 万元, up to six decimals, trailing zeros trimmed (2000 → ``0.2``); Decimal only."""
    if amount is None or amount == "":
        return ""
    value = (Decimal(str(amount)) / _WAN).quantize(_SIX)
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


# Seven digits within reach of each other: the least a personal number has (a landline without its
# area code). A text without them is returned as it is, without the masking's walk.
_NUMBER_HINT = re.compile(r"\d(?:\D{0,8}\d){6}")
_NUMBERS_ONLY = MaskContext(natural_person=False)


def numbers_masked(text: str) -> str:
    """``text`` with every resident ID and telephone number masked (``privacy.mask``'s number
    rules; names and addresses stay: the exchange goes to government accounts)."""
    return mask(text, _NUMBERS_ONLY) if _NUMBER_HINT.search(text) else text


def mask_id_number(number: str) -> str:
    """An ID number with all but its first three and last two characters hidden (shorter ones
    entirely): the form everyone but a receiving platform gets."""
    if not number:
        return ""
    if len(number) < 8:
        return "*" * len(number)
    return number[:3] + "*" * (len(number) - 5) + number[-2:]


def never_public(source: str) -> bool:
    """Whether a column's values never leave for the public: an ID number (``id:``) or a standard
    field the spec marks never-public. The open-data dump has no such column at all."""
    how, _, name = source.partition(":")
    spec = ALL_FIELDS.get(name)
    return how == "id" or (how == "det" and spec is not None and not spec.public)


def columns(dataset: str, *, public: bool = False) -> tuple[tuple[str, str], ...]:
    """``dataset``'s columns (heading, source); ``public``: without the never-public ones."""
    return tuple(c for c in COLUMNS[dataset] if not (public and never_public(c[1])))


class _Formatter:
    def __init__(self, dataset: str, *, raw_ids: bool, iso_dates: bool, public: bool = False) -> None:
        self.columns = columns(dataset, public=public)
        self.raw_ids = raw_ids
        self.public = public  # rows from the public projection: their texts are masked already
        self.iso = iso_dates
        self.getters = [self._getter(source) for _heading, source in self.columns]
        self._days: dict[date | str, str] = {}  # a period holds few distinct days
        self._amounts: dict[str, str] = {}
        self._last_days: dict[date, str] = {}

    def day(self, value: date | str | None) -> str:
        if value is None or value == "":
            return ""
        cached = self._days.get(value)
        if cached is None:
            cached = self._days[value] = self._day(value)
        return cached

    def wan(self, amount: Decimal | str | None) -> str:
        """``wan_yuan``, remembered for the amounts seen most (fines are mostly round sums)."""
        key = str(amount)
        text = self._amounts.get(key)
        if text is None:
            text = wan_yuan(amount)
            if len(self._amounts) < _CACHE_MAX:
                self._amounts[key] = text
        return text

    def _day(self, value: date | str) -> str:
        if value == LONG_TERM:
            return "2099-12-31" if self.iso else LONG_TERM_DATE
        day = value if isinstance(value, date) else date.fromisoformat(str(value))
        return day.isoformat() if self.iso else day.strftime(STANDARD_DATE_FORMAT)

    def term(self, name: str, value: Any) -> str:
        spec = ALL_FIELDS.get(name)
        if spec is not None and spec.choices is not None:
            return STANDARD_TERMS[spec.choices].get(str(value), str(value))
        return str(value)

    def _getter(self, source: str) -> Any:
        """The function of (row, details) that gives one column's text, built once per export."""
        how, _, name = source.partition(":")
        # Free text from the record itself (not the masked projection): for everyone but a
        # platform account, the ID and telephone numbers written in it are masked too.
        text = str if self.raw_ids or self.public else numbers_masked
        if how == "col":
            return lambda r, d: text(r[name] or "")
        if how == "det":
            spec = ALL_FIELDS.get(name)
            if spec is not None and spec.choices is not None:
                terms = STANDARD_TERMS[spec.choices]
                return lambda r, d: "" if d.get(name) in (None, "") else terms.get(str(d[name]), str(d[name]))
            return lambda r, d: "" if d.get(name) in (None, "") else text(str(d[name]))
        if how == "date":
            return (lambda r, d: self.day(r[name])) if name in _QUERY_FIELDS else (lambda r, d: self.day(d.get(name)))
        if how == "wan":
            return (lambda r, d: self.wan(r[name])) if name in _QUERY_FIELDS else (lambda r, d: self.wan(d.get(name)))
        if how == "id":
            if self.raw_ids:
                return lambda r, d: str(d.get(name) or "")
            return lambda r, d: mask_id_number(str(d.get(name) or ""))
        return getattr(self, f"fn_{name}")

    def row(self, r: dict[str, Any]) -> list[str]:
        details = r["details"] or {}
        return [get(r, details) for get in self.getters]

    # derived values
    def fn_subject_type(self, r: dict[str, Any], d: dict[str, Any]) -> str:
        return STANDARD_TERMS[SubjectType].get(r["subject_type"], str(r["subject_type"]))

    def fn_credit_code(self, r: dict[str, Any], d: dict[str, Any]) -> str:
        code = r["subject_code"] or ""
        return code if r["subject_type"] != SubjectType.NATURAL_PERSON or self.raw_ids else mask_id_number(code)

    def fn_permit_document_number(self, r: dict[str, Any], d: dict[str, Any]) -> str:
        return str(r["document_number"] or d.get("certificate_number") or "")  # the standard: 许可编号 when none

    def fn_permit_category(self, r: dict[str, Any], d: dict[str, Any]) -> str:
        category = d.get("permit_category")
        if not category:
            return ""
        term = self.term("permit_category", category)
        return f"{term}（{d['permit_category_other']}）" if category == "other" and d.get("permit_category_other") \
            else term

    def fn_permit_status(self, r: dict[str, Any], d: dict[str, Any]) -> str:
        if r["status"] in (RecordStatus.REVOKED, RecordStatus.EXPIRED, RecordStatus.REPAIRED):
            return STANDARD_TERMS[PermitStatus][PermitStatus.INVALID]
        return self.term("permit_status", d.get("permit_status") or PermitStatus.VALID)

    def fn_agency_name(self, r: dict[str, Any], d: dict[str, Any]) -> str:
        return str(r["agency__name"])

    def fn_agency_credit_code(self, r: dict[str, Any], d: dict[str, Any]) -> str:
        return str(r["agency__credit_code"] or "")

    def fn_penalty_types(self, r: dict[str, Any], d: dict[str, Any]) -> str:
        terms = STANDARD_TERMS[PenaltyType]
        return ";".join(terms.get(t, t) for t in r["penalty_types"] or [])

    def fn_shown_until(self, r: dict[str, Any], d: dict[str, Any]) -> str:
        expires = r["expires_on"]
        if not expires:
            return ""
        text = self._last_days.get(expires)
        if text is None:
            text = self._last_days[expires] = self.day(expires - timedelta(days=1))
        return text

    def fn_remark(self, r: dict[str, Any], d: dict[str, Any]) -> str:
        return _REMARKS.get(r["status"], "")

    def fn_record_number(self, r: dict[str, Any], d: dict[str, Any]) -> str:
        return str(r["id"])

    def fn_kind(self, r: dict[str, Any], d: dict[str, Any]) -> str:
        return "检查结果" if r["kind"] == "inspection_result" else "检查任务"

    def fn_subject_id_type(self, r: dict[str, Any], d: dict[str, Any]) -> str:
        if r["subject_type"] == SubjectType.NATURAL_PERSON:
            return STANDARD_TERMS[IdType].get(d.get("person_id_type", ""), "")
        return "统一社会信用代码" if r["subject_code"] else ""

    def fn_subject_id_number(self, r: dict[str, Any], d: dict[str, Any]) -> str:
        if r["subject_type"] == SubjectType.NATURAL_PERSON:
            number = str(d.get("person_id_number") or r["subject_code"] or "")
            return number if self.raw_ids else mask_id_number(number)
        return str(r["subject_code"] or "")

    def fn_region_code(self, r: dict[str, Any], d: dict[str, Any]) -> str:
        return str(d.get("region_code") or r["agency__region_code"] or "")

    def fn_inspectors(self, r: dict[str, Any], d: dict[str, Any]) -> str:
        return ";".join(f"{i.get('name', '')}（{i.get('badge', '')}）" for i in d.get("inspectors") or [])

    def fn_published_at(self, r: dict[str, Any], d: dict[str, Any]) -> str:
        at: datetime = timezone.localtime(r["published_at"])
        return at.isoformat(timespec="seconds") if self.iso else at.strftime("%Y/%m/%d %H:%M:%S")


def headings(dataset: str, *, public: bool = False) -> list[str]:
    return [heading for heading, _source in columns(dataset, public=public)]


def formatted_rows(rows: Iterable[dict[str, Any]], dataset: str, *, raw_ids: bool,
                   iso_dates: bool = False, public: bool = False) -> Iterator[list[str]]:
    formatter = _Formatter(dataset, raw_ids=raw_ids, iso_dates=iso_dates, public=public)
    for row in rows:
        yield formatter.row(row)


# -- files ----------------------------------------------------------------------------------------
def csv_chunks(rows: Iterable[dict[str, Any]], dataset: str, *, raw_ids: bool, batch: int = 500,
               public: bool = False) -> Iterator[bytes]:
    """The CSV file (UTF-8 with BOM, CRLF rows, every value quoted as needed), in pieces;
    ``public``: without the never-public columns (the open-data dump)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headings(dataset, public=public))
    yield b"\xef\xbb\xbf" + buffer.getvalue().encode()
    buffer.seek(0)
    buffer.truncate()
    count = 0
    for values in formatted_rows(rows, dataset, raw_ids=raw_ids, public=public):
        writer.writerow(values)
        count += 1
        if count == batch:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
            count = 0
    if count:
        yield buffer.getvalue().encode()


def json_chunks(rows: Iterable[dict[str, Any]], dataset: str, *, raw_ids: bool, date_from: date | None = None,
                date_to: date | None = None, batch: int = 500, day: date | None = None) -> Iterator[bytes]:
    """``{"dataset", "from", "to", "columns", "rows": [{heading: value}…]}``; dates ISO (API.md).
    With ``day`` (the open-data dump): ``{"dataset", "day", "columns", "rows"}``, without the
    never-public columns."""
    public = day is not None
    names = headings(dataset, public=public)
    head: dict[str, Any] = {"dataset": dataset}
    if day is not None:
        head["day"] = day.isoformat()
    else:
        assert date_from is not None and date_to is not None
        head.update({"from": date_from.isoformat(), "to": date_to.isoformat()})
    head["columns"] = names
    yield (json.dumps(head, ensure_ascii=False)[:-1] + ', "rows": [').encode()
    parts: list[str] = []
    first = True
    for values in formatted_rows(rows, dataset, raw_ids=raw_ids, iso_dates=True, public=public):
        parts.append(("" if first else ",") + json.dumps(dict(zip(names, values, strict=True)), ensure_ascii=False))
        first = False
        if len(parts) == batch:
            yield "".join(parts).encode()
            parts = []
    yield ("".join(parts) + "]}").encode()


def write_xlsx(rows: Iterable[dict[str, Any]], dataset: str, *, raw_ids: bool, out: IO[bytes]) -> None:
    """The XLSX file, written in openpyxl's write-only mode (rows go to disk as they come)."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=dataset)
    sheet.append(headings(dataset))
    for values in formatted_rows(rows, dataset, raw_ids=raw_ids):
        # Text cells (amounts and codes keep their exact written form), without the control
        # characters a spreadsheet cannot hold (openpyxl refuses them).
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", value) for value in values])
    book.save(out)


def file_name(dataset: str, date_from: date, date_to: date, fmt: str) -> str:
    return f"{dataset}_{date_from:%Y%m%d}-{date_to:%Y%m%d}.{fmt}"
