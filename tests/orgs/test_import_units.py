"""``cchc import-units FILE.csv``: whole-file validation, exact error lines, idempotence, paths."""

from __future__ import annotations

import datetime as dt

import pytest

from cchc.cli import main
from cchc.orgs.models import OrgUnit, UnitType

pytestmark = pytest.mark.django_db

HEADER = "code,name,type,parent_code,valid_from,valid_to,successor_code\n"

GOOD = HEADER + (
    # Children before their parent, and a successor defined later in the file.
    "X1,Xã Một,commune,H1,2020-01-01,2025-06-30,X3\n"
    "X2,Xã Hai,commune,H1,2020-01-01,2025-06-30,X3\n"
    "H1,Huyện Một,district,T,,2025-06-30,\n"
    "T,Tỉnh Mẫu,province,,,,\n"
    "X3,Xã Mới,commune,T,2025-07-01,,\n"
    "S1,Sở Nội vụ,department,T,,,\n"
)


def run(tmp_path, text, capsys, name="units.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    code = 0
    try:
        main(["cchc", "import-units", str(path)])
    except SystemExit as exc:
        code = exc.code
    out = capsys.readouterr()
    return code, out.out, out.err


def test_good_file_builds_the_tree(tmp_path, capsys):
    code, out, _err = run(tmp_path, GOOD, capsys)
    assert code == 0
    assert "6 rows: 6 created, 0 updated" in out
    t = OrgUnit.objects.get(code="T")
    assert set(OrgUnit.objects.subtree_of(t).values_list("code", flat=True)) == {
        "T",
        "H1",
        "X1",
        "X2",
        "X3",
        "S1",
    }
    h1 = OrgUnit.objects.get(code="H1")
    assert set(OrgUnit.objects.subtree_of(h1).values_list("code", flat=True)) == {"H1", "X1", "X2"}
    x1 = OrgUnit.objects.get(code="X1")
    assert x1.path == f"{t.path}{h1.pk}/{x1.pk}/" and x1.depth == 2
    assert x1.successor.code == "X3" and str(x1.valid_to) == "2025-06-30"
    assert x1.unit_type.code == "commune"


def test_reimport_is_idempotent_and_updates_by_code(tmp_path, capsys):
    run(tmp_path, GOOD, capsys)
    ids = dict(OrgUnit.objects.values_list("code", "pk"))
    code, out, _ = run(tmp_path, GOOD, capsys)
    assert code == 0 and "6 rows: 0 created, 0 updated" in out
    assert dict(OrgUnit.objects.values_list("code", "pk")) == ids
    # Rename one unit and move a commune to the province: updated in place, paths follow.
    changed = GOOD.replace("Xã Hai,commune,H1", "Xã Hai Mới,commune,T")
    code, out, _ = run(tmp_path, changed, capsys)
    assert code == 0 and "0 created, 1 updated" in out
    x2 = OrgUnit.objects.get(code="X2")
    assert x2.name == "Xã Hai Mới" and x2.parent.code == "T"
    assert not OrgUnit.objects.subtree_of(OrgUnit.objects.get(code="H1")).filter(code="X2").exists()
    assert OrgUnit.objects.count() == 6


def test_moving_a_subtree_keeps_paths_right(tmp_path, capsys):
    run(tmp_path, GOOD, capsys)
    moved = GOOD + "T2,Tỉnh Khác,province,,,,\n"
    moved = moved.replace("H1,Huyện Một,district,T,", "H1,Huyện Một,district,T2,")
    code, _out, _ = run(tmp_path, moved, capsys)
    assert code == 0
    t2 = OrgUnit.objects.get(code="T2")
    assert set(OrgUnit.objects.subtree_of(t2).values_list("code", flat=True)) == {"T2", "H1", "X1", "X2"}
    for unit in OrgUnit.objects.all():
        expected = (unit.parent.path if unit.parent else "/") + f"{unit.pk}/"
        assert unit.path == expected


def test_bad_file_changes_nothing_and_lists_every_bad_row(tmp_path, capsys):
    OrgUnit.objects.create(code="OLD", name="Tỉnh Cũ", unit_type=UnitType.objects.get(code="province"))
    before = list(OrgUnit.objects.values_list("code", "name", "path"))
    bad = HEADER + (
        "T,Tỉnh Mẫu,province,,,,\n"  # line 2: fine
        "H1,Huyện Một,county,T,,,\n"  # line 3: unknown type
        "H2,Huyện Hai,district,NOWHERE,,,\n"  # line 4: unknown parent
        "T,Tỉnh Lặp,province,,,,\n"  # line 5: duplicate code
        "H3,Huyện Ba,district,T,2020-13-01,,\n"  # line 6: bad date
        "H4,Huyện Bốn,district,T,2025-01-01,2024-01-01,\n"  # line 7: from >= to
        "H5,Huyện Năm,district,T,,,\n"  # line 8
        "H6,Huyện Năm,district,T,,,\n"  # line 9: duplicate name under T
        "C1,Vòng Một,district,C2,,,\n"  # line 10: cycle
        "C2,Vòng Hai,district,C1,,,\n"  # line 11: cycle
        "H7,Huyện Bảy,district,T,,,GHOST\n"  # line 12: unknown successor
    )
    code, out, err = run(tmp_path, bad, capsys)
    assert code != 0
    assert "không có gì được thay đổi" in err
    lines = [line for line in err.splitlines() if line.startswith("line ")]
    assert lines == [
        "line 3, column type: không có loại đơn vị 'county' (các loại: commune, department, district, province)",
        "line 5, column code: mã T lặp lại (lần đầu ở dòng 2)",
        "line 6, column valid_from: không phải ngày hợp lệ: '2020-13-01' (dùng dd/mm/yyyy, dd/mm/yyyy HH:MM, yyyy-mm-dd HH:MM)",
        "line 7, column valid_to: phải sau valid_from",
        "line 4, column parent_code: không có đơn vị 'NOWHERE'",
        "line 12, column successor_code: không có đơn vị 'GHOST'",
        "line 10, column parent_code: chuỗi đơn vị cha quay vòng về chính đơn vị này",
        "line 11, column parent_code: chuỗi đơn vị cha quay vòng về chính đơn vị này",
        "line 9, column name: 'Huyện Năm' đã có dưới cùng đơn vị cha (H5)",
    ]
    assert list(OrgUnit.objects.values_list("code", "name", "path")) == before


def test_name_clash_with_an_existing_unit_and_missing_column(tmp_path, capsys):
    run(tmp_path, GOOD, capsys)
    code, _out, err = run(tmp_path, HEADER + "H9,Huyện Một,district,T,,,\n", capsys)
    assert code != 0
    assert "line 2, column name: 'Huyện Một' đã có dưới cùng đơn vị cha (H1)" in err
    code, _out, err = run(tmp_path, "code,name,type\nT,Tỉnh,province\n", capsys)
    assert code != 0 and "line 1, column parent_code: missing column" in err


def test_validity_dates_may_be_written_dd_mm_yyyy(tmp_path, capsys):
    run(tmp_path, GOOD, capsys)
    code, _out, err = run(tmp_path, HEADER + "H8,Huyện Tám,district,T,01/07/2025,31/12/2030,\n", capsys)
    assert code == 0, err
    unit = OrgUnit.objects.get(code="H8")
    assert (unit.valid_from, unit.valid_to) == (dt.date(2025, 7, 1), dt.date(2030, 12, 31))
