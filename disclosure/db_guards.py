"""Database triggers that make versions, audit entries, feed events and the transparency log
append-only, on SQLite and PostgreSQL.

The application never updates or deletes these rows; the triggers make sure nothing else does
either without first dropping them (which needs the schema owner, and which the hash chain that
``verify_audit`` checks would still expose).
"""
from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper

GUARDED_TABLES = ("disclosure_recordversion", "disclosure_auditentry", "disclosure_feedevent",
                  # the transparency log (migration 0015): leaves, subtree hashes, keys, signed heads
                  "disclosure_transparencyleaf", "disclosure_transparencynode", "disclosure_transparencykey",
                  "disclosure_signedtreehead")


def _sqlite_statements(table: str) -> list[str]:
    return [
        f"CREATE TRIGGER IF NOT EXISTS {table}_no_update BEFORE UPDATE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: UPDATE refused'); END",
        f"CREATE TRIGGER IF NOT EXISTS {table}_no_delete BEFORE DELETE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: DELETE refused'); END",
    ]


_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION disclosure_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql
"""


def _pg_statements(table: str) -> list[str]:
    return [
        f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}",
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION disclosure_refuse_change()",
        f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}",
        f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION disclosure_refuse_change()",
    ]


def install_guards(connection: BaseDatabaseWrapper) -> None:
    """Guard every table of GUARDED_TABLES that exists (idempotent). A migration that creates a
    guarded table calls this again, so each migration guards what exists at its point."""
    with connection.cursor() as cursor:
        tables = [t for t in GUARDED_TABLES if t in connection.introspection.table_names(cursor)]
        if connection.vendor == "postgresql":
            cursor.execute(_PG_FUNCTION)
            statements = [s for t in tables for s in _pg_statements(t)]
        elif connection.vendor == "sqlite":
            statements = [s for t in tables for s in _sqlite_statements(t)]
        else:
            raise NotImplementedError(f"append-only guards are not written for {connection.vendor}")
        for statement in statements:
            cursor.execute(statement)


def remove_guards(connection: BaseDatabaseWrapper) -> None:
    """Only for test teardown (flushing a test database) and for reversing the migration."""
    with connection.cursor() as cursor:
        existing = connection.introspection.table_names(cursor)
        for table in (t for t in GUARDED_TABLES if t in existing):
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
            else:
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
