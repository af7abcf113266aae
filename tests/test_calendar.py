"""The pure working-day calendar (scheduler.calendar), with no database.

The independent oracle is ``chinese_calendar.is_workday`` (the State Council notices 2004-2026 as
shipped by the ``chinesecalendar`` package) driven by a naive day-by-day loop. For days after 2026
the package has no data, so the oracle falls back to the counting rule for unloaded years:
Monday to Friday are working days, and any answer touching such a year must be flagged provisional.
"""
from __future__ import annotations

import functools
from datetime import date, timedelta

import chinese_calendar
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from scheduler.calendar import DayNote, WorkingCalendar, build_calendar
from scheduler.services import package_days

FIRST_YEAR, LAST_YEAR = 2004, 2026
PACKAGE_YEARS = range(FIRST_YEAR, LAST_YEAR + 1)
FIRST_DAY, LAST_DAY = date(FIRST_YEAR, 1, 1), date(LAST_YEAR, 12, 31)
ONE_DAY = timedelta(days=1)

PROPERTY_SETTINGS = settings(max_examples=400, deadline=None)


# -- the oracle -------------------------------------------------------------------------------
@functools.cache
def oracle_is_workday(day: date) -> bool:
    if FIRST_YEAR <= day.year <= LAST_YEAR:
        return chinese_calendar.is_workday(day)
    return day.weekday() < 5  # a year without a notice: weekends only


def naive_add_working_days(start: date, n: int) -> date:
    day, counted = start, 0
    while counted < n:
        day += ONE_DAY
        counted += oracle_is_workday(day)
    return day


def naive_add_calendar_days(start: date, n: int) -> date:
    day = start + timedelta(days=n)
    while not oracle_is_workday(day):
        day += ONE_DAY
    return day


def naive_working_days_late(due: date, done: date) -> int:
    late, day = 0, due + ONE_DAY
    while day <= done:
        late += oracle_is_workday(day)
        day += ONE_DAY
    return late


# -- fixtures ---------------------------------------------------------------------------------
def package_rows(years: range) -> list[tuple[date, str, str]]:
    return [row for year in years for row in package_days(year)]


@pytest.fixture(scope="module")
def cal() -> WorkingCalendar:
    """The calendar the application builds: every year the package carries, 2004-2026."""
    return build_calendar(PACKAGE_YEARS, package_rows(PACKAGE_YEARS))


def test_package_covers_2004_to_2026() -> None:
    years = {d.year for d in chinese_calendar.holidays}
    assert min(years) == FIRST_YEAR
    assert max(years) == LAST_YEAR


# -- pinned examples --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("start", "n", "due"),
    [
        # National Day 2026 (10-01..10-07 off), Saturday 10-10 is a make-up working day.
        (date(2026, 9, 28), 7, date(2026, 10, 13)),
        (date(2026, 9, 30), 10, date(2026, 10, 20)),
        # Spring Festival 2026 (02-15..02-23 off), Saturdays 02-14 and 02-28 are worked.
        (date(2026, 2, 12), 7, date(2026, 2, 28)),
        # New Year 2026 (01-01..01-03 off), Sunday 01-04 is worked.
        (date(2025, 12, 30), 7, date(2026, 1, 9)),
    ],
)
def test_working_day_examples(cal: WorkingCalendar, start: date, n: int, due: date) -> None:
    result = cal.add_working_days(start, n)
    assert result.due_date == due
    assert result.provisional is False


@pytest.mark.parametrize(
    ("start", "n", "due"),
    [
        # 2026-10-04 is a National Day holiday (a Sunday), next working day is 10-08.
        (date(2026, 9, 14), 20, date(2026, 10, 8)),
        # 2026-10-11 is an ordinary Sunday, next working day is 10-12.
        (date(2026, 9, 21), 20, date(2026, 10, 12)),
        # 2026-10-10 is a Saturday but a make-up working day: the period ends on it.
        (date(2026, 9, 20), 20, date(2026, 10, 10)),
    ],
)
def test_calendar_day_examples(cal: WorkingCalendar, start: date, n: int, due: date) -> None:
    result = cal.add_calendar_days(start, n)
    assert result.due_date == due
    assert result.provisional is False


def test_event_day_is_not_counted(cal: WorkingCalendar) -> None:
    # A Monday event: day 1 is the Tuesday, even though the Monday itself is a working day.
    assert cal.add_working_days(date(2026, 3, 2), 1).due_date == date(2026, 3, 3)
    assert cal.add_calendar_days(date(2026, 3, 2), 1).due_date == date(2026, 3, 3)


