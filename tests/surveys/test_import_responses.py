"""Paper forms: cchc survey-template and cchc import-responses (validation, idempotence, XLSX)."""

import io
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from cchc.surveys.models import Answer, Campaign, Response

pytestmark = pytest.mark.django_db

SIPAS_COLUMNS = (
    "form_no,unit_code,submitted_at,KENH,SO_LAN,TC1,TC2,TC3,TC4,TT1,TT2,TT3,TT4,TT5,CC1,CC2,CC3,CC4,CC5,CC6,"
    "KQ1,KQ2,KQ3,GY1,GY2,GY3,GY4,HL_CHUNG,MD1,GOP_Y_KHAC"
)

GOOD = [
    {
        "form_no": "001",
        "unit_code": "A",
        "submitted_at": "2024-05-02",
        "KENH": "truc_tiep",
        "SO_LAN": "1",
        "TC1": "5",
        "TT1": "4",
        "CC1": "na",
        "MD1": "thai_do;giam_phi",
        "GOP_Y_KHAC": "Cần thêm ghế chờ",
    },
    {
        "form_no": "002",
        "unit_code": "A",
        "submitted_at": "02/05/2024 09:30",
        "KENH": "truc_tuyen",
        "TC1": "3",
        "TT1": "",
        "CC1": "2",
    },
    {"form_no": "003", "unit_code": "B1", "submitted_at": "2024-06-11 15:00", "TC1": "4", "TT1": "5"},
]


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_csv_template_is_the_header_of_the_contract(sipas):
    assert run("survey_template", "--questionnaire", "SIPAS-DV") == SIPAS_COLUMNS + "\n"


def test_xlsx_template_has_a_sheet_to_fill_and_a_guide(sipas, tmp_path):
    from openpyxl import load_workbook

    path = tmp_path / "mau.xlsx"
    run("survey_template", "--questionnaire", "SIPAS-DV", "--output", str(path))
    wb = load_workbook(path)
    assert wb.sheetnames == ["phieu", "huong_dan"]
    assert ",".join(c.value for c in wb["phieu"][1]) == SIPAS_COLUMNS
    guide = {row[0]: row for row in wb["huong_dan"].iter_rows(min_row=2, values_only=True)}
    assert guide["TC1"][1] == "Nơi ngồi chờ có đủ chỗ ngồi" and guide["TC1"][3].startswith(
        "1–5 (1 = Rất không hài lòng"
    )
    assert guide["SO_LAN"][4] == "KENH ∈ truc_tiep, buu_chinh"


def test_import_creates_the_campaign_for_the_units_in_the_file_then_is_idempotent(sipas, province, write_csv):
    path = write_csv(GOOD)
    out = run("import_responses", str(path), "--questionnaire", "SIPAS-DV", "--period", "2024")
    assert out == "3 forms: 3 created, 0 changed, 0 unchanged (campaign created)\n"
    campaign = Campaign.objects.get(questionnaire=sipas, period=2024)
    assert sorted(campaign.campaign_units.values_list("unit__code", flat=True)) == ["A", "B1"]
    first = Response.objects.get(form_no="001")
    assert first.channel == "paper" and first.unit == province.A
    assert first.submitted_at.date().isoformat() == "2024-05-02"
    values = {a.question.code: a.display_value() for a in first.answers.select_related("question")}
    assert values == {
        "KENH": "truc_tiep",
        "SO_LAN": "1",
        "TC1": "5",
        "TT1": "4",
        "CC1": "na",
        "MD1": "giam_phi;thai_do",  # stored in the questionnaire's option order
        "GOP_Y_KHAC": "Cần thêm ghế chờ",
    }
    assert not Answer.objects.filter(
        response__form_no="002", question__code="TT1"
    ).exists()  # empty = no answer
    assert Answer.objects.count() == 7 + 3 + 2

    out = run("import_responses", str(path), "--questionnaire", "SIPAS-DV", "--period", "2024")
    assert out == "3 forms: 0 created, 0 changed, 3 unchanged\n"
    assert Response.objects.count() == 3 and Answer.objects.count() == 12


def test_a_changed_form_has_its_answers_replaced_and_is_counted(sipas, province, write_csv):
    run("import_responses", str(write_csv(GOOD)), "--questionnaire", "SIPAS-DV", "--period", "2024")
    pk = Response.objects.get(form_no="003").pk
    changed = [dict(r) for r in GOOD]
    changed[2] = {**changed[2], "TC1": "1", "TT1": ""}
    changed.append({"form_no": "004", "unit_code": "B1", "submitted_at": "2024-06-12", "TC1": "5"})
    out = run(
        "import_responses",
        str(write_csv(changed, "v2.csv")),
        "--questionnaire",
        "SIPAS-DV",
        "--period",
        "2024",
    )
    assert out == "4 forms: 1 created, 1 changed, 2 unchanged\n"
    third = Response.objects.get(form_no="003")
    assert third.pk == pk
    assert {a.question.code: a.value_int for a in third.answers.select_related("question")} == {"TC1": 1}


