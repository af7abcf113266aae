"""The letters a citizen's request is closed with, as PDF: the written reply to a query (书面答复,
Art. 11), the decision on a correction request (Art. 10), on a subject's statement (当事人陈述) and
on a credit-repair application (信用修复, NDRC Order 2025 No. 36), accepted or rejected.

They leave the building as official documents, so they follow the layout of an official letter
(GB/T 9704-2012 in spirit): the issuing agency in red over a red rule, the letter's number
(答复〔2026〕1号, per agency per year), a title, the addressee, the body with two-character
indents, the legal basis, the remedies (administrative reconsideration within 60 days, to the
body named; litigation within 6 months), the agency's contact, the place of the seal over the
agency's name and the date written 2026年12月1日. The wording is fixed legal text in Chinese, the
language of the documents the agency issues, whatever language the page that asked was in; it is
therefore written here in Chinese rather than through the translation catalogs.

Chinese line-breaking rules apply: no line starts with a closing punctuation mark
(``backend.pdf.CLOSING_PUNCTUATION``).
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from xml.sax.saxutils import escape

from django.conf import settings
from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, KeepTogether, SimpleDocTemplate, Spacer

from backend.errors import NotVisible
from backend.pdf import ChineseParagraph, cjk_font
from disclosure.models import Agency, AgencyKind, CitizenRequest, PublicRecord, RequestKind, RequestStatus
from disclosure.services.privacy import context_for, mask
from disclosure.services.snapshots import snapshot

RULE = "《葫芦岛市行政机关监管信息归集公示管理办法》（葫政办发〔2020〕80号）"
REPAIR_RULE = "《信用修复管理办法》（国家发展改革委令2025年第36号）"
# Above the city government there is no agency in the tree: its reconsideration body is the province's.
PROVINCIAL_GOVERNMENT = "辽宁省人民政府"
RED = colors.HexColor("#c00000")
# The portal calls the code 跟踪码 (status page, confirmation): the letter uses the same word.
TRACKING_CODE = "跟踪码"


def chinese_date(day: date) -> str:
    """2026年12月1日: how a date is written in an official Chinese document."""
    return f"{day.year}年{day.month}月{day.day}日"


def reconsideration_body(agency: Agency) -> str:
    """Where an application for administrative reconsideration of the agency's reply is made.

    Under the Administrative Reconsideration Law (2023) Art. 24, a county-level or higher
    government department's act (and its internal or dispatched body's) goes to the people's
    government of the same level; a people's government's act to the government one level up.
    """
    node: Agency | None = agency.parent if agency.kind == AgencyKind.GOVERNMENT else agency
    while node is not None and node.kind != AgencyKind.GOVERNMENT:
        node = node.parent
    return node.name if node is not None else PROVINCIAL_GOVERNMENT


@dataclass(frozen=True)
class Letter:
    title: str
    paragraphs: list[str]  # the body, in order; each one is indented two characters


def _record_phrase(request: CitizenRequest) -> str:
    """The record as the public saw it: its projection's masked title and number (a letter leaves
    the building, and a tracking code can be passed on), else the same masking applied now."""
    record = request.record
    if record is None:
        return ""
    shown = PublicRecord.objects.filter(record_id=record.pk).values("title", "document_number").first()
    if shown is None:
        context = context_for(snapshot(record))
        shown = {"title": mask(record.title, context), "document_number": mask(record.document_number, context)}
    number = f"，文号{shown['document_number']}" if shown["document_number"] else ""
    return f"本机关公示的“{shown['title']}”（信息编号{record.pk}{number}）"


def _letter(request: CitizenRequest) -> Letter:
    received = chinese_date(request.received_on)
    code = f"（{TRACKING_CODE}：{request.tracking_code}）"
    reply = [line.strip() for line in request.reply.splitlines() if line.strip()]
    text = [line.strip() for line in request.text.splitlines() if line.strip()]
    if request.kind == RequestKind.QUERY:
        about = f"关于{_record_phrase(request)}" if request.record else ""
        return Letter("关于监管信息查询申请的书面答复", [
            f"本机关于{received}收到您{about}提出的查询申请{code}。您的查询内容为：",
            *(f"“{line}”" if len(text) == 1 else line for line in text),
            "经办理，现答复如下：",
            *reply,
            f"根据{RULE}第十一条的规定，特此答复。",
        ])
    record_phrase = _record_phrase(request) or "本机关公示的信息"
    if request.kind == RequestKind.STATEMENT:
        return _statement_letter(request, record_phrase, received, code)
    if request.kind == RequestKind.REPAIR:
        return _repair_letter(request, record_phrase, received, code, reply)
    opening = f"本机关于{received}收到您对{record_phrase}提出的更正申请{code}及所附证据材料。"
    if request.status == RequestStatus.ACCEPTED:
        version = request.correction_version
        published = (f"更正后的信息已于{chinese_date(timezone.localdate(version.at))}公示（第{version.number}版）。"
                     if version is not None else "")
        return Letter("关于监管信息更正申请的答复", [
            opening + "经核实，本机关决定予以更正。",
            *reply,
            *([published] if published else []),
            f"根据{RULE}第十条的规定，特此答复。",
        ])
    return Letter("关于监管信息更正申请的答复", [
        opening + "经核实，本机关决定不予更正，理由如下：",
        *reply,
        f"根据{RULE}第十条的规定，特此答复。",
    ])


def _statement_letter(request: CitizenRequest, record_phrase: str, received: str, code: str) -> Letter:
    """The decision on a subject's statement (当事人陈述): shown beside the record, or not and why.
    No article of the rule governs statements, so none is cited; the check is the agency's."""
    opening = f"本机关于{received}收到您就{record_phrase}提交的当事人陈述{code}。"
    reply = [line.strip() for line in request.reply.splitlines() if line.strip()]
    if request.status == RequestStatus.ACCEPTED:
        version = request.statement_version
        shown = (f"您的陈述已于{chinese_date(timezone.localdate(version.at))}在该信息旁公示（第{version.number}版），"
                 "标明为当事人自述，不代表本机关意见；其中的身份证件号码、电话号码等个人信息已作去标识化处理。"
                 if version is not None else "")
        return Letter("关于当事人陈述的审核答复", [
            opening + "经审核，本机关决定予以展示。",
            *([shown] if shown else []),
            *reply,
            "特此答复。",
        ])
    return Letter("关于当事人陈述的审核答复", [
        opening + "经审核，本机关决定不予展示，理由如下：",
        *reply,
        "您可以修改后重新提交陈述。特此答复。",
    ])


