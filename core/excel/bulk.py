"""Inserting many new rows with their audit history, fast.

On PostgreSQL the rows go in with COPY (ids allocated first from the table's sequence in one query, so
children can point at their parents and the history rows at their records); elsewhere through
``bulk_create_with_history``. Either way each record gets its history row ("+", who, when, why), as a
``Model.save`` would have given it. Callers validate first: nothing here runs ``Model.clean``.
"""

from __future__ import annotations

import datetime
import io
import json
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from django.db import connection, models
from simple_history.utils import bulk_create_with_history, get_history_manager_for_model

COPY_BATCH = 50_000  # rows per COPY: bounds the text buffer


def _text(value: Any) -> str:
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
            value = value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
        return value
    if isinstance(value, int | Decimal):
        return str(value)
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return _text(str(value))


def _json(value: Any) -> str:
    return _text(json.dumps(value, ensure_ascii=False))


def _columns(model, *, skip: Sequence[str] = ()) -> list[tuple[str, str, Callable[[Any], str], Any]]:
    """(attname, column, formatter, default) of each concrete column to write."""
    columns = []
    for f in model._meta.concrete_fields:
        if f.attname in skip:
            continue
        formatter = _json if isinstance(f, models.JSONField) else _text
        default = (
            f.get_default()
            if f.has_default()
            else (None if f.null else ("" if f.empty_strings_allowed else None))
        )
        if getattr(f, "db_default", models.NOT_PROVIDED) is not models.NOT_PROVIDED and not f.has_default():
            default = models.NOT_PROVIDED  # leave it to the database
        columns.append((f.attname, f.column, formatter, default))
    return columns


def _plan(model, rows, skip=()) -> list[tuple[str, str, Callable[[Any], str], str]]:
    """The columns to COPY with each one's default already as text."""
    return [
        (a, column, fmt, fmt(d) if d is not models.NOT_PROVIDED else "")
        for a, column, fmt, d in _columns(model, skip=skip)
        if d is not models.NOT_PROVIDED or a in rows[0]
    ]


def allocate_ids(model, count: int) -> list[int]:
    """``count`` new primary keys from the table's sequence, in one query."""
    if count == 0:
        return []
    table, pk = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)", [table, pk, count]
        )
        return [row[0] for row in cursor.fetchall()]


def _copy(model, rows: list[dict[str, Any]], *, skip: Sequence[str] = ()) -> None:
    columns = _plan(model, rows, skip)
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c[1]) for c in columns)
    for start in range(0, len(rows), COPY_BATCH):
        buffer = io.StringIO()
        write = buffer.write
        for row in rows[start : start + COPY_BATCH]:
            write("\t".join(fmt(row[a]) if a in row else default for a, _, fmt, default in columns))
            write("\n")
        buffer.seek(0)
        with connection.cursor() as cursor:
            cursor.cursor.copy_expert(f"COPY {table} ({names}) FROM STDIN", buffer)


def insert_with_history(
    model, rows: list[dict[str, Any]], *, user, reason: str, now: datetime.datetime, batch_size: int = 2000
) -> list[int]:
    """Insert ``rows`` (attname -> value; missing fields take their defaults) and their history rows.

    Answers the new primary keys in the order of ``rows``.
    """
    if not rows:
        return []
    auto_now = [
        f.attname
        for f in model._meta.concrete_fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    for row in rows:
        for name in auto_now:
            row.setdefault(name, now)
    if connection.vendor != "postgresql":
        objs = bulk_create_with_history(
            [model(**row) for row in rows],
            model,
            batch_size=batch_size,
            default_user=user,
            default_change_reason=reason,
            default_date=now,
        )
        return [obj.pk for obj in objs]
    ids = allocate_ids(model, len(rows))
    pk = model._meta.pk.attname
    for row, new_id in zip(rows, ids, strict=True):
        row[pk] = new_id
    _copy(model, rows)
    _history_from_rows(model, ids, user=user, reason=reason, now=now)
    return ids


def _history_from_rows(model, ids: list[int], *, user, reason: str, now: datetime.datetime) -> None:
    """The "+" history rows, copied from the rows just written by one INSERT … SELECT in the database."""
    history = get_history_manager_for_model(model).model
    tracked = [f.column for f in history.tracked_fields]
    q = connection.ops.quote_name
    columns = ", ".join(q(c) for c in tracked)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {q(history._meta.db_table)} ({columns}, history_date, history_change_reason,"
            f" history_type, history_user_id) SELECT {columns}, %s, %s, '+', %s FROM {q(model._meta.db_table)}"
            f" WHERE {q(model._meta.pk.column)} = ANY(%s)",
            [now, reason, getattr(user, "pk", None), ids],
        )
