"""Leave half of each assessment page free (PostgreSQL only).

The eligibility recompute rewrites the decision columns of every assessment. None of them is indexed, so
where the new version fits on the row's own page PostgreSQL writes a heap-only tuple (HOT): no new entry in
the primary key or the (household, year) index, and no row moved to another page. At the default
fillfactor of 100 a freshly loaded page has no room, and every row of a first run moved. Pages filled
after this migration keep half their space for that; rows written before it gain the room when the table
is next rewritten (VACUUM FULL, or a restore).
"""

from django.db import migrations


def _set(schema_editor, value: int) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE households_assessment SET (fillfactor = {value})")


def leave_room(apps, schema_editor):
    _set(schema_editor, 50)


def fill_pages(apps, schema_editor):
    _set(schema_editor, 100)


class Migration(migrations.Migration):
    dependencies = [
        ("households", "0009_history_without_lookup_indexes"),
    ]

    operations = [
        migrations.RunPython(leave_room, fill_pages, elidable=False),
    ]
