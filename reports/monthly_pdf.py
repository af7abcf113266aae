"""The monthly report (通报) as a PDF: reportlab, Chinese text in the embedded CJK font."""
from __future__ import annotations

import io
from datetime import date
from typing import Any

from django.conf import settings
from django.utils import formats
from django.utils.translation import gettext as _
from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import SimpleDocTemplate, Spacer, Table, TableStyle

from backend.pdf import ChineseParagraph, cjk_font
from disclosure.kinds import RecordKind
from reports.selectors import AgencyFigures, ReportContent
from scheduler.selectors import get_calendar


def percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


def month_label(month: date) -> str:
    """A month as the active language writes it: 2026年11月 in Chinese, "November 2026" in English."""
    return formats.date_format(month, "YEAR_MONTH_FORMAT")


def number(value: float | None) -> str:
    if value is None:
        return "—"
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _styles(font: str) -> dict[str, ParagraphStyle]:
    return {
        "title": ParagraphStyle("title", fontName=font, fontSize=16, leading=22, alignment=1, spaceAfter=6),
        "h2": ParagraphStyle("h2", fontName=font, fontSize=12, leading=18, spaceBefore=8, spaceAfter=4),
        # CJK wrapping: break between any two characters, never before a closing mark (backend.pdf).
        "body": ParagraphStyle("body", fontName=font, fontSize=9, leading=13, wordWrap="CJK"),
        "cell": ParagraphStyle("cell", fontName=font, fontSize=8, leading=10, wordWrap="CJK"),
    }


def _table(rows: list[list[object]], widths: list[float], font: str) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), font),
        ("FONTSIZE", (0, 0), (-1, -1), 8),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]))
    return table


def _chart(ranked: list[AgencyFigures], font: str) -> Drawing:
    """On-time rates of the compared agencies, highest first (too-few rows drawn too, labelled)."""
    rows = [r for r in ranked if r.total.on_time_rate is not None]
    height = max(60, 16 * len(rows) + 40)
    drawing = Drawing(170 * mm, height)
    if not rows:
        drawing.add(String(0, height / 2, _("No records were due in this period."), fontName=font, fontSize=9))
        return drawing
    chart = HorizontalBarChart()
    chart.x, chart.y = int(62 * mm), 20
    chart.width, chart.height = int(100 * mm), height - 30
    # reportlab draws the first category at the bottom: reverse so the best is on top.
    ordered = rows[::-1]
    chart.data = [[round((r.total.on_time_rate or 0) * 100, 1) for r in ordered]]
    chart.categoryAxis.categoryNames = [
        r.agency.name + ("" if r.total.rankable else " *") for r in ordered]
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = 7
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0.0, 100.0, 20.0
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.labelTextFormat = "%d%%"
    chart.bars[0].fillColor = colors.HexColor("#0b5394")
    chart.barLabelFormat = "%.1f%%"
    chart.barLabels.fontSize = 6
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 2
    drawing.add(chart)
    return drawing


