"""Writes to the calendar and the rule table."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from backend.errors import ApplicationError
from scheduler.models import CalendarDay, CalendarYear, DayKind, DeadlineRule
from scheduler.rules import DEFAULT_RULES
from scheduler.selectors import calendar_invalidate


@dataclass(frozen=True)
class YearLoad:
    year: int
    holidays: int
    makeup_workdays: int


@transaction.atomic
def calendar_load_year(*, year: int, days: Iterable[tuple[date, str, str]], source: str) -> YearLoad:
    """Replace one year's exceptions with ``days`` ((date, kind, name) rows) and mark it covered.

    Every date must lie in ``year``; a holiday on a weekend or a make-up day on a weekday is
    accepted only where it changes nothing (holiday weekends are stored for their names).
    """
    rows: list[CalendarDay] = []
    seen: set[date] = set()

    def refuse(field: str, message: str) -> ApplicationError:
        return ApplicationError(message, {field: [message]})

    for day, kind, name in days:
        if day.year != year:
            raise refuse("date", _("%(day)s is not in %(year)s.") % {"day": day, "year": year})
        if kind not in DayKind.values:
            raise refuse("kind", _("Unknown day kind %(kind)r; expected holiday or makeup_workday.") % {"kind": kind})
        if day in seen:
            raise refuse("date", _("%(day)s is listed twice.") % {"day": day})
        if kind == DayKind.MAKEUP_WORKDAY and day.weekday() < 5:
            raise refuse("date", _("%(day)s is a weekday; a make-up working day falls on a weekend.") % {"day": day})
        seen.add(day)
        rows.append(CalendarDay(date=day, kind=kind, name=name))
    CalendarDay.objects.filter(date__year=year).delete()
    CalendarDay.objects.bulk_create(rows)
    CalendarYear.objects.update_or_create(year=year, defaults={"source": source})
    transaction.on_commit(calendar_invalidate)
    return YearLoad(
        year,
        sum(1 for r in rows if r.kind == DayKind.HOLIDAY),
        sum(1 for r in rows if r.kind == DayKind.MAKEUP_WORKDAY),
    )


def parse_notice_csv(text: str) -> list[tuple[date, str, str]]:
    """Rows of a holiday notice file: a header ``date,kind,name``, then one day per line."""
    rows: list[tuple[date, str, str]] = []
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    if not reader.fieldnames or not {"date", "kind"} <= {f.strip() for f in reader.fieldnames}:
        message = _("The file needs a header line with the columns date,kind,name.")
        raise ApplicationError(message, {"file": [message]})
    for number, row in enumerate(reader, start=2):
        try:
            rows.append((date.fromisoformat((row.get("date") or "").strip()), (row.get("kind") or "").strip(),
                         (row.get("name") or "").strip()))
        except ValueError as exc:
            message = _("Line %(n)s: %(error)s") % {"n": number, "error": exc}
            raise ApplicationError(message, {"file": [message]}) from exc
    return rows


def package_years() -> list[int]:
    """The years the pinned ``chinesecalendar`` package carries State Council notices for."""
    import chinese_calendar

    return sorted({d.year for d in chinese_calendar.holidays})


# The package names holidays in English; the calendar shows the official Chinese names.
HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "Mid-autumn Festival": "中秋节",
    "National Day": "国庆节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}


def package_days(year: int) -> list[tuple[date, str, str]]:
    """One year's exceptions from the ``chinesecalendar`` package (State Council notices)."""
    import chinese_calendar

    rows: list[tuple[date, str, str]] = []
    for day, holiday in chinese_calendar.holidays.items():
        if day.year == year:
            rows.append((day, DayKind.HOLIDAY, HOLIDAY_NAMES.get(holiday or "", holiday or "")))
    for day, holiday in chinese_calendar.workdays.items():
        if day.year == year and day.weekday() >= 5:
            rows.append((day, DayKind.MAKEUP_WORKDAY, HOLIDAY_NAMES.get(holiday or "", holiday or "")))
    return sorted(rows)


def calendar_load_from_package(*, years: Iterable[int]) -> list[YearLoad]:
    available = set(package_years())
    loads = []
    for year in years:
        if year not in available:
            message = _(
                "The chinesecalendar package has no State Council notice for %(year)s; load it from a file."
            ) % {"year": year}
            raise ApplicationError(message, {"year": [message]})
        loads.append(calendar_load_year(year=year, days=package_days(year), source="chinesecalendar"))
    return loads


def reference_data_ensure() -> None:
    """Seed the rule table and every calendar year the package carries that is not loaded yet.
    Idempotent; what the initial migration does, for a database that was emptied since."""
    rules_seed_defaults()
    loaded = set(CalendarYear.objects.values_list("year", flat=True))
    calendar_load_from_package(years=[y for y in package_years() if y not in loaded and y >= 2004])


@transaction.atomic
def rules_seed_defaults() -> int:
    """Insert the default rule rows that are missing; never overwrite an administrator's edit."""
    created = 0
    for rule in DEFAULT_RULES:
        _, was_created = DeadlineRule.objects.get_or_create(
            key=str(rule.key),
            defaults={
                "period": rule.period, "unit": str(rule.unit), "display_months": rule.display_months,
                "article": rule.article, "description": rule.description,
            },
        )
        created += was_created
    transaction.on_commit(calendar_invalidate)
    return created
