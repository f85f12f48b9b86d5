"""The PostgreSQL fast path of the dossier import (CSV files).

Same behaviour as the row-by-row path of :func:`cchc.procedures.row_import.import_dossiers`, at
set speed (bench/README.md has the figures):

1. Staging. A plain UTF-8 file (no quote character, no blank line: one record per line) is sent
   as it is to the server's CSV reader (``COPY … (FORMAT csv)``), so that no Python runs per
   row; any other file, or one the server refuses, is read in chunks by Python's ``csv`` module,
   values stripped and blank lines skipped as :func:`cchc.procedures.importers.open_source`
   does. Either way the rows land, as text with their line numbers, in an UNLOGGED staging
   table (:class:`_Staging`) that parallel workers can read.
2. One SQL pass checks every row and derives its values. A row passes when every check holds
   *strictly*: ISO 8601 ``YYYY-MM-DDTHH:MM[:SS]`` moments of 1976 or later (one ``translate``
   and a hashed lookup check the shapes of all the row's moments), known unit and procedure,
   valid status, channel, booleans and supplement count, the life-cycle constraints, a deadline
   given or computable in whole working days. Moments are handled as integers and the
   working-day calendars of :mod:`cchc.workdays` as array constants (:class:`_Calendars`):
   computed due date, effective deadline, outcome and processing time in working days.
3. Every other row (a bad row, another date format of the mapping, a deadline in hours, stray
   spaces …) goes through :class:`~cchc.procedures.importers.DossierValidator` itself, in line
   order: its messages (``line N, column X: reason``) and derived values are those of the
   Python path by construction.
4. Inside one transaction, one import at a time (an advisory lock): created / updated /
   unchanged are classified against the stored dossiers (and, for a code repeated in the file,
   against its previous line, as the Python path does); the per-day rollups are adjusted by the
   difference of the new and old contributions; the changed dossiers are written (plain
   inserts when every code is new, else ``INSERT … ON CONFLICT (code) DO UPDATE``); procedures
   are linked to units; the indicator values of the touched months are rewritten. A load at
   least as big as half the table rebuilds the secondary indexes of the dossier and rollup
   tables instead of maintaining them row by row (:func:`_bulk_indexes`).

Only plain CSV qualifies (a mapping may rename columns and give date formats, not map values
or defaults); other inputs and SQLite use the Python path.
"""

from __future__ import annotations

import copy
import csv
import datetime as dt
import os
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from django.db import DatabaseError, IntegrityError, ProgrammingError, connection, transaction
from django.utils import timezone

from cchc.core.errors import require_file
from cchc.core.importing import ImportFailed, RowErrors, csv_field_error
from cchc.procedures import indicator_values, rules
from cchc.procedures.importers import (
    DOSSIER_COLUMNS,
    DOSSIER_FIELDS,
    DossierValidator,
    ImportResult,
    csv_decode_error,
    detect_format,
    listed_errors,
    open_csv_reader,
)
from cchc.procedures.mapping import ColumnMapping
from cchc.procedures.models import Dossier, DossierDay, DossierMonth, Procedure, ProcedureUnit

CHUNK = 100_000  # rows per COPY statement (progress is reported between them)
FALLBACK_FETCH = 5000
TZ = "Asia/Ho_Chi_Minh"


@dataclass
class _Staging:
    """The staging tables that the SQL pass reads: UNLOGGED tables named after the server
    process, not temporary ones, because PostgreSQL's parallel workers cannot read a session's
    temporary tables and the checks of a big file run about 1.7× faster on two cores. ``file``
    holds the file's rows as text with their line numbers; ``raw`` is a view of it with our
    column names. They are dropped at the end of the import, and those of a crashed import by
    the next one."""

    file: str
    raw: str
    unit: str
    proc: str
    good: str
    columns: dict[str, str] = field(default_factory=dict)  # ours → the file table's

    @classmethod
    def for_connection(cls) -> _Staging:
        pid = connection.connection.info.backend_pid
        return cls(*(f"cchc_fd_{name}_{pid}" for name in ("file", "raw", "unit", "proc", "good")))

    @property
    def tables(self) -> str:
        return f"{self.file}, {self.unit}, {self.proc}, {self.good}"


def _drop_stale_staging(cur) -> None:
    """The staging tables of imports whose server process is gone (a crash, a kill)."""
    cur.execute(
        """SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = current_schema() AND c.relkind = 'r' AND c.relpersistence = 'u'
          AND c.relname ~ '^cchc_fd_(file|unit|proc|good)_[0-9]+$'
          AND substring(c.relname from '[0-9]+$')::int NOT IN (SELECT pid FROM pg_stat_activity)"""
    )
    for (name,) in cur.fetchall():
        cur.execute(f'DROP TABLE IF EXISTS "{name}" CASCADE')


def eligible(path: str | Path, mapping: ColumnMapping) -> bool:
    """PostgreSQL, CSV, and a mapping that at most renames columns (and adds date formats)."""
    return (
        connection.vendor == "postgresql"
        and detect_format(path, mapping) == "csv"
        and not mapping.values
        and not mapping.defaults
    )


# -- SQL fragments ---------------------------------------------------------------------------------
#
# Moments are handled as integers: a local day is its *position* in the calendar arrays (see
# :class:`_Calendars`), a moment the number of microseconds since local midnight of position 0.
# Vietnam has kept UTC+07:00 since 1975, so the fast path covers the years from 1976 on: there a
# local moment converts to an instant by adding a constant.

US = 1_000_000
DAY_US = 86_400 * US
MOMENT_SHAPES = ("0000-00-00T00:00", "0000-00-00T00:00:00")


