"""Publicity periods (Art. 8; NDRC Order 2025 No. 36): a record's class, the first day its subject
may apply for credit repair, and the first day it is no longer shown.

Penalty information and the dishonest list follow the rule table in force (``PublicityProfile``
and its ``PublicityPeriod`` and ``PenaltyClassRule`` rows; defaults and sources in
``disclosure.kinds.publicity``). A penalty's class is the heaviest of its categories'; a fine at
or under the profile's low amount counts as minor, and so does a simple-procedure decision; the
agency may set another class with a reason. Every other kind is shown for its rule-table row's
``display_months`` (``scheduler.DeadlineRule``) and never reads the publicity table.

Periods are counted as the Civil Code counts them (Art. 201, 202): the day they start from is not
counted, and a period of months ends on the corresponding day of its last month (the month's last
day when it has none). So the last day shown is that day, the record leaves the public view the
day after (``expires_on``), and credit repair may be applied for from the day after the minimum
period ends (``repair_from``; at once for a minimum of nothing, "履行完毕即可申请修复").
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.utils.translation import gettext as _

from backend.errors import ConflictError
from disclosure.kinds import RecordKind
from disclosure.models import (
    CountedFrom,
    PenaltyClassRule,
    PenaltyType,
    PublicityClass,
    PublicityPeriod,
    PublicityProfile,
    Record,
    Severity,
    SubjectType,
)
from scheduler.selectors import get_rule

# Heaviest last: a decision's class is the maximum of its categories' by this order.
_WEIGHT = {Severity.MINOR: 0, Severity.GENERAL: 1, Severity.SERIOUS: 2}
# The kinds the publicity table classes; the others keep their deadline rule's display period.
CLASSED_KINDS = frozenset({RecordKind.PENALTY, RecordKind.DISHONEST_LIST})
# Subjects that are citizens for the amounts of the Administrative Penalty Law (Art. 51: 公民).
CITIZENS = frozenset({SubjectType.NATURAL_PERSON, SubjectType.INDIVIDUAL_BUSINESS})


def add_months(day: date, months: int) -> date:
    """``day`` plus whole months; the 31st of a shorter month becomes its last day."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class PublicityRules:
    """The profile in force with its rows, read once (``publicity_rules``)."""

    profile: PublicityProfile
    periods: dict[str, PublicityPeriod]
    classes: dict[str, str]

    @property
    def stamp(self) -> str:
        """What a record computed under these rules is stamped with (``Record.publicity_rules``)."""
        return publicity_stamp(self.profile)


def publicity_stamp(profile: PublicityProfile) -> str:
    return f"{profile.code}@{profile.revision}"


def publicity_rules() -> PublicityRules:
    """The rule table in force (three queries). Refused (409) when no complete profile is in force:
    a class without its row must not fall back to another period."""
    profile = PublicityProfile.objects.filter(active=True).first()
    if profile is None:
        raise ConflictError(_("No publicity profile is in force: an administrator puts one in force in the admin."),
                            {"publicity": [_("No publicity profile is in force.")]})
    periods = {p.publicity_class: p for p in PublicityPeriod.objects.filter(profile=profile)}
    classes = dict(PenaltyClassRule.objects.filter(profile=profile).values_list("penalty_type", "severity"))
    missing = profile_missing(periods, classes)
    if missing:
        raise ConflictError(_("The publicity profile in force lacks rows: %(rows)s.") % {"rows": ", ".join(missing)},
                            {"publicity": missing})
    return PublicityRules(profile, periods, classes)


def profile_missing(periods: dict[str, PublicityPeriod] | set[str], classes: dict[str, str] | set[str]) -> list[str]:
    """The rows a profile needs and lacks: a period for each class, a class for each category."""
    return ([str(c) for c in PublicityClass.values if c not in periods]
            + [str(t) for t in PenaltyType.values if t not in classes])


def _low_fine(record: Record, rules: PublicityRules) -> bool:
    limit = (rules.profile.low_fine_person_yuan if record.subject_type == SubjectType.NATURAL_PERSON
             else rules.profile.low_fine_organization_yuan)
    amount = Decimal(str(record.fine_amount)) if record.fine_amount is not None else None
    # An unknown amount (none, or nothing: legacy data writes 0 for "unknown") is not presumed
    # low; "以下" includes the amount itself.
    return limit is not None and amount is not None and 0 < amount <= limit


