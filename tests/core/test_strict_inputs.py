"""Inputs that exhausted memory or gave 500s: one strict YAML loader (no aliases or anchors, no
duplicate or unknown keys, UTF-8 only, a size cap), XLSX checked on its zip directory before
openpyxl reads it, an upload cap, and CSV cells above 128 KiB reported, never a crash."""

import io
import time
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

import cchc
from cchc.core.importing import load_yaml
from cchc.frameworks.models import Framework
from tests.surveys import core_fixtures

pytestmark = pytest.mark.django_db
sipas = core_fixtures.sipas

FRAMEWORK = """\
code: BP-X
name: Thử
year: 2024
unit_types: [district]
nodes:
  - code: "1"
    name: Lĩnh vực
    children:
      - {code: "1.1", name: "Tiêu chí", max: 2}
"""
LAUGHS = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n" for i in range(12)
)


def import_framework_cli(path) -> str:
    with pytest.raises(CommandError) as exc:
        call_command("import_framework", str(path), stdout=io.StringIO())
    return str(exc.value)


def test_aliases_are_refused_at_once_with_their_line(tmp_path):
    path = tmp_path / "laughs.yaml"
    path.write_text(FRAMEWORK + LAUGHS, encoding="utf-8")
    started = time.monotonic()
    message = import_framework_cli(path)
    assert time.monotonic() - started < 2
    assert "line 10, column 4: không được dùng neo hoặc bí danh YAML" in message
    assert message.count("\n") < 5  # one error, not 131,071


def test_duplicate_keys_are_refused(tmp_path):
    path = tmp_path / "dup.yaml"
    path.write_text(FRAMEWORK + "name: Lại tên\n", encoding="utf-8")
    assert "line 10, column 1: khóa 'name' lặp lại (đã có ở line 2, column 1)" in import_framework_cli(path)


def test_an_unquoted_comma_in_a_flow_mapping_is_an_unknown_key_with_its_line(tmp_path):
    path = tmp_path / "cut.yaml"
    path.write_text(FRAMEWORK.replace('name: "Tiêu chí"', "name: Tiêu chí, chỉ tiêu"), encoding="utf-8")
    message = import_framework_cli(path)
    assert "line 9, column 39: khóa không được biết 'chỉ tiêu'" in message
    assert "dấu phẩy" in message and not Framework.objects.exists()


def test_a_questionnaire_with_a_cut_text_is_refused(tmp_path):
    text = (Path(cchc.__file__).parent / "data/questionnaires/sipas-dich-vu.yaml").read_text(encoding="utf-8")
    cut = text.replace(
        '"Trang thiết bị phục vụ người dân, tổ chức đầy đủ"',
        "Trang thiết bị phục vụ người dân, tổ chức đầy đủ",
    )
    assert cut != text
    path = tmp_path / "q.yaml"
    path.write_text(cut, encoding="utf-8")
    with pytest.raises(CommandError, match=r"line \d+, column \d+: khóa không được biết 'tổ chức đầy đủ'"):
        call_command("import_questionnaire", str(path), stdout=io.StringIO())


def test_non_utf8_yaml_is_an_error_in_the_cli_and_a_422_on_the_page(tmp_path, client, people):
    path = tmp_path / "latin.yaml"
    path.write_bytes(FRAMEWORK.encode("utf-8").replace("Thử".encode(), b"Th\xe9"))
    assert "line 2, column 9: tệp không phải văn bản UTF-8" in import_framework_cli(path)
    client.force_login(people.sec)
    upload = SimpleUploadedFile("latin.yaml", path.read_bytes())
    response = client.post(reverse("frameworks:list"), {"file": upload})
    assert response.status_code == 422
    assert "tệp không phải văn bản UTF-8" in response.content.decode()


def test_a_yaml_above_the_cap_is_refused(tmp_path, settings):
    settings.CCHC_MAX_YAML_BYTES = 100
    path = tmp_path / "big.yaml"
    path.write_text(FRAMEWORK, encoding="utf-8")
    assert "tệp quá lớn" in import_framework_cli(path)


