"""Seed facts #1, #7, #8 and #10 of SEED_FACTS.md, reproduced with data entered through the
operators' CLI only (import-units, import-framework, import-scores, then results)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
import yaml
from django.core.management import call_command

BANDS = [
    {"code": "xuat_sac", "name": "Xuất sắc", "min": 90},
    {"code": "tot", "name": "Tốt", "min": 80},
    {"code": "kha", "name": "Khá", "min": 70},
    {"code": "trung_binh", "name": "Trung bình", "min": 50},
    {"code": "yeu", "name": "Yếu", "min": 0},
]


def write_units(tmp_path, rows):
    path = tmp_path / "units.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["code", "name", "type", "parent_code", "valid_from", "valid_to", "successor_code"])
        w.writerows(rows)
    call_command("import_units", str(path))


def write_framework(tmp_path, code, year, unit_types, leaves_per_field, leaf_max, previous=None):
    """A framework of len(leaves_per_field) fields; each leaf worth ``leaf_max`` points, scored in 0.01 steps."""
    nodes = []
    for f, count in enumerate(leaves_per_field, start=1):
        nodes.append(
            {
                "code": str(f),
                "name": f"Lĩnh vực {f}",
                "children": [
                    {
                        "code": f"{f}.{i}",
                        "name": f"Tiêu chí {f}.{i}",
                        "max": leaf_max,
                        "rule": {"type": "manual", "step": 0.01},
                    }
                    for i in range(1, count + 1)
                ],
            }
        )
    doc = {"code": code, "name": code, "year": year, "unit_types": unit_types, "bands": BANDS, "nodes": nodes}
    if previous:
        doc["previous"] = previous
    path = tmp_path / f"{code}.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    call_command("import_framework", str(path))


def spread(total: Decimal, n_leaves: int, leaf_max: Decimal) -> list[Decimal]:
    """Split ``total`` over leaves: full marks first, the remainder on one leaf, zeros after."""
    out = []
    for _ in range(n_leaves):
        take = min(total, leaf_max)
        out.append(take)
        total -= take
    return out


def import_scores(tmp_path, framework, year, rows):
    path = tmp_path / f"scores-{framework}-{year}.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["unit_code", "criterion_code", "self_score", "appraised_score"])
        w.writerows(rows)
    call_command("import_scores", str(path), framework=framework, year=year)


def totals_rows(unit_totals: dict[str, Decimal], leaf_codes: list[str], leaf_max: Decimal):
    rows = []
    for unit, total in unit_totals.items():
        for code, points in zip(leaf_codes, spread(total, len(leaf_codes), leaf_max), strict=True):
            # The unit's self score is a little generous; the appraised score is what counts.
            rows.append([unit, code, str(min(points + Decimal("0.5"), leaf_max)), str(points)])
    return rows


def results(framework, year, **kw):
    out = io.StringIO()
    call_command("results", framework=framework, year=year, stdout=out, **kw)
    return {row["unit_code"]: row for row in csv.DictReader(io.StringIO(out.getvalue()))}


@pytest.mark.django_db
def test_fact_1_bu_gia_map_ranked_second_up_four_places(tmp_path):
    districts = ["DX", "BGM", "PL", "BL", "HQ", "LN", "BD", "DP", "CT", "PR", "BDP"]
    write_units(
        tmp_path,
        [["BP", "Tỉnh Bình Phước", "province", "", "", "", ""]]
        + [[c, f"Huyện {c}", "district", "BP", "", "", ""] for c in districts if c not in {"DX", "BGM"}]
        + [
            ["DX", "Thành phố Đồng Xoài", "district", "BP", "", "", ""],
            ["BGM", "Huyện Bù Gia Mập", "district", "BP", "", "", ""],
        ],
    )
    write_framework(tmp_path, "BP-HUYEN-2019", 2019, ["district"], [5, 5], 10)
    write_framework(tmp_path, "BP-HUYEN-2020", 2020, ["district"], [5, 5], 10, previous="BP-HUYEN-2019")
    leaves = [f"{f}.{i}" for f in (1, 2) for i in range(1, 6)]
    y2019 = dict(
        zip(
            ["DX", "PL", "BL", "HQ", "LN", "BGM", "BD", "DP", "CT", "PR", "BDP"],
            range(92, 81, -1),
            strict=True,
        )
    )
    import_scores(
        tmp_path,
        "BP-HUYEN-2019",
        2019,
        totals_rows({k: Decimal(v) for k, v in y2019.items()}, leaves, Decimal(10)),
    )
    y2020 = {"DX": Decimal("90.6"), "BGM": Decimal("89.34")} | {
        c: Decimal(80 + i) for i, c in enumerate(["PL", "BL", "HQ", "LN", "BD", "DP", "CT", "PR", "BDP"])
    }
    import_scores(tmp_path, "BP-HUYEN-2020", 2020, totals_rows(y2020, leaves, Decimal(10)))

    table = results("BP-HUYEN-2020", 2020)
    assert table["BGM"]["index"] == "89.34"
    assert table["BGM"]["rank"] == "2"
    assert table["BGM"]["rank_change"] == "4"  # 6th in 2019 → 2nd: "tăng 4 bậc"
    assert (table["DX"]["rank"], table["DX"]["index"], table["DX"]["total"]) == ("1", "90.60", "90.6")


@pytest.mark.django_db
def test_fact_7_distribution_of_19_units_over_classes(tmp_path):
    units = [[f"S{i:02d}", f"Sở {i}", "department", "BK", "", "", ""] for i in range(1, 12)]
    units += [[f"H{i}", f"Huyện {i}", "district", "BK", "", "", ""] for i in range(1, 9)]
    write_units(tmp_path, [["BK", "Tỉnh Bắc Kạn", "province", "", "", "", ""], *units])
    write_framework(tmp_path, "BK-2021", 2021, ["department", "district"], [4, 4, 2], 10)
    leaves = [f"{f}.{i}" for f, n in ((1, 4), (2, 4), (3, 2)) for i in range(1, n + 1)]
    indices = (
        [Decimal("93.5"), Decimal("90")]
        + [Decimal(80 + i % 10) for i in range(14)]
        + [Decimal("75.75"), Decimal(70), Decimal("79.99")]
    )
    totals = dict(zip([u[0] for u in units], indices, strict=True))
    import_scores(tmp_path, "BK-2021", 2021, totals_rows(totals, leaves, Decimal(10)))

    table = results("BK-2021", 2021)
    classes = [row["class"] for row in table.values()]
    assert len(classes) == 19
    assert (classes.count("xuat_sac"), classes.count("tot"), classes.count("kha")) == (2, 14, 3)


@pytest.mark.django_db
def test_fact_8_three_of_eight_fields_and_73_of_87_criteria_at_maximum(tmp_path):
    write_units(tmp_path, [["BK", "Tỉnh Bắc Kạn", "province", "", "", "", ""]])
    per_field = [11, 11, 11, 11, 11, 11, 11, 10]
    write_framework(tmp_path, "BK-TINH-2021", 2021, ["province"], per_field, 1)
    rows = []
    below = {4: 3, 5: 3, 6: 3, 7: 3, 8: 2}  # 14 leaves short of full marks, none in fields 1–3
    for f, count in enumerate(per_field, start=1):
        for i in range(1, count + 1):
            points = "0.5" if i <= below.get(f, 0) else "1"
            rows.append(["BK", f"{f}.{i}", points, ""])
    import_scores(tmp_path, "BK-TINH-2021", 2021, rows)

    row = results("BK-TINH-2021", 2021)["BK"]
    assert (row["fields_at_max"], row["criteria_at_max"]) == ("3/8", "73/87")
    assert row["total"] == "80" and row["max"] == "87"


@pytest.mark.django_db
def test_fact_10_na_ri_75_75_is_fair(tmp_path):
    write_units(
        tmp_path,
        [
            ["BK", "Tỉnh Bắc Kạn", "province", "", "", "", ""],
            ["NR", "Huyện Na Rì", "district", "BK", "", "", ""],
        ],
    )
    write_framework(tmp_path, "BK-HUYEN-2021", 2021, ["district"], [4, 3, 3], 10)
    leaves = [f"{f}.{i}" for f, n in ((1, 4), (2, 3), (3, 3)) for i in range(1, n + 1)]
    import_scores(tmp_path, "BK-HUYEN-2021", 2021, totals_rows({"NR": Decimal("75.75")}, leaves, Decimal(10)))

    row = results("BK-HUYEN-2021", 2021)["NR"]
    assert (row["index"], row["class"], row["total"], row["max"]) == ("75.75", "kha", "75.75", "100")