def _shapes() -> str:
    """Every accepted shape of the row's moments and supplement count, digits written as 0:
    ``received_at | due_at | finished_at | returned_at | supplement_requested_at |
    supplement_received_at | supplement_count``. One ``translate`` and one hashed lookup check
    that every moment is strict ISO 8601 (``YYYY-MM-DDTHH:MM[:SS]``; ``due_at`` may also be a
    date alone) and the count whole digits: far cheaper than a regular expression per column."""
    import itertools

    moment, optional = list(MOMENT_SHAPES), ["", *MOMENT_SHAPES]
    due = ["", "0000-00-00", *MOMENT_SHAPES]
    count = ["", "0", "00", "000", "0000"]
    shapes = (
        "|".join(c) for c in itertools.product(moment, due, optional, optional, optional, optional, count)
    )
    return "'{" + ",".join(f'"{shape}"' for shape in shapes) + "}'::text[]"


# The columns whose shapes _shapes() lists, in its order (the moments as the file lists them).
SHAPED_COLUMNS = (*(c for c in DOSSIER_COLUMNS if c.endswith("_at")), "supplement_count")


def _position(t: str, cal: _Calendars) -> str:
    """The position of the day of ``t`` (digits already checked); 0 for a day that does not
    exist (30 February) or lies outside the loaded years."""
    return f"coalesce({cal.dix}[replace(left({t}, 10), '-', '')::int - {cal.dix_base}], 0)"


def _time_of_day(t: str) -> str:
    """Seconds since midnight of ``HH:MM[:SS]`` at offset 12 (digits already checked)."""
    return (
        f"(substr({t}, 12, 2)::int * 3600 + substr({t}, 15, 2)::int * 60 "
        f"+ CASE WHEN length({t}) = 19 THEN substr({t}, 18, 2)::int ELSE 0 END)"
    )


def _time_ok(t: str) -> str:
    return f"(substr({t}, 12, 2) <= '23' AND substr({t}, 15, 1) <= '5' AND substr({t}, 18, 1) <= '5')"


def _wtb(cal: _Calendars, p1: str, t1: str, p2: str, t2: str) -> str:
    """Working time from (day position ``p1``, second ``t1``) to (``p2``, ``t2``), not before
    it, in working days rounded to 4 decimals half up:
    :meth:`cchc.workdays.calendar.WorkCalendar.working_time_between`. ``slot``, ``ws``, ``we``
    and ``dsec`` are the unit's calendar row and working hours (seconds of the day)."""

    def working(p: str) -> str:
        return f"({cal.cum}[slot][{p}] - {cal.cum}[slot][{p} - 1])"

    same_day = f"{working(p1)} * greatest(0, least({t2}, we) - greatest({t1}, ws))"
    first = f"{working(p1)} * greatest(0, we - greatest({t1}, ws))"
    last = f"{working(p2)} * greatest(0, least({t2}, we) - ws)"
    whole = f"({cal.cum}[slot][{p2} - 1] - {cal.cum}[slot][{p1}])"
    seconds = f"CASE WHEN {p1} = {p2} THEN {same_day} ELSE {whole} * dsec + {first} + {last} END"
    return f"round(({seconds})::numeric / dsec, 4)"


def _half_even_2(v: str) -> str:
    """``Decimal.quantize(Decimal('0.01'))`` (the default context rounds half to even)."""
    return (
        f"(CASE WHEN mod({v} * 10000, 100) = 50 AND mod(trunc({v} * 100), 2) = 0 "
        f"THEN trunc({v} * 100) / 100 ELSE round({v}, 2) END)"
    )


# -- streaming the file ------------------------------------------------------------------------------

RAW_CHUNK = 8 << 20  # bytes per write of the server-side CSV copy


def _stage_file(cur, st: _Staging, width: int, index: list[int | None]) -> None:
    """The file table (``c1 … c<width>`` in the file's column order, and the line number) and
    the ``raw`` view that names our columns (a column the file lacks reads as empty)."""
    cols = ", ".join(f"c{i + 1} text" for i in range(width))
    empty = "''::text"
    st.columns = {c: f"c{i + 1}" for c, i in zip(DOSSIER_COLUMNS, index, strict=True) if i is not None}
    named = ", ".join(
        f"{empty if i is None else f'c{i + 1}'} AS {c}" for c, i in zip(DOSSIER_COLUMNS, index, strict=True)
    )
    cur.execute(
        f"""DROP TABLE IF EXISTS {st.file} CASCADE;
        CREATE UNLOGGED TABLE {st.file} (line int GENERATED BY DEFAULT AS IDENTITY (START WITH 2), {cols});
        CREATE VIEW {st.raw} AS SELECT line, {named}, ARRAY[{", ".join(f"c{i + 1}" for i in range(width))}] cells
        FROM {st.file}"""  # noqa: S608
    )


def _stream(path: Path, mapping: ColumnMapping, validator: DossierValidator, progress, st: _Staging) -> int:
    """Stage the file's rows with their line numbers; returns how many (blank lines skipped, as
    the Python path does). A plain file goes to the server as it is (:func:`_stream_server`);
    any other, or one the server's CSV reader refuses, is read here with Python's."""
    size = max(os.path.getsize(path), 1)
    raw, reader, header = open_csv_reader(path, mapping)
    try:
        missing = validator.missing_columns(header)
        if missing:
            raise ImportFailed(str(path), [f"line 1, column {c}: missing column" for c in missing])
        position = {h: i for i, h in enumerate(header)}  # a repeated name: the last one wins
        index = [position.get(mapping.source_column(c)) for c in DOSSIER_COLUMNS]
        n = _stream_server(path, mapping, len(header), index, progress, st)
        if n is not None:
            return n
        width = len(header)
        with connection.cursor() as cur:
            _stage_file(cur, st, len(DOSSIER_COLUMNS), list(range(len(DOSSIER_COLUMNS))))
        cols = ", ".join(["line", *(f"c{i + 1}" for i in range(len(DOSSIER_COLUMNS)))])
        n = 0
        done = False
        with connection.cursor() as cur:
            while not done:
                # A savepoint per chunk: a bad byte aborts the COPY, and a caller's transaction
                # must stay usable.
                with transaction.atomic(), cur.cursor.copy(f"COPY {st.file} ({cols}) FROM STDIN") as copy:
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
                        raise csv_decode_error(path, mapping, exc) from None
                    except csv.Error as exc:
                        raise ImportFailed(str(path), [csv_field_error(reader.line_num, exc)]) from None
                n += taken
                if progress:
                    progress("validating", 0.5 * raw.tell() / size, n)
        return n
    finally:
        raw.close()


