"""Formatting of audit figures in templates."""
from __future__ import annotations

from django import template

from reports.monthly_pdf import number, percent

register = template.Library()


@register.filter(name="percent")
def percent_filter(rate: float | None) -> str:
    return percent(rate)


@register.filter(name="figure")
def figure_filter(value: float | None) -> str:
    return number(value)


@register.filter(name="bar_width")
def bar_width(rate: float | None) -> str:
    return "0" if rate is None else f"{rate * 100:.1f}"
