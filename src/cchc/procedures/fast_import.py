"""The PostgreSQL fast path of the dossier import (CSV files).

Same behaviour as the row-by-row path of :func:`cchc.procedures.services.import_dossiers`, at
set speed:

1. The CSV is read in chunks by the C ``csv`` reader (bounded memory), values are stripped and
   blank lines skipped exactly as :func:`cchc.procedures.importers.open_source` does, and the
   rows go into a temporary staging table of text columns plus the line number through
   ``COPY … FROM STDIN``.
2. One SQL pass parses and checks every row. A row that passes every check *strictly* (ISO
   8601 ``YYYY-MM-DDTHH:MM[:SS]`` moments, known unit and procedure, valid status, channel,
   booleans and supplement count, the life-cycle constraints, a deadline given or computable in
   whole working days) is derived in SQL: the computed due date (the working-day calendar of
   :mod:`cchc.workdays` loaded into a temporary table of working days with ordinals), the
   effective deadline, the outcome and the processing time in working days.
3. Every other row (a bad row, another date format of the mapping, a deadline in hours …) goes
   through :class:`~cchc.procedures.importers.DossierValidator` itself, in line order: its
   messages (``line N, column X: reason``) and derived values are those of the Python path by
   construction.
4. Inside one transaction: created / updated / unchanged are classified against the stored
   dossiers (and, for a code repeated in the file, against its previous line, as the Python
   path does), the per-day rollups of the touched keys are adjusted by the difference of the
   old and new contributions, the changed dossiers are upserted (``INSERT … SELECT … ON CONFLICT
   (code) DO UPDATE``), procedures are linked to units, and the indicator values of the touched
   months are rewritten.

Only plain CSV qualifies (a mapping may rename columns and give date formats, not map values
or defaults); other inputs and SQLite use the Python path.
"""

from __future__ import annotations

import copy
import datetime as dt
import os
from pathlib import Path

from django.core.management.base import CommandError
from django.db import connection, transaction
from django.utils import timezone

from cchc.core.importing import ImportFailed, RowErrors
from cchc.procedures import rules
from cchc.procedures.importers import (
    DOSSIER_COLUMNS,
    DOSSIER_FIELDS,
    DossierValidator,
    csv_decode_error,
    detect_format,
    open_csv_reader,
)
from cchc.procedures.mapping import ColumnMapping
from cchc.procedures.models import Dossier, DossierDay, Procedure, ProcedureUnit

CHUNK = 100_000  # rows per COPY statement (progress is reported between them)
FALLBACK_FETCH = 5000
TZ = "Asia/Ho_Chi_Minh"
RAW = "cchc_fd_raw"
GOOD = "cchc_fd_good"
BAD = "cchc_fd_bad"


def eligible(path: str | Path, mapping: ColumnMapping) -> bool:
    """PostgreSQL, CSV, and a mapping that at most renames columns (and adds date formats)."""
    return (
        connection.vendor == "postgresql"
        and detect_format(path, mapping) == "csv"
        and not mapping.values
        and not mapping.defaults
    )


# -- SQL fragments ---------------------------------------------------------------------------------


def _ymd_ok(t: str) -> str:
    """``t`` (already shaped ``YYYY-MM-DD…``) names a real day of 1900–2200."""
    y, m, d = f"substr({t}, 1, 4)::int", f"substr({t}, 6, 2)::int", f"substr({t}, 9, 2)::int"
    leap = f"((mod({y}, 4) = 0 AND mod({y}, 100) <> 0) OR mod({y}, 400) = 0)"
    dim = f"CASE WHEN {m} IN (4, 6, 9, 11) THEN 30 WHEN {m} = 2 THEN CASE WHEN {leap} THEN 29 ELSE 28 END ELSE 31 END"
    return f"({y} BETWEEN 1900 AND 2200 AND {m} BETWEEN 1 AND 12 AND {d} BETWEEN 1 AND {dim})"


