"""The one chunked bulk upsert of the roster importers: many new and changed rows with their audit history.

On PostgreSQL, new rows are COPYed (``copy_expert``, CSV) straight into their table; their ids are
allocated first from the table's sequence in one query, so children can point at their parents. The
rows are written COPY_BATCH at a time while PostgreSQL stores the previous batch, so formatting and
storing overlap. Changed rows are COPYed the same way into a temporary table, one per set of changed
columns, and applied by one ``UPDATE … FROM``. The history rows ("+" or "~", who, when, why, as
``Model.save`` would have given them) are then copied from the written rows by one ``INSERT … SELECT``.
Models without django-simple-history get no history rows.

Elsewhere (SQLite) the ORM path: ``bulk_create(_with_history)`` and ``bulk_update(_with_history)``.
Callers validate everything first and call these inside their one transaction: nothing here runs
``Model.clean``, and a failure rolls the whole import back.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import operator
from collections.abc import Callable, Sequence
from typing import Any

from django.db import connection, models
from django.utils import timezone
from simple_history.exceptions import NotHistoricalModelError
from simple_history.utils import (
    bulk_create_with_history,
    bulk_update_with_history,
    get_history_manager_for_model,
)

COPY_BATCH = 2_000  # rows formatted and sent at a time: PostgreSQL stores one batch while the next is written
ORM_BATCH = 2_000  # rows per statement on the ORM path


class _CsvStream:
    """A read-only text file over rows written as CSV a batch at a time, for ``copy_expert``.

    psycopg2 sends each batch as soon as it is written, and PostgreSQL parses and stores it while the
    next batch is formatted: the two overlap on two cores instead of taking turns. The formatting itself
    is the csv module's (C), with each row's values picked in column order by ``itemgetter``.
    """

    def __init__(self, rows: Sequence[dict[str, Any]], getter: Callable, complete: Callable):
        self._rows, self._getter, self._complete, self._start = rows, getter, complete, 0
        self._buffer = io.StringIO()
        self._writer = csv.writer(self._buffer, lineterminator="\n")

    def read(self, size: int = -1) -> str:
        if self._start >= len(self._rows):
            return ""
        batch = self._rows[self._start : self._start + COPY_BATCH]
        self._start += COPY_BATCH
        buffer = self._buffer
        buffer.seek(0)
        buffer.truncate()
        self._writer.writerows(map(self._getter, map(self._complete, batch)))
        return buffer.getvalue()

    readline = read


def _columns(model, names: Sequence[str] | None = None) -> list[models.Field]:
    """The concrete fields to write: those named (by attname), or every one."""
    fields = model._meta.concrete_fields
    if names is None:
        return list(fields)
    by_attname = {f.attname: f for f in fields}
    return [by_attname[name] for name in names]


def _default(field: models.Field) -> Any:
    """What a row that does not name ``field`` writes (NOT_PROVIDED: leave it to the database)."""
    if (
        getattr(field, "db_default", models.NOT_PROVIDED) is not models.NOT_PROVIDED
        and not field.has_default()
    ):
        return models.NOT_PROVIDED
    if field.has_default():
        return field.get_default()
    return None if field.null else ("" if field.empty_strings_allowed else None)


def _copy(
    table: str, fields: list[models.Field], rows: Sequence[dict[str, Any]], defaults: dict[str, Any]
) -> None:
    """COPY ``rows`` (attname -> value; missing ones from ``defaults``) into ``table``'s columns ``fields``.

    CSV: an unquoted empty field is NULL, so columns that may not be NULL are read with FORCE_NOT_NULL
    (an empty text stays ""); a nullable text column could not tell "" from NULL and is refused.
    Text needs no escaping of its own (the csv module quotes), JSON values are written as JSON text.
    """
    q = connection.ops.quote_name
    for f in fields:
        if f.null and f.empty_strings_allowed and not isinstance(f, models.JSONField):
            raise ValueError(f"{f.model.__name__}.{f.name}: a nullable text column cannot be bulk-copied")
    names = [f.attname for f in fields]
    as_json = [f.attname for f in fields if isinstance(f, models.JSONField)]
    getter = operator.itemgetter(*names) if len(names) > 1 else (lambda row, name=names[0]: (row[name],))
    if as_json:
        dumped: dict[tuple, str] = {}

        def complete(row: dict[str, Any]) -> dict[str, Any]:
            row = defaults | row
            for name in as_json:
                value = row[name]
                if value is not None:
                    # A multi-valued field repeats a few lists: each is dumped once.
                    memo_key = tuple(value) if value.__class__ is list else None
                    text = dumped.get(memo_key) if memo_key is not None else None
                    if text is None:
                        text = json.dumps(value, ensure_ascii=False)
                        if memo_key is not None:
                            dumped[memo_key] = text
                    row[name] = text
            return row
    else:
        complete = defaults.__or__
    columns = ", ".join(q(f.column) for f in fields)
    not_null = ", ".join(q(f.column) for f in fields if not f.null)
    options = f"FORMAT csv{f', FORCE_NOT_NULL ({not_null})' if not_null else ''}"
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(
            f"COPY {q(table)} ({columns}) FROM STDIN WITH ({options})", _CsvStream(rows, getter, complete)
        )


def allocate_ids(model, count: int) -> list[int]:
    """``count`` new primary keys from the table's sequence, in one query.

    Answered as one comma-separated text, split in C: fetching a row per id cost more than drawing them.
    """
    if count == 0:
        return []
    table, pk = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        # The sequence as a constant: given as pg_get_serial_sequence(…), or from a CTE, nextval looked it
        # up again for every id, five times slower.
        cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, pk])
        sequence = cursor.fetchone()[0]
        cursor.execute(
            "SELECT string_agg(nextval(%s::regclass)::text, ',') FROM generate_series(1, %s)",
            [sequence, count],
        )
        return list(map(int, cursor.fetchone()[0].split(",")))


def _history_model(model):
    try:
        return get_history_manager_for_model(model).model
    except NotHistoricalModelError:
        return None


_temps = iter(range(1, 1 << 62))


def _copy_to_temp(model, fields: list[models.Field], rows: list[dict[str, Any]]) -> str:
    """A temporary table shaped as ``model``'s ``fields`` (types taken from the table), filled by COPY."""
    q = connection.ops.quote_name
    temp = f"_bulk_{model._meta.db_table}_{next(_temps)}"[:63]
    names = ", ".join(q(f.column) for f in fields)
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE {q(temp)} AS SELECT {names} FROM {q(model._meta.db_table)} WITH NO DATA"
        )
    _copy(temp, fields, rows, {})
    return temp


