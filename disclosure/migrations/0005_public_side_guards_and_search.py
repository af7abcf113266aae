"""The feed head row, append-only guards, and (PostgreSQL only) trigram indexes for keyword search.

The trigram indexes make ``icontains`` on title and subject name an index scan instead of a scan
of every public record (bench/public_search.py). They need the pg_trgm extension; where it cannot
be created (no privilege), search still works, only slower, and the migration says so.
"""
from django.db import migrations

_TRGM_INDEXES = (
    ("record_title_trgm", "title"),
    ("record_subject_trgm", "subject_name"),
)


def forward(apps, schema_editor):
    from disclosure.db_guards import install_guards

    apps.get_model("disclosure", "FeedHead").objects.get_or_create(id=1)
    install_guards(schema_editor.connection)  # covers the feed table once it is in GUARDED_TABLES
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        if cursor.fetchone() is None:
            try:
                with schema_editor.connection.cursor() as inner:
                    inner.execute("SAVEPOINT trgm")
                    inner.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
                    inner.execute("RELEASE SAVEPOINT trgm")
            except Exception as exc:  # noqa: BLE001 - a missing privilege only costs speed
                cursor.execute("ROLLBACK TO SAVEPOINT trgm")
                print(f"\n  pg_trgm unavailable ({exc}); keyword search will scan without an index")
                return
        for name, column in _TRGM_INDEXES:
            cursor.execute(
                f"CREATE INDEX IF NOT EXISTS {name} ON disclosure_record USING gin (UPPER({column}::text) gin_trgm_ops)"
            )


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            for name, _column in _TRGM_INDEXES:
                cursor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("disclosure", "0004_public_side")]
    operations = [migrations.RunPython(forward, backward)]