def test_working_days_late_examples(cal: WorkingCalendar) -> None:
    due = date(2026, 9, 30)
    assert cal.working_days_late(due, due) == 0
    assert cal.working_days_late(due, date(2026, 9, 1)) == 0
    assert cal.working_days_late(due, date(2026, 10, 7)) == 0  # the whole holiday
    assert cal.working_days_late(due, date(2026, 10, 8)) == 1
    assert cal.working_days_late(due, date(2026, 10, 10)) == 3  # Saturday make-up day counts
    assert cal.working_days_late(due, date(2026, 10, 11)) == 3


def test_notes_between_lists_holidays_and_makeup_days(cal: WorkingCalendar) -> None:
    notes = cal.notes_between(date(2026, 9, 28), date(2026, 10, 13))
    assert notes == [
        *(DayNote(date(2026, 10, d), "holiday", "国庆节") for d in range(1, 8)),
        DayNote(date(2026, 10, 10), "makeup_workday", "国庆节"),
        DayNote(date(2026, 10, 11), "weekend"),
    ]
    spring = cal.notes_between(date(2026, 2, 13), date(2026, 2, 28))
    assert [(n.date, n.kind) for n in spring if n.kind == "makeup_workday"] == [
        (date(2026, 2, 14), "makeup_workday"),
        (date(2026, 2, 28), "makeup_workday"),
    ]
    assert all(n.name == "春节" for n in spring if n.kind != "weekend")
    assert [n.date for n in spring if n.kind == "holiday"] == [date(2026, 2, d) for d in range(15, 24)]


def test_notes_between_agrees_with_working_days(cal: WorkingCalendar) -> None:
    first, last = date(2025, 1, 1), date(2026, 12, 31)
    notes = {n.date: n.kind for n in cal.notes_between(first, last)}
    day = first
    while day <= last:
        if day.weekday() < 5 and day not in notes:
            assert cal.is_working_day(day), day
        else:
            assert cal.is_working_day(day) == (notes.get(day) == "makeup_workday"), day
        day += ONE_DAY
    assert cal.notes_between(date(2026, 3, 3), date(2026, 3, 6)) == []  # a plain working week


# -- provisional answers ----------------------------------------------------------------------
def test_answer_in_an_unloaded_year_is_provisional(cal: WorkingCalendar) -> None:
    result = cal.add_working_days(date(2026, 12, 28), 7)
    assert result.due_date.year == 2027
    # 12-29, 12-30, 12-31, then 2027 counted with weekends only: 01-01 (Fri), 01-04, 01-05, 01-06.
    assert result.due_date == date(2027, 1, 6)
    assert result.provisional is True


def test_answer_inside_loaded_years_is_not_provisional(cal: WorkingCalendar) -> None:
    result = cal.add_working_days(date(2026, 12, 10), 7)
    assert result.due_date == date(2026, 12, 21)
    assert result.provisional is False


def test_loading_the_next_year_changes_the_answer_and_clears_the_flag(cal: WorkingCalendar) -> None:
    years = range(FIRST_YEAR, LAST_YEAR + 2)
    made_up_2027 = [(date(2027, 1, 1), "holiday", "元旦")]
    with_2027 = build_calendar(years, package_rows(PACKAGE_YEARS) + made_up_2027)
    result = with_2027.add_working_days(date(2026, 12, 28), 7)
    assert result.due_date == date(2027, 1, 7)
    assert result.provisional is False
    # The original calendar is immutable and still gives the provisional answer.
    assert cal.add_working_days(date(2026, 12, 28), 7).due_date == date(2027, 1, 6)
    assert cal.add_working_days(date(2026, 12, 28), 7).provisional is True


def test_calendar_day_period_ending_in_unloaded_year_is_provisional(cal: WorkingCalendar) -> None:
    result = cal.add_calendar_days(date(2026, 12, 20), 20)  # 2027-01-09 is a Saturday
    assert result.due_date == date(2027, 1, 11)
    assert result.provisional is True
    assert cal.add_calendar_days(date(2026, 12, 1), 20).provisional is False


def test_years_before_the_notices_are_weekends_only_and_provisional(cal: WorkingCalendar) -> None:
    day = date(1990, 1, 1)
    while day < FIRST_DAY:
        assert cal.is_working_day(day) == (day.weekday() < 5), day
        day += ONE_DAY
    assert cal.add_working_days(date(2003, 12, 29), 3).provisional is True
    assert cal.is_provisional_between(date(2003, 12, 31), date(2004, 1, 2)) is True
    assert cal.is_provisional_between(date(2004, 1, 1), date(2026, 12, 31)) is False


