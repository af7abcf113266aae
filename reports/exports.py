"""The monthly report's tables as CSV and XLSX: one row per agency, each rolled up over its subtree."""
from __future__ import annotations

import csv
import io
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from reports.selectors import AgencyFigures

# Stable column keys (the order of both files' columns); both files' header rows show the labels.
COLUMNS: tuple[str, ...] = (
    "agency", "name", "parent", "depth", "due", "published_on_time", "published_late", "late_working_days",
    "overdue_unpublished", "pending", "on_time_rate", "too_few_to_rank", "median_latency_working_days",
    "p90_latency_working_days", "backfill",
)


def column_labels() -> list[str]:
    return [
        _("Agency code"), _("Agency"), _("Superior agency"), _("Level"), _("Records due"),
        _("Published on time"),
        _("Published late"), _("Working days late (sum)"), _("Overdue, unpublished"), _("Not yet due"),
        _("On-time rate"), _("Too few to rank"), _("Median latency (working days)"),
        _("P90 latency (working days)"), _("Backfilled (not counted)"),
    ]


def agency_row(row: AgencyFigures) -> list[Any]:
    figures = row.total.as_dict()
    agency = row.agency
    return [
        agency.code, agency.name, agency.parent.code if agency.parent else "", agency.depth,
        *(figures[key] for key in COLUMNS[4:14]), row.backfill,
    ]


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    return value


def csv_bytes(rows: list[AgencyFigures]) -> bytes:
    """UTF-8 with a byte-order mark, so that spreadsheet programs read the Chinese names right; the
    header row is in Chinese like the XLSX's (the report is made in the site's language)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(column_labels())
    for row in rows:
        writer.writerow([_csv_value(v) for v in agency_row(row)])
    return out.getvalue().encode("utf-8-sig")


def xlsx_bytes(rows: list[AgencyFigures], *, title: str) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = title[:31]  # Excel's limit for sheet names
    sheet.append(column_labels())
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(agency_row(row))
    sheet.freeze_panes = "A2"
    sheet.column_dimensions["B"].width = 40
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
