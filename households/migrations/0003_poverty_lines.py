from decimal import Decimal

from django.db import migrations

# 国家扶贫标准 (yuan per person per year, current prices), national statistics series.
# 2015's 2,855 is the source document's own figure.
NATIONAL_LINES = {2014: 2800, 2015: 2855, 2016: 2952, 2017: 2952, 2018: 2995, 2019: 3218, 2020: 4000}


def seed(apps, schema_editor):
    PovertyLine = apps.get_model("households", "PovertyLine")
    for year, amount in NATIONAL_LINES.items():
        PovertyLine.objects.get_or_create(
            year=year, region_code="", defaults={"amount": Decimal(amount), "note": "国家扶贫标准"}
        )


def unseed(apps, schema_editor):
    apps.get_model("households", "PovertyLine").objects.filter(region_code="", year__in=NATIONAL_LINES).delete()


class Migration(migrations.Migration):
    dependencies = [("households", "0002_initial")]
    operations = [migrations.RunPython(seed, unseed)]
