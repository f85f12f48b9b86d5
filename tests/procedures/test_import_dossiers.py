"""cchc import-dossiers: formats, mapping file, natural key, validation of every row, due dates."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from cchc.core.errors import InputFileError
from cchc.core.importing import ImportFailed
from cchc.procedures.importers import DOSSIER_COLUMNS
from cchc.procedures.models import Dossier, DossierDay, ProcedureUnit
from cchc.procedures.rollups import rebuild
from cchc.procedures.rules import VN
from tests.procedures.helpers import (
    dossier,
    import_catalogue,
    import_dossier_rows,
    procedure,
    refusal,
    write_csv,
    write_jsonl,
    write_xlsx,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(province, tmp_path):
    import_catalogue(
        tmp_path,
        [
            procedure("P1", days="3"),
            procedure("P2", level="district", days="", mode="4"),
            procedure("PH", days="8h"),
        ],
    )
    return province


def snapshot():
    dossiers = list(
        Dossier.objects.order_by("code").values_list("code", "status", "finished_at", "due_at", "outcome")
    )
    days = list(
        DossierDay.objects.order_by("unit_id", "procedure_id", "day").values_list(
            "unit_id", "procedure_id", "day", *DossierDay.COUNTERS
        )
    )
    return dossiers, days


def rollups_match_a_rebuild():
    before = snapshot()[1]
    before = [r for r in before if any(r[3:])]
    rebuild()
    return before == snapshot()[1]


ROWS = [
    dossier("HS-1", status="resolved", finished_at="2021-03-03T10:00", channel="online", digitized=1),
    dossier(
        "HS-2", unit="A1", status="returned", finished_at="2021-03-05T10:00", returned_at="2021-03-06T08:00"
    ),
    dossier("HS-3", status="in_progress", proc="P2", due="2021-03-10T16:00", channel="postal"),
]


def test_a_csv_file_imports_and_rollups_follow(catalogue, tmp_path):
    out = io.StringIO()
    path = write_csv(tmp_path / "d.csv", DOSSIER_COLUMNS, ROWS)
    call_command("import_dossiers", str(path), stdout=out)
    assert out.getvalue().startswith("3 rows: 3 created, 0 updated, 0 unchanged, 0 bad rows skipped")
    d1 = Dossier.objects.get(code="HS-1")
    assert (d1.unit.code, d1.procedure.code, d1.channel, d1.digitized, d1.outcome) == (
        "A",
        "P1",
        "online",
        True,
        "early",
    )
    assert Dossier.objects.get(code="HS-2").outcome == "on_time"
    assert Dossier.objects.get(code="HS-3").outcome == ""
    assert set(ProcedureUnit.objects.values_list("unit__code", "procedure__code")) == {
        ("A", "P1"),
        ("A1", "P1"),
        ("A", "P2"),
    }
    assert rollups_match_a_rebuild()


def test_xlsx_and_json_lines_give_the_same_result(catalogue, tmp_path):
    import_dossier_rows(tmp_path, ROWS)
    expected = snapshot()
    Dossier.objects.all().delete()
    DossierDay.objects.all().delete()
    path = write_xlsx(tmp_path / "d.xlsx", DOSSIER_COLUMNS, ROWS)
    call_command("import_dossiers", str(path))
    assert snapshot() == expected
    Dossier.objects.all().delete()
    DossierDay.objects.all().delete()
    jsonl = [{k: v for k, v in r.items() if v != ""} for r in ROWS]
    jsonl[0]["supplement_count"] = 0  # numbers are fine in JSON
    call_command("import_dossiers", str(write_jsonl(tmp_path / "d.jsonl", jsonl)))
    assert snapshot() == expected


def test_xlsx_cells_typed_as_dates_are_read(catalogue, tmp_path):
    row = dict(ROWS[0])
    row["received_at"] = dt.datetime(2021, 3, 1, 9, 0)
    row["finished_at"] = dt.datetime(2021, 3, 3, 10, 0)
    row["due_at"] = dt.datetime(2021, 3, 5, 0, 0)
    call_command("import_dossiers", str(write_xlsx(tmp_path / "t.xlsx", DOSSIER_COLUMNS, [row])))
    d = Dossier.objects.get()
    assert d.received_at == dt.datetime(2021, 3, 1, 9, 0, tzinfo=VN)


def test_reimporting_the_same_file_changes_nothing(catalogue, tmp_path):
    import_dossier_rows(tmp_path, ROWS)
    before = snapshot()
    out = io.StringIO()
    call_command("import_dossiers", str(tmp_path / "dossiers.csv"), stdout=out)
    assert "0 created, 0 updated, 3 unchanged" in out.getvalue()
    assert snapshot() == before


def test_reimporting_an_update_moves_the_dossier_in_the_rollups(catalogue, tmp_path):
    import_dossier_rows(tmp_path, ROWS)
    changed = [dict(ROWS[2], status="resolved", finished_at="2021-03-12T09:00"), dict(ROWS[0], unit_code="B")]
    import_dossier_rows(tmp_path, changed, name="update.csv")
    assert Dossier.objects.count() == 3
    assert Dossier.objects.get(code="HS-3").outcome == "late"
    assert Dossier.objects.get(code="HS-1").unit.code == "B"
    assert rollups_match_a_rebuild()


def test_a_bad_file_changes_nothing_and_lists_each_bad_row(catalogue, tmp_path):
    import_dossier_rows(tmp_path, ROWS)
    before = snapshot()
    bad = [
        dict(ROWS[0], status="resolved", finished_at="2021-03-04T10:00"),  # a good update
        dossier("HS-9", unit="ZZ"),
        dossier("HS-10", proc="NOPE", channel="fax"),
        dossier("HS-11", received="04/03/2021", status="done"),  # a date alone: the time is needed
        dossier("HS-12", status="resolved"),
        dossier("HS-13", finished_at="2021-02-01T10:00", status="rejected"),
        dossier("HS-14", digitized="2", supplement_count="-1"),
    ]
    path = write_csv(tmp_path / "bad.csv", DOSSIER_COLUMNS, bad)
    with pytest.raises(CommandError) as exc:
        call_command("import_dossiers", str(path))
    assert refusal(exc, ImportFailed).items == [
        "line 3, column unit_code: không có đơn vị 'ZZ'",
        "line 4, column procedure_code: không có thủ tục 'NOPE' (hãy nhập danh mục thủ tục trước)",
        "line 4, column channel: 'fax' không thuộc online, direct, postal",
        "line 5, column status: 'done' không thuộc cancelled, in_progress, received, rejected, resolved, returned, supplement, withdrawn",
        "line 5, column received_at: cần cả giờ (ví dụ 04/03/2021 09:30), không chỉ ngày: '04/03/2021'",
        "line 6, column finished_at: bắt buộc khi trạng thái là resolved",
        "line 7, column finished_at: trước received_at (ngày tiếp nhận)",
        "line 8, column supplement_count: không phải số nguyên ≥ 0: '-1'",
        "line 8, column digitized: cần 0 hoặc 1, nhận được '2'",
    ]
    assert snapshot() == before


def test_skip_bad_rows_loads_the_good_ones_and_lists_the_bad(catalogue, tmp_path):
    rows = [ROWS[0], dossier("HS-9", unit="ZZ"), ROWS[1]]
    path = write_csv(tmp_path / "mixed.csv", DOSSIER_COLUMNS, rows)
    err, out = io.StringIO(), io.StringIO()
    call_command("import_dossiers", str(path), skip_bad_rows=True, stdout=out, stderr=err)
    assert set(Dossier.objects.values_list("code", flat=True)) == {"HS-1", "HS-2"}
    assert "line 3, column unit_code: không có đơn vị 'ZZ'" in err.getvalue()
    assert "2 rows: 2 created, 0 updated, 0 unchanged, 1 bad rows skipped" in out.getvalue()


def test_an_empty_due_date_is_computed_from_the_procedure_and_the_calendar(catalogue, tmp_path):
    # Friday 26/4/2024 09:00, 3 working days: 29/4 is a swapped day off, 30/4 and 1/5 are holidays,
    # so the count starts on Thursday 2/5: 2/5, 3/5 and the make-up Saturday 4/5 (worked in
    # exchange for 29/4) → due at the end of Saturday 4/5.
    rows = [
        dossier("HS-C1", received="2024-04-26T09:00", due=""),
        dossier("HS-C2", received="2024-04-26T09:00", due="", proc="PH"),
        dossier("HS-C3", received="2024-04-26T09:00", due="2024-05-02"),
        dossier("HS-C4", received="2024-04-26T09:00", due="2024-05-02T10:30"),
    ]
    import_dossier_rows(tmp_path, rows)
    c1, c2, c3, c4 = Dossier.objects.order_by("code")
    assert c1.due_at == dt.datetime(2024, 5, 4, 23, 59, 59, 999999, tzinfo=VN) and c1.due_at_computed
    # 8 working hours from 09:00 on a working day (07:30–17:00): 17:00 the same day
    assert c2.due_at_computed and c2.due_at == dt.datetime(2024, 4, 26, 17, 0, tzinfo=VN)
    assert c3.due_at == dt.datetime(2024, 5, 2, 23, 59, 59, 999999, tzinfo=VN) and not c3.due_at_computed
    assert c4.due_at == dt.datetime(2024, 5, 2, 10, 30, tzinfo=VN)


def test_an_empty_due_date_without_a_processing_time_is_a_bad_row(catalogue, tmp_path):
    path = write_csv(tmp_path / "d.csv", DOSSIER_COLUMNS, [dossier("HS-X", proc="P2", due="")])
    with pytest.raises(
        CommandError, match="line 2, column due_at: empty and procedure P2 has no processing time"
    ) as exc:
        call_command("import_dossiers", str(path))
    refusal(exc, ImportFailed)


def test_a_mapping_file_adapts_a_provincial_export(catalogue, tmp_path):
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(
        """
