"""cchc import-questionnaire / export-questionnaire: YAML and XLSX, errors, versions."""

import io
import re

import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError

from cchc.surveys.io import shipped_path
from cchc.surveys.models import Questionnaire, QuestionnaireStatus
from cchc.surveys.services import create_campaign, submit_response

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_both_shipped_questionnaires_import_with_their_sources_and_aspects():
    assert run("import_questionnaire", str(shipped_path("sipas-dich-vu"))) == (
        "Created SIPAS-DV v1: 27 questions\n"
    )
    assert (
        run("import_questionnaire", str(shipped_path("par-xa-hoi-hoc")))
        == "Created PAR-XHH v1: 19 questions\n"
    )
    sipas = Questionnaire.objects.get(code="SIPAS-DV")
    assert "2640/QĐ-BNV" in sipas.source_document and "1001/QĐ-BNV" in sipas.source_document
    assert [a["code"] for a in sipas.aspects] == ["tiep_can", "thu_tuc", "cong_chuc", "ket_qua", "gop_y"]
    per_aspect = {
        a: sipas.questions.filter(aspect=a, type="scale5").count() for a in [x["code"] for x in sipas.aspects]
    }
    assert per_aspect == {
        "tiep_can": 4,
        "thu_tuc": 5,
        "cong_chuc": 6,
        "ket_qua": 3,
        "gop_y": 4,
    }  # 22 criteria
    assert list(sipas.questions.filter(is_expectation=True).values_list("code", flat=True)) == ["MD1"]
    par = Questionnaire.objects.get(code="PAR-XHH")
    assert (par.kind, par.audience) == ("par_survey", "any") and "876/QĐ-BNV" in par.source_document
    assert par.questions.get(code="TTHC1").show_if == {"question": "DOI_TUONG", "in": ["nguoi_dan"]}


def test_yaml_round_trip_and_reimport_is_unchanged(tmp_path):
    run("import_questionnaire", str(shipped_path("sipas-dich-vu")))
    exported = run("export_questionnaire", "SIPAS-DV")
    doc = yaml.safe_load(exported)
    assert doc["code"] == "SIPAS-DV" and len(doc["questions"]) == 27
    assert doc["questions"][2] == {
        "code": "TC1",
        "text": "Nơi ngồi chờ có đủ chỗ ngồi",
        "type": "scale5",
        "aspect": "tiep_can",
        "criterion": "Chỗ ngồi chờ",
        "section": "tiep_can",
    }
    path = tmp_path / "back.yaml"
    path.write_text(exported, encoding="utf-8")
    assert run("import_questionnaire", str(path)) == "Unchanged SIPAS-DV v1: 27 questions\n"


def test_xlsx_export_and_import_keep_everything(tmp_path):
    run("import_questionnaire", str(shipped_path("par-xa-hoi-hoc")))
    before = run("export_questionnaire", "PAR-XHH")
    path = tmp_path / "par.xlsx"
    run("export_questionnaire", "PAR-XHH", "--format", "xlsx", "--output", str(path))
    from openpyxl import load_workbook

    assert load_workbook(path).sheetnames == ["questionnaire", "aspects", "sections", "questions"]
    Questionnaire.objects.all().delete()
    assert run("import_questionnaire", str(path)) == "Created PAR-XHH v1: 19 questions\n"
    assert run("export_questionnaire", "PAR-XHH") == before


def test_a_minimal_yaml_with_only_the_contract_keys(tmp_path):
    path = tmp_path / "mini.yaml"
    path.write_text(
        "code: MINI\nname: Phiếu ngắn\nquestions:\n"
        "  - {code: Q1, text: Hài lòng chung, type: scale5, aspect: chung}\n"
        "  - {code: Q2, text: Kênh, type: choice, options: [{code: a, label: Trực tiếp}, b]}\n",
        encoding="utf-8",
    )
    assert run("import_questionnaire", str(path)) == "Created MINI v1: 2 questions\n"
    q2 = Questionnaire.objects.get(code="MINI").questions.get(code="Q2")
    assert q2.options == [{"code": "a", "label": "Trực tiếp"}, {"code": "b", "label": "b"}]