def _ts(t: str) -> str:
    """A strict ISO 8601 local date-time (Vietnam time), or NULL for anything else (other
    formats, offsets, fractions, errors: left to the Python validator). Nested CASEs so that no
    cast runs on text that does not have the shape."""
    return (
        f"(CASE WHEN {t} ~ '^[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}T[0-9]{{2}}:[0-9]{{2}}(:[0-9]{{2}})?$' THEN "
        f"CASE WHEN {_ymd_ok(t)} AND substr({t}, 12, 2)::int <= 23 AND substr({t}, 15, 2)::int <= 59 "
        f"AND (length({t}) = 16 OR substr({t}, 18, 2)::int <= 59) "
        f"THEN {t}::timestamp AT TIME ZONE '{TZ}' END END)"
    )


def _due(t: str) -> str:
    """``due_at`` may also be a date alone: the end of that day."""
    return (
        f"(CASE WHEN {t} ~ '^[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}$' THEN "
        f"CASE WHEN {_ymd_ok(t)} THEN (({t}::date + 1)::timestamp - interval '1 microsecond') "
        f"AT TIME ZONE '{TZ}' END ELSE {_ts(t)} END)"
    )


def _wtb(s: str, e: str, c1: str, c2: str) -> str:
    """Working time from local timestamp ``s`` to ``e`` (``s`` ≤ ``e``) in working days, 4
    decimals half up: :meth:`cchc.workdays.calendar.WorkCalendar.working_time_between`. ``c1``
    and ``c2`` are the calendar rows of their days; ``rt`` the province's settings."""
    first = f"(CASE WHEN {c1}.working THEN greatest(0, extract(epoch FROM least({e}, {s}::date + rt.we) - greatest({s}, {s}::date + rt.ws))) ELSE 0 END)"  # noqa: E501
    first_full = f"(CASE WHEN {c1}.working THEN greatest(0, extract(epoch FROM ({s}::date + rt.we) - greatest({s}, {s}::date + rt.ws))) ELSE 0 END)"  # noqa: E501
    last = f"(CASE WHEN {c2}.working THEN greatest(0, extract(epoch FROM least({e}, {e}::date + rt.we) - ({e}::date + rt.ws))) ELSE 0 END)"  # noqa: E501
    return (
        f"round(CASE WHEN {s}::date = {e}::date THEN {first} / rt.dsec "
        f"ELSE (({c2}.cum - {c2}.working::int) - {c1}.cum) + ({first_full} + {last}) / rt.dsec END, 4)"
    )


def _half_even_2(v: str) -> str:
    """``Decimal.quantize(Decimal('0.01'))`` (the default context rounds half to even)."""
    return (
        f"(CASE WHEN mod({v} * 10000, 100) = 50 AND mod(trunc({v} * 100), 2) = 0 "
        f"THEN trunc({v} * 100) / 100 ELSE round({v}, 2) END)"
    )


# -- streaming the file ------------------------------------------------------------------------------


def _stream(path: Path, mapping: ColumnMapping, validator: DossierValidator, progress) -> int:
    """COPY the file's rows (stripped text of our columns, with the line number) into the
    staging table; returns the number of rows (blank lines skipped, as the Python path does)."""
    size = max(os.path.getsize(path), 1)
    raw, reader, header = open_csv_reader(path, mapping)
    try:
        missing = validator.missing_columns(header)
        if missing:
            raise ImportFailed(str(path), [f"line 1, column {c}: missing column" for c in missing])
        position = {h: i for i, h in enumerate(header)}  # a repeated name: the last one wins
        index = [position.get(mapping.source_column(c)) for c in DOSSIER_COLUMNS]
        width = len(header)
        cols = ", ".join(["line", *DOSSIER_COLUMNS])
        n = 0
        done = False
        with connection.cursor() as cur:
            while not done:
                with cur.cursor.copy(f"COPY {RAW} ({cols}) FROM STDIN") as copy:
                    write = copy.write_row
                    taken = 0
                    try:
                        for values in reader:
                            stripped = [v.strip() for v in values[:width]]
                            if not any(stripped):
                                continue
                            if len(stripped) < width:
                                stripped += [""] * (width - len(stripped))
                            write((reader.line_num, *["" if i is None else stripped[i] for i in index]))
                            taken += 1
                            if taken >= CHUNK:
                                break
                        else:
                            done = True
                    except UnicodeDecodeError as exc:
                        raise csv_decode_error(path, mapping, reader, exc) from None
                n += taken
                if progress:
                    progress("validating", 0.5 * raw.tell() / size, n)
        return n
    finally:
        raw.close()


