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
from cchc.procedures.models import Dossier, DossierDay, DossierMonth, ProcedureUnit
from cchc.procedures.row_import import import_dossiers
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
    DossierMonth.objects.all().delete()
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

    # The first file again at the end: its repeated code is now a stored one.
    slow = run([first, second, second, first], fast=False)
    python_calls.clear()
    clear()
    fast = run([first, second, second, first], fast=True)
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
    assert 0 < len(python_calls) < (2 * len(rows) + len(later)) / 4


def test_a_bad_file_gives_the_same_messages_and_changes_nothing(catalogue, tmp_path):
    good = varied(generated(tmp_path, 60))
    path = write_csv(tmp_path / "bad.csv", DOSSIER_COLUMNS, good[:20] + BAD + good[20:])
    with pytest.raises(ImportFailed) as slow:
        import_dossiers(path, fast_path=False)
    with pytest.raises(ImportFailed) as fast:
        import_dossiers(path)
    assert fast.value.items == slow.value.items
    assert len(fast.value.items) >= len(BAD)
    assert "line 22, column unit_code: không có đơn vị 'NOPE'" in fast.value.items
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


@pytest.fixture
def streams(monkeypatch):
    """Which way each file was staged: 'server' (sent as it is to COPY … FORMAT csv) or
    'python' (read with Python's csv module)."""
    from cchc.procedures import fast_import

    used = []
    original = fast_import._stream_server

    def spy(*args, **kwargs):
        n = original(*args, **kwargs)
        used.append("python" if n is None else "server")
        return n

    monkeypatch.setattr(fast_import, "_stream_server", spy)
    return used


def write_text(path: Path, lines: list[str], newline: str = "\n") -> Path:
    path.write_bytes(newline.join(lines).encode("utf-8") + newline.encode())
    return path


def test_files_the_server_reads_and_files_python_reads_load_alike(catalogue, tmp_path, streams):
    rows = generated(tmp_path, 60)
    header = [*DOSSIER_COLUMNS, "note"]  # an extra column: ignored
    plain = [",".join([*(r[c] for c in DOSSIER_COLUMNS), "x"]) for r in rows]
    plain[3] = plain[3].replace(rows[3]["code"], f" {rows[3]['code']}  ")  # stripped by Python
    plain[4] = ",".join([""] * len(header))  # a row of empty values: skipped
    variants = {
        "lf": (plain, "\n", "server"),
        "crlf": (plain, "\r\n", "server"),
        "a quoted field": ([*plain[:7], plain[7].replace(",x", ',"x, y"')], "\n", "python"),
        "a short row": ([*plain[:9], plain[9].rsplit(",", 3)[0]], "\n", "python"),
        "a blank line": ([*plain[:5], "", *plain[5:]], "\n", "python"),
        "the end-of-data mark": ([*plain[:5], "\\.", *plain[5:]], "\n", "python"),
    }
    for name, (lines, newline, expected) in variants.items():
        path = write_text(tmp_path / f"{name}.csv", [",".join(header), *lines], newline)
        clear()
        try:
            slow = run([path], fast=False)
        except ImportFailed as exc:
            slow = exc.items
        clear()
        streams.clear()
        try:
            fast = run([path], fast=True)
        except ImportFailed as exc:
            fast = exc.items
        assert fast == slow, name
        assert streams == [expected], name
    # the short row and the end-of-data mark are reported with their line numbers
    assert any(item.startswith("line 7,") for item in fast)


def test_a_big_load_rebuilds_the_indexes(catalogue, tmp_path, monkeypatch):
    from cchc.procedures import fast_import

    def indexes() -> set[tuple[str, str]]:
        with connection.cursor() as cur:
            cur.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN (%s, %s)",
                [Dossier._meta.db_table, DossierDay._meta.db_table],
            )
            return set(cur.fetchall())

    before = indexes()
    path = write_csv(tmp_path / "all.csv", DOSSIER_COLUMNS, generated(tmp_path, 120))
    slow = run([path], fast=False)
    clear()
    monkeypatch.setattr(fast_import, "BULK_ROWS", 10)  # 120 rows into an empty table: a bulk load
    assert run([path], fast=True) == slow
    assert indexes() == before
    monkeypatch.setattr(fast_import, "BULK_ROWS", 10_000)


