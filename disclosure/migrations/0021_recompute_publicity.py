"""Every published penalty and dishonest-list record under NDRC Order 2025 No. 36 (issue 15).

The display periods before this release (3 years for a penalty, 5 for the dishonest list) exceed
the new rule's maxima (1 year for a 一般 penalty, 3 for the list). This runs the same code as
``manage.py recompute_publicity`` (``disclosure.services.reclassify``): each record gets a
``reclassify`` version, or, when it is already past its new maximum, an ``expire`` version with the
rule's source as the reason and a take-down in the feed. Nothing is deleted.

It needs the live models and services (the version writer, the audit chain, the feed, the
transparency log), so it runs only while the database has exactly the columns the live ``Record``
model has: a database migrated later, through a release that added columns, skips it and is told
to run ``manage.py recompute_publicity`` after ``migrate`` (idempotent).
"""
from __future__ import annotations

import sys

from django.db import migrations


def recompute(apps, schema_editor):
    from disclosure.models import Record as LiveRecord  # noqa: PLC0415 - see the module docstring

    HistoricalRecord = apps.get_model("disclosure", "Record")
    published = HistoricalRecord.objects.filter(kind__in=("penalty", "dishonest_list")).exclude(
        published_at__isnull=True)
    if not published.exists():
        return
    live = {f.column for f in LiveRecord._meta.concrete_fields}
    here = {f.column for f in HistoricalRecord._meta.concrete_fields}
    if live != here:
        sys.stdout.write("\n  Publicity periods not recomputed here (the schema is ahead of this migration): "
                         "run `manage.py recompute_publicity` after migrate.\n")
        return
    from disclosure.services.reclassify import records_reclassify  # noqa: PLC0415

    counts = records_reclassify()
    sys.stdout.write(f"\n  Publicity periods: {counts['reclassify']} recomputed, {counts['expire']} expired, "
                     f"{counts['unchanged']} unchanged.\n")


class Migration(migrations.Migration):
    dependencies = [("disclosure", "0020_publicity_classes"), ("scheduler", "0003_notices")]

    operations = [migrations.RunPython(recompute, migrations.RunPython.noop, elidable=False)]