# -- bad input --------------------------------------------------------------------------------
@pytest.mark.parametrize("n", [0, -1, -30])
def test_period_must_have_at_least_one_day(cal: WorkingCalendar, n: int) -> None:
    with pytest.raises(ValueError):
        cal.add_working_days(date(2026, 5, 6), n)
    with pytest.raises(ValueError):
        cal.add_calendar_days(date(2026, 5, 6), n)


def test_values_outside_the_range_raise(cal: WorkingCalendar) -> None:
    # The calendar spans 1990-01-01 to three years past the last loaded year: 2029-12-31.
    assert cal.is_working_day(date(1990, 1, 1)) is True
    assert cal.is_working_day(date(2029, 12, 31)) is True
    before, after = date(1989, 12, 31), date(2030, 1, 1)
    for call in (
        lambda: cal.is_working_day(before),
        lambda: cal.is_working_day(after),
        lambda: cal.working_days_up_to(before),
        lambda: cal.working_days_up_to(after),
        lambda: cal.next_working_day(before),
        lambda: cal.next_working_day(after),
        lambda: cal.add_working_days(before, 1),
        lambda: cal.add_working_days(after, 1),
        lambda: cal.add_working_days(date(2029, 12, 28), 5),  # start inside, answer beyond
        lambda: cal.add_calendar_days(after, 1),
        lambda: cal.add_calendar_days(date(2029, 12, 31), 1),
        lambda: cal.working_days_late(date(2029, 12, 1), after),
        lambda: cal.working_days_late(before, date(2004, 1, 5)),
    ):
        with pytest.raises(ValueError):
            call()


def test_rolling_forward_past_the_end_raises_value_error() -> None:
    cal = build_calendar([2025], [])  # spans to 2028-12-31, a Sunday
    with pytest.raises(ValueError):
        cal.add_calendar_days(date(2028, 12, 29), 2)


# -- properties against the oracle ------------------------------------------------------------
def test_is_working_day_agrees_with_oracle_every_day(cal: WorkingCalendar) -> None:
    day = FIRST_DAY
    while day <= LAST_DAY:
        assert cal.is_working_day(day) == chinese_calendar.is_workday(day), day
        day += ONE_DAY


starts = st.dates(min_value=FIRST_DAY, max_value=date(2026, 11, 30))
periods = st.integers(min_value=1, max_value=30)


@PROPERTY_SETTINGS
@given(start=starts, n=periods)
@example(start=FIRST_DAY, n=1)
@example(start=date(2026, 11, 30), n=30)  # runs into 2027
@example(start=date(2026, 9, 30), n=1)
def test_add_working_days_matches_oracle(cal: WorkingCalendar, start: date, n: int) -> None:
    result = cal.add_working_days(start, n)
    assert result.due_date == naive_add_working_days(start, n)
    # Provisional exactly when the counted span (start, due] leaves 2004..2026.
    assert result.provisional is (result.due_date.year > LAST_YEAR)


@PROPERTY_SETTINGS
@given(start=starts, n=periods)
@example(start=date(2026, 9, 14), n=20)
@example(start=date(2026, 11, 30), n=30)
def test_add_calendar_days_matches_oracle(cal: WorkingCalendar, start: date, n: int) -> None:
    result = cal.add_calendar_days(start, n)
    assert result.due_date == naive_add_calendar_days(start, n)
    assert result.provisional is (result.due_date.year > LAST_YEAR)


@st.composite
def due_and_done(draw: st.DrawFn) -> tuple[date, date]:
    due = draw(st.dates(min_value=FIRST_DAY, max_value=LAST_DAY))
    if draw(st.booleans()):  # near each other, the common case
        done = due + timedelta(days=draw(st.integers(min_value=-40, max_value=120)))
        done = min(max(done, FIRST_DAY), LAST_DAY)
    else:  # anywhere, including years apart and done long before due
        done = draw(st.dates(min_value=FIRST_DAY, max_value=LAST_DAY))
    return due, done


@PROPERTY_SETTINGS
@given(pair=due_and_done())
@example(pair=(date(2026, 9, 30), date(2026, 10, 10)))
@example(pair=(date(2026, 10, 10), date(2026, 10, 10)))
def test_working_days_late_matches_oracle(cal: WorkingCalendar, pair: tuple[date, date]) -> None:
    due, done = pair
    late = cal.working_days_late(due, done)
    assert late == naive_working_days_late(due, done)
    if done <= due:
        assert late == 0