# -- the calendar ------------------------------------------------------------------------------------


def _load_calendars(cur, validator: DossierValidator) -> None:
    """Working days with ordinals (``cchc_fd_cal``: every day with its working flag and the
    number of working days up to it; ``cchc_fd_wd``: the n-th working day) and the settings
    (``cchc_fd_root``) of each province with dossiers in the file, over the years of the file
    plus room for the longest time limit."""
    cur.execute(
        f"""SELECT split_part(btrim(u.path, '/'), '/', 1)::int, min(u.path),
                   min(substr(r.received_at, 1, 4)) FILTER (WHERE r.received_at ~ '^[0-9]{{4}}-'),
                   max(greatest(substr(r.received_at, 1, 4), substr(r.finished_at, 1, 4),
                                substr(r.supplement_received_at, 1, 4)))
                     FILTER (WHERE r.received_at ~ '^[0-9]{{4}}-')
            FROM {RAW} r JOIN orgs_orgunit u ON u.code = r.unit_code GROUP BY 1"""  # noqa: S608
    )
    roots = cur.fetchall()
    longest = Procedure.objects.exclude(processing_days=None).order_by("-processing_days")
    longest = longest.values_list("processing_days", flat=True).first() or 0
    cal_rows, wd_rows, root_rows = [], [], []
    for root, path, first, last in roots:
        if not first or not (first.isdigit() and last and last.isdigit()):
            continue
        y0 = max(int(first), 1900)
        y1 = min(max(int(last), y0), 2200) + int(longest) // 240 + 2
        cal = validator.calendar_for(path)
        cal._ensure_years(y0, y1)
        working = set(cal._ordinals)
        cum = 0
        for o in range(dt.date(y0, 1, 1).toordinal(), dt.date(y1, 12, 31).toordinal() + 1):
            day = dt.date.fromordinal(o)
            w = o in working
            if w:
                cum += 1
                wd_rows.append((root, cum, day))
            cal_rows.append((root, day, w, cum))
        dsec = dt.datetime.combine(dt.date.min, cal.work_end) - dt.datetime.combine(
            dt.date.min, cal.work_start
        )
        root_rows.append(
            (
                root,
                cal.cutoff,
                cal.clock_starts_next_day,
                cal.work_start,
                cal.work_end,
                str(dsec.total_seconds()),
            )
        )
    for table, rows, cols in (
        ("cchc_fd_cal", cal_rows, "root, day, working, cum"),
        ("cchc_fd_wd", wd_rows, "root, n, day"),
        ("cchc_fd_root", root_rows, "root, cutoff, clock_next, ws, we, dsec"),
    ):
        with cur.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    cur.execute("ANALYZE cchc_fd_cal; ANALYZE cchc_fd_wd; ANALYZE cchc_fd_root")


# -- the pipeline ------------------------------------------------------------------------------------

GOOD_COLUMNS = ["line", "code", *DOSSIER_FIELDS]


def _setup(cur) -> None:
    text_cols = ", ".join(f"{c} text" for c in DOSSIER_COLUMNS)
    cur.execute(
        f"""
        DROP TABLE IF EXISTS {RAW}, {GOOD}, {BAD}, cchc_fd_cal, cchc_fd_wd, cchc_fd_root;
        CREATE TEMP TABLE {RAW} (line int PRIMARY KEY, {text_cols});
        CREATE TEMP TABLE cchc_fd_cal (root int, day date, working boolean, cum int, PRIMARY KEY (root, day));
        CREATE TEMP TABLE cchc_fd_wd (root int, n int, day date, PRIMARY KEY (root, n));
        CREATE TEMP TABLE cchc_fd_root (root int PRIMARY KEY, cutoff time, clock_next boolean,
                                        ws time, we time, dsec numeric);
        CREATE TEMP TABLE {BAD} (line int PRIMARY KEY);
        """
    )