def derived_severity(record: Record, rules: PublicityRules) -> str:
    """A penalty's class from what it imposes: the heaviest of its categories' classes, a fine at
    or under the profile's low amount counting as minor; a simple-procedure decision is minor. No
    category named: general."""
    types = [str(t) for t in record.penalty_types or []]
    if (record.details or {}).get("simple_procedure") is True:
        return Severity.MINOR
    if not types:
        return Severity.GENERAL
    low = _low_fine(record, rules)
    classes = [Severity.MINOR if t == PenaltyType.FINE and low else rules.classes.get(t, Severity.GENERAL)
               for t in types]
    return max(classes, key=lambda c: _WEIGHT[Severity(c)])


def severity_of(record: Record, rules: PublicityRules) -> str:
    """The record's class in the rule table: the agency's for a penalty it classed itself, else the
    derived one; the dishonest list's own row; nothing for the other kinds."""
    if record.kind == RecordKind.PENALTY:
        return record.severity_override or derived_severity(record, rules)
    if record.kind == RecordKind.DISHONEST_LIST:
        return PublicityClass.DISHONEST_LIST
    return ""


@dataclass(frozen=True)
class Publicity:
    severity: str
    repair_from: date | None
    expires_on: date | None


def _start(record: Record, period: PublicityPeriod) -> date:
    if period.counted_from == CountedFrom.PUBLICATION and record.published_on is not None:
        return record.published_on
    return record.event_date


def period_last_day(start: date, months: int) -> date:
    """The last day of a period of ``months`` counted from ``start`` (Civil Code Art. 201, 202)."""
    return add_months(start, months)


def publicity(record: Record, rules: PublicityRules | None = None) -> Publicity:
    """The class, first repair day and end of display ``record`` has under the rules in force
    (read only for a penalty or the dishonest list). A class the profile does not show, or a
    simple-procedure decision a profile does not publish, ends its display on its first day:
    published and counted, never shown."""
    if record.kind not in CLASSED_KINDS:
        months = get_rule(record.kind).display_months
        return Publicity("", None, period_last_day(record.event_date, months) + _DAY if months else None)
    rules = rules or publicity_rules()
    severity = severity_of(record, rules)
    period = rules.periods[severity]  # ``publicity_rules`` refuses a profile without every row
    start = _start(record, period)
    hidden = not period.shown or (record.kind == RecordKind.PENALTY and not rules.profile.simple_procedure_shown
                                  and (record.details or {}).get("simple_procedure") is True)
    if hidden:
        return Publicity(severity, None, start)
    repair_from = period_last_day(start, period.min_months) + _DAY if period.min_months else start
    return Publicity(severity, repair_from, period_last_day(start, period.max_months) + _DAY)


_DAY = timedelta(days=1)


def apply_publicity(record: Record, rules: PublicityRules | None = None) -> None:
    """Set the record's class, and once it is published its first repair day and end of display,
    with the stamp of the rules that computed them (none for a kind the table does not class)."""
    if record.kind in CLASSED_KINDS:
        rules = rules or publicity_rules()
    else:
        rules = None  # the kinds the table does not class carry no stamp
    result = publicity(record, rules)
    record.severity = result.severity
    record.publicity_rules = rules.stamp if rules is not None else ""
    if record.published_at is not None:
        record.repair_from, record.expires_on = result.repair_from, result.expires_on


def period_source(severity: str, rules: PublicityRules | None = None) -> str:
    """The document and article a record of class ``severity`` ("" for a kind the table does not
    class) takes its display period from (the reason its expiry gives)."""
    if not severity:
        return _("Art. 8 of HZBF [2020] No. 80")
    rules = rules or publicity_rules()
    return rules.periods[severity].source


def publicity_seed_defaults() -> int:
    """Insert the default profiles and rows that are missing (``disclosure.kinds.publicity``);
    never overwrite an administrator's edit. Returns how many rows it inserted."""
    from disclosure.kinds.publicity import seed

    return seed(PublicityProfile, PublicityPeriod, PenaltyClassRule)