def _stream_server(
    path: Path, mapping: ColumnMapping, width: int, index, progress, st: _Staging
) -> int | None:
    """Send a plain UTF-8 file as it is to the server's CSV reader (``COPY … (FORMAT csv)``):
    no Python per row. Plain means each record is one line, so that the server's row count is
    the line number: no quote character at all (no quoted field can hold a line break), no blank
    line, no line ``\\.`` (the server's end-of-data mark), line ends all LF or all CRLF. Values
    are not stripped here: a value with spaces round it fails the SQL pass's exact checks and
    goes through the Python validator, which strips it. Returns the number of rows, or None when
    the file is not plain or the server refuses it (a short row, a bad byte): the caller then
    reads it with Python (and reports any error as the Python path does)."""
    if not width or mapping.encoding.lower().replace("_", "-") not in {"utf-8", "utf-8-sig", "utf8"}:
        return None
    if len(mapping.delimiter) != 1 or mapping.delimiter in '"\r\n\\' or not mapping.delimiter.isascii():
        return None
    size = max(os.path.getsize(path), 1)
    cols = ", ".join(f"c{i + 1}" for i in range(width))
    options = (
        f"FORMAT csv, DELIMITER '{mapping.delimiter.replace(chr(39), chr(39) * 2)}', FORCE_NOT_NULL ({cols})"
    )
    with open(path, "rb") as fh, connection.cursor() as cur:
        first = fh.readline()
        if b'"' in first:
            return None
        crlf = first.endswith(b"\r\n")
        _stage_file(cur, st, width, index)
        n = 0
        try:
            with (
                transaction.atomic(),
                cur.cursor.copy(f"COPY {st.file} ({cols}) FROM STDIN ({options})") as copy,
            ):
                while True:
                    chunk = fh.read(RAW_CHUNK)
                    if not chunk:
                        break
                    if not chunk.endswith(b"\n"):
                        chunk += fh.readline()
                    if not _plain(chunk, crlf):
                        raise _NotPlain
                    copy.write(chunk)
                    n += chunk.count(b"\n") + (0 if chunk.endswith(b"\n") else 1)
                    if progress:
                        progress("validating", 0.5 * fh.tell() / size, n)
        except (_NotPlain, DatabaseError, psycopg.Error):
            return None
        return n


class _NotPlain(Exception):
    pass


def _plain(chunk: bytes, crlf: bool) -> bool:
    if b'"' in chunk or b"\n\n" in chunk or b"\\." in chunk or chunk.startswith(b"\n"):
        return False
    if crlf:
        return (
            chunk.count(b"\r") == chunk.count(b"\r\n")
            and b"\r\n\r\n" not in chunk
            and not chunk.startswith(b"\r")
        )
    return b"\r" not in chunk


# -- the calendar ------------------------------------------------------------------------------------


