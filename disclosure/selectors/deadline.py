"""The deadline calculator: a due date with every day the counting treated specially."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from scheduler.rules import PeriodUnit
from scheduler.selectors import deadline_for, get_calendar, get_rule


@dataclass(frozen=True)
class NoteLine:
    date: date
    kind: str  # holiday | makeup_workday | weekend
    name: str
    counted: bool  # whether the day counted towards the period


@dataclass(frozen=True)
class DeadlineExplanation:
    kind: str
    event_date: date
    period: int
    unit: str
    article: str
    description: str
    first_day: date
    due_date: date
    provisional: bool
    notes: list[NoteLine] = field(default_factory=list)


def deadline_explain(*, kind: str, event_date: date) -> DeadlineExplanation:
    """Due date for ``kind`` after an event on ``event_date``, with the holidays, make-up working
    days and weekends between the first counted day and the due date, each marked counted or not.

    The event day is not counted (day 1 is the next day). In a working-day period only working
    days count (a make-up working day does, a holiday does not); in a calendar-day period every
    day counts, and when the last one is not a working day the period runs on to the next working
    day, those extra days not counted.
    """
    rule = get_rule(kind)
    calendar = get_calendar()
    deadline = deadline_for(kind, event_date, calendar=calendar)
    first = event_date + timedelta(days=1)
    last_counted = event_date + timedelta(days=rule.period)
    notes = []
    for note in calendar.notes_between(first, deadline.due_date):
        if rule.unit == PeriodUnit.WORKING_DAYS:
            counted = note.kind == "makeup_workday"
        else:
            counted = note.date <= last_counted
        notes.append(NoteLine(note.date, note.kind, note.name, counted))
    return DeadlineExplanation(
        kind=kind, event_date=event_date, period=rule.period, unit=rule.unit, article=rule.article,
        description=rule.description, first_day=first, due_date=deadline.due_date,
        provisional=deadline.provisional, notes=notes,
    )
