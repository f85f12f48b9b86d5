"""Load the announced days off and swapped working days of 2020–2026
(src/cchc/data/calendar/vn-overrides.yaml)."""

from django.db import migrations


def load(apps, schema_editor):
    from cchc.workdays.services import DEFAULT_OVERRIDES_FILE, load_overrides

    load_overrides(DEFAULT_OVERRIDES_FILE, model=apps.get_model("workdays", "CalendarOverride"))


def unload(apps, schema_editor):
    from cchc.workdays.services import DEFAULT_OVERRIDES_FILE, parse_overrides

    dates = [row.date for row in parse_overrides(DEFAULT_OVERRIDES_FILE)]
    apps.get_model("workdays", "CalendarOverride").objects.filter(date__in=dates).delete()


class Migration(migrations.Migration):
    dependencies = [("workdays", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
