"""A pure, immutable working-day calendar: no I/O, O(log n) per question.

Counting rules (ordinary Chinese procedural law, SPEC.md "Deadlines"):

* the day of the event is not counted: day 1 is the next day;
* working days are Monday to Friday, minus statutory holidays, plus make-up working days
  (调休上班日) that fall on a weekend;
* a calendar-day period whose last day is not a working day ends on the next working day;
* a year whose State Council notice is not loaded is counted with weekends only, and every answer
  that touches such a year is flagged *provisional*.

Working days are precomputed once per process: the list of working-day ordinals and, for every
day of the span, how many working days (and how many days of unloaded years) precede it. "The
n-th working day after d" is then two list lookups, never a day-by-day loop.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

# The calendar spans from _FIRST_YEAR to this many years past the last loaded year; uncovered
# years in that span count weekends only, so a provisional answer is always available.
_FIRST_YEAR = 1990
_MARGIN_YEARS = 3


@dataclass(frozen=True)
class Deadline:
    due_date: date
    provisional: bool


@dataclass(frozen=True)
class DayNote:
    """A day the counting treated differently from a plain weekday or weekend."""

    date: date
    kind: str  # "holiday" | "makeup_workday" | "weekend"
    name: str = ""


@dataclass(frozen=True)
class WorkingCalendar:
    covered_years: frozenset[int]
    holidays: frozenset[date]
    makeup_workdays: frozenset[date]
    names: dict[date, str] = field(default_factory=dict, compare=False, hash=False)
    _first: int = field(init=False, repr=False, compare=False)
    _last: int = field(init=False, repr=False, compare=False)
    # _working[k]: ordinal of the (k+1)-th working day of the span.
    # _rank[o - _first]: how many working days lie in [_first, o].
    # _uncovered[o - _first]: how many days of years without a loaded notice lie in [_first, o].
    _working: list[int] = field(init=False, repr=False, compare=False)
    _rank: list[int] = field(init=False, repr=False, compare=False)
    _uncovered: list[int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        first = date(min(min(self.covered_years, default=_FIRST_YEAR), _FIRST_YEAR), 1, 1).toordinal()
        last = date(max(self.covered_years, default=_FIRST_YEAR) + _MARGIN_YEARS, 12, 31).toordinal()
        holidays = {d.toordinal() for d in self.holidays}
        makeups = {d.toordinal() for d in self.makeup_workdays}
        working: list[int] = []
        rank: list[int] = []
        uncovered: list[int] = []
        gaps = 0
        for o in range(first, last + 1):
            day = date.fromordinal(o)
            if o in makeups or (o not in holidays and day.weekday() < 5):
                working.append(o)
            gaps += day.year not in self.covered_years
            rank.append(len(working))
            uncovered.append(gaps)
        object.__setattr__(self, "_first", first)
        object.__setattr__(self, "_last", last)
        object.__setattr__(self, "_working", working)
        object.__setattr__(self, "_rank", rank)
        object.__setattr__(self, "_uncovered", uncovered)

    # -- single days -----------------------------------------------------------------------
    def is_working_day(self, day: date) -> bool:
        i = self._index(day.toordinal())
        return self._rank[i] > (self._rank[i - 1] if i else 0)

    def working_days_up_to(self, day: date) -> int:
        """How many working days lie in [start of the calendar, day]: a monotone ordinal."""
        return self._rank[self._index(day.toordinal())]

    # -- periods ---------------------------------------------------------------------------
    def add_working_days(self, start: date, n: int) -> Deadline:
        """The n-th working day after ``start`` (``start`` itself not counted)."""
        if n < 1:
            raise ValueError("a period has at least one day")
        o = start.toordinal()
        k = self._rank[self._index(o)] + n - 1
        if k >= len(self._working):
            raise ValueError(f"{start} + {n} working days lies beyond the calendar")
        due = self._working[k]
        return Deadline(date.fromordinal(due), self._uncovered_in(o + 1, due))

    def add_calendar_days(self, start: date, n: int) -> Deadline:
        """``start`` + n days; if that is not a working day, the next working day."""
        if n < 1:
            raise ValueError("a period has at least one day")
        last = start.toordinal() + n
        due = self._next_working(last)
        return Deadline(date.fromordinal(due), self._uncovered_in(last, due))

    def next_working_day(self, day: date) -> date:
        """``day`` itself when it is a working day, else the first working day after it."""
        return date.fromordinal(self._next_working(day.toordinal()))

    def working_days_late(self, due: date, done: date) -> int:
        """Working days after ``due`` up to and including ``done``; 0 when done on time."""
        if done <= due:
            return 0
        return self.working_days_up_to(done) - self.working_days_up_to(due)

    def timeliness(self, due: date, published: date) -> tuple[bool, int]:
        """(on time, working days late). Published after the due date is late even when no working
        day lies between (a Saturday after a Friday deadline: late, 0 working days late)."""
        return published <= due, self.working_days_late(due, published)

    def is_provisional_between(self, first: date, last: date) -> bool:
        return self._uncovered_in(first.toordinal(), last.toordinal())

    def notes_between(self, first: date, last: date) -> list[DayNote]:
        """Holidays, make-up working days and weekends in [first, last], for showing the arithmetic."""
        notes: list[DayNote] = []
        day = first
        while day <= last:
            if day in self.holidays:
                notes.append(DayNote(day, "holiday", self.names.get(day, "")))
            elif day in self.makeup_workdays:
                notes.append(DayNote(day, "makeup_workday", self.names.get(day, "")))
            elif day.weekday() >= 5:
                notes.append(DayNote(day, "weekend"))
            day += timedelta(days=1)
        return notes

    # -- internals -------------------------------------------------------------------------
    def _index(self, o: int) -> int:
        if not self._first <= o <= self._last:
            raise ValueError(f"{date.fromordinal(o)} lies outside the calendar's range")
        return o - self._first

    def _next_working(self, o: int) -> int:
        i = self._index(o)
        k = self._rank[i - 1] if i else 0  # working days strictly before o
        if k >= len(self._working):
            raise ValueError(f"no working day on or after {date.fromordinal(o)} within the calendar's range")
        return self._working[k]

    def _uncovered_in(self, first: int, last: int) -> bool:
        """Does [first, last] (ordinals) touch a year whose notice is not loaded?"""
        before = self._uncovered[self._index(first) - 1] if first > self._first else 0
        return self._uncovered[self._index(last)] > before


def build_calendar(
    covered_years: Iterable[int], exceptions: Iterable[tuple[date, str, str]]
) -> WorkingCalendar:
    """Build from (date, kind, name) rows, kind being "holiday" or "makeup_workday"."""
    holidays: set[date] = set()
    makeups: set[date] = set()
    names: dict[date, str] = {}
    for day, kind, name in exceptions:
        (holidays if kind == "holiday" else makeups).add(day)
        if name:
            names[day] = name
    return WorkingCalendar(frozenset(covered_years), frozenset(holidays), frozenset(makeups), names)