class _Calendars:
    """The working-day calendars of the provinces, as array constants inlined in the SQL (an
    array subscript on a constant costs nanoseconds; a join per lookup cost microseconds).

    Days are *positions*: position ``p`` is the day ``day0 + p`` (position 1 is the day before
    the first loaded year, so that ``p - 1`` is always a valid subscript).

    - ``dix[yyyymmdd - dix_base]``: the position of a calendar date, 0 for a date that does not
      exist (``20250230``);
    - ``cum[slot][p]``: working days from the first loaded day up to position ``p`` included
      (a province's calendar is its ``slot``);
    - ``wd[slot][n]``: the position of the ``n``-th working day (0 past the loaded years).

    The units of each province, with their calendar slot and working hours, go to the staging
    table ``unit``; the procedures with their time limit in whole working days to
    ``proc`` (:class:`_Staging`).
    """

    def __init__(self, cur, validator: DossierValidator, st: _Staging):
        self.st = st
        first, last = self._years(cur, st)
        first, last = first or 2000, last or 2000
        longest = Procedure.objects.exclude(processing_days=None).order_by("-processing_days")
        longest = longest.values_list("processing_days", flat=True).first() or 0
        last = min(last + 1 + int(longest) // 240 + 1, 2200)
        start = dt.date(first, 1, 1)
        self.day0 = start - dt.timedelta(days=2)
        n_days = (dt.date(last, 12, 31) - start).days + 1
        # Positions 2 .. n_days + 1 are the loaded days, position 1 the day before them.
        dix = [0] * ((last - first + 1) * 10000 + 1)
        base = first * 10000 - 1
        for i in range(n_days):
            day = start + dt.timedelta(days=i)
            dix[day.year * 10000 + day.month * 100 + day.day - base - 1] = i + 2  # 1-based in SQL
        self.dix_base = base
        self.dix = self._literal(dix)
        slots: dict[str, tuple[int, tuple] | None] = {}
        cum_rows: list[list[int]] = []
        wd_rows: list[list[int]] = []
        units = []
        for code, (pk, path) in validator.units.items():
            if validator.allowed_unit_ids is not None and pk not in validator.allowed_unit_ids:
                continue  # not in the table: the Python validator explains why
            root = path.strip("/").split("/")[0]
            if root not in slots:
                cal = validator.calendar_for(path)
                slots[root] = None
                if self._whole_seconds(cal):
                    working = {d.toordinal() for d in cal.working_days_between(start, dt.date(last, 12, 31))}
                    cum, days = [0], []
                    for i in range(n_days):
                        if start.toordinal() + i in working:
                            days.append(i + 2)
                        cum.append(len(days))
                    cum_rows.append(cum)
                    wd_rows.append(days)
                    slots[root] = (len(cum_rows), self._settings(cal))
            if slots[root] is not None:
                slot, settings = slots[root]
                units.append((code, pk, slot, *settings))
        width = max((len(r) for r in wd_rows), default=1) or 1
        wd_rows = [r + [0] * (width - len(r)) for r in wd_rows] or [[0]]
        self.cum = self._literal(cum_rows or [[0, 0]])
        self.wd = self._literal(wd_rows)
        with cur.cursor.copy(
            f"COPY {st.unit} (code, unit_id, slot, ws, we, dsec, cutoff, clock_next) FROM STDIN"
        ) as copy:
            for row in units:
                copy.write_row(row)
        procs = []
        for code, info in validator.procedures.items():
            days = info.days
            whole = int(days) if days is not None and days == days.to_integral_value() else None
            procs.append((code, info.id, whole))
        with cur.cursor.copy(f"COPY {st.proc} (code, procedure_id, pdays) FROM STDIN") as copy:
            for row in procs:
                copy.write_row(row)
        cur.execute(f"ANALYZE {st.unit}; ANALYZE {st.proc}")

    @staticmethod
    def _years(cur, st: _Staging) -> tuple[int | None, int | None]:
        """The years to load: those of receipt and finishing in the file, a year either side,
        within 1976–2200 (the years of a constant UTC offset). Read from the statistics that
        ANALYZE gathered on the staged file (a sample of 30,000 rows; free); a rare row outside
        the range is not lost: its day has no position, so it goes through the Python
        validator."""
        columns = [st.columns[c] for c in ("received_at", "finished_at") if c in st.columns]
        cur.execute(
            """SELECT histogram_bounds::text::text[], most_common_vals::text::text[] FROM pg_stats
            WHERE schemaname = current_schema() AND tablename = %s AND attname = ANY(%s)""",
            [st.file, columns],
        )
        years = set()
        for bounds, common in cur.fetchall():
            for value in (bounds or []) + (common or []):
                if len(value) >= 4 and value[:4].isdigit():
                    years.add(int(value[:4]))
        if not years:
            return None, None
        low, high = max(min(years) - 1, 1976), min(max(years) + 1, 2200)
        return (low, high) if low <= high else (None, None)

    @staticmethod
    def _whole_seconds(cal) -> bool:
        times = [cal.work_start, cal.work_end] + ([cal.cutoff] if cal.cutoff else [])
        return all(t.microsecond == 0 for t in times)

    @staticmethod
    def _settings(cal) -> tuple:
        def sec(t: dt.time) -> int:
            return t.hour * 3600 + t.minute * 60 + t.second

        ws, we = sec(cal.work_start), sec(cal.work_end)
        cutoff = sec(cal.cutoff) if cal.cutoff is not None else None
        return ws, we, we - ws, cutoff, cal.clock_starts_next_day

    @staticmethod
    def _literal(values: list) -> str:
        def body(v) -> str:
            return "{" + ",".join(body(x) if isinstance(x, list) else str(int(x)) for x in v) + "}"

        return f"('{body(values)}'::int[])"

    def instant(self, us: str) -> str:
        """The ``timestamptz`` of a moment in microseconds since position 0 (UTC+07:00)."""
        midnight = dt.datetime.combine(self.day0, dt.time(), tzinfo=dt.timezone(dt.timedelta(hours=7)))
        return f"(timestamptz '{midnight.isoformat()}' + {us} * interval '1 microsecond')"

    def day(self, position: str) -> str:
        return f"(date '{self.day0.isoformat()}' + {position})"


# -- the pipeline ------------------------------------------------------------------------------------

GOOD_COLUMNS = ["line", "code", *DOSSIER_FIELDS]
TEMP_TABLES = "cchc_fd_cls, cchc_fd_final, cchc_fd_old, cchc_fd_delta"
# For the bulk statements of an import: JIT compiling costs seconds and saves nothing here;
# parallel plans pay off on the staging tables (the defaults assume small OLTP queries).
SESSION_SETTINGS = {
    "jit": "off",
    "parallel_setup_cost": "100",
    "parallel_tuple_cost": "0.001",
    "work_mem": "'64MB'",
}
# The advisory lock that serialises the loading step of dossier imports.
DOSSIER_LOCK = 7_466_001


def _setup(cur, st: _Staging) -> None:
    _drop_stale_staging(cur)
    settings = "".join(f"SET {name} = {value};" for name, value in SESSION_SETTINGS.items())
    cur.execute(
        f"""
        DROP TABLE IF EXISTS {TEMP_TABLES}, {st.tables} CASCADE;
        CREATE UNLOGGED TABLE {st.unit} (code text PRIMARY KEY, unit_id bigint, slot int, ws int, we int,
                                         dsec int, cutoff int, clock_next boolean);
        CREATE UNLOGGED TABLE {st.proc} (code text PRIMARY KEY, procedure_id bigint, pdays int);
        {settings}
        """
    )


def _teardown(st: _Staging) -> None:
    resets = "".join(f"RESET {name};" for name in SESSION_SETTINGS)
    with connection.cursor() as cur:
        cur.execute(f"DROP TABLE IF EXISTS {TEMP_TABLES}, {st.tables} CASCADE; {resets}")


def _derive_sql(cal: _Calendars) -> str:
    """The strictly valid rows with their derived values (the ``good`` staging table). Every staged row
    that this does not take goes through the Python validator (:func:`_fallback`)."""
    statuses = ", ".join(f"'{s}'" for s in sorted(rules.STATUSES))
    resolved = ", ".join(f"'{s}'" for s in sorted(rules.RESOLVED_STATUSES))
    withdrawn = ", ".join(f"'{s}'" for s in sorted(rules.WITHDRAWN_STATUSES))
    opened = ", ".join(f"'{s}'" for s in sorted(rules.OPEN_STATUSES))
    flags = "('', '0', '1', 'true', 'True', 'false', 'False')"
    moments = {
        "rec": "received_at",
        "due": "due_at",
        "fin": "finished_at",
        "ret": "returned_at",
        "sreq": "supplement_requested_at",
        "srec": "supplement_received_at",
    }
    parsed = []
    for short, col in moments.items():
        parsed.append(f"CASE WHEN r.{col} = '' THEN NULL ELSE {_position(f'r.{col}', cal)} END {short}_p")
        parsed.append(f"CASE WHEN length(r.{col}) >= 16 THEN {_time_of_day(f'r.{col}')} END {short}_t")
        parsed.append(f"(length(r.{col}) < 16 OR {_time_ok(f'r.{col}')}) {short}_tok")
    moment_us = []
    for short in moments:
        end_of_day = f"({short}_p + 1)::bigint * {DAY_US} - 1" if short == "due" else "NULL"
        moment_us.append(
            f"CASE WHEN {short}_p IS NULL THEN NULL WHEN {short}_t IS NULL THEN {end_of_day} "
            f"ELSE ({short}_p::bigint * 86400 + {short}_t) * {US} END {short}"
        )
    valid = " AND ".join(f"coalesce({s}_p, 1) > 0 AND {s}_tok" for s in moments)
    shaped = " || '|' || ".join(f"r.{c}" for c in SHAPED_COLUMNS)

    def working(p: str) -> str:
        return f"({cal.cum}[slot][{p}] - {cal.cum}[slot][{p} - 1])"

    # The due date of a time limit in whole working days (WorkCalendar.add_working_days): the
    # n-th working day, n counted from the day the receipt counts on.
    first_n = (
        f"CASE WHEN {working('rec_p')} = 1 AND NOT (cutoff IS NOT NULL AND rec_t > cutoff) "
        f"THEN {cal.cum}[slot][rec_p] ELSE {cal.cum}[slot][rec_p] + 1 END"
    )
    due_n = f"{first_n} + greatest(CASE WHEN clock_next THEN pdays ELSE pdays - 1 END, 0)"
    due_position = f"nullif({cal.wd}[slot][{due_n}], 0)"
    back = "least(coalesce(srec, fin), fin) / 1000000"
    spent = _wtb(cal, "rec_p", "rec_t", "fin_p", "fin_t")
    pause = _wtb(cal, "sreq_p", "sreq_t", f"({back} / 86400)::int", f"({back} % 86400)::int")
    processing = _half_even_2(f"greatest({spent} - CASE WHEN sreq IS NULL THEN 0 ELSE {pause} END, 0)")
    return f"""
    CREATE UNLOGGED TABLE {cal.st.good} AS
    WITH a AS (
      SELECT r.line, r.code, r.status, r.channel, r.supplement_count, r.digitized, r.paid_online,
             r.apology_issued, u.unit_id, u.slot, u.ws, u.we, u.dsec, u.cutoff, u.clock_next,
             p.procedure_id, p.pdays, {", ".join(parsed)}
      FROM {cal.st.raw} r
      JOIN {cal.st.unit} u ON u.code = r.unit_code
      JOIN {cal.st.proc} p ON p.code = r.procedure_code
      WHERE translate({shaped}, '0123456789', '0000000000') = ANY({_shapes()})
        AND r.code <> '' AND length(r.code) <= 100 AND octet_length(r.code) = length(r.code)
        AND btrim(r.code, E' \\t\\x0b\\x0c\\x1c\\x1d\\x1e\\x1f') = r.code
        AND r.status IN ({statuses}) AND r.channel IN ('online', 'direct', 'postal')
        AND r.digitized IN {flags} AND r.paid_online IN {flags} AND r.apology_issued IN {flags}
      OFFSET 0
    ), b AS (
      SELECT a.*, {", ".join(moment_us)},
             CASE WHEN a.supplement_count = '' THEN 0 ELSE a.supplement_count::int END scount
      FROM a WHERE {valid}
      OFFSET 0
    ), c AS (
      SELECT b.*,
        coalesce(b.due, CASE WHEN b.pdays IS NOT NULL THEN ({due_position} + 1)::bigint * {DAY_US} - 1 END) due_at,
        b.due IS NULL due_at_computed
      FROM b
      WHERE b.rec IS NOT NULL
        -- the life-cycle constraints (cchc.procedures.rules.check_consistency)
        AND NOT (b.status IN ({resolved}, {withdrawn}) AND b.fin IS NULL)
        AND NOT (b.status IN ({opened}) AND b.fin IS NOT NULL)
        AND NOT (b.fin IS NOT NULL AND b.fin < b.rec)
        AND NOT (b.ret IS NOT NULL AND b.status <> 'returned')
        AND NOT (b.ret IS NOT NULL AND b.fin IS NOT NULL AND b.ret < b.fin)
        AND NOT (b.srec IS NOT NULL AND b.sreq IS NULL)
        AND NOT (b.sreq IS NOT NULL AND b.sreq < b.rec)
        AND NOT (b.sreq IS NOT NULL AND b.srec IS NOT NULL AND b.srec < b.sreq)
        AND NOT (b.sreq IS NOT NULL AND b.scount < 1)
        AND NOT (b.status = 'supplement' AND (b.sreq IS NULL OR b.srec IS NOT NULL))
        -- what the fast path derives itself; the rest goes through Python
        AND NOT (b.status IN ({resolved}) AND b.sreq IS NOT NULL AND b.sreq > b.fin)
      OFFSET 0
    ), e AS (
      SELECT c.*,
        CASE WHEN c.sreq IS NULL OR (c.fin IS NOT NULL AND c.sreq > c.fin) THEN c.due_at
             WHEN c.srec IS NOT NULL AND (c.fin IS NULL OR c.srec <= c.fin)
               THEN c.due_at + greatest(c.srec - c.sreq, 0)
             WHEN c.fin IS NOT NULL THEN c.due_at + greatest(c.fin - c.sreq, 0)
        END eff,
        CASE WHEN c.status IN ({resolved}) THEN {processing} END processing_days
      FROM c WHERE c.due_at > 0
      OFFSET 0
    )
    SELECT e.line, e.code, e.unit_id, e.procedure_id, {cal.instant("e.rec")} received_at,
      {cal.instant("e.due_at")} due_at, e.due_at_computed, {cal.instant("e.fin")} finished_at,
      {cal.instant("e.ret")} returned_at, e.status::varchar(12) status, e.channel::varchar(8) channel,
      {cal.instant("e.sreq")} supplement_requested_at, {cal.instant("e.srec")} supplement_received_at,
      e.scount::smallint supplement_count,
      e.digitized IN ('1', 'true', 'True') digitized, e.paid_online IN ('1', 'true', 'True') paid_online,
      e.apology_issued IN ('1', 'true', 'True') apology_issued, {cal.instant("e.eff")} effective_due_at,
      (CASE WHEN e.status IN ({resolved}) THEN
        CASE WHEN e.scount > 1 OR e.fin > e.eff THEN 'late'
             WHEN e.fin / {DAY_US} < e.eff / {DAY_US} THEN 'early'
             ELSE 'on_time' END
       ELSE '' END)::varchar(8) outcome,
      e.processing_days::numeric(8, 2) processing_days,
      {cal.day("e.rec_p")} received_day, {cal.day("e.fin_p")} finished_day
    FROM e
    """  # noqa: S608, E501


def _fallback(validator: DossierValidator, skip_bad_rows: bool, st: _Staging) -> tuple[RowErrors, int, int]:
    """The rows the SQL pass did not take, through the Python validator in line order: the
    errors, the number of bad rows, and the number of good ones (another date format, a deadline
    in hours …) added to the ``good`` staging table."""
    # The staged columns already carry our names: the validator reads them unmapped (the
    # mapping's date formats still apply).
    validator = copy.copy(validator)
    validator.mapping = ColumnMapping(datetime_formats=validator.mapping.datetime_formats)
    errors = RowErrors()
    bad = added = 0
    cols = ", ".join(f"r.{c}" for c in DOSSIER_COLUMNS)
    name = "cchc_fd_rest"
    # A named (server-side) cursor keeps memory bounded when a file is mostly bad.
    with connection.connection.cursor(name=name) as rest:
        rest.itersize = FALLBACK_FETCH
        rest.execute(
            f"SELECT r.line, r.cells, {cols} FROM {st.raw} r WHERE NOT EXISTS "  # noqa: S608
            f"(SELECT 1 FROM {st.good} g WHERE g.line = r.line) ORDER BY r.line"
        )
        good: list[tuple] = []
        for values in rest:
            if not any(v.strip() for v in values[1]):
                continue  # a row of empty values, skipped as the Python path does
            line, raw = values[0], {c: v.strip() for c, v in zip(DOSSIER_COLUMNS, values[2:], strict=True)}
            row, problems = validator.validate(line, raw)
            if problems:
                bad += 1
                for col, reason in problems:
                    errors.add(line, col, reason)
            elif skip_bad_rows or not errors:
                good.append(tuple(getattr(row, c) for c in GOOD_COLUMNS))
            if len(good) >= FALLBACK_FETCH:
                added += _flush_fallback(good, st)
        added += _flush_fallback(good, st)
    return errors, bad, added


def _flush_fallback(good: list, st: _Staging) -> int:
    """Add the rows the Python validator took to the ``good`` table; how many."""
    n = len(good)
    if good:
        with (
            connection.connection.cursor() as cur,
            cur.copy(f"COPY {st.good} ({', '.join(GOOD_COLUMNS)}) FROM STDIN") as copy,
        ):
            for row in good:
                copy.write_row(row)
    good.clear()
    return n


def _contribution_sql(src: str, sign: str, *, derived_days: bool) -> str:
    """The rollup increments of the dossiers in ``src`` (cchc.procedures.rollups.contributions).
    ``derived_days``: ``src`` has the local days of receipt and finishing that the SQL pass
    derived (``received_day``, ``finished_day``; empty for the rows the Python validator took)."""
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

    def day(moment: str, derived: str) -> str:
        local = f"({moment} AT TIME ZONE '{TZ}')::date"
        return f"coalesce({derived}, {local})" if derived_days else local

    def sel(values, day, where):
        counters = ", ".join(f"{sign}({values[c]}) {c}" for c in DossierDay.COUNTERS)
        return f"SELECT unit_id, procedure_id, {day} AS day, {counters} FROM {src} {where}"  # noqa: S608

    return (
        sel(rec, day("received_at", "received_day"), "")
        + " UNION ALL "
        + sel(
            fin,
            day("finished_at", "finished_day"),
            f"WHERE finished_at IS NOT NULL AND status IN ({resolved}, {withdrawn})",
        )
    )


def _classify_repeated(cur, result, good: str) -> tuple[str, str]:
    """A file that repeats dossier codes: each row against the previous line of its code (the
    stored dossier for the first), as the Python path counts them. Returns the tables of the
    net changes (the last line of each changed code) and of the stored rows they replace."""
    table = Dossier._meta.db_table
    fields = DOSSIER_FIELDS
    same = " AND ".join(f"c.{f} IS NOT DISTINCT FROM c.prev_{f}" for f in fields)
    prev = ", ".join(
        f"CASE WHEN lag(g.line) OVER w IS NULL THEN s.{f} ELSE lag(g.{f}) OVER w END prev_{f}" for f in fields
    )
    cur.execute(
        f"""CREATE TEMP TABLE cchc_fd_cls AS
        SELECT c.*, CASE WHEN NOT c.has_prev THEN 'created' WHEN {same} THEN 'unchanged'
                         ELSE 'updated' END kind
        FROM (SELECT g.*, (lag(g.line) OVER w IS NOT NULL OR s.id IS NOT NULL) has_prev,
                     (lead(g.line) OVER w IS NULL) is_last, s.id stored_id, {prev}
              FROM {good} g LEFT JOIN {table} s ON s.code = g.code
              WINDOW w AS (PARTITION BY g.code ORDER BY g.line)) c"""  # noqa: S608
    )
    cur.execute("SELECT kind, count(*) FROM cchc_fd_cls GROUP BY kind")
    counts = dict(cur.fetchall())
    result.created = counts.get("created", 0)
    result.updated = counts.get("updated", 0)
    result.unchanged = counts.get("unchanged", 0)
    cur.execute(
        f"""CREATE TEMP TABLE cchc_fd_final AS
        SELECT c.* FROM cchc_fd_cls c WHERE c.is_last AND EXISTS
          (SELECT 1 FROM cchc_fd_cls x WHERE x.code = c.code AND x.kind <> 'unchanged');
        CREATE TEMP TABLE cchc_fd_old AS
        SELECT s.* FROM {table} s JOIN cchc_fd_final f ON f.stored_id = s.id"""  # noqa: S608
    )
    return "cchc_fd_final", "SELECT * FROM cchc_fd_cls WHERE kind <> 'unchanged'"


def _classify(cur, result, good: str) -> tuple[str, str]:
    """Each row of a file without repeated codes against its stored dossier: created, updated
    or unchanged. Returns the table of the rows to write and the query of the rows whose
    procedure and unit are linked; ``cchc_fd_old`` holds the stored rows they replace."""
    table = Dossier._meta.db_table
    same = " AND ".join(f"s.{f} IS NOT DISTINCT FROM g.{f}" for f in DOSSIER_FIELDS)
    cur.execute(
        f"""CREATE TEMP TABLE cchc_fd_old AS
        SELECT s.*, {same} AS same FROM {table} s JOIN {good} g ON g.code = s.code"""  # noqa: S608
    )
    cur.execute(
        "SELECT count(*), count(*) FILTER (WHERE same), count(*) - count(DISTINCT id) FROM cchc_fd_old"
    )
    stored, unchanged, repeated = cur.fetchone()
    rows = result.rows
    if repeated:  # a stored code twice in the file (a new code twice breaks the insert)
        raise _RepeatedCode
    result.created, result.updated, result.unchanged = rows - stored, stored - unchanged, unchanged
    changed = good
    if unchanged:
        cur.execute(
            f"""CREATE TEMP TABLE cchc_fd_final AS SELECT g.* FROM {good} g
            WHERE NOT EXISTS (SELECT 1 FROM cchc_fd_old o WHERE o.code = g.code AND o.same);
            DELETE FROM cchc_fd_old WHERE same"""  # noqa: S608
        )
        changed = "cchc_fd_final"
    return changed, f"SELECT * FROM {changed}"  # noqa: S608


# A load that writes at least this many rows, and at least half as many as the table holds,
# rebuilds the table's secondary indexes instead of maintaining them row by row (as pg_restore
# does): an index built by one sort costs a fraction of a million random insertions. The indexes
# that back constraints (the primary key, the natural key that ON CONFLICT uses) stay.
BULK_ROWS = 100_000


@contextmanager
def _bulk_indexes(cur, table: str, rows: int):
    """Drop the secondary indexes of ``table`` for a big load and build them again at the end,
    inside the import's transaction (a failed import gets them back by rolling back). Until
    the import commits, other sessions wait to read the table: big loads are for the night."""
    cur.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [table])
    stored = max(cur.fetchone()[0], 0)
    if rows < BULK_ROWS or rows < stored / 2:
        yield
        return
    cur.execute(
        """SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i
        JOIN pg_class c ON c.oid = i.indexrelid
        WHERE i.indrelid = %s::regclass AND NOT i.indisprimary
          AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)
        ORDER BY c.relname""",
        [table],
    )
    indexes = cur.fetchall()
    for name, _ddl in indexes:
        cur.execute(f'DROP INDEX "{name}"')
    yield
    cur.execute("SET LOCAL maintenance_work_mem = '256MB'")
    for _name, ddl in indexes:
        cur.execute(ddl)


