"""The change rows' B-tree indexes become BRIN indexes (PostgreSQL only).

The recompute inserts a run's change rows together, in household order, so each block range of the
table holds one run and a narrow band of household ids. A BRIN index on run and one on household find a
run's rows (its page, its counts) and a household's rows (a cascading delete) from those ranges, and cost
next to nothing to keep: the two B-trees cost 1.4–1.7 s of a first recompute's million-row insert.
"""

import django.db.models.deletion
from django.db import migrations, models

BRIN = (
    ("elig_change_run_brin", "run_id"),
    ("elig_change_household_brin", "household_id"),
)


def create_brin(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, column in BRIN:
            schema_editor.execute(
                f"CREATE INDEX {name} ON households_eligibilitychange USING brin ({column})"
            )


def drop_brin(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, _ in BRIN:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("households", "0010_assessment_fillfactor"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="eligibilitychange",
            name="elig_change_run",
        ),
        migrations.AlterField(
            model_name="eligibilitychange",
            name="household",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="eligibility_changes",
                to="households.household",
                verbose_name="户",
            ),
        ),
        migrations.RunPython(create_brin, drop_brin, elidable=False),
    ]
