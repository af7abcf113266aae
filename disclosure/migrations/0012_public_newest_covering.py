"""A covering newest-first index for the public search's counts (PostgreSQL only).

A broad search's capped count walks the newest-first index until the cap is met (two common words:
about 52,000 rows for 2,000 matches). Through ``public_newest`` each of those rows is a heap tuple
of about 3 kB; with the vector and the display date in the index itself, the walk is an
index-only scan over compact index pages (bench/README.md "public_search.py": 114 to 54 ms for that
count). SQLite has no covering indexes and needs none (its FTS5 table answers the count).
Built ``CONCURRENTLY``: on a big table, writes go on while it builds.
"""
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


def create(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE INDEX CONCURRENTLY IF NOT EXISTS public_newest_search ON disclosure_publicrecord "
            "(published_at DESC, record_id DESC) INCLUDE (expires_on, search_vector) WHERE listed")


def drop(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("DROP INDEX CONCURRENTLY IF EXISTS public_newest_search")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("disclosure", "0011_timeliness_rollup")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
