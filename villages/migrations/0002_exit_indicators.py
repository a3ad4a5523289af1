from decimal import Decimal

from django.db import migrations

# Yunnan's village and township exit criteria (DESIGN.md §3), kept as data so a province can change them.
VILLAGE = [
    ("incidence", "贫困发生率低于 3%"),
    ("road", "通硬化路到乡镇"),
    ("power", "通动力电（三相电）"),
    ("broadcast", "广播电视覆盖率达 99% 以上"),
    ("broadband", "村委会通宽带"),
    ("school_clinic", "有学校和卫生室"),
    ("standard_clinic", "有标准化卫生室"),
    ("activity_venue", "有公共活动场所"),
    ("collective_income", "有村集体经济收入"),
]
TOWNSHIP = [("incidence", "贫困发生率低于 3%")]


def seed(apps, schema_editor):
    ExitIndicator = apps.get_model("villages", "ExitIndicator")
    for level, rows in (("village", VILLAGE), ("township", TOWNSHIP)):
        for order, (code, name) in enumerate(rows, start=1):
            ExitIndicator.objects.get_or_create(
                province="云南省", level=level, code=code,
                defaults={"name": name, "order": order, "active": code != "collective_income"},
            )
    # Yunnan: a village or township exits when poverty incidence is below 3%.
    ExitIndicator.objects.filter(code="incidence").update(threshold=Decimal("0.03"))


def unseed(apps, schema_editor):
    apps.get_model("villages", "ExitIndicator").objects.filter(province="云南省").delete()


class Migration(migrations.Migration):
    dependencies = [("villages", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
