"""A CSV cell above 128 KiB (Python's default limit) no longer crashes the CSV importers: cells
up to CCHC_MAX_CSV_FIELD_BYTES are read, larger ones are errors of their line."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from cchc.core.importing import ImportFailed
from cchc.procedures.models import Dossier, Procedure
from tests.procedures.helpers import dossier, import_catalogue, import_dossier_rows, procedure, refusal

pytestmark = pytest.mark.django_db
BIG = "x" * (200 * 1024)


def test_a_200_kib_procedure_name_is_read_and_refused_by_its_length(province, tmp_path):
    """Read (no csv "field larger than field limit" crash), then refused as too long for the
    column (no database error on PostgreSQL), nothing saved."""
    with pytest.raises(CommandError) as exc:
        import_catalogue(tmp_path, [procedure("P0"), procedure("P1", name="Thủ tục " + BIG)])
    assert refusal(exc, ImportFailed).items == ["line 3, column name: dài quá 1000 ký tự"]
    assert not Procedure.objects.exists()


def test_a_cell_above_the_cap_is_an_error_of_its_line(province, tmp_path, settings):
    settings.CCHC_MAX_CSV_FIELD_BYTES = 64 * 1024
    import_catalogue(tmp_path, [procedure("P1")])
    with pytest.raises(CommandError) as exc:
        import_dossier_rows(tmp_path, [dossier("D1"), dossier("D2", status=BIG), dossier("D3")])
    # The row-by-row reader names the over-long cell; PostgreSQL's COPY path reads it and refuses
    # the value it holds: either way an error of line 3, and nothing saved.
    items = refusal(exc, ImportFailed).items
    assert any(item.startswith("line 3, column ") for item in items), items
    assert not Dossier.objects.exists()


def test_the_units_and_survey_importers_name_the_line_and_column(province, tmp_path, settings):
    settings.CCHC_MAX_CSV_FIELD_BYTES = 64 * 1024
    path = tmp_path / "units.csv"
    path.write_text(
        "code,name,type,parent_code,valid_from,valid_to,successor_code\n"
        f"Z1,Xã Z,commune,A,,,\nZ2,{BIG},commune,A,,,\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError) as exc:
        call_command("import_units", str(path), stdout=io.StringIO())
    items = refusal(exc, ImportFailed).items
    assert len(items) == 1 and items[0].startswith("line 3, column name: ô dài quá")
