"""Survey exports through the one table writer: the results CLI (CSV/XLSX, unit_code with --by
unit), the results workbook page and the invitations CSV never turn a name into a formula."""

import csv
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from cchc.orgs.models import OrgUnit
from cchc.surveys.services import submit_response
from tests.surveys import web_fixtures

pytestmark = pytest.mark.django_db
_clear_cache = web_fixtures._clear_cache
survey = web_fixtures.survey
EVIL = "=1+2"
FORMS = [
    {"form_no": "1", "unit_code": "A", "submitted_at": "2024-04-01", "TC1": "5", "TC2": "4"},
    {"form_no": "2", "unit_code": "B1", "submitted_at": "2024-04-02", "TC1": "2"},
]


@pytest.fixture
def imported(sipas, province, write_csv):
    OrgUnit.objects.filter(code="A").update(name=EVIL)
    call_command(
        "import_responses",
        str(write_csv(FORMS)),
        "--questionnaire",
        "SIPAS-DV",
        "--period",
        "2024",
        stdout=io.StringIO(),
    )


def survey_results(*args) -> str:
    out = io.StringIO()
    call_command("survey_results", "--questionnaire", "SIPAS-DV", "--period", "2024", *args, stdout=out)
    return out.getvalue()


def test_by_unit_gives_the_unit_code_after_the_contract_columns(imported):
    text = survey_results("--by", "unit")
    lines = text.splitlines()
    assert lines[0] == "group,forms,valid_answers,satisfied_share,index,ci_low,ci_high,unit_code"
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["unit_code"] for r in rows] == ["A", "B1"]
    assert rows[0]["group"] == "'" + EVIL  # guarded


def test_other_groupings_keep_exactly_the_contract_columns(imported):
    header = survey_results("--by", "level").splitlines()[0]
    assert header == "group,forms,valid_answers,satisfied_share,index,ci_low,ci_high"


def test_the_xlsx_of_the_cli_writes_a_formula_name_as_text(imported, tmp_path):
    path = tmp_path / "kq.xlsx"
    survey_results("--by", "unit", "--format", "xlsx", "--output", str(path))
    ws = load_workbook(path)["ket_qua"]
    assert [c.value for c in ws[1]][-1] == "unit_code"
    cell = ws["A2"]
    assert cell.value == EVIL and cell.data_type == "s"


def test_the_results_workbook_page_and_the_invitations_csv_guard_names(client, people, survey):
    submit_response(survey.cu_a, {"TC1": 4, "CC1": 5, "GY": "khong"}, channel="web", client_token="t")
    OrgUnit.objects.filter(pk=survey.cu_a.unit_id).update(name="@SUM(1)")
    client.force_login(people.sec)
    c = survey.campaign
    response = client.get(reverse("surveys:results", args=[c.pk]), {"format": "xlsx"})
    wb = load_workbook(io.BytesIO(response.content))
    cells = [cell for row in wb.worksheets[0].iter_rows() for cell in row if cell.value == "@SUM(1)"]
    assert cells and all(cell.data_type == "s" for cell in cells)
    url = reverse("surveys:invitations", args=[c.pk, survey.cu_a.unit_id])
    client.post(url, {"count": "2"})
    text = client.get(url, {"format": "csv"}).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["token", "url", "unit_code", "unit_name"]
    assert len(rows) == 3 and {r[3] for r in rows[1:]} == {"'@SUM(1)"}
