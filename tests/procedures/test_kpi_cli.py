"""``cchc dossier-kpis`` writes its CSV and XLSX through the one table writer: for normal data the
same columns and bytes as ever, and a group a spreadsheet would run as a formula (a unit or a
field beginning with ``=``) comes out guarded — CSV: a leading apostrophe; XLSX: a text cell
holding the value exactly."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from cchc.procedures.kpis import CLI_COLUMNS
from tests.factories import make_unit
from tests.procedures.helpers import dossier, import_catalogue, import_dossier_rows, procedure

pytestmark = pytest.mark.django_db
EVIL_CODE = "=HYPERLINK(1)"
EVIL_NAME = '=HYPERLINK("http://x","y")'
EVIL_FIELD = "=1+2"
WINDOW = ("--from", "2021-03-01", "--to", "2021-03-31")
# One dossier received 1/3, open and overdue (due 5/3) at the window's end: no resolved dossier,
# so no on-time rate.
ONE_OPEN = "0,1,0,0,0,0,0,1,1,0,,0.00,0.00"


@pytest.fixture
def dossiers(province, tmp_path):
    make_unit(EVIL_CODE, EVIL_NAME, "district", province.P)
    import_catalogue(tmp_path, [procedure("P1"), procedure("P2", field=EVIL_FIELD)])
    import_dossier_rows(
        tmp_path, [dossier("HS-1"), dossier("HS-2", unit="B"), dossier("HS-3", unit=EVIL_CODE, proc="P2")]
    )


def kpis(*args) -> str:
    out = io.StringIO()
    call_command("dossier_kpis", *WINDOW, *args, stdout=out)
    return out.getvalue()


def test_normal_rows_keep_their_columns_and_bytes(dossiers):
    text = kpis("--by", "unit", "--unit", "A")
    assert text == ",".join(CLI_COLUMNS) + "\n" + f"A,{ONE_OPEN}\n"
    text = kpis("--by", "field")
    assert (
        text.startswith(",".join(CLI_COLUMNS) + "\n") and "\nTư pháp,0,2,0,0,0,0,0,2,2,0,,0.00,0.00\n" in text
    )


def test_a_group_beginning_with_a_formula_sign_is_guarded_in_csv(dossiers, tmp_path):
    text = kpis("--by", "unit")
    rows = {row["group"]: row for row in csv.DictReader(io.StringIO(text))}
    assert set(rows) == {"A", "B", "'" + EVIL_CODE}
    assert f"\n'{EVIL_CODE},{ONE_OPEN}\n" in text
    fields = {row["group"] for row in csv.DictReader(io.StringIO(kpis("--by", "field")))}
    assert fields == {"Tư pháp", "'" + EVIL_FIELD}
    # The same bytes to a file as to standard output.
    path = tmp_path / "kpis.csv"
    call_command("dossier_kpis", *WINDOW, "--by", "unit", "--output", str(path), stdout=io.StringIO())
    assert path.read_bytes() == text.encode()


def test_a_group_beginning_with_a_formula_sign_is_a_text_cell_in_xlsx(dossiers, tmp_path):
    path = tmp_path / "kpis.xlsx"
    call_command("dossier_kpis", *WINDOW, "--by", "unit", "--format", "xlsx", "--output", str(path))
    sheet = load_workbook(path)["kpis"]
    rows = list(sheet.iter_rows())
    assert [c.value for c in rows[0]] == CLI_COLUMNS
    groups = {row[0].value: row for row in rows[1:]}
    assert set(groups) == {"A", "B", EVIL_CODE}
    assert groups[EVIL_CODE][0].data_type == "s"
    # Counts are numbers, a rate a number, no rate an empty cell.
    values = [c.value for c in groups["A"]]
    assert values[1:4] == [0, 1, 0] and values[-2:] == [0.0, 0.0] and values[-3] is None


def test_json_is_unchanged_by_the_guard(dossiers):
    doc = json.loads(kpis("--by", "unit", "--format", "json"))
    assert {row["group"] for row in doc} == {"A", "B", EVIL_CODE}