delimiter: ";"
columns:
  code: SoHoSo
  unit_code: MaDonVi
  procedure_code: MaTTHC
  received_at: NgayTiepNhan
  due_at: NgayHenTra
  finished_at: NgayKetThuc
  status: TrangThai
  channel: KenhNop
values:
  status: {"Đã giải quyết": resolved, "Đang xử lý": in_progress}
  channel: {1: direct, 2: online, 3: postal}
  unit_code: {"UBND-HUYEN-AN": A}
defaults:
  digitized: "1"
datetime_formats: ["%d/%m/%Y %H:%M", "%d/%m/%Y"]
""",
        encoding="utf-8",
    )
    source = tmp_path / "export.csv"
    source.write_text(
        "SoHoSo;MaDonVi;MaTTHC;NgayTiepNhan;NgayHenTra;NgayKetThuc;TrangThai;KenhNop\n"
        "000.01.H1-210301-0001;UBND-HUYEN-AN;P1;01/03/2021 09:00;05/03/2021;04/03/2021 15:00;Đã giải quyết;2\n"
        "000.01.H1-210301-0002;A1;P1;01/03/2021 10:00;05/03/2021;;Đang xử lý;1\n",
        encoding="utf-8",
    )
    call_command("import_dossiers", str(source), mapping=str(mapping))
    d1, d2 = Dossier.objects.order_by("code")
    assert (d1.unit.code, d1.status, d1.channel, d1.digitized, d1.outcome) == (
        "A",
        "resolved",
        "online",
        True,
        "early",
    )
    assert d1.due_at == dt.datetime(2021, 3, 5, 23, 59, 59, 999999, tzinfo=VN)
    assert (d2.unit.code, d2.status, d2.channel) == ("A1", "in_progress", "direct")


def test_a_later_row_with_the_same_code_updates_the_earlier(catalogue, tmp_path):
    rows = [ROWS[2], dict(ROWS[2], status="resolved", finished_at="2021-03-09T09:00")]
    import_dossier_rows(tmp_path, rows)
    assert Dossier.objects.get().status == "resolved"
    assert rollups_match_a_rebuild()


def test_the_progress_bar_goes_to_stderr(catalogue, tmp_path):
    path = write_csv(tmp_path / "d.csv", DOSSIER_COLUMNS, ROWS)
    err = io.StringIO()
    call_command("import_dossiers", str(path), "--progress", stderr=err, stdout=io.StringIO())
    assert "100.0%" in err.getvalue() and "rows/s" in err.getvalue()


def full_state():
    """Everything a dossier import writes: the dossiers (every column, with their ids and the
    moment they were written), the rollups, the procedure links and the indicator values."""
    from cchc.indicators.models import IndicatorValue

    dossiers = list(Dossier.objects.order_by("code").values_list())
    days = list(
        DossierDay.objects.order_by("unit_id", "procedure_id", "day").values_list(
            "unit_id", "procedure_id", "day", *DossierDay.COUNTERS
        )
    )
    links = list(ProcedureUnit.objects.order_by("pk").values_list())
    values = list(IndicatorValue.objects.order_by("pk").values_list())
    return dossiers, days, links, values


def test_reimporting_changes_nothing_in_any_format(catalogue, tmp_path):
    rows = [
        *ROWS,
        dossier(
            "HS-4",
            unit="B1",
            status="supplement",
            supplement_requested_at="2021-03-02T09:00",
            supplement_count=1,
            digitized=1,
        ),
    ]
    import_dossier_rows(tmp_path, rows)
    before = full_state()
    assert before[3], "the import wrote indicator values"
    for path in (
        tmp_path / "dossiers.csv",
        write_xlsx(tmp_path / "same.xlsx", DOSSIER_COLUMNS, rows),
        write_jsonl(tmp_path / "same.jsonl", rows),
    ):
        out = io.StringIO()
        call_command("import_dossiers", str(path), stdout=out)
        assert "0 created, 0 updated, 4 unchanged" in out.getvalue(), path
        assert full_state() == before, path


def test_importing_a_file_twice_in_one_go_equals_importing_it_once(catalogue, tmp_path):
    import_dossier_rows(tmp_path, ROWS)
    once = full_state()
    Dossier.objects.all().delete()
    DossierDay.objects.all().delete()
    ProcedureUnit.objects.all().delete()
    import_dossier_rows(tmp_path, ROWS + ROWS, name="twice.csv")
    twice = full_state()
    strip = lambda state: ([d[1:-1] for d in state[0]], state[1])  # noqa: E731 - ids and write times differ
    assert strip(twice) == strip(once)


@pytest.mark.parametrize(
    "content",
    [
        "code,unit_code,received_at,status,channel\nHS-1,A,2021-03-01T09:00,resolved,online\n",
        "",
    ],
    ids=["missing columns", "empty file"],
)
def test_a_file_with_missing_columns_changes_nothing(catalogue, tmp_path, content):
    import_dossier_rows(tmp_path, ROWS)
    before = full_state()
    path = tmp_path / "short.csv"
    path.write_text(content, encoding="utf-8")
    if content:
        with pytest.raises(CommandError) as exc:
            call_command("import_dossiers", str(path))
        assert refusal(exc, ImportFailed).items == ["line 1, column procedure_code: missing column"]
    else:
        call_command("import_dossiers", str(path), stdout=io.StringIO())
    assert full_state() == before


def test_a_csv_file_that_is_not_utf8_is_refused_and_changes_nothing(catalogue, tmp_path):
    import_dossier_rows(tmp_path, ROWS)
    before = full_state()
    path = tmp_path / "latin1.csv"
    good = b"HS-8,A,P1,2021-03-01T09:00,,,,received,direct\n"
    path.write_bytes(
        ",".join(DOSSIER_COLUMNS).encode()
        + b"\n"
        + good * 3
        + b"HS-9,A,P1,2021-03-01T09:00,,,,received,direct\xe9\n"
    )
    # The decoder reads the whole small file at once: the line is still the right one.
    with pytest.raises(CommandError, match=r"latin1\.csv: line 5: không phải văn bản utf-8-sig") as exc:
        call_command("import_dossiers", str(path))
    refusal(exc, InputFileError)
    assert full_state() == before
    big = tmp_path / "latin1-big.csv"  # past the decoder's first read
    big.write_bytes(path.read_bytes().replace(good * 3, good * 3000))
    with pytest.raises(CommandError, match=r"latin1-big\.csv: line 3002: không phải văn bản utf-8-sig"):
        call_command("import_dossiers", str(big))
    assert full_state() == before


def test_a_bad_line_in_json_lines_changes_nothing_and_keeps_the_rollups_and_indicators(catalogue, tmp_path):
    import_dossier_rows(tmp_path, ROWS)
    before = full_state()
    path = tmp_path / "bad.jsonl"
    good_update = dict(ROWS[2], status="resolved", finished_at="2021-03-12T09:00")
    path.write_text(
        "\n".join(
            [json.dumps(good_update), "{not json", json.dumps(dict(ROWS[0], received_at="2021-03-09T09:00"))]
        )
        + "\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError) as exc:
        call_command("import_dossiers", str(path))
    items = refusal(exc, ImportFailed).items
    assert items[0].startswith("line 2, column -: not valid JSON")
    assert items[1] == "line 3, column finished_at: trước received_at (ngày tiếp nhận)"
    assert full_state() == before


def test_a_failure_while_loading_rolls_everything_back(catalogue, tmp_path, monkeypatch):
    """Whatever breaks in the load pass (here: the indicator step), no dossier, rollup, link or
    indicator value of the file stays behind."""
    import_dossier_rows(tmp_path, ROWS)
    before = full_state()
    from cchc.procedures import indicator_values

    def broken(months):
        raise RuntimeError("disk full")

    monkeypatch.setattr(indicator_values, "write_indicator_values", broken)
    changed = [dict(ROWS[2], status="resolved", finished_at="2021-03-12T09:00"), dossier("HS-NEW", unit="B")]
    with pytest.raises(RuntimeError, match="disk full"):
        import_dossier_rows(tmp_path, changed, name="update.csv")
    assert full_state() == before


def test_the_dates_vietnamese_files_carry_are_accepted(catalogue, tmp_path):
    rows = [
        dossier("VN-1", received="04/03/2021 09:30", due="08/03/2021"),
        dossier("VN-2", received="2021-03-04 09:30", due="2021-03-08 17:00"),
        dossier("VN-3", received="4/3/2021 09:30:15", due="2021-03-08T17:00+07:00"),
    ]
    import_dossier_rows(tmp_path, rows)
    got = {d.code: d for d in Dossier.objects.all()}
    assert got["VN-1"].received_at == dt.datetime(2021, 3, 4, 9, 30, tzinfo=VN)
    assert got["VN-2"].received_at == got["VN-1"].received_at
    assert got["VN-3"].received_at == dt.datetime(2021, 3, 4, 9, 30, 15, tzinfo=VN)
    assert got["VN-1"].due_at == dt.datetime(2021, 3, 8, 23, 59, 59, 999999, tzinfo=VN)
    assert got["VN-2"].due_at == dt.datetime(2021, 3, 8, 17, 0, tzinfo=VN)


def test_an_xlsx_with_real_excel_date_cells_is_accepted(catalogue, tmp_path):
    from tests.procedures.helpers import write_xlsx

    row = dossier("XL-1")
    row["received_at"] = dt.datetime(2021, 3, 4, 9, 30)
    row["due_at"] = dt.date(2021, 3, 8)
    path = write_xlsx(tmp_path / "d.xlsx", DOSSIER_COLUMNS, [row])
    call_command("import_dossiers", str(path), stdout=io.StringIO())
    d = Dossier.objects.get(code="XL-1")
    assert d.received_at == dt.datetime(2021, 3, 4, 9, 30, tzinfo=VN)
    assert d.due_at == dt.datetime(2021, 3, 8, 23, 59, 59, 999999, tzinfo=VN)  # a date cell: end of day