def _teardown() -> None:
    with connection.cursor() as cur:
        cur.execute(
            f"DROP TABLE IF EXISTS {RAW}, {GOOD}, {BAD}, cchc_fd_cal, cchc_fd_wd, cchc_fd_root, "
            "cchc_fd_cls, cchc_fd_final, cchc_fd_old"
        )


def _derive_sql(allowed: bool) -> str:
    """The strictly valid rows with their derived values (the GOOD table)."""
    statuses = ", ".join(f"'{s}'" for s in sorted(rules.STATUSES))
    resolved = ", ".join(f"'{s}'" for s in sorted(rules.RESOLVED_STATUSES))
    withdrawn = ", ".join(f"'{s}'" for s in sorted(rules.WITHDRAWN_STATUSES))
    opened = ", ".join(f"'{s}'" for s in sorted(rules.OPEN_STATUSES))
    flags = "('', '0', '1', 'true', 'True', 'false', 'False')"
    allowed_check = "AND p.unit_id = ANY(%(allowed)s)" if allowed else ""
    return f"""
    CREATE TEMP TABLE {GOOD} AS
    WITH p0 AS MATERIALIZED (
      SELECT r.line, r.code, r.status, r.channel, r.supplement_count, u.id unit_id,
             split_part(btrim(u.path, '/'), '/', 1)::int root, pr.id procedure_id,
             pr.processing_days pdays,
             r.received_at = '' raw_rec_empty, {_ts("r.received_at")} rec,
             r.due_at = '' raw_due_empty, {_due("r.due_at")} due_given,
             r.finished_at = '' raw_fin_empty, {_ts("r.finished_at")} fin,
             r.returned_at = '' raw_ret_empty, {_ts("r.returned_at")} ret,
             r.supplement_requested_at = '' raw_sreq_empty, {_ts("r.supplement_requested_at")} sreq,
             r.supplement_received_at = '' raw_srec_empty, {_ts("r.supplement_received_at")} srec,
             r.digitized IN {flags} AND r.paid_online IN {flags} AND r.apology_issued IN {flags} ok_flags,
             r.digitized IN ('1', 'true', 'True') digitized,
             r.paid_online IN ('1', 'true', 'True') paid_online,
             r.apology_issued IN ('1', 'true', 'True') apology_issued
      FROM {RAW} r
      LEFT JOIN orgs_orgunit u ON u.code = r.unit_code
      LEFT JOIN procedures_procedure pr ON pr.code = r.procedure_code
    ), p AS (
      SELECT p0.*,
        (raw_due_empty OR due_given IS NOT NULL) ok_due,
        (raw_fin_empty OR fin IS NOT NULL) ok_fin,
        (raw_ret_empty OR ret IS NOT NULL) ok_ret,
        (raw_sreq_empty OR sreq IS NOT NULL) ok_sreq,
        (raw_srec_empty OR srec IS NOT NULL) ok_srec,
        supplement_count ~ '^[0-9]{{0,4}}$' ok_count,
        CASE WHEN supplement_count ~ '^[0-9]{{1,4}}$' THEN supplement_count::int ELSE 0 END scount
      FROM p0
    ), v AS (
      SELECT p.* FROM p
      WHERE p.code <> '' AND length(p.code) <= 100 AND p.unit_id IS NOT NULL {allowed_check}
        AND p.procedure_id IS NOT NULL AND p.status IN ({statuses})
        AND p.channel IN ('online', 'direct', 'postal')
        AND p.rec IS NOT NULL AND p.ok_due AND p.ok_fin AND p.ok_ret AND p.ok_sreq AND p.ok_srec
        AND p.ok_count AND p.ok_flags
        -- the life-cycle constraints (cchc.procedures.rules.check_consistency)
        AND NOT (p.status IN ({resolved}, {withdrawn}) AND p.fin IS NULL)
        AND NOT (p.status IN ({opened}) AND p.fin IS NOT NULL)
        AND NOT (p.fin IS NOT NULL AND p.fin < p.rec)
        AND NOT (p.ret IS NOT NULL AND p.status <> 'returned')
        AND NOT (p.ret IS NOT NULL AND p.fin IS NOT NULL AND p.ret < p.fin)
        AND NOT (p.srec IS NOT NULL AND p.sreq IS NULL)
        AND NOT (p.sreq IS NOT NULL AND p.sreq < p.rec)
        AND NOT (p.sreq IS NOT NULL AND p.srec IS NOT NULL AND p.srec < p.sreq)
        AND NOT (p.sreq IS NOT NULL AND p.scount < 1)
        AND NOT (p.status = 'supplement' AND (p.sreq IS NULL OR p.srec IS NOT NULL))
        -- what the fast path derives itself; the rest goes through Python
        AND (p.due_given IS NOT NULL OR (p.pdays IS NOT NULL AND p.pdays = trunc(p.pdays)))
        AND NOT (p.status IN ({resolved}) AND p.sreq IS NOT NULL AND p.sreq > p.fin)
    ), l AS MATERIALIZED (
      SELECT v.*, v.rec AT TIME ZONE '{TZ}' lrec, v.fin AT TIME ZONE '{TZ}' lfin,
             v.sreq AT TIME ZONE '{TZ}' lsreq,
             least(coalesce(v.srec, v.fin), v.fin) AT TIME ZONE '{TZ}' lback
      FROM v
    ), d AS MATERIALIZED (
      SELECT l.*, rt.root rt_root,
        coalesce(l.due_given,
          ((wd.day + 1)::timestamp - interval '1 microsecond') AT TIME ZONE '{TZ}') due,
        l.due_given IS NULL due_at_computed, wd.day due_day,
        CASE WHEN l.status IN ({resolved}) THEN
          {_half_even_2(f"greatest({_wtb('l.lrec', 'l.lfin', 'c1', 'c2')} - CASE WHEN l.sreq IS NULL THEN 0 ELSE {_wtb('l.lsreq', 'l.lback', 'c3', 'c4')} END, 0)")}
        END processing_days,
        (l.status NOT IN ({resolved}) OR (c1.day IS NOT NULL AND c2.day IS NOT NULL
          AND (l.sreq IS NULL OR (c3.day IS NOT NULL AND c4.day IS NOT NULL)))) ok_cal
      FROM l
      LEFT JOIN cchc_fd_root rt ON rt.root = l.root
      LEFT JOIN cchc_fd_cal c0 ON c0.root = l.root AND c0.day = l.lrec::date AND l.due_given IS NULL
      LEFT JOIN cchc_fd_wd wd ON wd.root = l.root AND l.due_given IS NULL AND wd.n =
        CASE WHEN c0.working AND NOT (rt.cutoff IS NOT NULL AND l.lrec::time > rt.cutoff)
             THEN c0.cum ELSE c0.cum + 1 END
        + greatest(CASE WHEN rt.clock_next THEN l.pdays ELSE l.pdays - 1 END, 0)::int
      LEFT JOIN cchc_fd_cal c1 ON c1.root = l.root AND c1.day = l.lrec::date AND l.status IN ({resolved})
      LEFT JOIN cchc_fd_cal c2 ON c2.root = l.root AND c2.day = l.lfin::date AND l.status IN ({resolved})
      LEFT JOIN cchc_fd_cal c3 ON c3.root = l.root AND c3.day = l.lsreq::date AND l.status IN ({resolved})
      LEFT JOIN cchc_fd_cal c4 ON c4.root = l.root AND c4.day = l.lback::date AND l.status IN ({resolved})
    ), e AS (
      SELECT d.*,
        CASE WHEN d.sreq IS NULL OR (d.fin IS NOT NULL AND d.sreq > d.fin) THEN d.due
             WHEN d.srec IS NOT NULL AND (d.fin IS NULL OR d.srec <= d.fin)
               THEN d.due + greatest(extract(epoch FROM d.srec - d.sreq), 0) * interval '1 second'
             WHEN d.fin IS NOT NULL
               THEN d.due + greatest(extract(epoch FROM d.fin - d.sreq), 0) * interval '1 second'
        END eff
      FROM d WHERE d.due IS NOT NULL AND d.rt_root IS NOT NULL AND d.ok_cal
    )
    SELECT e.line, e.code, e.unit_id, e.procedure_id, e.rec received_at, e.due due_at, e.due_at_computed,
      e.fin finished_at, e.ret returned_at, e.status::varchar(12) status, e.channel::varchar(8) channel,
      e.sreq supplement_requested_at, e.srec supplement_received_at, e.scount::smallint supplement_count,
      e.digitized, e.paid_online, e.apology_issued, e.eff effective_due_at,
      (CASE WHEN e.status IN ({resolved}) THEN
        CASE WHEN e.scount > 1 OR e.fin > e.eff THEN 'late'
             WHEN (e.fin AT TIME ZONE '{TZ}')::date < (e.eff AT TIME ZONE '{TZ}')::date THEN 'early'
             ELSE 'on_time' END
       ELSE '' END)::varchar(8) outcome,
      e.processing_days::numeric(8, 2) processing_days
    FROM e
    """  # noqa: S608, E501


