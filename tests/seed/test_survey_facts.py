"""Seed facts #3 and #15 of SEED_FACTS.md reproduced from paper forms imported through the
operators' CLI (import-units, import-questionnaire, import-responses, then survey-results).

#3 (seed 000, Bù Gia Mập 2020): "100% phiếu khảo sát của cấp huyện được người dân đánh giá hài lòng và
   rất hài lòng, 94.3% phiếu khảo sát cấp xã" → ``satisfied_share`` by level.
#15 (seed 004, Đắk Lắk 2021): "chỉ số hài lòng về sự phục vụ hành chính của 15 sở, ngành của tỉnh đạt
   83,93%; … của các địa phương … đạt 78,79%" → ``index`` (mean of the five aspect indices) by level.

The forms are built so that every figure can be worked out by hand (see each test).
"""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.management import call_command

from cchc.surveys.io import shipped_path

pytestmark = pytest.mark.django_db

CONTRACT = ["group", "forms", "valid_answers", "satisfied_share", "index", "ci_low", "ci_high"]

# The 22 criteria of the shipped SIPAS questionnaire, per aspect (4 + 5 + 6 + 3 + 4).
ASPECTS = {
    "tiep_can": ["TC1", "TC2", "TC3", "TC4"],
    "thu_tuc": ["TT1", "TT2", "TT3", "TT4", "TT5"],
    "cong_chuc": ["CC1", "CC2", "CC3", "CC4", "CC5", "CC6"],
    "ket_qua": ["KQ1", "KQ2", "KQ3"],
    "gop_y": ["GY1", "GY2", "GY3", "GY4"],
}


def import_units(tmp_path, rows):
    path = tmp_path / "units.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["code", "name", "type", "parent_code", "valid_from", "valid_to", "successor_code"])
        w.writerows(rows)
    call_command("import_units", str(path), stdout=io.StringIO())


def import_forms(tmp_path, name, forms, period):
    """forms: dicts with form_no, unit_code, submitted_at and answers by question code."""
    header = ["form_no", "unit_code", "submitted_at"]
    for form in forms:
        header += [k for k in form if k not in header]
    path = tmp_path / name
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=header)
        writer.writeheader()
        writer.writerows(forms)
    out = io.StringIO()
    call_command(
        "import_responses", str(path), "--questionnaire", "SIPAS-DV", "--period", str(period), stdout=out
    )
    return out.getvalue()


def survey_results(period, by="level"):
    out = io.StringIO()
    call_command(
        "survey_results", "--questionnaire", "SIPAS-DV", "--period", str(period), "--by", by, stdout=out
    )
    text = out.getvalue()
    # The contract columns in their order; by unit, the unit's code after them (issue 9).
    assert text.splitlines()[0] == ",".join(CONTRACT + (["unit_code"] if by == "unit" else []))
    return list(csv.DictReader(io.StringIO(text)))


def spread_units(unit_codes, n_forms):
    """Unit of each of ``n_forms`` forms, round robin over the units."""
    return [unit_codes[i % len(unit_codes)] for i in range(n_forms)]


def satisfied_level(i):
    return "5" if i % 2 else "4"


def unsatisfied_level(i):
    return str(1 + i % 3)  # 1, 2 or 3: never satisfied


@pytest.fixture
def sipas_questionnaire(db):
    call_command("import_questionnaire", str(shipped_path("sipas-dich-vu")), stdout=io.StringIO())


def test_fact_3_district_100_percent_and_commune_94_3_percent_satisfied(tmp_path, sipas_questionnaire):
    communes = ["BGM-BT", "BGM-BGM", "BGM-DK", "BGM-DO", "BGM-DH", "BGM-PN", "BGM-PV", "BGM-PM"]
    names = ["Bình Thắng", "Bù Gia Mập", "Đa Kia", "Đăk Ơ", "Đức Hạnh", "Phú Nghĩa", "Phú Văn", "Phước Minh"]
    import_units(
        tmp_path,
        [["BP", "Tỉnh Bình Phước", "province", "", "", "", ""]]
        + [["BGM", "Huyện Bù Gia Mập", "district", "BP", "", "", ""]]
        + [[c, f"Xã {n}", "commune", "BGM", "", "", ""] for c, n in zip(communes, names, strict=True)],
    )
    forms = []
    # District one-stop desk: 30 forms, each rating the 22 criteria 4 or 5 and the overall question 5.
    for i in range(30):
        form = {"form_no": f"H-{i + 1:03d}", "unit_code": "BGM", "submitted_at": "2020-10-15"}
        form.update({q: satisfied_level(i + j) for j, q in enumerate(sum(ASPECTS.values(), []))})
        form["HL_CHUNG"] = "5"
        forms.append(form)
    # Communes: 50 forms; none gave feedback so GY3 and GY4 are "không áp dụng" (na): 20 valid answers
    # per form, 1,000 in all. 57 of them (the first 57 in form order) are 1–3: 943 / 1,000 = 94.30%.
    criteria = [q for q in sum(ASPECTS.values(), []) if q not in ("GY3", "GY4")]
    low = 57
    for i, unit in enumerate(spread_units(communes, 50)):
        form = {"form_no": f"X-{i + 1:03d}", "unit_code": unit, "submitted_at": "2020-11-02"}
        for j, q in enumerate(criteria):
            k = i * len(criteria) + j
            form[q] = unsatisfied_level(k) if k < low else satisfied_level(k)
        form["GY3"] = form["GY4"] = "na"
        forms.append(form)
    assert import_forms(tmp_path, "bu-gia-map-2020.csv", forms, 2020) == (
        "80 forms: 80 created, 0 changed, 0 unchanged (campaign created)\n"
    )

    rows = {r["group"]: r for r in survey_results(2020)}
    district = rows["Huyện, thị xã, thành phố thuộc tỉnh"]
    commune = rows["Xã, phường, thị trấn"]
    # 30 × 23 valid answers (22 criteria + the overall question), all 4 or 5.
    assert (district["forms"], district["valid_answers"], district["satisfied_share"]) == (
        "30",
        "690",
        "100.00",
    )
    assert district["index"] == "100.00" and district["ci_high"] == "100.00"
    assert (commune["forms"], commune["valid_answers"], commune["satisfied_share"]) == ("50", "1000", "94.30")
    assert float(commune["ci_low"]) < float(commune["index"]) < float(commune["ci_high"])

    # The per-unit rows add up to the level: 50 forms over 8 communes, 7 or 6 each.
    by_unit = survey_results(2020, by="unit")
    assert sum(int(r["forms"]) for r in by_unit if r["group"].startswith("Xã")) == 50
    assert {r["group"]: r["forms"] for r in by_unit}["Xã Bình Thắng"] == "7"

    # Re-importing the same file changes nothing, and the figures stay.
    assert import_forms(tmp_path, "bu-gia-map-2020.csv", forms, 2020) == (
        "80 forms: 0 created, 0 changed, 80 unchanged\n"
    )
    assert {r["group"]: r["satisfied_share"] for r in survey_results(2020)} == {
        "Huyện, thị xã, thành phố thuộc tỉnh": "100.00",
        "Xã, phường, thị trấn": "94.30",
    }