# A new code twice in the file: the dossier insert breaks its unique key (23505), or the upsert
# would change one row twice (21000).
REPEATED_CODE = {"23505", "21000"}


class _RepeatedCode(Exception):
    pass


def _load(cur, result, good: str) -> tuple[dt.date, dt.date] | None:
    """Classify, adjust the rollups, write, link. Returns the first and last touched day.

    One dossier load at a time (an advisory lock): what is classified as new stays new until it
    is inserted, so the inserts need no ON CONFLICT (which costs as much again as the insert).
    A file is first loaded as if no code were repeated in it (no pass over the codes to check),
    inside a savepoint; a repeated code breaks the insert, and the file is then loaded line
    against previous line (:func:`_classify_repeated`)."""
    cur.execute("SELECT pg_advisory_xact_lock(%s)", [DOSSIER_LOCK])
    try:
        with transaction.atomic():
            return _write(cur, result, *_classify(cur, result, good))
    except _RepeatedCode:
        pass
    except (IntegrityError, ProgrammingError) as exc:
        if getattr(exc.__cause__, "sqlstate", None) not in REPEATED_CODE:
            raise
    cur.execute("DROP TABLE IF EXISTS cchc_fd_old, cchc_fd_final, cchc_fd_delta")
    return _write(cur, result, *_classify_repeated(cur, result, good))


