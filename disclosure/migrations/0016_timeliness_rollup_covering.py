"""The timeliness rollup's key index carries the count (PostgreSQL only): reads are index-only.

A period's statistics read a few thousand rollup rows by (span, due range) through the key's unique
index (``timeliness_rollup_key``). Without ``n`` in the index each of those rows is a heap fetch,
and rows of one month lie scattered over the table (the upserts and the rebuild write them in no
order): at five million records a month's read touched about 7,100 heap pages, 32 ms of its 35.
With ``INCLUDE (n)`` it is an index-only scan over about 60 index pages (5 ms; bench/README.md,
``audit_stats.py``). The constraint keeps its name and its columns, so it stays the upserts'
``ON CONFLICT`` target and Django's state is unchanged (``UniqueConstraint(include=…)`` would make
every SQLite check warn, models.W039). SQLite has no covering indexes.

The new index is built ``CONCURRENTLY`` (record writes go on meanwhile), then swapped in for the
constraint's in one short ``ALTER TABLE``.
"""
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

TABLE = "disclosure_timelinessrollup"
KEY = "span, due, agency_id, kind, state, latency, late_days"


def _swap(schema_editor: BaseDatabaseSchemaEditor, include: str) -> None:
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("DROP INDEX CONCURRENTLY IF EXISTS timeliness_rollup_key_next")
        cursor.execute(f"CREATE UNIQUE INDEX CONCURRENTLY timeliness_rollup_key_next ON {TABLE} ({KEY}){include}")
        cursor.execute(f"ALTER TABLE {TABLE} DROP CONSTRAINT timeliness_rollup_key, "
                       "ADD CONSTRAINT timeliness_rollup_key UNIQUE USING INDEX timeliness_rollup_key_next")


def covering(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    _swap(schema_editor, " INCLUDE (n)")


def plain(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    _swap(schema_editor, "")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("disclosure", "0015_feed_push")]

    operations = [migrations.RunPython(covering, plain, elidable=False)]
