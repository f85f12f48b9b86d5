"""The indicators computed from dossiers (source = dossiers), written by
cchc.procedures.indicator_values.write_indicator_values."""

from django.db import migrations

INDICATORS = [
    ("dossiers.on_time_rate", "Tỷ lệ hồ sơ giải quyết đúng hạn (trước hạn và đúng hạn)", True),
    ("dossiers.online_rate", "Tỷ lệ hồ sơ tiếp nhận trực tuyến", True),
    ("dossiers.digitized_rate", "Tỷ lệ hồ sơ được số hóa", True),
    ("dossiers.overdue_rate", "Tỷ lệ hồ sơ quá hạn (đã giải quyết trễ hạn và đang xử lý quá hạn)", False),
    ("dossiers.online_payment_rate", "Tỷ lệ hồ sơ thanh toán trực tuyến (thủ tục có phí, lệ phí)", True),
    ("dossiers.online_procedure_rate", "Tỷ lệ thủ tục cung cấp dịch vụ công trực tuyến", True),
]


def add(apps, schema_editor):
    Indicator = apps.get_model("indicators", "Indicator")
    for code, name, higher in INDICATORS:
        Indicator.objects.update_or_create(
            code=code,
            defaults={"name": name, "unit_of_measure": "%", "higher_is_better": higher, "source": "dossiers"},
        )


class Migration(migrations.Migration):
    dependencies = [("procedures", "0001_initial"), ("indicators", "0001_initial")]
    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