def test_bad_files_list_every_problem_and_change_nothing(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(
        "code: BAD\nquestions:\n"
        "  - {code: Q1, text: Một, type: scale7}\n"
        "  - {code: Q1, text: Hai, type: choice}\n"
        "  - {code: Q3, text: Ba, type: text, show_if: {question: Q9, in: [1]}}\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError) as err:
        run("import_questionnaire", str(path))
    message = str(err.value)
    assert "5 lỗi, không có gì được thay đổi" in message
    assert "name: required" in message
    assert (
        "questions[0] (Q1).type: 'scale7' is not one of scale5, choice, multi, number, integer, text"
        in message
    )
    assert "questions[1] (Q1).code: duplicate code 'Q1'" in message
    assert "questions[1] (Q1).options: a choice question needs options" in message
    assert "questions[2] (Q3).show_if: 'Q9' is not an earlier question" in message
    assert not Questionnaire.objects.exists()
    broken = tmp_path / "broken.yaml"
    broken.write_text("code: [unclosed", encoding="utf-8")
    with pytest.raises(CommandError, match="không phải YAML hợp lệ"):
        run("import_questionnaire", str(broken))


def test_a_questionnaire_with_answers_is_never_edited_a_change_makes_a_new_version(tmp_path, province):
    run("import_questionnaire", str(shipped_path("sipas-dich-vu")))
    doc = yaml.safe_load(run("export_questionnaire", "SIPAS-DV"))
    doc["questions"][2]["text"] = "Nơi ngồi chờ đủ chỗ, thoáng mát"
    changed = tmp_path / "changed.yaml"
    changed.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    # no answers yet: edited in place
    assert run("import_questionnaire", str(changed)) == "Updated (no answers yet) SIPAS-DV v1: 27 questions\n"
    v1 = Questionnaire.objects.get(code="SIPAS-DV")
    campaign = create_campaign(v1, 2024, [province.A])
    submit_response(campaign.campaign_units.get(), {"TC1": 4})
    doc["questions"][2]["text"] = "Nơi ngồi chờ rộng rãi"
    changed.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    assert (
        run("import_questionnaire", str(changed))
        == "In use: created a new version SIPAS-DV v2: 27 questions\n"
    )
    v1.refresh_from_db()
    assert v1.questions.get(code="TC1").text == "Nơi ngồi chờ đủ chỗ, thoáng mát"  # untouched
    v2 = Questionnaire.objects.get(code="SIPAS-DV", version=2)
    assert v2.previous == v1 and v2.questions.get(code="TC1").text == "Nơi ngồi chờ rộng rãi"
    assert (v1.status, v2.status) == (QuestionnaireStatus.ARCHIVED, QuestionnaireStatus.ACTIVE)
    assert yaml.safe_load(run("export_questionnaire", "SIPAS-DV", "--qversion", "1"))["questions"][2][
        "text"
    ] == ("Nơi ngồi chờ đủ chỗ, thoáng mát")


def test_export_of_an_unknown_code_fails():
    with pytest.raises(CommandError, match="unknown questionnaire 'NOPE'"):
        run("export_questionnaire", "NOPE")


def test_a_missing_questionnaire_file_is_the_core_message(tmp_path):
    from cchc.core.errors import InputFileError
    from cchc.surveys.io import import_file

    missing = tmp_path / "khong-co.yaml"
    with pytest.raises(InputFileError, match=re.escape(f"{missing}: không tìm thấy tệp")) as err:
        import_file(missing)
    assert not isinstance(err.value, CommandError)
    with pytest.raises(CommandError, match=re.escape(f"{missing}: không tìm thấy tệp")):
        run("import_questionnaire", str(missing))
    assert not Questionnaire.objects.exists()


def test_a_refused_questionnaire_is_a_domain_error(tmp_path):
    from cchc.core.errors import DomainError
    from cchc.surveys.io import QuestionnaireFormatError, import_file

    path = tmp_path / "bad.yaml"
    path.write_text("code: BAD\nquestions: []\n", encoding="utf-8")
    with pytest.raises(QuestionnaireFormatError) as err:
        import_file(path)
    assert isinstance(err.value, DomainError) and "name: required" in err.value.items
