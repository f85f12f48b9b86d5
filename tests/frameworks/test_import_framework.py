"""`cchc import-framework` / `export-framework`: YAML and Excel, validated whole, all or nothing."""

import io

import pytest
import yaml
from django.core.management import CommandError, call_command

from cchc.frameworks.io import dump_yaml, export_document
from cchc.frameworks.models import Framework, Node
from cchc.frameworks.tree import build_tree

pytestmark = pytest.mark.django_db

ISSUE_EXAMPLE = """
code: BP-HUYEN-2020
name: Chỉ số CCHC cấp huyện năm 2020
year: 2020
unit_types: [district]
bands:
  - {code: xuat_sac, name: Xuất sắc, min: 90}
  - {code: tot, name: Tốt, min: 80}
  - {code: kha, name: Khá, min: 70}
  - {code: trung_binh, name: Trung bình, min: 50}
  - {code: yeu, name: Yếu, min: 0}
nodes:
  - code: "1"
    name: Công tác chỉ đạo, điều hành CCHC
    children:
      - {code: "1.1", name: Kế hoạch CCHC năm, max: 1.5, rule: {type: manual}}
      - code: "1.2"
        name: Tỷ lệ hồ sơ giải quyết đúng hạn
        max: 2
        rule: {type: thresholds, indicator: dossiers.on_time_rate, steps: [{min: 98, points: 2}, {min: 95, points: 1}, {min: 0, points: 0}]}
  - code: "8"
    name: Điều tra xã hội học
    children:
      - {code: "8.1", name: Điểm điều tra xã hội học, max: 32, rule: {type: manual, step: 0.01}}
"""


def test_the_issue_example_imports_and_round_trips(tmp_path):
    path = tmp_path / "fw.yaml"
    path.write_text(ISSUE_EXAMPLE, encoding="utf-8")
    out = io.StringIO()
    call_command("import_framework", str(path), stdout=out)
    assert "BP-HUYEN-2020" in out.getvalue()
    tree = build_tree(Framework.objects.get(code="BP-HUYEN-2020"))
    assert tree.max_points == 35.5 and len(tree.leaves) == 3
    assert [b.code for b in tree.bands] == ["xuat_sac", "tot", "kha", "trung_binh", "yeu"]
    exported = export_document(Framework.objects.get())
    again = tmp_path / "again.yaml"
    again.write_text(dump_yaml(exported), encoding="utf-8")
    call_command("import_framework", str(again), stdout=io.StringIO())
    assert export_document(Framework.objects.get()) == exported


def test_excel_round_trip(tmp_path):
    path = tmp_path / "fw.yaml"
    path.write_text(ISSUE_EXAMPLE, encoding="utf-8")
    call_command("import_framework", str(path), stdout=io.StringIO())
    before = export_document(Framework.objects.get())
    xlsx = tmp_path / "fw.xlsx"
    call_command("export_framework", "BP-HUYEN-2020", format="xlsx", output=str(xlsx))
    Framework.objects.all().delete()
    call_command("import_framework", str(xlsx), stdout=io.StringIO())
    after = export_document(Framework.objects.get())
    assert after["nodes"] == before["nodes"] and after["bands"] == before["bands"]


def test_a_bad_file_changes_nothing_and_names_each_problem(tmp_path):
    doc = yaml.safe_load(ISSUE_EXAMPLE)
    doc["unit_types"] = ["county"]
    doc["nodes"][0]["children"][0]["max"] = "nhiều"
    doc["nodes"][0]["children"].append({"code": "1.1", "name": "Trùng mã", "max": 1})
    doc["nodes"][1]["children"][0]["rule"] = {"type": "thresholds", "steps": []}
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    with pytest.raises(CommandError) as exc:
        call_command("import_framework", str(path))
    message = str(exc.value)
    assert "lỗi, không có gì được thay đổi" in message
    assert "unit_types: loại đơn vị không có 'county'" in message
    assert "nodes[0].children[0] (code 1.1), max: không phải số" in message
    assert "nodes[0].children[2] (code 1.1), code: trùng" in message
    assert "nodes[1].children[0] (code 8.1), rule: cách chấm thresholds cần một chỉ số (indicator)" in message
    assert not Framework.objects.exists() and not Node.objects.exists()


def test_invalid_yaml_names_the_line(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("code: X\nnodes: [\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"line \d+, column \d+"):
        call_command("import_framework", str(path))


def test_a_framework_with_scores_is_not_restructured(tmp_path, province):
    from cchc.assessments.services import open_round, set_self_score

    path = tmp_path / "fw.yaml"
    path.write_text(ISSUE_EXAMPLE, encoding="utf-8")
    call_command("import_framework", str(path), stdout=io.StringIO())
    framework = Framework.objects.get()
    round_obj, _ = open_round(framework, 2020)
    set_self_score(round_obj.assessments.first(), Node.objects.get(code="1.1"), score=1)
    # The same file again changes nothing (the freeze lets the texts through, audited).
    call_command("import_framework", str(path), stdout=io.StringIO())
    path.write_text(ISSUE_EXAMPLE.replace("max: 1.5", "max: 2"), encoding="utf-8")
    with pytest.raises(CommandError, match=r"1\.1"):
        call_command("import_framework", str(path))
    assert Node.objects.get(code="1.1").max_points == 1.5