def _fallback(validator: DossierValidator, skip_bad_rows: bool) -> tuple[RowErrors, int]:
    """The rows the SQL pass did not take, through the Python validator in line order: errors,
    and the good ones (another date format, a deadline in hours …) added to the GOOD table."""
    # The staged columns already carry our names: the validator reads them unmapped (the
    # mapping's date formats still apply).
    validator = copy.copy(validator)
    validator.mapping = ColumnMapping(datetime_formats=validator.mapping.datetime_formats)
    errors = RowErrors()
    bad = 0
    cols = ", ".join(f"r.{c}" for c in DOSSIER_COLUMNS)
    name = "cchc_fd_rest"
    # A named (server-side) cursor keeps memory bounded when a file is mostly bad.
    with connection.connection.cursor(name=name) as rest:
        rest.itersize = FALLBACK_FETCH
        rest.execute(
            f"SELECT r.line, {cols} FROM {RAW} r WHERE NOT EXISTS "  # noqa: S608
            f"(SELECT 1 FROM {GOOD} g WHERE g.line = r.line) ORDER BY r.line"
        )
        good, bad_lines = [], []
        for values in rest:
            line, raw = values[0], dict(zip(DOSSIER_COLUMNS, values[1:], strict=True))
            row, problems = validator.validate(line, raw)
            if problems:
                bad += 1
                bad_lines.append((line,))
                for col, reason in problems:
                    errors.add(line, col, reason)
            elif skip_bad_rows or not errors:
                good.append(tuple(getattr(row, c) for c in GOOD_COLUMNS))
            if len(good) >= FALLBACK_FETCH or len(bad_lines) >= FALLBACK_FETCH:
                _flush_fallback(good, bad_lines)
        _flush_fallback(good, bad_lines)
    return errors, bad