def _write(cur, result, final: str, linked: str) -> tuple[dt.date, dt.date] | None:
    """Write the rows of ``final`` (replacing ``cchc_fd_old``): rollups, dossiers, links."""
    table = Dossier._meta.db_table
    fields = DOSSIER_FIELDS
    if not (result.created or result.updated):
        return None
    counters = ", ".join(DossierDay.COUNTERS)
    sums = ", ".join(f"sum({c}) {c}" for c in DossierDay.COUNTERS)
    nonzero = " OR ".join(f"sum({c}) <> 0" for c in DossierDay.COUNTERS)
    day_table = DossierDay._meta.db_table
    written = result.created + result.updated
    # The increments first (a parallel plan when the rows come from the staging table); then the
    # existing rollup rows are updated and the new ones inserted in key order (neighbouring
    # index entries, not a million random ones).
    cur.execute("SELECT EXISTS (SELECT 1 FROM cchc_fd_old)")
    replaced = cur.fetchone()[0]
    contributions = _contribution_sql(final, "+", derived_days=True)
    if replaced:
        contributions += f" UNION ALL {_contribution_sql('cchc_fd_old', '-', derived_days=False)}"
    key = "t.unit_id = d.unit_id AND t.procedure_id = d.procedure_id AND t.day = d.day"
    cur.execute(
        f"""DROP TABLE IF EXISTS cchc_fd_delta;
        CREATE TEMP TABLE cchc_fd_delta AS SELECT unit_id, procedure_id, day, {sums}
        FROM ({contributions}) x GROUP BY unit_id, procedure_id, day HAVING {nonzero};
        ANALYZE cchc_fd_delta;
        UPDATE {day_table} t SET {", ".join(f"{c} = t.{c} + d.{c}" for c in DossierDay.COUNTERS)}
        FROM cchc_fd_delta d WHERE {key}"""  # noqa: S608
    )
    with _bulk_indexes(cur, day_table, written):
        cur.execute(
            f"""INSERT INTO {day_table} (unit_id, procedure_id, day, {counters})
            SELECT unit_id, procedure_id, day, {counters} FROM cchc_fd_delta d
            WHERE NOT EXISTS (SELECT 1 FROM {day_table} t WHERE {key})
            ORDER BY unit_id, procedure_id, day"""  # noqa: S608
        )
    # … and summed per unit and month (cchc.procedures.rollups._upsert_months).
    month_table, procedures = DossierMonth._meta.db_table, Procedure._meta.db_table
    month_cols = ", ".join(DossierMonth.COUNTERS)
    month_sums = ", ".join(f"sum(d.{c})" for c in DossierDay.COUNTERS)
    cur.execute(
        f"""INSERT INTO {month_table} AS t (unit_id, month, {month_cols})
        SELECT d.unit_id, date_trunc('month', d.day)::date, {month_sums},
               coalesce(sum(d.received) FILTER (WHERE p.fee), 0)
        FROM cchc_fd_delta d JOIN {procedures} p ON p.id = d.procedure_id GROUP BY 1, 2
        ON CONFLICT (unit_id, month) DO UPDATE SET
          {", ".join(f"{c} = t.{c} + excluded.{c}" for c in DossierMonth.COUNTERS)}"""  # noqa: S608
    )
    cols = ", ".join(["code", *fields, "imported_at"])
    sets = ", ".join(f"{c} = excluded.{c}" for c in [*fields, "imported_at"])
    differs = " OR ".join(f"t.{c} IS DISTINCT FROM excluded.{c}" for c in fields)
    now = timezone.now()
    with _bulk_indexes(cur, table, written):
        if replaced:
            cur.execute(
                f"""INSERT INTO {table} AS t ({cols})
                SELECT code, {", ".join(fields)}, %s FROM {final}
                ON CONFLICT (code) DO UPDATE SET {sets} WHERE {differs}""",  # noqa: S608
                [now],
            )
        else:  # every code is new (and the lock keeps it so)
            insert = f"INSERT INTO {table} ({cols}) SELECT code, {', '.join(fields)}, %s FROM {final}"  # noqa: S608
            cur.execute(insert, [now])
    links = ProcedureUnit._meta.db_table
    cur.execute(
        f"""INSERT INTO {links} (procedure_id, unit_id, has_dossiers, linked_by_admin)
        SELECT DISTINCT procedure_id, unit_id, true, false FROM ({linked}) l
        ON CONFLICT (procedure_id, unit_id) DO UPDATE SET has_dossiers = true"""  # noqa: S608
    )
    # The days whose KPIs changed: from receipt to finishing (an open dossier: until today), of
    # each written row and of the stored row it replaced.
    span = "SELECT min(received_at) a, max(greatest(received_at, coalesce(finished_at, %(now)s))) b FROM"
    cur.execute(
        f"SELECT min(a), max(b) FROM ({span} {final} UNION ALL {span} cchc_fd_old) x",  # noqa: S608
        {"now": timezone.now()},
    )
    first, last = cur.fetchone()
    return rules.local_day(first), rules.local_day(last)


