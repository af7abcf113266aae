"""The written reply to a query (书面答复, Art. 11) as a PDF letter with an embedded CJK font."""
from __future__ import annotations

import io
from xml.sax.saxutils import escape

from django.conf import settings
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

from backend.errors import NotVisible
from disclosure.models import Request, RequestKind, RequestStatus
from reports.pdf import cjk_font


def _paragraphs(text: str, style: ParagraphStyle) -> list[Paragraph]:
    return [Paragraph(escape(line) or "&nbsp;", style) for line in text.splitlines() or [""]]


def reply_pdf(*, request: Request) -> bytes:
    """The letter for an answered query: agency, requester, question, answer, date, document number.

    Written in the site's language (Chinese): it is an official document, whatever language the
    page that asked for it was in.
    """
    if request.kind != RequestKind.QUERY or request.status != RequestStatus.ANSWERED or request.answered_at is None:
        raise NotVisible(_("There is no written reply for this request (yet)."))
    font = cjk_font()
    title_style = ParagraphStyle("title", fontName=font, fontSize=18, leading=26, alignment=1, spaceAfter=6)
    number_style = ParagraphStyle("number", fontName=font, fontSize=11, leading=16, alignment=1, spaceAfter=12)
    body = ParagraphStyle("body", fontName=font, fontSize=12, leading=20, wordWrap="CJK")
    head = ParagraphStyle("head", parent=body, fontSize=12, leading=22, spaceBefore=8)
    right = ParagraphStyle("right", parent=body, alignment=2)
    buffer = io.BytesIO()
    with translation.override(settings.LANGUAGE_CODE):
        answered = timezone.localdate(request.answered_at)
        doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=25 * mm, rightMargin=25 * mm, topMargin=25 * mm,
                                bottomMargin=25 * mm, title=_("Written reply"), author=request.agency.name)
        story = [
            Paragraph(escape(_("Written reply to a query")), title_style),
            Paragraph(escape(request.reply_number), number_style),
            Paragraph(escape(_("%(name)s:") % {"name": request.requester_name}), body),
            Paragraph(escape(_("We received your query on %(date)s (tracking code %(code)s):") % {
                "date": formats.date_format(request.received_on, "Y-m-d"), "code": request.tracking_code}), head),
            *_paragraphs(request.text, body),
            Paragraph(escape(_("Our answer:")), head),
            *_paragraphs(request.reply, body),
            Spacer(1, 16 * mm),
            Paragraph(escape(request.agency.name), right),
            Paragraph(escape(formats.date_format(answered, "Y-m-d")), right),
        ]
        doc.build(story)
    return buffer.getvalue()
