from django.db import migrations

TYPES = [
    ("province", "Tỉnh, thành phố", 1),
    ("department", "Sở, ban, ngành", 2),
    ("district", "Huyện, thị xã, thành phố thuộc tỉnh", 2),
    ("commune", "Xã, phường, thị trấn", 3),
]


def add_types(apps, schema_editor):
    UnitType = apps.get_model("orgs", "UnitType")
    for code, name, level in TYPES:
        UnitType.objects.get_or_create(code=code, defaults={"name": name, "level": level})


class Migration(migrations.Migration):
    dependencies = [("orgs", "0001_initial")]
    operations = [migrations.RunPython(add_types, migrations.RunPython.noop)]
