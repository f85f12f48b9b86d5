"""The CLI contract of `cchc survey-results` (through the console-script entry point): exactly the
columns group,forms,valid_answers,satisfied_share,index,ci_low,ci_high, percent with 2 decimals,
in CSV, JSON and XLSX, on four forms whose figures are worked out by hand below."""

import csv
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from cchc.cli import main

pytestmark = pytest.mark.django_db
CONTRACT = "group,forms,valid_answers,satisfied_share,index,ci_low,ci_high"

# District A: three forms; commune B1: one form (SIPAS-DV: TC1, TC2 in aspect tiếp cận, TT1 in thủ tục).
FORMS = [
    {"form_no": "1", "unit_code": "A", "submitted_at": "2024-04-01", "TC1": "5", "TC2": "4", "TT1": "2"},
    {"form_no": "2", "unit_code": "A", "submitted_at": "2024-04-02", "TC1": "4", "TC2": "na", "TT1": "4"},
    {"form_no": "3", "unit_code": "A", "submitted_at": "2024-04-03", "TC1": "2", "TT1": "5"},
    {"form_no": "4", "unit_code": "B1", "submitted_at": "2024-04-04", "TC1": "na", "TC2": "1"},
]


@pytest.fixture
def imported(sipas, province, write_csv):
    call_command(
        "import_responses",
        str(write_csv(FORMS)),
        "--questionnaire",
        "SIPAS-DV",
        "--period",
        "2024",
        stdout=io.StringIO(),
    )


@pytest.fixture(autouse=True)
def _keep_the_test_connection(monkeypatch):
    """``cchc.cli.main`` closes every connection after a command, as a shell run does; inside a
    test transaction (PostgreSQL) that would close the test's own connection."""
    from django.db import connections

    monkeypatch.setattr(connections, "close_all", lambda: None)


def cli(capsys, *args) -> str:
    main(["cchc", "survey-results", "--questionnaire", "SIPAS-DV", "--period", "2024", *args])
    return capsys.readouterr().out


def test_by_question_csv_worked_by_hand(imported, capsys):
    out = cli(capsys, "--by", "question")
    lines = out.splitlines()
    assert lines[0] == CONTRACT
    rows = {r["group"]: r for r in csv.DictReader(io.StringIO(out))}
    # TC1: 5, 4, 2 valid (na does not count) → 2/3 = 66.67%; Wilson 95% for 2 of 3:
    # centre (0.6667 + 0.6403)/2.2805 = 0.5731, half 1.96·√(0.0741 + 0.1067)/2.2805 = 0.3654.
    assert rows["TC1"] == {
        "group": "TC1",
        "forms": "3",
        "valid_answers": "3",
        "satisfied_share": "66.67",
        "index": "66.67",
        "ci_low": "20.77",
        "ci_high": "93.85",
    }
    assert (rows["TC2"]["valid_answers"], rows["TC2"]["satisfied_share"]) == ("2", "50.00")  # 4 and 1
    assert (rows["TT1"]["valid_answers"], rows["TT1"]["satisfied_share"]) == ("3", "66.67")  # 2, 4, 5
    # A criterion nobody answered: counted forms 0, percentages empty.
    assert rows["TC3"] == {
        "group": "TC3",
        "forms": "0",
        "valid_answers": "0",
        "satisfied_share": "",
        "index": "",
        "ci_low": "",
        "ci_high": "",
    }


def test_by_unit_and_level_index_is_the_mean_of_aspects(imported, capsys):
    rows = {r["group"]: r for r in csv.DictReader(io.StringIO(cli(capsys, "--by", "unit")))}
    a = rows["Huyện An"]
    # Valid answers: TC1 ×3, TC2 ×1, TT1 ×3 = 7, of which 2 + 1 + 2 = 5 satisfied → 71.43%.
    # Index: tiếp cận = (66.67 + 100)/2 = 83.33, thủ tục = 66.67 → (83.33 + 66.67)/2 = 75.00.
    # Interval: weights ¼, ¼, ½; variance = (1/16)(2/9)/3 + 0 + (1/4)(2/9)/3 = 0.023148,
    # half-width 1.96 × 0.15215 = 29.82 points → 45.18 to 104.82, clipped to 100.
    assert [a[k] for k in ("forms", "valid_answers", "satisfied_share", "index", "ci_low", "ci_high")] == [
        "3",
        "7",
        "71.43",
        "75.00",
        "45.18",
        "100.00",
    ]
    b1 = rows["Xã Bình Một"]
    assert [b1[k] for k in ("forms", "valid_answers", "satisfied_share", "index")] == [
        "1",
        "1",
        "0.00",
        "0.00",
    ]

    levels = {r["group"]: r for r in csv.DictReader(io.StringIO(cli(capsys, "--by", "level")))}
    assert levels["Huyện, thị xã, thành phố thuộc tỉnh"]["index"] == "75.00"
    assert levels["Xã, phường, thị trấn"]["satisfied_share"] == "0.00"


def test_json_and_xlsx_carry_the_same_columns(imported, capsys, tmp_path):
    data = json.loads(cli(capsys, "--by", "aspect", "--format", "json"))
    assert [list(d) for d in data] == [CONTRACT.split(",")] * len(data)
    by_group = {d["group"]: d for d in data}
    # Aspect tiếp cận: TC1 2/3 and TC2 1/2 → mean of criteria (66.67 + 50)/2 = 58.33.
    assert by_group["Tiếp cận dịch vụ"]["index"] == "58.33"

    path = tmp_path / "ket-qua.xlsx"
    cli(capsys, "--by", "unit", "--format", "xlsx", "--output", str(path))
    from openpyxl import load_workbook

    ws = load_workbook(path)["ket_qua"]
    rows = list(ws.iter_rows(values_only=True))
    assert ",".join(rows[0]) == CONTRACT + ",unit_code"  # --by unit adds the unit's code
    a = next(r for r in rows if r[0] == "Huyện An")
    assert a[1:5] == (3, 7, 71.43, 75.0)


def test_an_unknown_campaign_or_by_is_refused(imported):
    with pytest.raises(CommandError, match="no campaign of 'SIPAS-DV' in 2023"):
        call_command(
            "survey_results", "--questionnaire", "SIPAS-DV", "--period", "2023", stdout=io.StringIO()
        )
    with pytest.raises(CommandError, match="invalid choice"):
        call_command(
            "survey_results",
            "--questionnaire",
            "SIPAS-DV",
            "--period",
            "2024",
            "--by",
            "week",
            stdout=io.StringIO(),
        )