def monthly_report_pdf(content: ReportContent) -> bytes:
    """Title, period, summary, ranking table, bar chart, overdue items by agency, audit anchor."""
    font = cjk_font()
    styles = _styles(font)
    out = io.BytesIO()
    title = _("Report on the timeliness of supervision information disclosure, %(month)s") % {
        "month": month_label(content.month)}
    doc = SimpleDocTemplate(out, pagesize=A4, title=title, leftMargin=15 * mm, rightMargin=15 * mm,
                            topMargin=15 * mm, bottomMargin=15 * mm)
    story: list[Any] = [
        ChineseParagraph(title, styles["title"]),
        ChineseParagraph(_("Period: %(from)s to %(to)s (records due in the period); figures as of %(today)s.") % {
            "from": content.date_from.isoformat(), "to": content.date_to.isoformat(),
            "today": content.today.isoformat()}, styles["body"]),
        ChineseParagraph(_("Under Art. 5 and Art. 12 of HZBF [2020] No. 80. Backfilled records are not counted; "
                    "rates over fewer than %(n)s decided records are marked * and not ranked.") % {
            "n": content.min_to_rank}, styles["body"]),
        ChineseParagraph(_("Summary"), styles["h2"]),
    ]
    total = content.total.total if content.total else None
    if total is not None:
        summary: list[list[object]] = [
            [_("Records due"), _("Published on time"), _("Published late"), _("Overdue, unpublished"),
             _("Not yet due"),
             _("On-time rate"), _("Median latency (working days)"), _("P90 latency (working days)"),
             _("Backfilled (not counted)")],
            [total.due, total.published_on_time, total.published_late, total.overdue_unpublished, total.pending,
             percent(total.on_time_rate), number(total.median_latency_working_days),
             number(total.p90_latency_working_days), content.total.backfill if content.total else 0],
        ]
        story.append(_table([[ChineseParagraph(str(c), styles["cell"]) for c in summary[0]], summary[1]],
                            [20 * mm] * 9, font))

    story.append(ChineseParagraph(_("Ranking by on-time rate"), styles["h2"]))
    ranking_rows: list[list[object]] = [[
        _("Rank"), _("Agency"), _("Records due"), _("On time"), _("Late"), _("Working days late (sum)"),
        _("Overdue records"), _("On-time rate"), _("Median latency")]]
    for row in content.ranking:
        f = row.total
        ranking_rows.append([
            row.rank if row.rank is not None else "*", ChineseParagraph(row.agency.name, styles["cell"]), f.due,
            f.published_on_time, f.published_late, f.late_working_days, f.overdue_unpublished,
            percent(f.on_time_rate), number(f.median_latency_working_days),
        ])
    widths = [12 * mm, 62 * mm, 13 * mm, 13 * mm, 13 * mm, 18 * mm, 13 * mm, 18 * mm, 18 * mm]
    story.append(_table([[ChineseParagraph(str(c), styles["cell"]) for c in ranking_rows[0]], *ranking_rows[1:]],
                        widths, font))
    story.append(Spacer(1, 4 * mm))
    story.append(ChineseParagraph(_("On-time rate by agency"), styles["h2"]))
    story.append(_chart(content.ranking, font))

    story.append(ChineseParagraph(_("Overdue unpublished records by agency"), styles["h2"]))
    if not content.overdue:
        story.append(ChineseParagraph(_("None."), styles["body"]))
    else:
        calendar = get_calendar()
        # Header cells are paragraphs: a plain string does not wrap and spills out of its column.
        rows: list[list[object]] = [[ChineseParagraph(str(label), styles["cell"]) for label in (
            _("Agency"), _("Record"), _("Kind"), _("Due date"), _("Working days overdue"))]]
        for record in content.overdue:
            assert record.due_date is not None
            rows.append([
                ChineseParagraph(record.agency.name, styles["cell"]),
                ChineseParagraph(f"#{record.pk} {record.title}", styles["cell"]),
                ChineseParagraph(str(RecordKind(record.kind).label), styles["cell"]), record.due_date.isoformat(),
                calendar.working_days_late(record.due_date, content.today),
            ])
        story.append(_table(rows, [46 * mm, 66 * mm, 24 * mm, 22 * mm, 22 * mm], font))
        if content.overdue_count > len(content.overdue):
            story.append(ChineseParagraph(_("… and %(n)s more (see the CSV/XLSX and the dashboard).") % {
                "n": formats.number_format(content.overdue_count - len(content.overdue))}, styles["body"]))

    story.append(ChineseParagraph(_("Audit trail anchor"), styles["h2"]))
    story.append(ChineseParagraph(_(
        "When this report was made the audit trail ended at entry %(id)s with hash %(hash)s. Keep this line "
        "outside the system: manage.py verify_audit checks the trail against it.") % {
        "id": content.head.entry_id, "hash": content.head.hash}, styles["body"]))
    story.append(ChineseParagraph(_("Transparency log"), styles["h2"]))
    tree = content.tree_head
    if tree is None:
        story.append(ChineseParagraph(_("No tree head has been signed yet."), styles["body"]))
    else:
        story.append(ChineseParagraph(_(
            "Signed tree head of the public transparency log when this report was made: %(size)s entries, root "
            "hash %(root)s (SHA-256, base64), signed %(at)s with key %(key)s. Keep it: anyone can check at any "
            "later time that the log still contains exactly these entries (%(url)s, \"How to verify\").") % {
            "size": formats.number_format(tree.tree_size), "root": tree.root_hash,
            "at": tree.timestamp, "key": tree.key_id,
            "url": f"{settings.SITE_URL.rstrip('/')}/transparency/"}, styles["body"]))
    doc.build(story)
    return out.getvalue()
