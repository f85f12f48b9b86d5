"""A file or a mapping refused as a whole: the import services raise domain errors with a
translated message (never Django's CommandError, which only the commands raise); the commands turn
them into CommandError and the web import jobs write the message on the job row."""

from __future__ import annotations

import logging

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from cchc.core.errors import DomainError, InputFileError
from cchc.procedures import fast_import
from cchc.procedures.catalogue import import_procedures
from cchc.procedures.importers import DOSSIER_COLUMNS, open_source
from cchc.procedures.jobs import execute_import_job
from cchc.procedures.mapping import ColumnMapping, MappingError, load_mapping
from cchc.procedures.models import Dossier, ImportJob, ImportStatus
from cchc.procedures.row_import import import_dossiers
from cchc.procedures.tasks import start_import_job
from tests.procedures.helpers import dossier, import_catalogue, procedure, refusal, write_csv, write_xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(province, tmp_path):
    import_catalogue(tmp_path, [procedure("P1")])


def _mapping(tmp_path, text: str):
    path = tmp_path / "mapping.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_missing_file_is_one_translated_input_file_error(catalogue, tmp_path):
    missing = tmp_path / "nope.csv"
    for run in (
        lambda: import_dossiers(missing),
        lambda: import_dossiers(missing, fast_path=False),
        lambda: import_procedures(missing),
        lambda: load_mapping(tmp_path / "nope.yaml"),
        # The fast path checks the file before it touches the database (PostgreSQL or not).
        lambda: fast_import.import_csv(
            missing, ColumnMapping(), None, skip_bad_rows=False, progress=None, write_indicators=False
        ),
    ):
        with pytest.raises(InputFileError, match="nope.(csv|yaml): không tìm thấy tệp") as exc:
            run()
        assert not isinstance(exc.value, CommandError)
    with pytest.raises(CommandError, match="nope.csv: không tìm thấy tệp") as exc:
        call_command("import_dossiers", str(missing))
    refusal(exc, InputFileError)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("- columns\n", "tệp ánh xạ cột phải là một ánh xạ YAML"),
        ("colums: {code: SoHoSo}\n", "khóa không được biết colums (các khóa được dùng: columns, "),
        ("format: dbf\n", "format phải là một trong csv, xlsx, jsonl"),
        ("columns: [code]\n", "columns phải là một ánh xạ"),
        ("values: {status: resolved}\n", "values.status phải là một ánh xạ từ giá trị nguồn"),
        ("datetime_formats: '%d/%m/%Y'\n", "datetime_formats phải là một danh sách"),
        ("columns: {code: &a SoHoSo, unit_code: *a}\n", "không được dùng neo hoặc bí danh YAML"),
    ],
)
def test_a_bad_mapping_is_a_domain_error_with_a_translated_message(tmp_path, text, message):
    path = _mapping(tmp_path, text)
    with pytest.raises(MappingError) as exc:
        load_mapping(path)
    assert str(exc.value).startswith(f"{path}: ") and message in str(exc.value)
    assert isinstance(exc.value, DomainError) and not isinstance(exc.value, CommandError)


def test_a_bad_mapping_through_the_command_is_a_command_error(catalogue, tmp_path):
    path = write_csv(tmp_path / "d.csv", DOSSIER_COLUMNS, [dossier("HS-1")])
    mapping = _mapping(tmp_path, "format: dbf\n")
    with pytest.raises(CommandError, match="format phải là một trong") as exc:
        call_command("import_dossiers", str(path), mapping=str(mapping))
    refusal(exc, MappingError)
    assert not Dossier.objects.exists()


def test_an_xlsx_without_the_mapped_sheet_is_an_input_file_error(tmp_path):
    path = write_xlsx(tmp_path / "d.xlsx", DOSSIER_COLUMNS, [dossier("HS-1")])
    with pytest.raises(InputFileError, match="d.xlsx: không có trang tính tên 'HoSo'"):
        open_source(path, ColumnMapping(sheet="HoSo"))


def test_a_csv_that_is_not_text_in_its_encoding_is_an_input_file_error(catalogue, tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes(
        ",".join(DOSSIER_COLUMNS).encode() + b"\nHS-1,A,P1,2021-03-01T09:00,,,,received,direct\xe9\n"
    )
    with pytest.raises(InputFileError, match=r"latin1\.csv: line 2: không phải văn bản utf-8-sig"):
        import_dossiers(path, fast_path=False)


def _job(people, tmp_path, content: bytes, mapping: str | None = None) -> ImportJob:
    upload = SimpleUploadedFile("d.csv", content)
    yaml = SimpleUploadedFile("m.yaml", mapping.encode()) if mapping is not None else None
    job = start_import_job(user=people.sec, unit=None, upload=upload, mapping=yaml)
    execute_import_job(job.pk)
    job.refresh_from_db()
    return job


def test_a_web_job_writes_a_refused_file_or_mapping_readably_on_its_row(people, catalogue, tmp_path, caplog):
    good = write_csv(tmp_path / "d.csv", DOSSIER_COLUMNS, [dossier("HS-1")]).read_bytes()
    with caplog.at_level(logging.INFO, logger="cchc.procedures.jobs"):
        bad_mapping = _job(people, tmp_path, good, mapping="colums: {code: SoHoSo}\n")
        not_text = _job(people, tmp_path, good.replace(b"HS-1", b"HS-\xe9"))
    assert bad_mapping.status == not_text.status == ImportStatus.FAILED
    assert "khóa không được biết colums" in bad_mapping.errors
    assert "Traceback" not in bad_mapping.errors
    assert "line 2: không phải văn bản utf-8-sig" in not_text.errors
    # A refusal is the person's to fix, not a crash of the worker: no error logged with a traceback.
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert not Dossier.objects.exists()
