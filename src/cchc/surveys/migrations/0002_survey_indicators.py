"""The indicators computed from surveys (source=surveys)."""

from django.db import migrations

INDICATORS = [
    (
        "surveys.satisfied_share",
        "Tỷ lệ câu trả lời hài lòng và rất hài lòng",
        "Số câu trả lời mức 4–5 / số câu trả lời hợp lệ (thang 5 mức) × 100, từ khảo sát SIPAS.",
    ),
    (
        "surveys.sipas_index",
        "Chỉ số hài lòng về sự phục vụ hành chính (SIPAS)",
        "Chỉ số chung theo phương pháp của bộ câu hỏi (mặc định: trung bình các yếu tố).",
    ),
]


def add_indicators(apps, schema_editor):
    Indicator = apps.get_model("indicators", "Indicator")
    for code, name, description in INDICATORS:
        Indicator.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "description": description,
                "unit_of_measure": "%",
                "higher_is_better": True,
                "source": "surveys",
            },
        )


def remove_indicators(apps, schema_editor):
    Indicator = apps.get_model("indicators", "Indicator")
    Indicator.objects.filter(code__in=[c for c, _n, _d in INDICATORS]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0001_initial"),
        ("indicators", "0001_initial"),
    ]

    operations = [migrations.RunPython(add_indicators, remove_indicators)]
