"""cchc import-procedures: the catalogue from CSV/XLSX, validated whole, idempotent by code."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from cchc.core.importing import ImportFailed
from cchc.procedures.importers import PROCEDURE_COLUMNS
from cchc.procedures.models import Procedure
from tests.procedures.helpers import import_catalogue, procedure, refusal, write_csv, write_xlsx

pytestmark = pytest.mark.django_db


def test_a_catalogue_imports_with_legacy_online_levels(tmp_path):
    import_catalogue(
        tmp_path,
        [
            procedure("1.001", field="Tài chính", level="province", days="15", mode="4", fee="1", paper="1"),
            procedure("1.002", field="Lao động", level="district", days="8h", mode="3"),
            procedure("1.003", field="Tư pháp", level="commune", days="", mode="partial"),
        ],
    )
    p1, p2, p3 = Procedure.objects.order_by("code")
    assert (p1.online_mode, p1.fee, p1.paper_result, p1.processing_days) == ("full", True, True, Decimal(15))
    assert (p2.online_mode, p2.processing_days, p2.processing_hours) == ("partial", None, Decimal(8))
    assert (p3.online_mode, p3.processing_days, p3.processing_hours) == ("partial", None, None)


def test_reimporting_updates_by_code_and_never_duplicates(tmp_path):
    import_catalogue(tmp_path, [procedure("1.001", days="5")])
    import_catalogue(
        tmp_path, [procedure("1.001", days="7", name="Tên mới"), procedure("1.002")], name="b.csv"
    )
    assert Procedure.objects.count() == 2
    p = Procedure.objects.get(code="1.001")
    assert (p.processing_days, p.name) == (Decimal(7), "Tên mới")


def test_a_bad_catalogue_changes_nothing_and_lists_every_bad_row(tmp_path):
    import_catalogue(tmp_path, [procedure("1.001", days="5")])
    path = write_csv(
        tmp_path / "bad.csv",
        PROCEDURE_COLUMNS,
        [
            procedure("1.001", days="9"),
            procedure("1.002", level="ward"),
            procedure("1.003", mode="5", fee="yes"),
            procedure("1.004", days="abc"),
            procedure("1.001"),
        ],
    )
    with pytest.raises(CommandError) as exc:
        call_command("import_procedures", str(path))
    assert refusal(exc, ImportFailed).items == [
        "line 3, column level: 'ward' is not one of province, district, commune",
        "line 4, column online_mode: '5' is not one of full, partial, none, 3, 4",
        "line 4, column fee: cần 0 hoặc 1, nhận được 'yes'",
        "line 5, column processing_days: not a number: 'abc'",
        "line 6, column code: duplicate of line 2",
    ]
    assert Procedure.objects.get().processing_days == Decimal(5)


def test_a_missing_column_is_reported_on_line_1(tmp_path):
    path = write_csv(tmp_path / "c.csv", ["code", "name"], [["1", "x"]])
    with pytest.raises(CommandError, match="line 1, column field: missing column"):
        call_command("import_procedures", str(path))


def test_the_catalogue_imports_from_xlsx(tmp_path):
    path = write_xlsx(
        tmp_path / "c.xlsx",
        PROCEDURE_COLUMNS,
        [{**procedure("2.001", mode="4", fee="1"), "processing_days": 10, "fee": 1, "paper_result": 0}],
    )
    call_command("import_procedures", str(path))
    p = Procedure.objects.get(code="2.001")
    assert (p.processing_days, p.online_mode, p.fee) == (Decimal(10), "full", True)
