"""Every published penalty and dishonest-list record under NDRC Order 2025 No. 36 (issue 15).

The display periods before this release (3 years for a penalty, 5 for the dishonest list) exceed
the new rule's maxima (1 year for a 一般 penalty, 3 for the list). This runs the same code as
``manage.py recompute_publicity`` (``disclosure.services.reclassify``): each record gets a
``reclassify`` version, or, when it is already past its new maximum, an ``expire`` version with the
rule's source as the reason and a take-down in the feed. Nothing is deleted.

It needs the live models and services (the version writer, the audit chain, the feed, the
transparency log), so it runs only when the database already has every column the live models
of the apps it writes declare. A database migrated through this one by a later release, whose
models have more columns than the schema has yet, skips it here; ``bin/run`` and the container's
entrypoint run ``recompute_publicity`` after every ``migrate`` (it does only what is out of date)
and the nightly beat job does too, so the records are recomputed all the same. Not atomic: the
service commits a batch at a time, so the feed and the audit chain are not held for the whole run.
"""
from __future__ import annotations

import sys

from django.apps import apps as live_apps
from django.db import migrations

_APPS = ("disclosure", "scheduler", "auth")


def _schema_is_current(connection) -> bool:
    """Whether every table of the live models of ``_APPS`` has every column they declare."""
    with connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor))
        for label in _APPS:
            for model in live_apps.get_app_config(label).get_models():
                if model._meta.proxy or not model._meta.managed:
                    continue
                table = model._meta.db_table
                if table not in tables:
                    return False
                have = {c.name for c in connection.introspection.get_table_description(cursor, table)}
                if not {f.column for f in model._meta.concrete_fields} <= have:
                    return False
    return True


def recompute(apps, schema_editor):
    Record = apps.get_model("disclosure", "Record")
    published = Record.objects.filter(kind__in=("penalty", "dishonest_list")).exclude(published_at__isnull=True)
    if not published.exists():
        return
    if not _schema_is_current(schema_editor.connection):
        sys.stdout.write("\n  Publicity periods are recomputed after migrate (`manage.py recompute_publicity`; "
                         "bin/run, the container and the nightly job run it).\n")
        return
    from disclosure.services.reclassify import records_reclassify  # noqa: PLC0415 - see the module docstring

    counts = records_reclassify()
    sys.stdout.write(f"\n  Publicity periods: {counts['reclassify']} recomputed, {counts['expire']} expired, "
                     f"{counts['unchanged']} unchanged.\n")


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("disclosure", "0020_publicity_classes"), ("scheduler", "0003_notices")]

    operations = [migrations.RunPython(recompute, migrations.RunPython.noop, elidable=False)]
