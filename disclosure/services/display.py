"""Display periods (Art. 8): how long a published record stays in the public view."""
from __future__ import annotations

import calendar
from datetime import date
from decimal import Decimal

from django.conf import settings

from disclosure.kinds import RecordKind
from disclosure.models import PenaltyType, Record
from scheduler.selectors import get_rule

# The rule table's ``display_months`` of ``penalty`` is the ordinary period (3 years). National
# practice (国家发展改革委 credit-repair rules for 行政处罚信息) shows a decision that only warns, criticises
# or fines a low amount for 3 months; when one decision imposes several penalties, the longest
# period applies. "Low" is an amount at or under settings.PUBLIC_LOW_FINE_MAX_YUAN.
SHORT_DISPLAY_PENALTIES: frozenset[str] = frozenset({PenaltyType.WARNING, PenaltyType.CRITICISM, PenaltyType.FINE})
SHORT_DISPLAY_MONTHS = 3


def add_months(day: date, months: int) -> date:
    """``day`` plus whole months; the 31st of a shorter month becomes its last day."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _penalty_months(penalty_type: str, fine_amount: Decimal | None, ordinary: int) -> int:
    if penalty_type not in SHORT_DISPLAY_PENALTIES:
        return ordinary
    if penalty_type == PenaltyType.FINE and (fine_amount is None or fine_amount > settings.PUBLIC_LOW_FINE_MAX_YUAN):
        return ordinary  # an unknown amount is not presumed low
    return SHORT_DISPLAY_MONTHS


def display_months(record: Record) -> int | None:
    """Months the record is shown: the rule table's period for its kind; for a penalty the
    longest period among the penalties it imposes (none named: the ordinary period)."""
    ordinary = get_rule(record.kind).display_months
    if ordinary is None:
        return None
    if record.kind == RecordKind.PENALTY and record.penalty_types:
        amount = Decimal(str(record.fine_amount)) if record.fine_amount is not None else None
        return max(_penalty_months(t, amount, ordinary) for t in record.penalty_types)
    return ordinary


def display_expiry(record: Record) -> date | None:
    """The first day the record is no longer public, counted from the decision (event) date, as
    the national credit-repair practice counts penalty display periods."""
    months = display_months(record)
    return add_months(record.event_date, months) if months else None