def _flush_fallback(good: list, bad_lines: list) -> None:
    with connection.connection.cursor() as cur:
        if good:
            with cur.copy(f"COPY {GOOD} ({', '.join(GOOD_COLUMNS)}) FROM STDIN") as copy:
                for row in good:
                    copy.write_row(row)
        if bad_lines:
            with cur.copy(f"COPY {BAD} (line) FROM STDIN") as copy:
                for row in bad_lines:
                    copy.write_row(row)
    good.clear()
    bad_lines.clear()


def _contribution_sql(src: str, sign: str) -> str:
    """The rollup increments of the dossiers in ``src`` (cchc.procedures.rollups.contributions)."""
    resolved = ", ".join(f"'{s}'" for s in sorted(rules.RESOLVED_STATUSES))
    withdrawn = ", ".join(f"'{s}'" for s in sorted(rules.WITHDRAWN_STATUSES))
    zero = {c: "0" for c in DossierDay.COUNTERS}
    rec = dict(zero)
    rec.update(
        received="1",
        received_online="(channel = 'online')::int",
        received_direct="(channel = 'direct')::int",
        received_postal="(channel = 'postal')::int",
        digitized="digitized::int",
        paid_online="paid_online::int",
    )
    fin = dict(zero)
    fin.update(
        resolved=f"(status IN ({resolved}))::int",
        resolved_early=f"(status IN ({resolved}) AND outcome = 'early')::int",
        resolved_on_time=f"(status IN ({resolved}) AND outcome = 'on_time')::int",
        resolved_late=f"(status IN ({resolved}) AND outcome = 'late')::int",
        late_without_apology=f"(status IN ({resolved}) AND outcome = 'late' AND NOT apology_issued)::int",
        processing_days_sum=f"CASE WHEN status IN ({resolved}) THEN coalesce(processing_days, 0) ELSE 0 END",
        withdrawn=f"(status IN ({withdrawn}))::int",
    )

    def sel(values, day, where):
        counters = ", ".join(f"{sign}({values[c]}) {c}" for c in DossierDay.COUNTERS)
        return f"SELECT unit_id, procedure_id, {day} AS day, {counters} FROM {src} {where}"  # noqa: S608

    return (
        sel(rec, f"(received_at AT TIME ZONE '{TZ}')::date", "")
        + " UNION ALL "
        + sel(
            fin,
            f"(finished_at AT TIME ZONE '{TZ}')::date",
            f"WHERE finished_at IS NOT NULL AND status IN ({resolved}, {withdrawn})",
        )
    )


