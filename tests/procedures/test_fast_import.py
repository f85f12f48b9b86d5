"""The PostgreSQL fast path of the dossier import (cchc.procedures.fast_import) against the
row-by-row path on the same files: the same dossiers, rollups, indicator values, procedure links,
counts and error messages, idempotent re-imports, --skip-bad-rows."""

from __future__ import annotations

import csv
import importlib.util
from pathlib import Path

import numpy as np
import pytest
from django.db import connection

from cchc.core.importing import ImportFailed
from cchc.indicators.models import IndicatorValue
from cchc.procedures import importers
from cchc.procedures.importers import DOSSIER_COLUMNS
from cchc.procedures.models import Dossier, DossierDay, ProcedureUnit
from cchc.procedures.services import import_dossiers
from tests.procedures.helpers import dossier, import_catalogue, procedure, write_csv

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="the fast path (COPY, SQL checks) exists on PostgreSQL only; SQLite always uses the row-by-row path",
    ),
]

BENCH = Path(__file__).resolve().parents[2] / "bench" / "dossiers_generate.py"
PROCS = [("C1", "commune", 1, False), ("C3", "commune", 3, True), ("C7", "commune", 7, False)]
PROCS += [("V5", "province", 5, True), ("V15", "province", 15, False)]


@pytest.fixture
def catalogue(province, tmp_path):
    rows = [procedure(c, level=lvl, days=str(d), fee=str(int(f))) for c, lvl, d, f in PROCS]
    rows += [procedure("PH", days="8h"), procedure("PF", days="0.5"), procedure("PN", days="")]
    import_catalogue(tmp_path, rows)
    return province


def generated(tmp_path: Path, rows: int = 300, seed: int = 3) -> list[dict]:
    """A small realistic file from the bench generator (2024–2025, ~9 % supplements, late,
    open, withdrawn …), read back as dicts."""
    spec = importlib.util.spec_from_file_location("dossiers_generate", BENCH)
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    units = [("A1", "commune"), ("B1", "commune"), ("A", "commune"), ("P", "province")]
    path = tmp_path / "generated.csv"
    gen.write_dossiers(path, rows, units, PROCS, np.random.default_rng(seed))
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def varied(rows: list[dict]) -> list[dict]:
    """What the generator does not produce: computed deadlines (whole days, hours, a half day),
    a date alone as due date, other ISO 8601 spellings, stray spaces, a repeated code."""
    out = []
    for i, r in enumerate(rows):
        r = dict(r)
        if i % 3 == 0:
            r["due_at"] = ""  # computed from the procedure's time and the calendar
        if i % 17 == 0 and r["procedure_code"].startswith("C"):
            r["procedure_code"], r["due_at"] = "PH", ""  # 8 working hours
        if i % 19 == 0 and r["procedure_code"].startswith("C"):
            r["procedure_code"], r["due_at"] = "PF", ""  # half a working day
        if i % 23 == 0 and r["due_at"]:
            r["due_at"] = r["due_at"][:10]  # a date alone: the end of that day
        if i % 29 == 0:
            r["received_at"] = r["received_at"] + ":00+07:00"  # seconds and an offset
        if i % 31 == 0:
            r["code"] = f"  {r['code']} "
            r["status"] = f" {r['status']}"
        out.append(r)
    again = dict(out[5])
    again["digitized"] = "0" if again["digitized"] == "1" else "1"
    out.append(again)  # the same code later in the file: it updates the earlier line
    return out


BAD = [
    dossier("X-1", unit="NOPE"),
    dossier("X-2", proc="NOPE", status="done", channel="fax"),
    dossier("X-3", received="2021-02-30T09:00", due="2021/03/05"),
    dossier("X-4", received="2021-03-01", finished_at="2021-03-02T25:00"),
    dossier("X-5", status="resolved", finished_at="2021-02-01T09:00", supplement_count="-1"),
    dossier("X-6", status="in_progress", finished_at="2021-03-02T09:00", digitized="yes"),
    dossier("X-7", supplement_requested_at="2021-03-02T09:00", supplement_count="0"),
    dossier("X-8", status="supplement", supplement_received_at="2021-03-02T09:00"),
    dossier("X-9", proc="PN", due=""),
    dossier("", unit="", received=""),
    dossier("X" * 101, status="returned", finished_at="2021-03-02T09:00", returned_at="2021-03-01T09:00"),
]


def state() -> dict:
    fields = [f.name for f in Dossier._meta.concrete_fields if f.name not in {"id", "imported_at"}]
    fields = [f"{f}_id" if f in {"unit", "procedure"} else f for f in fields]
    values = ["indicator__code", "unit_id", "period_kind", "period_start", "period_end", "value"]
    return {
        "dossiers": list(Dossier.objects.order_by("code").values_list(*fields)),
        "days": [
            r
            for r in DossierDay.objects.order_by("unit_id", "procedure_id", "day").values_list(
                "unit_id", "procedure_id", "day", *DossierDay.COUNTERS
            )
            if any(r[3:])
        ],
        "indicators": list(
            IndicatorValue.objects.filter(indicator__code__startswith="dossiers.")
            .order_by(*values)
            .values_list(*values, "numerator", "denominator", "source")
        ),
        "links": list(
            ProcedureUnit.objects.order_by("procedure_id", "unit_id").values_list(
                "procedure_id", "unit_id", "has_dossiers", "linked_by_admin"
            )
        ),
    }