def _repair_letter(request: CitizenRequest, record_phrase: str, received: str, code: str,
                   reply: list[str]) -> Letter:
    """The decision on a credit-repair application (信用修复, NDRC Order 2025 No. 36): granted, the
    publication has ended on the day of the repair version; refused, the reasons."""
    opening = (f"本机关于{received}收到您就{record_phrase}提出的信用修复申请{code}，"
               "以及所附信用承诺书和履行法定责任、义务的证明材料。")
    if request.status == RequestStatus.ACCEPTED:
        version = request.repair_version
        ended = (f"该信息已于{chinese_date(timezone.localdate(version.at))}终止公示（第{version.number}版），"
                 "本机关不再通过监管信息公示系统公开，并不再向有关平台共享。" if version is not None else "")
        return Letter("关于信用修复申请的决定", [
            opening + "经审核，您已履行相关法定责任和义务并作出信用承诺，符合信用修复条件，本机关决定予以信用修复。",
            *reply,
            *([ended] if ended else []),
            "请您严格履行信用承诺。",
            f"根据{REPAIR_RULE}的规定，特此决定。",
        ])
    return Letter("关于信用修复申请的决定", [
        opening + "经审核，本机关决定不予信用修复，理由如下：",
        *reply,
        f"根据{REPAIR_RULE}的规定，特此决定。",
    ])


def _remedies(request: CitizenRequest) -> str:
    what = "本决定" if request.kind == RequestKind.REPAIR else "本答复"
    return (f"如对{what}不服，可以自收到{what}之日起60日内向{reconsideration_body(request.agency)}申请行政复议，"
            f"或者自收到{what}之日起6个月内依法向有管辖权的人民法院提起行政诉讼。")


def _contact(request: CitizenRequest) -> str:
    agency = request.agency
    parts = [f"联系机关：{agency.name}"]
    if agency.address:
        parts.append(f"通讯地址：{agency.address}")
    if agency.phone:
        parts.append(f"联系电话：{agency.phone}")
    staff = request.answered_by
    if staff is not None:
        name = staff.get_full_name().strip()
        if name:
            parts.append(f"经办人：{name}")
        if staff.email:
            parts.append(f"电子邮箱：{staff.email}")
    track = settings.SITE_URL.rstrip("/") + "/track/"
    return "；".join(parts) + f"。办理情况可凭{TRACKING_CODE}在{track}查询。"


