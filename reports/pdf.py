"""Chinese text in reportlab PDFs: one place that picks and registers the font.

A TrueType CJK font (Debian's fonts-wqy-microhei by default, installed by .ci/run and the
Dockerfile) is embedded as a subset, so the document renders the same on any reader. When no
such file exists, reportlab's built-in STSong-Light CID font is the fallback: it is not
embedded, so the reader must supply the glyphs, which is why it is only a fallback.
"""
from __future__ import annotations

import logging
from functools import cache
from pathlib import Path

from django.conf import settings
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont

logger = logging.getLogger(__name__)

EMBEDDED_NAME = "CJK"
FALLBACK_NAME = "STSong-Light"


@cache
def cjk_font() -> str:
    """Register the CJK font once per process and return its reportlab name."""
    for candidate in settings.PDF_CJK_FONT_PATHS:
        path = Path(candidate)
        if path.is_file():
            # subfontIndex 0: the first face of a .ttc collection (WenQuanYi Micro Hei).
            pdfmetrics.registerFont(TTFont(EMBEDDED_NAME, str(path), subfontIndex=0))
            return EMBEDDED_NAME
    logger.warning("No CJK TrueType font found in %s; PDFs use the non-embedded %s",
                   settings.PDF_CJK_FONT_PATHS, FALLBACK_NAME)
    pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK_NAME))
    return FALLBACK_NAME