def clear():
    IndicatorValue.objects.filter(indicator__code__startswith="dossiers.").delete()
    DossierDay.objects.all().delete()
    Dossier.objects.all().delete()
    ProcedureUnit.objects.all().delete()


def run(files: list[Path], *, fast: bool, **opts) -> tuple[list[dict], dict]:
    results = [import_dossiers(f, fast_path=fast, **opts).as_dict() for f in files]
    return results, state()


@pytest.fixture
def python_calls(monkeypatch):
    """How many rows went through the Python validator."""
    calls = []
    original = importers.DossierValidator.validate

    def spy(self, line, raw):
        calls.append(line)
        return original(self, line, raw)

    monkeypatch.setattr(importers.DossierValidator, "validate", spy)
    return calls


def test_same_state_as_the_row_by_row_path(catalogue, tmp_path, python_calls):
    rows = varied(generated(tmp_path))
    first = write_csv(tmp_path / "first.csv", DOSSIER_COLUMNS, rows)
    # A second night: some dossiers finish, one moves to another unit, new ones arrive.
    later = [dict(r) for r in rows[:150]]
    for r in later[:40]:
        r["digitized"] = "0" if r["digitized"] == "1" else "1"
        if r["status"].strip() in {"received", "in_progress"}:
            r["status"], r["finished_at"] = "resolved", "2025-12-30T10:00"
    later[41]["unit_code"] = "B1" if later[41]["unit_code"] != "B1" else "A1"
    later += [dict(r, code=f"NEW-{i}") for i, r in enumerate(generated(tmp_path, 60, seed=4))]
    second = write_csv(tmp_path / "second.csv", DOSSIER_COLUMNS, later)

    slow = run([first, second, second], fast=False)
    python_calls.clear()
    clear()
    fast = run([first, second, second], fast=True)
    assert fast == slow
    results, snapshot = fast
    assert results[0]["created"] == len(rows) - 1 and results[0]["updated"] == 1
    # 40 changed of the first 40 + the moved one, less line 5 (the first file ended with a
    # repeat of it whose digitized flag the change flips back)
    assert results[1]["updated"] == 40 and results[1]["created"] == 60
    assert results[2]["created"] == results[2]["updated"] == 0  # re-import changes nothing
    assert snapshot["indicators"] and snapshot["days"] and snapshot["links"]
    assert any(d[5] for d in snapshot["dossiers"])  # some due dates were computed
    # The SQL pass took the bulk; only the hour-based, half-day and other-format rows went
    # through Python.
    assert 0 < len(python_calls) < (len(rows) + len(later)) / 4


def test_a_bad_file_gives_the_same_messages_and_changes_nothing(catalogue, tmp_path):
    good = varied(generated(tmp_path, 60))
    path = write_csv(tmp_path / "bad.csv", DOSSIER_COLUMNS, good[:20] + BAD + good[20:])
    with pytest.raises(ImportFailed) as slow:
        import_dossiers(path, fast_path=False)
    with pytest.raises(ImportFailed) as fast:
        import_dossiers(path)
    assert fast.value.items == slow.value.items
    assert len(fast.value.items) >= len(BAD)
    assert "line 22, column unit_code: unknown unit 'NOPE'" in fast.value.items
    assert Dossier.objects.count() == DossierDay.objects.count() == 0


def test_skip_bad_rows_keeps_the_good_ones_alike(catalogue, tmp_path):
    good = varied(generated(tmp_path, 80))
    path = write_csv(tmp_path / "bad.csv", DOSSIER_COLUMNS, good[:30] + BAD + good[30:])
    slow = run([path], fast=False, skip_bad_rows=True)
    clear()
    fast = run([path], fast=True, skip_bad_rows=True)
    assert fast == slow
    assert fast[0][0]["bad"] == len(BAD) and fast[0][0]["rows"] == len(good)


def test_a_renaming_mapping_and_a_date_format_keep_the_fast_path(catalogue, tmp_path, python_calls):
    rows = generated(tmp_path, 50)
    header = ["SoHoSo" if c == "code" else c for c in DOSSIER_COLUMNS]
    rows[0]["received_at"] = "04/03/2024 09:30"  # through the mapping's datetime_formats
    path = write_csv(tmp_path / "m.csv", header, [[r[c] for c in DOSSIER_COLUMNS] for r in rows])
    mapping = tmp_path / "m.yaml"
    mapping.write_text('columns: {code: SoHoSo}\ndatetime_formats: ["%d/%m/%Y %H:%M"]\n', encoding="utf-8")
    slow = run([path], fast=False, mapping_path=mapping)
    python_calls.clear()
    clear()
    assert run([path], fast=True, mapping_path=mapping) == slow
    assert python_calls == [2]