def _load(cur, result) -> tuple[dt.date, dt.date] | None:
    """Classify, adjust the rollups, upsert, link. Returns the first and last touched day."""
    table = Dossier._meta.db_table
    fields = DOSSIER_FIELDS
    same = " AND ".join(f"c.{f} IS NOT DISTINCT FROM c.prev_{f}" for f in fields)
    prev = ", ".join(
        f"CASE WHEN lag(g.line) OVER w IS NULL THEN s.{f} ELSE lag(g.{f}) OVER w END prev_{f}" for f in fields
    )
    cur.execute("DROP TABLE IF EXISTS cchc_fd_cls, cchc_fd_final, cchc_fd_old")
    # Each row against the previous line of the same code, or the stored dossier for the first.
    cur.execute(
        f"""CREATE TEMP TABLE cchc_fd_cls AS
        SELECT c.*, CASE WHEN NOT c.has_prev THEN 'created' WHEN {same} THEN 'unchanged'
                         ELSE 'updated' END kind
        FROM (SELECT g.*, (lag(g.line) OVER w IS NOT NULL OR s.id IS NOT NULL) has_prev,
                     (lead(g.line) OVER w IS NULL) is_last, s.id stored_id, {prev}
              FROM {GOOD} g LEFT JOIN {table} s ON s.code = g.code
              WINDOW w AS (PARTITION BY g.code ORDER BY g.line)) c"""  # noqa: S608
    )
    cur.execute("SELECT kind, count(*) FROM cchc_fd_cls GROUP BY kind")
    counts = dict(cur.fetchall())
    result.created = counts.get("created", 0)
    result.updated = counts.get("updated", 0)
    result.unchanged = counts.get("unchanged", 0)
    if not (result.created or result.updated):
        return None
    # The net change per code: the last line against the stored dossier.
    cur.execute(
        f"""CREATE TEMP TABLE cchc_fd_final AS
        SELECT c.* FROM cchc_fd_cls c WHERE c.is_last AND EXISTS
          (SELECT 1 FROM cchc_fd_cls x WHERE x.code = c.code AND x.kind <> 'unchanged');
        CREATE TEMP TABLE cchc_fd_old AS
        SELECT s.* FROM {table} s JOIN cchc_fd_final f ON f.stored_id = s.id"""  # noqa: S608
    )
    counters = ", ".join(DossierDay.COUNTERS)
    sums = ", ".join(f"sum({c}) {c}" for c in DossierDay.COUNTERS)
    nonzero = " OR ".join(f"sum({c}) <> 0" for c in DossierDay.COUNTERS)
    updates = ", ".join(f"{c} = t.{c} + excluded.{c}" for c in DossierDay.COUNTERS)
    day_table = DossierDay._meta.db_table
    cur.execute(
        f"""INSERT INTO {day_table} AS t (unit_id, procedure_id, day, {counters})
        SELECT unit_id, procedure_id, day, {sums} FROM (
          {_contribution_sql("cchc_fd_final", "+")} UNION ALL {_contribution_sql("cchc_fd_old", "-")}
        ) x GROUP BY unit_id, procedure_id, day HAVING {nonzero}
        ON CONFLICT (unit_id, procedure_id, day) DO UPDATE SET {updates}"""  # noqa: S608
    )
    cols = ", ".join(["code", *fields, "imported_at"])
    sets = ", ".join(f"{c} = excluded.{c}" for c in [*fields, "imported_at"])
    differs = " OR ".join(f"t.{c} IS DISTINCT FROM excluded.{c}" for c in fields)
    cur.execute(
        f"""INSERT INTO {table} AS t ({cols})
        SELECT code, {", ".join(fields)}, %s FROM cchc_fd_final
        ON CONFLICT (code) DO UPDATE SET {sets} WHERE {differs}""",  # noqa: S608
        [timezone.now()],
    )
    links = ProcedureUnit._meta.db_table
    cur.execute(
        f"""INSERT INTO {links} (procedure_id, unit_id, has_dossiers, linked_by_admin)
        SELECT DISTINCT procedure_id, unit_id, true, false FROM cchc_fd_cls WHERE kind <> 'unchanged'
        ON CONFLICT (procedure_id, unit_id) DO UPDATE SET has_dossiers = true"""  # noqa: S608
    )
    # The days whose KPIs changed: from receipt to finishing (an open dossier: until today),
    # of each changed row and of what it replaced.
    today = timezone.localdate()
    span = f"""SELECT (received_at AT TIME ZONE '{TZ}')::date a,
                      greatest((received_at AT TIME ZONE '{TZ}')::date,
                               coalesce((finished_at AT TIME ZONE '{TZ}')::date, %(today)s)) b"""
    prev_span = f"""SELECT (prev_received_at AT TIME ZONE '{TZ}')::date a,
                      greatest((prev_received_at AT TIME ZONE '{TZ}')::date,
                               coalesce((prev_finished_at AT TIME ZONE '{TZ}')::date, %(today)s)) b"""
    cur.execute(
        f"""SELECT min(a), max(b) FROM (
          {span} FROM cchc_fd_cls WHERE kind <> 'unchanged'
          UNION ALL {prev_span} FROM cchc_fd_cls WHERE kind = 'updated') x""",  # noqa: S608
        {"today": today},
    )
    first, last = cur.fetchone()
    return first, last