def aspect_forms(prefix, units, n_forms, satisfied_per_aspect, date):
    """n_forms forms rating all 22 criteria; in aspect a, every criterion has exactly
    satisfied_per_aspect[a] answers of 4–5 (the first forms) and the rest 1–3."""
    forms = []
    for i, unit in enumerate(spread_units(units, n_forms)):
        form = {"form_no": f"{prefix}-{i + 1:03d}", "unit_code": unit, "submitted_at": date}
        for aspect, questions in ASPECTS.items():
            for j, q in enumerate(questions):
                form[q] = (
                    satisfied_level(i + j) if i < satisfied_per_aspect[aspect] else unsatisfied_level(i + j)
                )
        forms.append(form)
    return forms


def test_fact_15_dak_lak_index_83_93_for_15_departments_and_78_79_for_localities(
    tmp_path, sipas_questionnaire
):
    departments = [f"DL-S{i:02d}" for i in range(1, 16)]
    localities = [f"DL-H{i:02d}" for i in range(1, 16)]
    import_units(
        tmp_path,
        [["DL", "Tỉnh Đắk Lắk", "province", "", "", "", ""]]
        + [[c, f"Sở số {i}", "department", "DL", "", "", ""] for i, c in enumerate(departments, 1)]
        + [[c, f"Huyện số {i}", "district", "DL", "", "", ""] for i, c in enumerate(localities, 1)],
    )
    # Departments: 56 forms (4 for the first 11 departments, 3 for the last 4). Every criterion of
    # an aspect has the same number of satisfied answers out of 56:
    #   tiếp cận 45, thủ tục 49, công chức 47, kết quả 46, góp ý 48
    # aspect indices 80.36, 87.50, 83.93, 82.14, 85.71 → mean = (45+49+47+46+48)/5/56 = 47/56 = 83.93%.
    # The pooled share differs (aspects have 4, 5, 6, 3, 4 criteria):
    #   (4·45 + 5·49 + 6·47 + 3·46 + 4·48) / (22·56) = 1037/1232 = 84.17%.
    dept = aspect_forms(
        "S",
        departments,
        56,
        {"tiep_can": 45, "thu_tuc": 49, "cong_chuc": 47, "ket_qua": 46, "gop_y": 48},
        "2021-09-01",
    )
    # Localities: 33 forms; satisfied per criterion 24, 28, 26, 25, 27 of 33
    #   → index 26/33 = 78.79%; pooled (96 + 140 + 156 + 75 + 108) / 726 = 575/726 = 79.20%.
    local = aspect_forms(
        "H",
        localities,
        33,
        {"tiep_can": 24, "thu_tuc": 28, "cong_chuc": 26, "ket_qua": 25, "gop_y": 27},
        "2021-09-20",
    )
    assert import_forms(tmp_path, "dak-lak-2021.csv", dept + local, 2021) == (
        "89 forms: 89 created, 0 changed, 0 unchanged (campaign created)\n"
    )

    rows = survey_results(2021)
    assert [(r["group"], r["forms"], r["valid_answers"], r["satisfied_share"], r["index"]) for r in rows] == [
        ("Sở, ban, ngành", "56", "1232", "84.17", "83.93"),
        ("Huyện, thị xã, thành phố thuộc tỉnh", "33", "726", "79.20", "78.79"),
    ]
    for r in rows:
        assert float(r["ci_low"]) < float(r["index"]) < float(r["ci_high"])

    # The aspect table of the whole campaign: 89 forms; tiếp cận (45 + 24) / 89 = 77.53%.
    aspects = {r["group"]: r for r in survey_results(2021, by="aspect")}
    assert aspects["Tiếp cận dịch vụ"]["index"] == "77.53"
    assert aspects["Tiếp cận dịch vụ"]["valid_answers"] == str(4 * 89)

    # JSON carries the same contract.
    out = io.StringIO()
    call_command(
        "survey_results",
        "--questionnaire",
        "SIPAS-DV",
        "--period",
        "2021",
        "--by",
        "level",
        "--format",
        "json",
        stdout=out,
    )
    data = json.loads(out.getvalue())
    assert [list(d) for d in data] == [CONTRACT, CONTRACT]
    assert [d["index"] for d in data] == ["83.93", "78.79"]
