from django.db import migrations


def drop_pattern_index(apps, schema_editor):
    """ID numbers are only ever matched whole: the unique index serves them, and the varchar_pattern_ops
    copy that PostgreSQL gets for a unique CharField only slows every member insert."""
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'households_member' "
            "AND indexname LIKE 'households_member_id_number_%%_like'"
        )
        for (name,) in cursor.fetchall():
            cursor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [("households", "0003_poverty_lines")]
    operations = [migrations.RunPython(drop_pattern_index, migrations.RunPython.noop)]
