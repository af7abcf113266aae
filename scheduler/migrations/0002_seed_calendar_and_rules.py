"""Seed the rule table and the State Council holiday calendars 2004-2026 (chinesecalendar)."""
from django.db import migrations

SEEDED_YEARS = range(2004, 2027)


def seed(apps, schema_editor):
    from scheduler.rules import DEFAULT_RULES
    from scheduler.services import package_days

    CalendarYear = apps.get_model("scheduler", "CalendarYear")
    CalendarDay = apps.get_model("scheduler", "CalendarDay")
    DeadlineRule = apps.get_model("scheduler", "DeadlineRule")
    for rule in DEFAULT_RULES:
        DeadlineRule.objects.get_or_create(
            key=str(rule.key),
            defaults={
                "period": rule.period, "unit": str(rule.unit), "display_months": rule.display_months,
                "article": rule.article, "description": rule.description,
            },
        )
    for year in SEEDED_YEARS:
        if CalendarYear.objects.filter(year=year).exists():
            continue
        CalendarDay.objects.bulk_create(
            [CalendarDay(date=d, kind=str(kind), name=name) for d, kind, name in package_days(year)]
        )
        CalendarYear.objects.create(year=year, source="chinesecalendar (State Council notices)")


class Migration(migrations.Migration):
    dependencies = [("scheduler", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
