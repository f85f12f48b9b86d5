"""Survey results as indicator values: written by the import, changed at once by quality
control, and never overwritten by a non-SIPAS questionnaire of the same year."""

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from cchc.indicators.models import IndicatorValue
from cchc.surveys import services
from cchc.surveys.io import shipped_path
from cchc.surveys.models import Response

pytestmark = pytest.mark.django_db

FORMS = [  # district A: TC1 5, 4, 2 → 2 of 3 satisfied
    {"form_no": "1", "unit_code": "A", "submitted_at": "2024-04-01", "TC1": "5"},
    {"form_no": "2", "unit_code": "A", "submitted_at": "2024-04-02", "TC1": "4"},
    {"form_no": "3", "unit_code": "A", "submitted_at": "2024-04-03", "TC1": "2"},
]


def share_of(unit) -> IndicatorValue:
    return IndicatorValue.objects.get(indicator__code="surveys.satisfied_share", unit=unit)


@pytest.fixture
def imported(sipas, province, write_csv):
    call_command(
        "import_responses", str(write_csv(FORMS)), "--questionnaire", "SIPAS-DV", "--period", "2024",
        stdout=io.StringIO(),
    )  # fmt: skip


def test_the_import_writes_the_satisfied_share_with_its_sample(imported, province):
    value = share_of(province.A)
    assert (value.value, value.numerator, value.denominator) == (Decimal("66.6667"), 2, 3)


def test_excluding_and_restoring_a_response_updates_the_indicator_at_once(
    imported, province, people, django_capture_on_commit_callbacks
):
    form = Response.objects.get(form_no="3")
    with django_capture_on_commit_callbacks(execute=True):
        services.exclude_response(form, people.sec, "Phiếu trùng")
    assert (share_of(province.A).value, share_of(province.A).denominator) == (Decimal("100.0000"), 2)
    with django_capture_on_commit_callbacks(execute=True):
        services.restore_response(form, people.sec)
    assert share_of(province.A).value == Decimal("66.6667")


def test_a_par_sociological_survey_does_not_overwrite_the_sipas_values(imported, province, write_csv):
    call_command("import_questionnaire", str(shipped_path("par-xa-hoi-hoc")), stdout=io.StringIO())
    forms = [
        {
            "form_no": "p1",
            "unit_code": "A",
            "submitted_at": "2024-05-01",
            "DOI_TUONG": "cong_chuc",
            "CD1": "1",
        }
    ]
    call_command(
        "import_responses", str(write_csv(forms, name="par.csv")), "--questionnaire", "PAR-XHH",
        "--period", "2024", stdout=io.StringIO(),
    )  # fmt: skip
    assert share_of(province.A).value == Decimal("66.6667")
    with pytest.raises(CommandError, match="not a SIPAS questionnaire"):
        call_command("survey_indicators", "--questionnaire", "PAR-XHH", "--period", "2024")
