"""Every CSV/XLSX export goes through the one table writer: a name beginning with = + - @ never
becomes a live formula (CSV: leading apostrophe; XLSX: a text cell, its value kept exactly)."""

import csv
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from cchc.assessments import services
from cchc.assessments.models import Assessment
from cchc.frameworks.models import Framework, Node
from cchc.orgs.models import OrgUnit

pytestmark = pytest.mark.django_db
EVIL = '=HYPERLINK("http://x","y")'


def _publish(round_obj, people, code, scores):
    a = Assessment.objects.get(round=round_obj, unit__code=code)
    for node_code, value in scores.items():
        node = Node.objects.get(framework=round_obj.framework, code=node_code)
        services.set_self_score(a, node, score=Decimal(str(value)))
    services.submit(a, force=True)
    services.finalise(a, user=people.sec, override_reason="kiểm thử xuất tệp")
    services.publish(a, user=people.sec)


@pytest.fixture
def evil_results(opened_round, people, province):
    OrgUnit.objects.filter(code="A").update(name=EVIL)
    _publish(opened_round, people, "A", {"1.1": 2, "2.1": 3})
    _publish(opened_round, people, "B", {"1.1": 1})
    return opened_round


def test_the_results_csv_of_the_cli_guards_a_formula_name(evil_results):
    out = io.StringIO()
    call_command("results", framework="BP-HUYEN-TEST", year=2021, stdout=out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert {r["unit_name"] for r in rows} == {"'" + EVIL, "Huyện Bình"}
    assert rows[0]["unit_code"] == "A"  # the contract columns stay


def test_the_results_xlsx_page_keeps_the_name_as_text_with_vietnamese_headers(client, people, evil_results):
    client.force_login(people.sec)
    response = client.get(reverse("assessments:results", args=[evil_results.pk]), {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["Xếp hạng", "Mã đơn vị", "Đơn vị"] and "Xếp loại" in header
    names = {row[2].value: row[2].data_type for row in sheet.iter_rows(min_row=2)}
    assert names[EVIL] == "s"
    classes = {row[header.index("Xếp loại")].value for row in sheet.iter_rows(min_row=2)}
    assert classes <= {"Xuất sắc", "Tốt", "Khá", "Trung bình", "Yếu", ""}
    assert not classes & {"xuat_sac", "tot", "kha", "trung_binh", "yeu"}


def test_a_framework_exported_to_excel_and_reimported_keeps_its_names(framework, tmp_path):
    Node.objects.filter(framework=framework, code="1.1").update(name="=SUM(A1:A9)")
    Node.objects.filter(framework=framework, code="2.1").update(name="-đầu gạch", guidance="@chú ý")
    path = tmp_path / "fw.xlsx"
    call_command("export_framework", framework.code, format="xlsx", output=str(path))
    cells = {c.value: c.data_type for row in load_workbook(path)["nodes"].iter_rows() for c in row}
    assert cells["=SUM(A1:A9)"] == "s"
    Framework.objects.all().delete()
    call_command("import_framework", str(path), stdout=io.StringIO())
    fw = Framework.objects.get(code=framework.code)
    assert fw.nodes.get(code="1.1").name == "=SUM(A1:A9)"
    assert fw.nodes.get(code="2.1").name == "-đầu gạch"
    assert fw.nodes.get(code="2.1").guidance == "@chú ý"


def test_the_framework_export_page_xlsx_writes_text_cells(client, people, framework):
    Node.objects.filter(framework=framework, code="1.1").update(name="=1+1")
    client.force_login(people.sec)
    response = client.get(reverse("frameworks:export", args=[framework.code, "xlsx"]))
    cells = [c for row in load_workbook(io.BytesIO(response.content))["nodes"].iter_rows() for c in row]
    assert next(c for c in cells if c.value == "=1+1").data_type == "s"
