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


def test_a_par_sociological_survey_writes_its_own_indicators_not_the_sipas_ones(
    imported, province, write_csv
):
    call_command("import_questionnaire", str(shipped_path("par-xa-hoi-hoc")), stdout=io.StringIO())
    forms = [  # CD1, CD2 in aspect chi_dao; TC1 in the_che (shown to civil servants)
        {"form_no": "p1", "unit_code": "A", "submitted_at": "2024-05-01", "DOI_TUONG": "cong_chuc",
         "CD1": "1", "CD2": "5", "TC1": "4"},
        {"form_no": "p2", "unit_code": "A", "submitted_at": "2024-05-02", "DOI_TUONG": "cong_chuc",
         "CD1": "4", "CD2": "4", "TC1": "2"},
    ]  # fmt: skip
    call_command(
        "import_responses", str(write_csv(forms, name="par.csv")), "--questionnaire", "PAR-XHH",
        "--period", "2024", stdout=io.StringIO(),
    )  # fmt: skip
    assert share_of(province.A).value == Decimal("66.6667")  # the SIPAS value is untouched
    values = dict(
        IndicatorValue.objects.filter(
            indicator__code__startswith="surveys.par_index", unit=province.A
        ).values_list("indicator__code", "value")
    )
    # chi_dao: CD1 1 of 2 satisfied (50 %), CD2 2 of 2 (100 %) → aspect 75 %; the_che: TC1 1 of 2 → 50 %
    assert values["surveys.par_index.chi_dao"] == Decimal("75.0000")
    assert values["surveys.par_index.the_che"] == Decimal("50.0000")
    assert "surveys.par_index" in values
    out = io.StringIO()
    call_command("survey_indicators", "--questionnaire", "PAR-XHH", "--period", "2024", stdout=out)
    assert "0 created, 0 updated, 0 removed" in out.getvalue()


def test_another_kind_of_questionnaire_feeds_no_indicator(imported, province):
    from cchc.surveys.models import Questionnaire

    Questionnaire.objects.filter(code="SIPAS-DV").update(kind="other")
    with pytest.raises(CommandError, match="neither a SIPAS nor a PAR survey"):
        call_command("survey_indicators", "--questionnaire", "SIPAS-DV", "--period", "2024")