def import_csv(
    path,
    mapping: ColumnMapping,
    validator: DossierValidator,
    *,
    skip_bad_rows,
    progress,
    write_indicators,
) -> ImportResult:
    """The fast path; same contract as :func:`cchc.procedures.row_import.import_dossiers`."""

    path = require_file(path)
    connection.ensure_connection()
    st = _Staging.for_connection()
    try:
        with connection.cursor() as cur:
            _setup(cur, st)
        n = _stream(path, mapping, validator, progress, st)
        with connection.cursor() as cur:
            cur.execute(f"ANALYZE {st.file}")
            cur.execute(_derive_sql(_Calendars(cur, validator, st)))
            cur.execute(f"SELECT (SELECT count(*) FROM {st.file}), (SELECT count(*) FROM {st.good})")  # noqa: S608
            staged, derived = cur.fetchone()
        errors, bad, added = RowErrors(), 0, 0
        if staged > derived:  # rows the SQL pass did not take
            with transaction.atomic():
                errors, bad, added = _fallback(validator, skip_bad_rows, st)
        if progress:
            progress("validating", 1.0, n)
        listed = listed_errors(errors)
        if errors and not skip_bad_rows:
            raise ImportFailed(str(path), listed)
        result = ImportResult(bad=bad, errors=listed)
        result.rows = derived + added
        with transaction.atomic(), connection.cursor() as cur:
            if progress:
                progress("loading", 0.0, result.rows)
            span = _load(cur, result, st.good)
            if progress:
                progress("loading", 1.0, result.rows)
            if span is not None:
                months = indicator_values.months_between(*span)
                result.months = [f"{y:04d}-{m:02d}" for y, m in months]
                if write_indicators:
                    if progress:
                        progress("indicators", 1.0, result.rows)
                    indicator_values.write_indicator_values(months)
        if result.created + result.updated >= BULK_ROWS:
            with connection.cursor() as cur:
                cur.execute(f"ANALYZE {Dossier._meta.db_table}; ANALYZE {DossierDay._meta.db_table}")
        return result
    finally:
        if connection.connection is not None and not connection.needs_rollback:
            _teardown(st)
