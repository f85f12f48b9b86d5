"""The frameworks shipped in src/cchc/data/frameworks/: each imports through the CLI, adds up to 100,
has the shape docs/methodology/par-index.md describes, exports back to the same document, and a
unit scored at every maximum gets index 100 in `cchc results`."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command

import cchc
from cchc.frameworks.io import dump_yaml, export_document
from cchc.frameworks.models import Framework
from cchc.frameworks.tree import build_tree
from cchc.indicators.services import set_yearly_value
from cchc.orgs.models import OrgUnit

pytestmark = pytest.mark.django_db

SHIPPED = Path(cchc.__file__).parent / "data" / "frameworks"

# file: code, unit type, fields, criteria (level 2), sub-criteria (level 3), leaves, survey points,
# top band. The same figures are in the tables of docs/methodology/par-index.md.
EXPECTED = {
    "par-index-tinh-876.yaml": ("PAR-TINH-876", "province", 8, 37, 88, 91, 32, "nhom_a"),
    "par-index-so-nganh.yaml": ("PAR-SO-NGANH", "department", 8, 36, 15, 45, 30, "xuat_sac"),
    "par-index-xa.yaml": ("PAR-XA", "commune", 8, 37, 2, 38, 30, "xuat_sac"),
}


def _import(name: str) -> Framework:
    out = io.StringIO()
    call_command("import_framework", str(SHIPPED / name), stdout=out)
    code = EXPECTED[name][0]
    assert out.getvalue().startswith(f"Created {code}:")
    return Framework.objects.get(code=code)


def _units_csv(unit_type: str) -> tuple[str, str]:
    """A province with one unit of the type under test (CSV text for `cchc import-units`, unit code)."""
    rows = [("TP", "Tỉnh Thử Nghiệm", "province", "", "2020-01-01", "", "")]
    if unit_type != "province":
        rows.append(("U1", "Đơn vị thử nghiệm", unit_type, "TP", "2020-01-01", "", ""))
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["code", "name", "type", "parent_code", "valid_from", "valid_to", "successor_code"])
    writer.writerows(rows)
    return buf.getvalue(), ("TP" if unit_type == "province" else "U1")


def _write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def _results(code: str, year: int) -> list[dict]:
    out = io.StringIO()
    call_command("results", framework=code, year=year, format="json", stdout=out)
    return json.loads(out.getvalue())


def _score_csv(framework: Framework, unit_code: str, skip=(), override=None) -> str:
    override = override or {}
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["unit_code", "criterion_code", "self_score", "appraised_score"])
    for leaf in build_tree(framework).leaves:
        if leaf.code in skip:
            continue
        score = override.get(leaf.code, leaf.max_points)
        writer.writerow([unit_code, leaf.code, f"{score}", f"{score}"])
    return buf.getvalue()


def _setup_unit(tmp_path, unit_type):
    text, unit_code = _units_csv(unit_type)
    call_command("import_units", _write(tmp_path, "units.csv", text), stdout=io.StringIO())
    return unit_code


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_shipped_file_imports_with_the_documented_shape(name):
    code, unit_type, fields, criteria, subcriteria, leaves, survey_points, _top = EXPECTED[name]
    framework = _import(name)
    tree = build_tree(framework)
    assert list(framework.unit_types.values_list("code", flat=True)) == [unit_type]
    assert tree.max_points == Decimal(100)
    depth = Counter(node.depth for node in tree.walk())
    assert (depth[0], depth[1], depth[2], depth[3]) == (fields, criteria, subcriteria, 0)
    assert len(tree.leaves) == leaves
    assert sum((leaf.max_points for leaf in tree.leaves), Decimal(0)) == Decimal(100)
    survey = [leaf for leaf in tree.leaves if leaf.rule["type"] == "survey"]
    assert sum((leaf.max_points for leaf in survey), Decimal(0)) == Decimal(survey_points)
    assert all(leaf.rule["indicator"].startswith("surveys.") for leaf in survey)
    assert [b.code for b in tree.bands][-1] in {"yeu", "duoi_70"}
    assert framework.source_document and framework.description


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_parent_states_the_sum_of_its_children(name):
    tree = build_tree(_import(name))
    for node in tree.walk():
        if node.children:
            assert node.max_points == sum((c.max_points for c in node.children), Decimal(0)), node.code
        else:
            assert node.max_points > 0, node.code


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_shipped_file_exports_back_to_the_same_document(name, tmp_path):
    framework = _import(name)
    original = yaml.safe_load((SHIPPED / name).read_text(encoding="utf-8"))
    exported = export_document(framework)
    assert exported == original
    # and the exported text imports again to the same framework
    again = _write(tmp_path, "again.yaml", dump_yaml(exported))
    call_command("import_framework", again, stdout=io.StringIO())
    assert export_document(Framework.objects.get(code=framework.code)) == original


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_unit_scored_at_every_maximum_gets_index_100(name, tmp_path):
    code, unit_type, _f, _c, _s, leaves, _sv, top = EXPECTED[name]
    framework = _import(name)
    unit_code = _setup_unit(tmp_path, unit_type)
    scores = _write(tmp_path, "scores.csv", _score_csv(framework, unit_code))
    call_command("import_scores", scores, framework=code, year=2025, stdout=io.StringIO())
    [row] = _results(code, 2025)
    assert row["unit_code"] == unit_code
    assert (row["rank"], row["total"], row["max"], row["index"], row["class"]) == (
        "1",
        "100",
        "100",
        "100.00",
        top,
    )
    assert row["fields_at_max"] == "8/8"
    assert row["criteria_at_max"] == f"{leaves}/{leaves}"


def test_the_sipas_leaf_of_the_national_framework_reads_the_survey_indicator(tmp_path):
    """Worked example of docs/methodology/par-index.md: every leaf at its maximum except 8.1 (SIPAS,
    10 points) left unscored, and a SIPAS index of 85 for the province: 90 + 10 × 85 / 100 = 98.5."""
    framework = _import("par-index-tinh-876.yaml")
    unit_code = _setup_unit(tmp_path, "province")
    set_yearly_value("surveys.sipas_index", OrgUnit.objects.get(code=unit_code), 2025, Decimal("85"))
    scores = _write(tmp_path, "scores.csv", _score_csv(framework, unit_code, skip={"8.1"}))
    call_command("import_scores", scores, framework="PAR-TINH-876", year=2025, stdout=io.StringIO())
    [row] = _results("PAR-TINH-876", 2025)
    assert (row["total"], row["index"], row["class"]) == ("98.5", "98.50", "nhom_a")
    assert (row["fields_at_max"], row["criteria_at_max"]) == ("7/8", "90/91")


def test_the_field_condition_of_the_commune_template_lowers_the_class(tmp_path):
    """Worked example: a commune at the maximum everywhere except field 6 (public finance, 6 points)
    scored 0 reaches index 94 but a field below 70 % of its maximum, so it is "tốt", not "xuất sắc"."""
    framework = _import("par-index-xa.yaml")
    unit_code = _setup_unit(tmp_path, "commune")
    zero = {"6.1": 0, "6.2": 0, "6.3": 0}
    scores = _write(tmp_path, "scores.csv", _score_csv(framework, unit_code, override=zero))
    call_command("import_scores", scores, framework="PAR-XA", year=2025, stdout=io.StringIO())
    [row] = _results("PAR-XA", 2025)
    assert (row["total"], row["index"], row["class"]) == ("94", "94.00", "tot")
    assert (row["fields_at_max"], row["criteria_at_max"]) == ("7/8", "35/38")