def test_every_bad_row_is_reported_and_nothing_is_saved(sipas, province, write_csv):
    rows = [
        {"form_no": "001", "unit_code": "A", "submitted_at": "2024-05-02", "TC1": "7"},
        {"form_no": "001", "unit_code": "ZZ", "submitted_at": "hôm qua", "TC1": "4"},
        {"form_no": "", "unit_code": "A", "submitted_at": "2024-05-02", "KENH": "truc_tuyen", "SO_LAN": "3"},
        {
            "form_no": "004",
            "unit_code": "A",
            "submitted_at": "2024-05-02",
            "MD1": "thai_do;bay_bay",
            "TT1": "NA",
        },
        {"form_no": "005", "unit_code": "B", "submitted_at": "2024-05-02", "TC1": "5", "XX9": "1"},
    ]
    with pytest.raises(CommandError) as err:
        run("import_responses", str(write_csv(rows)), "--questionnaire", "SIPAS-DV", "--period", "2024")
    lines = str(err.value).splitlines()
    assert lines[0].endswith("forms.csv: 8 lỗi trên 5 dòng, không có gì được thay đổi.")
    assert lines[1:] == [
        "line 1, column XX9: không có mã câu hỏi này trong SIPAS-DV v1",
        "line 2, column TC1: cần 1–5 hoặc na, nhận được '7'",
        "line 3, column form_no: số phiếu lặp lại (cũng ở dòng 2)",
        "line 3, column unit_code: không có đơn vị 'ZZ'",
        "line 3, column submitted_at: không phải ngày hợp lệ: 'hôm qua' (dùng dd/mm/yyyy, dd/mm/yyyy HH:MM, yyyy-mm-dd HH:MM)",
        "line 4, column form_no: bắt buộc (số in trên phiếu)",
        "line 4, column SO_LAN: có trả lời nhưng câu hỏi bị ẩn theo điều kiện (show_if)",
        "line 5, column MD1: không có lựa chọn 'bay_bay' (chọn một trong: thong_tin, co_so_vat_chat, don_gian_ho_so, "
        "rut_ngan_thoi_gian, giam_phi, thai_do, nang_luc, gop_y, truc_tuyen)",
    ]
    assert not Response.objects.exists() and not Campaign.objects.exists()


def test_xlsx_forms_import_like_csv(sipas, province, tmp_path):
    from openpyxl import Workbook

    path = tmp_path / "phieu.xlsx"
    wb = Workbook()
    ws = wb.active
    ws.title = "phieu"
    ws.append(["form_no", "unit_code", "submitted_at", "TC1", "TC2", "MD1"])
    ws.append([101, "A", "2024-03-01", 4, 5, "truc_tuyen"])
    ws.append([102, "B", "2024-03-02", "na", 2, None])
    ws.append([None, None, None, None, None, None])
    wb.save(path)
    out = run("import_responses", str(path), "--questionnaire", "SIPAS-DV", "--period", "2024")
    assert out == "2 forms: 2 created, 0 changed, 0 unchanged (campaign created)\n"
    assert Response.objects.get(form_no="101").answers.get(question__code="TC2").value_int == 5
    assert Response.objects.get(form_no="102").answers.get(question__code="TC1").is_na


def test_unknown_questionnaire_or_missing_columns_fail_cleanly(sipas, province, write_csv, tmp_path):
    with pytest.raises(CommandError, match="không có bộ câu hỏi 'NOPE'"):
        run("import_responses", str(write_csv(GOOD)), "--questionnaire", "NOPE", "--period", "2024")
    bad = tmp_path / "bad.csv"
    bad.write_text("so_phieu,unit_code\n1,A\n", encoding="utf-8")
    with pytest.raises(CommandError) as err:
        run("import_responses", str(bad), "--questionnaire", "SIPAS-DV", "--period", "2024")
    assert "line 1, column form_no: missing column" in str(err.value)
    assert "line 1, column submitted_at: missing column" in str(err.value)


def test_paper_forms_accept_the_dates_vietnamese_files_carry(sipas, province, write_csv):
    import datetime as dt

    from django.utils import timezone

    rows = [
        {"form_no": "1", "unit_code": "A", "submitted_at": "02/05/2024", "TC1": "5"},
        {"form_no": "2", "unit_code": "A", "submitted_at": "02/05/2024 08:15", "TC1": "4"},
        {"form_no": "3", "unit_code": "A", "submitted_at": "2024-05-02T08:15", "TC1": "4"},
        {"form_no": "4", "unit_code": "A", "submitted_at": "2024-05-02 08:15", "TC1": "4"},
    ]
    run("import_responses", str(write_csv(rows)), "--questionnaire", "SIPAS-DV", "--period", "2024")
    got = {r.form_no: timezone.localtime(r.submitted_at) for r in Response.objects.all()}
    assert got["1"].replace(tzinfo=None) == dt.datetime(2024, 5, 2, 12, 0)
    assert {got[n].replace(tzinfo=None) for n in "234"} == {dt.datetime(2024, 5, 2, 8, 15)}


def test_the_import_service_raises_domain_errors_not_command_errors(sipas, province, write_csv, tmp_path):
    """The service serves pages and jobs too: its refusals are DomainErrors (the command turns
    them into CommandError), their messages Vietnamese, a missing file the one core message."""
    from cchc.core.errors import DomainError, InputFileError
    from cchc.surveys.importers import import_responses, read_rows

    with pytest.raises(DomainError, match="không có bộ câu hỏi 'NOPE'") as err:
        import_responses(write_csv(GOOD), "NOPE", 2024)
    assert not isinstance(err.value, CommandError)
    for name in ("missing.csv", "missing.xlsx"):
        missing = tmp_path / name
        with pytest.raises(InputFileError, match=re.escape(f"{missing}: không tìm thấy tệp")) as err:
            import_responses(missing, "SIPAS-DV", 2024)
        assert not isinstance(err.value, CommandError)
        with pytest.raises(InputFileError):
            read_rows(missing)
    assert not Campaign.objects.exists()


def test_a_missing_file_through_the_command_is_the_core_message(sipas, province, tmp_path):
    missing = tmp_path / "khong-co.csv"
    with pytest.raises(CommandError, match=re.escape(f"{missing}: không tìm thấy tệp")):
        run("import_responses", str(missing), "--questionnaire", "SIPAS-DV", "--period", "2024")