class _Signature(Flowable):
    """The agency's name and the date, right-aligned, with the place of the seal over both (a seal
    covers the issuing agency's name and the date of an official document)."""

    def __init__(self, agency: str, day: str, font: str, size: float) -> None:
        super().__init__()
        self.agency, self.day, self.font, self.size = agency, day, font, size
        self.height = 3 * size + 14 * mm

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.width = available_width
        return available_width, self.height

    def draw(self) -> None:
        canvas: Canvas = self.canv
        right = self.width - 2 * self.size  # four spaces from the right margin, as GB/T 9704 asks
        top = self.height - 14 * mm
        canvas.setFont(self.font, self.size)
        canvas.setFillColor(colors.black)
        name_width = canvas.stringWidth(self.agency, self.font, self.size)
        day_width = canvas.stringWidth(self.day, self.font, self.size)
        centre = right - max(name_width, day_width) / 2
        canvas.drawCentredString(centre, top, self.agency)
        canvas.drawCentredString(centre, top - 1.6 * self.size, self.day)
        # The seal's place: a dashed circle of 42 mm (the usual official seal) centred on the block.
        canvas.saveState()
        canvas.setStrokeColor(RED)
        canvas.setDash(3, 3)
        canvas.setLineWidth(0.6)
        canvas.circle(centre, top - 0.5 * self.size, 21 * mm, stroke=1, fill=0)
        canvas.setFillColor(RED)
        canvas.setFont(self.font, 8)
        canvas.drawCentredString(centre, top - 0.5 * self.size - 18 * mm, "（印章）")
        canvas.restoreState()


def _footer(canvas: Canvas, doc: SimpleDocTemplate) -> None:
    canvas.saveState()
    canvas.setFont(cjk_font(), 10)
    canvas.drawCentredString(A4[0] / 2, 15 * mm, f"— {doc.page} —")
    canvas.restoreState()


def letter_pdf(*, request: CitizenRequest) -> bytes:
    """The letter that closed ``request``; ``NotVisible`` while it is open."""
    if request.status == RequestStatus.OPEN or request.answered_at is None:
        raise NotVisible("There is no letter for this request (yet).")
    font = cjk_font()
    size = 14.0
    letter = _letter(request)
    head = ParagraphStyle("head", fontName=font, fontSize=24, leading=32, alignment=1, textColor=RED)
    number = ParagraphStyle("number", fontName=font, fontSize=size, leading=size * 1.6, alignment=1)
    title = ParagraphStyle("title", fontName=font, fontSize=18, leading=28, alignment=1, spaceBefore=10,
                           spaceAfter=10, wordWrap="CJK")
    body = ParagraphStyle("body", fontName=font, fontSize=size, leading=size * 1.7, wordWrap="CJK",
                          firstLineIndent=2 * size, alignment=4)
    addressee = ParagraphStyle("to", parent=body, firstLineIndent=0)
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=28 * mm, rightMargin=26 * mm, topMargin=28 * mm,
                            bottomMargin=28 * mm, title=f"{letter.title}（{request.reply_number}）",
                            author=request.agency.name, subject=request.reply_number)
    story: list[Flowable] = [
        ChineseParagraph(escape(request.agency.name), head),
        Spacer(1, 3 * mm),
        ChineseParagraph(escape(request.reply_number), number),
        _Rule(),
        ChineseParagraph(escape(letter.title), title),
        ChineseParagraph(escape(f"{request.requester_name}："), addressee),
        *(ChineseParagraph(escape(p), body) for p in letter.paragraphs),
        ChineseParagraph(escape(_remedies(request)), body),
        # The signature never stands alone on a page: it keeps the last paragraph with it.
        KeepTogether([
            ChineseParagraph(escape(_contact(request)), body),
            Spacer(1, 4 * mm),
            _Signature(request.agency.name, chinese_date(timezone.localdate(request.answered_at)), font, size),
        ]),
    ]
    doc.build(story, onFirstPage=_footer, onLaterPages=_footer)
    return out.getvalue()


class _Rule(Flowable):
    """The red rule under the issuing agency's mark and the letter's number."""

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.width = available_width
        return available_width, 4 * mm

    def draw(self) -> None:
        self.canv.setStrokeColor(RED)
        self.canv.setLineWidth(1.5)
        self.canv.line(0, 2 * mm, self.width, 2 * mm)