def test_stale_staging_tables_are_dropped(catalogue, tmp_path):
    with connection.cursor() as cur:
        cur.execute("CREATE UNLOGGED TABLE cchc_fd_file_2147480000 (line int)")
        cur.execute("CREATE UNLOGGED TABLE cchc_fd_good_2147480000 (line int)")
    import_dossiers(write_csv(tmp_path / "a.csv", DOSSIER_COLUMNS, generated(tmp_path, 5)))
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM pg_class WHERE relname LIKE 'cchc\\_fd\\_%%'")
        assert cur.fetchone()[0] == 0  # neither the stale tables nor this import's


@pytest.mark.parametrize("cutoff, next_day", [(None, False), ("16:00", True), ("11:00", False)])
def test_computed_deadlines_follow_the_province_settings(catalogue, tmp_path, cutoff, next_day, python_calls):
    import datetime as dt

    from cchc.workdays.models import CalendarSettings

    CalendarSettings.objects.create(
        province=catalogue.P,
        afternoon_cutoff=dt.time.fromisoformat(cutoff) if cutoff else None,
        clock_starts_next_day=next_day,
        work_start=dt.time(8, 0),
        work_end=dt.time(16, 30),
    )
    rows = [dict(r, due_at="") for r in generated(tmp_path, 120)]
    path = write_csv(tmp_path / "due.csv", DOSSIER_COLUMNS, rows)
    slow = run([path], fast=False)
    clear()
    python_calls.clear()
    assert run([path], fast=True) == slow
    assert python_calls == []  # every row derived in SQL


def test_years_before_1976_go_through_python_alike(catalogue, tmp_path, python_calls):
    rows = generated(tmp_path, 30)
    for r in rows[:3]:
        for col in ("received_at", "due_at", "finished_at", "returned_at"):
            if r[col]:
                r[col] = "1970" + r[col][4:]
    path = write_csv(tmp_path / "old.csv", DOSSIER_COLUMNS, rows)
    slow = run([path], fast=False)
    clear()
    python_calls.clear()
    assert run([path], fast=True) == slow
    assert python_calls == [2, 3, 4]


def test_a_unit_or_procedure_with_dossiers_cannot_be_deleted(catalogue, tmp_path):
    from django.db.models import ProtectedError

    from cchc.orgs.models import OrgUnit
    from cchc.procedures.models import Procedure

    import_dossiers(write_csv(tmp_path / "a.csv", DOSSIER_COLUMNS, generated(tmp_path, 20)))
    d = Dossier.objects.select_related("unit", "procedure").first()
    with pytest.raises(ProtectedError):
        OrgUnit.objects.get(pk=d.unit_id).delete()
    with pytest.raises(ProtectedError):
        Procedure.objects.get(pk=d.procedure_id).delete()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("fast", [True, False])
def test_dossier_loads_wait_for_each_other(catalogue, tmp_path, fast):
    """The loading step takes the dossier lock (the fast path inserts what it found new without
    ON CONFLICT): while another session holds it, an import waits, and goes on once it is free."""
    import threading

    import psycopg
    from django.db import connections

    from cchc.procedures import fast_import

    path = write_csv(tmp_path / "a.csv", DOSSIER_COLUMNS, generated(tmp_path, 20))
    params = connection.get_connection_params()
    other = psycopg.connect(**{k: v for k, v in params.items() if k != "cursor_factory"}, autocommit=True)
    other.execute("SELECT pg_advisory_lock(%s)", [fast_import.DOSSIER_LOCK])
    done = threading.Event()

    def run():
        try:
            import_dossiers(path, fast_path=fast)
        finally:
            connections.close_all()
            done.set()

    worker = threading.Thread(target=run)
    worker.start()
    try:
        assert not done.wait(2)  # held: the import waits
        assert Dossier.objects.count() == 0
    finally:
        other.execute("SELECT pg_advisory_unlock(%s)", [fast_import.DOSSIER_LOCK])
        other.close()
    assert done.wait(60)
    worker.join()
    assert Dossier.objects.count() == 20
