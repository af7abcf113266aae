"""Publicity periods (Art. 8; NDRC Order 2025 No. 36): a record's class, the first day its subject
may apply for credit repair, and the first day it is no longer shown.

Penalty information and the dishonest list follow the rule table in force (``PublicityProfile``
and its ``PublicityPeriod`` and ``PenaltyClassRule`` rows; defaults and sources in
``disclosure.kinds.publicity``). A penalty's class is the heaviest of its categories'; a decision
that only warns, criticises or fines at most the profile's low amount, and a simple-procedure
decision, is minor; the agency may set another class with a reason. Every other kind is shown for
its rule-table row's ``display_months`` (``scheduler.DeadlineRule``).
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _

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


def publicity_rules() -> PublicityRules:
    """The rule table in force (two queries). A bulk writer reads it once for all its rows."""
    profile = PublicityProfile.objects.filter(active=True).first()
    if profile is None:
        raise LookupError("No publicity profile is in force: mark one active in the admin (PublicityProfile).")
    periods = {p.publicity_class: p for p in PublicityPeriod.objects.filter(profile=profile)}
    classes = dict(PenaltyClassRule.objects.filter(profile=profile).values_list("penalty_type", "severity"))
    return PublicityRules(profile, periods, classes)


def _low_fine(record: Record, rules: PublicityRules) -> bool:
    limit = (rules.profile.low_fine_person_yuan if record.subject_type == SubjectType.NATURAL_PERSON
             else rules.profile.low_fine_organization_yuan)
    amount = record.fine_amount
    # An unknown amount is not presumed low; "以下" includes the amount itself.
    return limit is not None and amount is not None and Decimal(str(amount)) <= limit


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


def _start(record: Record, profile: PublicityProfile) -> date:
    if profile.counted_from == CountedFrom.PUBLICATION and record.published_on is not None:
        return record.published_on
    return record.event_date


def publicity(record: Record, rules: PublicityRules | None = None) -> Publicity:
    """The class, first repair day and end of display ``record`` has under the rules in force.
    A class the profile does not show, or a simple-procedure decision a profile does not publish,
    ends its display on its first day: published and counted, never shown."""
    rules = rules or publicity_rules()
    severity = severity_of(record, rules)
    period = rules.periods.get(severity) if severity else None
    if period is None:
        months = get_rule(record.kind).display_months
        return Publicity(severity, None, add_months(record.event_date, months) if months else None)
    start = _start(record, rules.profile)
    hidden = not period.shown or (record.kind == RecordKind.PENALTY and not rules.profile.simple_procedure_shown
                                  and (record.details or {}).get("simple_procedure") is True)
    if hidden:
        return Publicity(severity, None, start)
    return Publicity(severity, add_months(start, period.min_months), add_months(start, period.max_months))


def apply_publicity(record: Record, rules: PublicityRules | None = None) -> None:
    """Set the record's class, and once it is published its first repair day and end of display."""
    result = publicity(record, rules)
    record.severity = result.severity
    if record.published_at is not None:
        record.repair_from, record.expires_on = result.repair_from, result.expires_on


def period_source(severity: str, rules: PublicityRules | None = None) -> str:
    """The document and article a record of class ``severity`` ("" for a kind the table does not
    class) takes its display period from (the reason its expiry gives)."""
    rules = rules or publicity_rules()
    period = rules.periods.get(severity) if severity else None
    if period is not None:
        return period.source
    return _("Art. 8 of HZBF [2020] No. 80")


def publicity_seed_defaults() -> int:
    """Insert the default profiles and rows that are missing (``disclosure.kinds.publicity``);
    never overwrite an administrator's edit. Returns how many rows it inserted."""
    from disclosure.kinds.publicity import PENALTY_CLASSES, PERIODS, PROFILES

    created = 0
    for profile in PROFILES:
        active = profile.active and not PublicityProfile.objects.filter(active=True).exists()
        _, was = PublicityProfile.objects.get_or_create(code=profile.code, defaults={
            "name": profile.name, "active": active, "counted_from": profile.counted_from,
            "low_fine_person_yuan": profile.low_fine_person_yuan,
            "low_fine_organization_yuan": profile.low_fine_organization_yuan,
            "simple_procedure_shown": profile.simple_procedure_shown, "source": profile.source})
        created += was
    for period in PERIODS:
        _, was = PublicityPeriod.objects.get_or_create(
            profile_id=period.profile, publicity_class=period.publicity_class,
            defaults={"min_months": period.min_months, "max_months": period.max_months, "shown": period.shown,
                      "source": period.source})
        created += was
    for rule in PENALTY_CLASSES:
        _, was = PenaltyClassRule.objects.get_or_create(
            profile_id=rule.profile, penalty_type=rule.penalty_type,
            defaults={"severity": rule.severity, "source": rule.source})
        created += was
    return created