def import_csv(
    path,
    mapping: ColumnMapping,
    validator: DossierValidator,
    *,
    skip_bad_rows,
    progress,
    write_indicators,
    result_cls,
    max_errors: int,
):
    """The fast path; same contract as :func:`cchc.procedures.services.import_dossiers`."""
    from cchc.procedures.services import months_between, write_indicator_values

    path = Path(path)
    if not path.exists():
        raise CommandError(f"{path}: file not found")
    try:
        with connection.cursor() as cur:
            _setup(cur)
        n = _stream(path, mapping, validator, progress)
        with connection.cursor() as cur:
            cur.execute(f"ANALYZE {RAW}")
            _load_calendars(cur, validator)
            allowed = validator.allowed_unit_ids is not None
            cur.execute(_derive_sql(allowed), {"allowed": sorted(validator.allowed_unit_ids or [])})
            cur.execute(f"CREATE INDEX ON {GOOD} (line)")
        with transaction.atomic():
            errors, bad = _fallback(validator, skip_bad_rows)
        if progress:
            progress("validating", 1.0, n)
        more = len(errors.items) - max_errors
        listed = errors.items[:max_errors] + ([f"… and {more} more error(s)"] if more > 0 else [])
        if errors and not skip_bad_rows:
            raise ImportFailed(str(path), listed)
        result = result_cls(bad=bad, errors=listed)
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(f"SELECT count(*) FROM {GOOD}")  # noqa: S608
            result.rows = cur.fetchone()[0]
            if progress:
                progress("loading", 0.0, result.rows)
            span = _load(cur, result)
            if progress:
                progress("loading", 1.0, result.rows)
            if span is not None:
                months = months_between(*span)
                result.months = [f"{y:04d}-{m:02d}" for y, m in months]
                if write_indicators:
                    if progress:
                        progress("indicators", 1.0, result.rows)
                    write_indicator_values(months)
        if result.created > 100000:
            with connection.cursor() as cur:
                cur.execute(f"ANALYZE {Dossier._meta.db_table}")
        return result
    finally:
        if connection.connection is not None and not connection.needs_rollback:
            _teardown()
