"""Inserting many rows at once: ``COPY`` on PostgreSQL, ``bulk_create`` elsewhere."""
from __future__ import annotations

import json
import operator
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django.db import models, transaction

# Rows per INSERT statement.
INSERT_BATCH = 1000
M = TypeVar("M", bound=models.Model)


def _column_value(field: models.Field[Any, Any]) -> Callable[[models.Model], Any]:
    """How ``COPY`` gets ``field``'s value from an object: what ``bulk_create`` would send."""
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return lambda obj: field.pre_save(obj, True)
    if isinstance(field, models.JSONField):
        attname = field.attname
        return lambda obj: json.dumps(getattr(obj, attname))  # the field has no encoder of its own
    return operator.attrgetter(field.attname)


def bulk_insert(model: type[M], objs: Sequence[M], *, with_pk: bool = True) -> None:
    """Insert ``objs``: on PostgreSQL with one ``COPY`` (``bulk_create``'s multi-row INSERT spends
    most of its time building the statement), elsewhere with ``bulk_create``. ``with_pk``: the
    objects carry their ids (else the column's default gives them; they are not read back)."""
    if not objs:
        return
    connection = transaction.get_connection()
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(objs, batch_size=INSERT_BATCH)
        return
    sql, rows = copy_rows(model, objs, with_pk=with_pk)
    with connection.cursor() as cursor:
        copy_write(cursor.connection, sql, rows)


def copy_rows(model: type[M], objs: Sequence[M], *, with_pk: bool) -> tuple[str, list[list[Any]]]:
    """The ``COPY`` statement and the rows that insert ``objs`` (PostgreSQL)."""
    connection = transaction.get_connection()
    fields = [f for f in model._meta.concrete_fields if with_pk or not f.primary_key]
    values = [_column_value(f) for f in fields]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    return f"COPY {table} ({columns}) FROM STDIN", [[value(obj) for value in values] for obj in objs]


def copy_write(raw: Any, sql: str, rows: list[list[Any]]) -> None:
    """Run one ``COPY … FROM STDIN`` of ``rows`` on the driver's connection ``raw``."""
    with raw.cursor() as cursor, cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)
