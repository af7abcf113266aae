"""Due-date benchmark: scheduler.calendar.WorkingCalendar against a naive day-by-day loop.

    .venv/bin/python bench/deadlines.py [--records N] [--seed S]

Builds the calendar from the chinesecalendar package (State Council notices 2004-2026) without
Django or a database, computes due dates for N synthetic records both ways, checks that both agree
(exit status 1 if not) and prints the timings.
"""
from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import TypeVar

import chinese_calendar

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scheduler.calendar import Deadline, WorkingCalendar, build_calendar  # noqa: E402

# (label, unit, period): the three rule shapes the application uses.
RULES = (("7 working days", "working", 7), ("10 working days", "working", 10), ("20 calendar days", "calendar", 20))
EVENTS_FROM, EVENTS_TO = date(2024, 1, 1), date(2026, 12, 31)
ONE_DAY = timedelta(days=1)
T = TypeVar("T")


def package_rows() -> tuple[list[int], list[tuple[date, str, str]]]:
    """What scheduler.services.package_days gives, read straight from the package (no models)."""
    years = sorted({d.year for d in chinese_calendar.holidays})
    rows = [(d, "holiday", name or "") for d, name in chinese_calendar.holidays.items()]
    rows += [(d, "makeup_workday", name or "") for d, name in chinese_calendar.workdays.items() if d.weekday() >= 5]
    return years, sorted(rows)


def make_records(count: int, seed: int) -> list[tuple[date, str, int]]:
    rng = random.Random(seed)
    span = (EVENTS_TO - EVENTS_FROM).days
    records = []
    for _ in range(count):
        _label, unit, period = rng.choice(RULES)
        records.append((EVENTS_FROM + timedelta(days=rng.randint(0, span)), unit, period))
    return records


def with_calendar(cal: WorkingCalendar, records: list[tuple[date, str, int]]) -> list[Deadline]:
    add_working, add_calendar = cal.add_working_days, cal.add_calendar_days
    return [
        add_working(start, n) if unit == "working" else add_calendar(start, n) for start, unit, n in records
    ]


def package_workday(covered: set[int]) -> Callable[[date], bool]:
    """chinese_calendar.is_workday inside the loaded years, weekends only outside them."""

    def is_workday(day: date) -> bool:
        return chinese_calendar.is_workday(day) if day.year in covered else day.weekday() < 5

    return is_workday


def set_workday(cal: WorkingCalendar) -> Callable[[date], bool]:
    """The same question answered from in-memory sets: the fair, purely algorithmic baseline."""
    holidays, makeups = cal.holidays, cal.makeup_workdays

    def is_workday(day: date) -> bool:
        return day in makeups or (day not in holidays and day.weekday() < 5)

    return is_workday


def naive(
    records: list[tuple[date, str, int]], is_workday: Callable[[date], bool], covered: set[int]
) -> list[Deadline]:
    """The baseline: walk forward one day at a time asking ``is_workday``."""
    out = []
    for start, unit, n in records:
        if unit == "working":
            day, counted = start, 0
            while counted < n:
                day += ONE_DAY
                counted += is_workday(day)
            first = start + ONE_DAY
        else:
            day = first = start + timedelta(days=n)
            while not is_workday(day):
                day += ONE_DAY
        provisional = any(year not in covered for year in range(first.year, day.year + 1))
        out.append(Deadline(day, provisional))
    return out


def timed(fn: Callable[..., T], *args: object) -> tuple[T, float]:
    began = time.perf_counter()
    result = fn(*args)
    return result, time.perf_counter() - began


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000, help="synthetic records (default 100000)")
    parser.add_argument("--seed", type=int, default=20261001, help="random seed (default 20261001)")
    args = parser.parse_args()
    if args.records < 1:
        parser.error("--records must be at least 1")

    years, rows = package_rows()
    cal, build_seconds = timed(build_calendar, years, rows)
    records = make_records(args.records, args.seed)

    fast, fast_seconds = timed(with_calendar, cal, records)
    slow, slow_seconds = timed(naive, records, package_workday(set(years)), set(years))
    loop, loop_seconds = timed(naive, records, set_workday(cal), set(years))

    mismatches = [(r, a, b, c) for r, a, b, c in zip(records, fast, slow, loop, strict=True) if not a == b == c]
    provisional = sum(d.provisional for d in fast)

    print(f"deadlines: {args.records:,} records, events {EVENTS_FROM}..{EVENTS_TO}, seed {args.seed}, "
          f"notices {years[0]}-{years[-1]}, {provisional:,} provisional")
    print(f"build calendar once: {build_seconds * 1000:.1f} ms ({len(rows)} exception rows)")
    print(f"{'method':<34}{'records':>10}{'seconds':>10}{'records/s':>14}")
    for name, seconds in (("WorkingCalendar (ordinal tables)", fast_seconds),
                          ("naive loop (in-memory sets)", loop_seconds),
                          ("naive loop (chinese_calendar)", slow_seconds)):
        print(f"{name:<34}{args.records:>10,}{seconds:>10.3f}{args.records / seconds:>14,.0f}")
    print(f"speed-up: {loop_seconds / fast_seconds:.1f}x against the in-memory loop, "
          f"{slow_seconds / fast_seconds:.1f}x against chinese_calendar")
    if mismatches:
        print(f"MISMATCH: {len(mismatches)} records differ, first: {mismatches[0]}", file=sys.stderr)
        return 1
    print("results identical: yes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
