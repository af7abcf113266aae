"""Reading CSV and XLSX files into rows of strings, with the row numbers a person sees.

Row numbers are spreadsheet row numbers: the header is row 1, the first data row is row 2, so an
error message points at the line the user opens in Excel or a text editor.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.utils.translation import gettext as _

from backend.errors import ApplicationError


@dataclass
class RowError:
    """What is wrong with one row of an imported file, by spreadsheet row number and column."""

    row: int
    field: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "field": self.field, "message": self.message}


@dataclass
class Table:
    header: list[str]
    rows: list[tuple[int, dict[str, str]]]


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _csv_rows(data: bytes) -> Iterator[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("gb18030")  # what Excel on a Chinese Windows saves as "CSV"
        except UnicodeDecodeError:
            raise ApplicationError(_("The file is neither UTF-8 nor GB18030 text."),
                                   {"file": [_("Unreadable text encoding.")]}) from None
    yield from csv.reader(io.StringIO(text, newline=""))


def _xlsx_rows(data: bytes) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a damaged or foreign file  # noqa: BLE001
        raise ApplicationError(_("The file is not a readable XLSX workbook."),
                               {"file": [_("Not an XLSX workbook.")]}) from None
    sheet = workbook.worksheets[0]
    for values in sheet.iter_rows(values_only=True):
        yield [_cell(v) for v in values]
    workbook.close()


def read_table(name: str, data: bytes, *, required: tuple[str, ...]) -> Table:
    """The file's rows as dicts keyed by the (lower-cased) header; refuses unknown file types and
    a header that lacks a required column."""
    lower = name.lower()
    if lower.endswith(".csv"):
        rows = _csv_rows(data)
    elif lower.endswith(".xlsx"):
        rows = _xlsx_rows(data)
    else:
        raise ApplicationError(_("Only .csv and .xlsx files can be imported."), {"file": [_("Unknown file type.")]})
    header = [h.strip().lower() for h in next(rows, [])]
    missing = [column for column in required if column not in header]
    if missing:
        raise ApplicationError(
            _("The header row lacks the column(s): %(columns)s.") % {"columns": ", ".join(missing)},
            {"file": [_("Missing column %(column)s.") % {"column": c} for c in missing]},
        )
    out: list[tuple[int, dict[str, str]]] = []
    for number, values in enumerate(rows, start=2):
        cells = [_cell(v) for v in values]
        if not any(cells):
            continue  # blank lines at the end of a spreadsheet are not rows
        out.append((number, {h: (cells[i] if i < len(cells) else "") for i, h in enumerate(header) if h}))
    return Table(header, out)
