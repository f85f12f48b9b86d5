"""The dossier import (:func:`import_dossiers`): on PostgreSQL a CSV file goes through the
set-based path of :mod:`cchc.procedures.fast_import`; every other file, and every other
database, through the row-by-row path here. Both give the same :class:`ImportResult`.

The row-by-row path is two-pass: pass 1 validates every row of the file (streaming, nothing
written); when any row is bad and ``skip_bad_rows`` is off, it raises ``ImportFailed`` listing
``line N, column X: reason`` for each and nothing changes. Pass 2 loads the good rows in batches
inside one transaction: for each batch it reads the stored state of the dossiers it touches,
subtracts their old rollup contribution and adds the new one, upserts the dossiers (natural key:
the dossier code), links procedures to units, and finally rewrites the indicator values of the
months it touched.
"""

from __future__ import annotations

import datetime as dt
import pickle
import tempfile
from pathlib import Path

from django.db import connection, transaction
from django.utils import timezone

from cchc.core.importing import ImportFailed, RowErrors
from cchc.procedures import fast_import, indicator_values, rules
from cchc.procedures.importers import (
    DOSSIER_FIELDS,
    DossierRow,
    DossierValidator,
    ImportResult,
    Progress,
    listed_errors,
    open_source,
)
from cchc.procedures.mapping import load_mapping
from cchc.procedures.models import Dossier, ProcedureUnit
from cchc.procedures.rollups import Delta

BATCH = 5000
LINKS_BATCH = 50000


def _validate_file(
    path, mapping, validator, progress: Progress | None, spill, *, skip_bad_rows: bool
) -> tuple[RowErrors, set[int], int]:
    """Pass 1: every row checked, nothing written to the database. The good rows are spilled
    (pickled in batches) to ``spill``, a temporary file, so that pass 2 loads them without
    reading and checking the file again; memory stays bounded by one batch. Once a row is bad
    and ``skip_bad_rows`` is off nothing will be loaded: the rest is only checked. Returns the errors,
    the bad line numbers and the number of rows."""
    errors = RowErrors()
    bad_lines: set[int] = set()
    source = open_source(path, mapping)
    try:
        missing = validator.missing_columns(source.header)
        if missing:
            raise ImportFailed(str(path), [f"line 1, column {c}: missing column" for c in missing])
        n = 0
        good: list[tuple] = []
        for line, raw in source.rows():
            n += 1
            row, problems = validator.validate(line, raw)
            if problems:
                bad_lines.add(line)
                for col, reason in problems:
                    errors.add(line, col, reason)
            elif skip_bad_rows or not errors:
                good.append(row.as_tuple())
            if n % BATCH == 0:
                if good:
                    # One pickle per batch: a shared Pickler would keep every row in its memo.
                    pickle.dump(good, spill, protocol=pickle.HIGHEST_PROTOCOL)
                    good = []
                if progress:
                    progress("validating", source.fraction(), n)
        if good:
            pickle.dump(good, spill, protocol=pickle.HIGHEST_PROTOCOL)
        if progress:
            progress("validating", 1.0, n)
        return errors, bad_lines, n
    finally:
        source.close()


def _spilled(spill):
    """The batches of good rows written by :func:`_validate_file`."""
    spill.seek(0)
    while True:
        try:
            batch = pickle.load(spill)  # noqa: S301 - our own temporary file, written just before
        except EOFError:
            return
        for values in batch:
            yield DossierRow(*values)


def _same(row: DossierRow, old: dict) -> bool:
    return all(getattr(row, f) == old[f] for f in DOSSIER_FIELDS)


def _load_batch(
    batch: dict[str, DossierRow],
    delta: Delta,
    result: ImportResult,
    touched: set[dt.date],
    links: set[tuple[int, int]],
) -> None:
    old_rows = _stored(list(batch))
    changed = []
    for code, row in batch.items():
        old = old_rows.get(code)
        if old is not None and _same(row, old):
            result.unchanged += 1
            continue
        if old is not None:
            delta.add(old, -1)
            touched.update(_span(old))
            result.updated += 1
        else:
            result.created += 1
        delta.add(row, +1)
        touched.update(_span(row))
        changed.append(row)
    if not changed:
        return
    _upsert_dossiers(changed)
    links.update((r.procedure_id, r.unit_id) for r in changed)
    if len(links) >= LINKS_BATCH:
        _write_links(links)
    delta.flush()


def _stored(codes: list[str]) -> dict[str, dict]:
    """The stored state of the dossiers with these codes (one query; most codes of a first
    import are new, so little comes back)."""
    return {
        d["code"]: d for d in Dossier.objects.filter(code__in=codes).values("code", "id", *DOSSIER_FIELDS)
    }


UPSERT_COLUMNS = ["code", *DOSSIER_FIELDS, "imported_at"]
DATETIME_FIELDS = {
    f.name
    for f in Dossier._meta.get_fields()
    if getattr(f, "get_internal_type", None) and f.get_internal_type() == "DateTimeField"
}


