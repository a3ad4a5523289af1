from decimal import Decimal

from django.db import migrations


def seed(apps, schema_editor):
    # Yunnan: a village or township exits when poverty incidence is below 3%.
    apps.get_model("villages", "ExitIndicator").objects.filter(code="incidence").update(threshold=Decimal("0.03"))


class Migration(migrations.Migration):
    dependencies = [("villages", "0003_indicator_threshold")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