def test_every_shipped_yaml_loads_strictly():
    from cchc.frameworks.io import load_yaml as load_framework
    from cchc.surveys.io import load_yaml as load_questionnaire

    data = Path(cchc.__file__).parent / "data"
    files = sorted(data.rglob("*.yaml"))
    assert len(files) >= 8
    for path in files:
        assert "&" not in path.read_text(encoding="utf-8").replace("&amp;", "") or load_yaml(path)
        load_yaml(path)
    for path in (data / "frameworks").glob("*.yaml"):
        load_framework(path)
    for path in (data / "questionnaires").glob("*.yaml"):
        load_questionnaire(path)


def test_an_exported_framework_reimports_strictly(tmp_path):
    """The export never writes anchors, even when nodes share a rule."""
    path = tmp_path / "fw.yaml"
    shipped = Path(cchc.__file__).parent / "data/frameworks/par-index-xa.yaml"
    call_command("import_framework", str(shipped), stdout=io.StringIO())
    code = Framework.objects.get().code
    call_command("export_framework", code, output=str(path))
    assert "&id" not in path.read_text(encoding="utf-8")
    Framework.objects.all().delete()
    call_command("import_framework", str(path), stdout=io.StringIO())


def _fake_xlsx(tmp_path) -> Path:
    path = tmp_path / "fake.xlsx"
    path.write_text("code,name\n1,x\n", encoding="utf-8")
    return path


def _bloated_xlsx(tmp_path, size: int) -> Path:
    path = tmp_path / "bloated.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/sharedStrings.xml", "<sst>" + "a" * size + "</sst>")
    return path


def test_a_fake_xlsx_is_a_clear_error_in_cli_and_page(tmp_path, client, people):
    path = _fake_xlsx(tmp_path)
    assert "fake.xlsx: không phải tệp Excel .xlsx" in import_framework_cli(path)
    client.force_login(people.sec)
    response = client.post(
        reverse("frameworks:list"), {"file": SimpleUploadedFile("fake.xlsx", path.read_bytes())}
    )
    assert response.status_code == 422 and "không phải tệp Excel .xlsx" in response.content.decode()


def test_a_bloated_shared_strings_table_is_refused_before_loading(tmp_path, settings, client, people):
    settings.CCHC_MAX_XLSX_SHARED_STRINGS_BYTES = 10_000
    path = _bloated_xlsx(tmp_path, 50_000)
    assert "phần xl/sharedStrings.xml của tệp Excel quá lớn khi giải nén" in import_framework_cli(path)
    client.force_login(people.sec)
    response = client.post(
        reverse("frameworks:list"), {"file": SimpleUploadedFile("bloated.xlsx", path.read_bytes())}
    )
    assert response.status_code == 422 and "quá lớn khi giải nén" in response.content.decode()


def test_a_fake_or_bloated_xlsx_gives_no_traceback_in_the_other_importers(
    tmp_path, settings, province, sipas
):
    settings.CCHC_MAX_XLSX_SHARED_STRINGS_BYTES = 10_000
    for path in (_fake_xlsx(tmp_path), _bloated_xlsx(tmp_path, 50_000)):
        for command, args in [
            ("import_indicator_values", []),
            ("import_dossiers", []),
            ("import_responses", ["--questionnaire", "SIPAS-DV", "--period", "2024"]),
        ]:
            with pytest.raises(CommandError) as exc:
                call_command(command, str(path), *args, stdout=io.StringIO())
            assert "Excel" in str(exc.value), (command, str(exc.value))


def test_an_upload_above_the_cap_is_refused_with_a_message(client, people, settings):
    settings.CCHC_MAX_UPLOAD_BYTES = 1000
    client.force_login(people.sec)
    upload = SimpleUploadedFile("big.csv", b"code,unit_code\n" + b"x" * 5000)
    response = client.post(reverse("procedures:import_list"), {"file": upload, "kind": "dossiers"})
    assert response.status_code == 400
    assert "Không nhận tệp: tệp quá lớn" in response.content.decode()
    from cchc.procedures.models import ImportJob

    assert not ImportJob.objects.exists()