def _upsert_dossiers(rows: list[DossierRow]) -> None:
    """Insert or update dossiers by code. PostgreSQL: COPY into a temporary table, then one
    ``INSERT … SELECT … ON CONFLICT (code) DO UPDATE``; SQLite: ``executemany`` of the same
    upsert. Values go straight from the validated rows (no model instances)."""
    table = Dossier._meta.db_table
    cols = ", ".join(UPSERT_COLUMNS)
    updates = ", ".join(f"{c} = excluded.{c}" for c in UPSERT_COLUMNS[1:])
    now = timezone.now()
    values = [(r.code, *(getattr(r, f) for f in DOSSIER_FIELDS), now) for r in rows]
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(
                f"CREATE TEMP TABLE IF NOT EXISTS dossier_stage AS SELECT {cols} FROM {table} WITH NO DATA"  # noqa: S608
            )
            with cur.cursor.copy(f"COPY dossier_stage ({cols}) FROM STDIN") as copy:
                for v in values:
                    copy.write_row(v)
            # Table and column names are constants of this module; the values came through COPY.
            cur.execute(
                f"INSERT INTO {table} ({cols}) SELECT {cols} FROM dossier_stage "  # noqa: S608
                f"ON CONFLICT (code) DO UPDATE SET {updates}"
            )
            cur.execute("TRUNCATE dossier_stage")
        else:
            adapt = connection.ops.adapt_datetimefield_value
            moments = [i for i, c in enumerate(UPSERT_COLUMNS) if c in DATETIME_FIELDS]
            adapted = []
            for v in values:
                v = list(v)
                for i in moments:
                    if v[i] is not None:
                        v[i] = adapt(v[i])
                adapted.append(v)
            marks = ", ".join(["%s"] * len(UPSERT_COLUMNS))
            cur.executemany(
                f"INSERT INTO {table} ({cols}) VALUES ({marks}) "  # noqa: S608
                f"ON CONFLICT (code) DO UPDATE SET {updates}",
                adapted,
            )


def _write_links(links: set[tuple[int, int]]) -> None:
    """Procedure–unit links of the loaded dossiers (a unit handles the procedures it has
    dossiers of)."""
    ProcedureUnit.objects.bulk_create(
        [ProcedureUnit(procedure_id=p, unit_id=u, has_dossiers=True) for p, u in links],
        update_conflicts=True,
        unique_fields=["procedure", "unit"],
        update_fields=["has_dossiers"],
        batch_size=5000,
    )
    links.clear()


def _span(d) -> tuple[dt.date, dt.date]:
    """First and last day whose month-level KPIs a dossier affects: from receipt to finishing
    (an open dossier is in progress every month until today)."""
    get = d.get if isinstance(d, dict) else lambda name: getattr(d, name)
    first = rules.local_day(get("received_at"))
    finished = get("finished_at")
    last = rules.local_day(finished) if finished is not None else timezone.localdate()
    return first, max(first, last)


def import_dossiers(
    path: str | Path,
    *,
    mapping_path: str | Path | None = None,
    skip_bad_rows: bool = False,
    progress: Progress | None = None,
    write_indicators: bool = True,
    allowed_unit_ids: set[int] | None = None,
    fast_path: bool = True,
) -> ImportResult:
    """Import a dossier export (CSV, XLSX or JSON lines). See the module docstring.
    ``allowed_unit_ids`` (the uploader's units, for web jobs): rows of other units are bad rows.
    On PostgreSQL a CSV file goes through the set-based path of
    :mod:`cchc.procedures.fast_import` (same results); ``fast_path=False`` forces the row-by-row
    path (the tests compare the two)."""
    mapping = load_mapping(mapping_path)
    validator = DossierValidator(mapping, allowed_unit_ids=allowed_unit_ids)
    if fast_path and fast_import.eligible(path, mapping):
        return fast_import.import_csv(
            path,
            mapping,
            validator,
            skip_bad_rows=skip_bad_rows,
            progress=progress,
            write_indicators=write_indicators,
        )
    with tempfile.TemporaryFile(prefix="cchc-dossiers-") as spill:
        errors, bad_lines, _n = _validate_file(
            path, mapping, validator, progress, spill, skip_bad_rows=skip_bad_rows
        )
        if errors and not skip_bad_rows:
            raise ImportFailed(str(path), listed_errors(errors))
        result = ImportResult(bad=len(bad_lines), errors=listed_errors(errors))
        touched: set[dt.date] = set()
        links: set[tuple[int, int]] = set()
        total = max(_n - len(bad_lines), 1)
        with transaction.atomic():
            if connection.vendor == "postgresql":
                # One dossier load at a time, with the fast path (which inserts what it found new
                # without ON CONFLICT).
                with connection.cursor() as cur:
                    cur.execute("SELECT pg_advisory_xact_lock(%s)", [fast_import.DOSSIER_LOCK])
            delta = Delta()
            batch: dict[str, DossierRow] = {}
            for row in _spilled(spill):
                result.rows += 1
                if row.code in batch:
                    # A later row with the same code updates the earlier one, as a re-import would.
                    _load_batch(batch, delta, result, touched, links)
                    batch = {}
                batch[row.code] = row
                if len(batch) >= BATCH:
                    _load_batch(batch, delta, result, touched, links)
                    batch = {}
                    if progress:
                        progress("loading", result.rows / total, result.rows)
            if batch:
                _load_batch(batch, delta, result, touched, links)
            if links:
                _write_links(links)
            if progress:
                progress("loading", 1.0, result.rows)
            if touched and write_indicators:
                if progress:
                    progress("indicators", 1.0, result.rows)
                months = indicator_values.months_between(min(touched), max(touched))
                indicator_values.write_indicator_values(months)
                result.months = [f"{y:04d}-{m:02d}" for y, m in months]
            elif touched:
                result.months = [
                    f"{y:04d}-{m:02d}" for y, m in indicator_values.months_between(min(touched), max(touched))
                ]
    if connection.vendor == "postgresql" and result.created > 100000:
        with connection.cursor() as cur:
            cur.execute("ANALYZE procedures_dossier")
    return result
