"""Charts drawn on the server as inline SVG: no JavaScript, no CDN, readable by screen readers."""
from __future__ import annotations

from datetime import date

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from reports.selectors import Figures

WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 640, 220, 36, 28, 12


def trend_svg(points: list[tuple[date, Figures]]) -> SafeString:
    """On-time rate by month as bars (empty months show no bar), with the 0-100 % axis."""
    plot_w, plot_h = WIDTH - LEFT - 8, HEIGHT - BOTTOM - TOP
    slot = plot_w / max(len(points), 1)
    grid = format_html_join(
        "", '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="#ddd"/><text x="{}" y="{}" font-size="10" '
            'text-anchor="end">{}%</text>',
        ((LEFT, WIDTH - 8, TOP + plot_h * (1 - p / 100), TOP + plot_h * (1 - p / 100), LEFT - 4,
          TOP + plot_h * (1 - p / 100) + 3, p) for p in (0, 25, 50, 75, 100)),
    )
    bars = []
    for index, (month, figures) in enumerate(points):
        x = LEFT + index * slot + slot * 0.15
        label = format_html('<text x="{}" y="{}" font-size="10" text-anchor="middle">{}</text>',
                            f"{x + slot * 0.35:.1f}", HEIGHT - 10, month.strftime("%y-%m"))
        rate = figures.on_time_rate
        if rate is None:
            bars.append(label)
            continue
        h = plot_h * rate
        fill = "#0b5394" if figures.rankable else "#9fb7d3"
        bars.append(format_html(
            '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}: {}</title></rect>{}',
            f"{x:.1f}", f"{TOP + plot_h - h:.1f}", f"{slot * 0.7:.1f}", f"{h:.1f}", fill,
            month.strftime("%Y-%m"), f"{rate * 100:.1f}%", label))
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" role="img" aria-labelledby="trend-title" '
        'class="chart"><title id="trend-title">{}</title>{}{}</svg>',
        WIDTH, HEIGHT, _("On-time rate by month"), grid, SafeString("".join(bars)))
