"""The one chunked bulk upsert of the roster importers: many new and changed rows with their audit history.

On PostgreSQL, new rows are COPYed (``copy_expert``, in chunks of COPY_BATCH) into a temporary table and
go into the table by one ``INSERT … SELECT``; their ids are allocated first from the table's sequence in
one query, so children can point at their parents. Changed rows are COPYed the same way, one temporary
table per set of changed columns, and applied by one ``UPDATE … FROM``. The history rows ("+" or "~",
who, when, why, as ``Model.save`` would have given them) are then copied from the written rows by one
``INSERT … SELECT``. Models without django-simple-history get no history rows.

Elsewhere (SQLite) the ORM path: ``bulk_create(_with_history)`` and ``bulk_update(_with_history)``.
Callers validate everything first and call these inside their one transaction: nothing here runs
``Model.clean``, and a failure rolls the whole import back.
"""

from __future__ import annotations

import datetime
import io
import json
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from django.db import connection, models
from django.utils import timezone
from simple_history.exceptions import NotHistoricalModelError
from simple_history.utils import (
    bulk_create_with_history,
    bulk_update_with_history,
    get_history_manager_for_model,
)

COPY_BATCH = 50_000  # rows per COPY: bounds the text buffer
ORM_BATCH = 2_000  # rows per statement on the ORM path


def _text(value: Any) -> str:
    """A value in COPY's text format (the commonest kinds first: this runs once per field written)."""
    cls = value.__class__
    if cls is str:
        if "\\" in value or not value.isprintable():
            value = value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
        return value
    if value is None:
        return "\\N"
    if cls is bool:
        return "t" if value else "f"
    if cls is int or isinstance(value, int | Decimal):
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


def _history_model(model):
    try:
        return get_history_manager_for_model(model).model
    except NotHistoricalModelError:
        return None


_temps = iter(range(1, 1 << 62))


def _copy_to_temp(model, columns, rows: list[dict[str, Any]]) -> str:
    """A temporary table shaped as ``model``'s ``columns`` (types taken from the table), filled by COPY.

    ``columns`` = (attname, column, formatter, default text); returns the temporary table's name.
    """
    q = connection.ops.quote_name
    temp = f"_bulk_{model._meta.db_table}_{next(_temps)}"[:63]
    names = ", ".join(q(c[1]) for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE {q(temp)} AS SELECT {names} FROM {q(model._meta.db_table)} WITH NO DATA"
        )
        for start in range(0, len(rows), COPY_BATCH):
            buffer = io.StringIO()
            write = buffer.write
            for row in rows[start : start + COPY_BATCH]:
                write("\t".join(fmt(row[a]) if a in row else default for a, _, fmt, default in columns))
                write("\n")
            buffer.seek(0)
            cursor.cursor.copy_expert(f"COPY {q(temp)} ({names}) FROM STDIN", buffer)
    return temp


def _history_from(model, temp: str, kind: str, *, user, reason: str, now: datetime.datetime) -> None:
    """The history rows of the records whose ids are in ``temp``, copied from the table by one statement."""
    history = _history_model(model)
    if history is None:
        return
    tracked = [f.column for f in history.tracked_fields]
    q = connection.ops.quote_name
    columns = ", ".join(q(c) for c in tracked)
    pk = q(model._meta.pk.column)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {q(history._meta.db_table)} ({columns}, history_date, history_change_reason,"
            f" history_type, history_user_id) SELECT {', '.join('t.' + q(c) for c in tracked)}, %s, %s, %s, %s"
            f" FROM {q(model._meta.db_table)} t JOIN {q(temp)} n ON n.{pk} = t.{pk}",
            [now, reason, kind, getattr(user, "pk", None)],
        )


def _drop(temp: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {connection.ops.quote_name(temp)}")


def _auto_now(model) -> list[str]:
    return [
        f.attname
        for f in model._meta.concrete_fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]


def insert_with_history(
    model,
    rows: list[dict[str, Any]],
    *,
    user=None,
    reason: str = "",
    now: datetime.datetime | None = None,
    batch_size: int = ORM_BATCH,
) -> list[int]:
    """Insert ``rows`` (attname -> value; missing fields take their defaults) and their history rows.

    Answers the new primary keys in the order of ``rows``.
    """
    if not rows:
        return []
    now = now or timezone.now()
    stamped = _auto_now(model)
    for row in rows:
        for name in stamped:
            row.setdefault(name, now)
    history = _history_model(model)
    if connection.vendor != "postgresql":
        objs = [model(**row) for row in rows]
        if history is None:
            objs = model.objects.bulk_create(objs, batch_size=batch_size)
        else:
            objs = bulk_create_with_history(
                objs,
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
    columns = _plan(model, rows)
    temp = _copy_to_temp(model, columns, rows)
    q = connection.ops.quote_name
    names = ", ".join(q(c[1]) for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {q(model._meta.db_table)} ({names}) SELECT {names} FROM {q(temp)}")
    _history_from(model, temp, "+", user=user, reason=reason, now=now)
    _drop(temp)
    return ids


def update_with_history(
    model,
    updates: dict[int, dict[str, Any]],
    *,
    user=None,
    reason: str = "",
    now: datetime.datetime | None = None,
    touch: Sequence[str] = (),
    batch_size: int = ORM_BATCH,
) -> None:
    """Set the changed fields of registered rows (pk -> {attname: value}) and write their history rows.

    The fields named in ``touch`` (an ``updated_at``) are set to ``now`` on every changed row.
    """
    if not updates:
        return
    now = now or timezone.now()
    touched = list(touch)
    # One pass per set of changed columns (a roster usually changes few distinct sets).
    groups: dict[tuple[str, ...], list[int]] = {}
    for pk, diff in updates.items():
        groups.setdefault(tuple(sorted({*diff, *touched})), []).append(pk)
    history = _history_model(model)
    if connection.vendor != "postgresql":
        for fields, ids in groups.items():
            ids.sort()
            for start in range(0, len(ids), batch_size):
                objs = list(model.objects.filter(pk__in=ids[start : start + batch_size]))
                for obj in objs:
                    for name, value in updates[obj.pk].items():
                        setattr(obj, name, value)
                    for name in touched:
                        setattr(obj, name, now)
                if history is None:
                    model.objects.bulk_update(objs, list(fields), batch_size=batch_size)
                else:
                    bulk_update_with_history(
                        objs,
                        model,
                        list(fields),
                        batch_size=batch_size,
                        default_user=user,
                        default_change_reason=reason,
                        default_date=now,
                    )
        return
    q = connection.ops.quote_name
    pk_field = model._meta.pk
    by_attname = {f.attname: f for f in model._meta.concrete_fields}
    table = q(model._meta.db_table)
    for fields, ids in groups.items():
        chosen = [pk_field, *(by_attname[name] for name in fields)]
        columns = [
            (f.attname, f.column, _json if isinstance(f, models.JSONField) else _text, "\\N") for f in chosen
        ]
        rows = [{pk_field.attname: pk, **dict.fromkeys(touched, now), **updates[pk]} for pk in ids]
        temp = _copy_to_temp(model, columns, rows)
        sets = ", ".join(f"{q(f.column)} = n.{q(f.column)}" for f in chosen[1:])
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} t SET {sets} FROM {q(temp)} n WHERE t.{q(pk_field.column)} = n.{q(pk_field.column)}"
            )
        _history_from(model, temp, "~", user=user, reason=reason, now=now)
        _drop(temp)
