"""Chinese text in reportlab PDFs: one place that picks and registers the font, and sets the
Chinese line-breaking rules.

A TrueType CJK font (Debian's fonts-wqy-microhei by default, installed by .ci/run and the
Dockerfile) is embedded as a subset, so the document renders the same on any reader. Documents
leave the building (letters to citizens, reports to the bureau), so outside development a missing
font is an error, reported by ``manage.py check`` (``backend.E001``) when the process starts and
raised when a PDF is made; only with ``DEBUG`` on does reportlab's built-in STSong-Light CID font
stand in (it is not embedded: the reader must supply the glyphs).
"""
from __future__ import annotations

import logging
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from reportlab.lib import textsplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, paragraph

logger = logging.getLogger(__name__)

EMBEDDED_NAME = "CJK"
FALLBACK_NAME = "STSong-Light"

# Marks that must never begin a line (GB/T 15834 punctuation, the 避头 rule of Chinese typesetting).
# reportlab's list (Japanese-oriented) lacks the full-width comma, colon, semicolon, question and
# exclamation marks, closing quotes and book-title marks; with ``wordWrap="CJK"`` a line break
# before such a mark moves the mark up to hang at the end of the previous line instead.
CLOSING_PUNCTUATION = "，。、；：？！）》〉」』】〕〗〙〛”’％‰,.;:?!)]}"


def font_file() -> Path | None:
    """The first configured TrueType CJK font that exists."""
    return next((Path(c) for c in settings.PDF_CJK_FONT_PATHS if Path(c).is_file()), None)


def _chinese_line_breaking() -> None:
    # Both of reportlab's CJK line breakers look this module global up at each call (textsplit's
    # for a one-run paragraph, paragraph's for mixed runs), so extending it takes effect.
    for module in (textsplit, paragraph):
        current: str = getattr(module, "ALL_CANNOT_START")  # noqa: B009  (an untyped module global)
        missing = "".join(ch for ch in CLOSING_PUNCTUATION if ch not in current)
        if missing:
            setattr(module, "ALL_CANNOT_START", current + missing)  # noqa: B010


def line_text(line: Any) -> str:
    """The text of one line of a broken paragraph (either of reportlab's two line kinds)."""
    words = line.words if hasattr(line, "words") else line[1]
    return "".join(w if isinstance(w, str) else getattr(w, "text", "") for w in words)


class ChineseParagraph(Paragraph):
    """A paragraph whose lines never start with closing punctuation (Chinese line-breaking rules).

    reportlab hangs one closing mark in the margin rather than start a line with it, but not two:
    "…K7F39QX2）。您的" breaks after "）" and starts the next line with "。". Where that happens,
    the line before is laid out one character narrower, which carries the character before the
    marks down with them, and the paragraph is broken again (the lines before are unchanged).
    """

    def breakLinesCJK(self, maxWidths: Any) -> Any:  # noqa: N802, N803 (reportlab's names)
        widths = list(maxWidths) if isinstance(maxWidths, list | tuple) else [maxWidths]
        for _attempt in range(8):
            para = super().breakLinesCJK(widths)
            lines = para.lines
            bad = next((i for i in range(1, len(lines)) if line_text(lines[i])[:1] in CLOSING_PUNCTUATION), None)
            if bad is None:
                break
            widths = widths + [widths[-1]] * (bad + 1 - len(widths))
            widths[bad - 1] -= self.style.fontSize
        return para


@cache
def cjk_font() -> str:
    """Register the CJK font once per process and return its reportlab name."""
    _chinese_line_breaking()
    path = font_file()
    if path is not None:
        # subfontIndex 0: the first face of a .ttc collection (WenQuanYi Micro Hei).
        pdfmetrics.registerFont(TTFont(EMBEDDED_NAME, str(path), subfontIndex=0))
        return EMBEDDED_NAME
    if not settings.DEBUG:
        raise ImproperlyConfigured(_missing_message())
    logger.warning("%s; development only: PDFs use the non-embedded %s", _missing_message(), FALLBACK_NAME)
    pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK_NAME))
    return FALLBACK_NAME


def _missing_message() -> str:
    paths = ", ".join(settings.PDF_CJK_FONT_PATHS)
    return f"No CJK TrueType font found at PDF_CJK_FONT_PATHS ({paths}): letters and reports cannot embed Chinese"


@checks.register(checks.Tags.compatibility)
def check_cjk_font(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """``manage.py check`` (run by migrate, runserver and the container's start): a missing font
    is an error outside development, a warning in it."""
    if font_file() is not None:
        return []
    hint = "Install fonts-wqy-microhei (apt) or point PDF_CJK_FONT_PATHS at a TrueType CJK font."
    if settings.DEBUG:
        return [checks.Warning(_missing_message() + "; PDFs fall back to the non-embedded STSong-Light.",
                               hint=hint, id="backend.W001")]
    return [checks.Error(_missing_message() + ".", hint=hint, id="backend.E001")]
