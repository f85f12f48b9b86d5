"""The shipped indicator catalogue (data/indicators.yaml) and the renamed source values."""

from django.db import migrations


def forward(apps, schema_editor):
    from cchc.indicators.services import sync_catalogue

    Indicator = apps.get_model("indicators", "Indicator")
    Indicator.objects.filter(source="manual").update(source="entry")
    Indicator.objects.filter(source="imported").update(source="import")
    sync_catalogue(indicator_model=Indicator)


def backward(apps, schema_editor):
    Indicator = apps.get_model("indicators", "Indicator")
    Indicator.objects.filter(source="entry").update(source="manual")
    Indicator.objects.filter(source="import").update(source="imported")


class Migration(migrations.Migration):
    dependencies = [("indicators", "0003_catalogue_origins_target_scopes")]
    operations = [migrations.RunPython(forward, backward)]