def _history_from(model, ids: list[int], kind: str, *, user, reason: str, now: datetime.datetime) -> None:
    """The history rows of the records ``ids``, copied from the table by one statement."""
    history = _history_model(model)
    if history is None or not ids:
        return
    tracked = [f.column for f in history.tracked_fields]
    q = connection.ops.quote_name
    columns = ", ".join(q(c) for c in tracked)
    pk = f"t.{q(model._meta.pk.column)}"
    low, high = min(ids), max(ids)
    if high - low == len(ids) - 1:
        # Distinct keys spanning exactly their count are that whole range (new rows' ids, drawn in one
        # query, usually are): one range scan instead of a probe per id.
        where, key_params = f"{pk} BETWEEN %s AND %s", [low, high]
    else:
        where, key_params = f"{pk} = ANY(%s)", [ids]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {q(history._meta.db_table)} ({columns}, history_date, history_change_reason,"
            f" history_type, history_user_id) SELECT {', '.join('t.' + q(c) for c in tracked)}, %s, %s, %s, %s"
            f" FROM {q(model._meta.db_table)} t WHERE {where}",
            [now, reason, kind, getattr(user, "pk", None), *key_params],
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
    # Straight into the table: no temporary copy to insert from.
    fields, defaults = [], {}
    for f in _columns(model):
        default = _default(f)
        if default is models.NOT_PROVIDED:
            if f.attname not in rows[0]:
                continue  # the database's own default
        else:
            defaults[f.attname] = default
        fields.append(f)
    _copy(model._meta.db_table, fields, rows, defaults)
    _history_from(model, ids, "+", user=user, reason=reason, now=now)
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
    table = q(model._meta.db_table)
    for fields, ids in groups.items():
        chosen = [pk_field, *_columns(model, fields)]
        rows = [{pk_field.attname: pk, **dict.fromkeys(touched, now), **updates[pk]} for pk in ids]
        temp = _copy_to_temp(model, chosen, rows)
        sets = ", ".join(f"{q(f.column)} = n.{q(f.column)}" for f in chosen[1:])
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} t SET {sets} FROM {q(temp)} n WHERE t.{q(pk_field.column)} = n.{q(pk_field.column)}"
            )
        _history_from(model, ids, "~", user=user, reason=reason, now=now)
        _drop(temp)
