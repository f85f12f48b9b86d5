"""Reading and validating procedure catalogues and dossier exports (CSV, XLSX, JSON lines).

Files are streamed: rows come one at a time from :func:`open_source` with their line number
(the CSV/JSONL line, the XLSX row) and a progress fraction, so that memory stays bounded
whatever the file size. Each row is checked completely and every problem is reported as
``line N, column X: reason`` (:class:`cchc.core.importing.RowErrors`). What an import reports
(:class:`ImportResult`, its :data:`Progress` callback) is defined here too, for both loaders: the
row-by-row one (:mod:`cchc.procedures.row_import`) and the PostgreSQL fast path
(:mod:`cchc.procedures.fast_import`); the catalogue is loaded by :mod:`cchc.procedures.catalogue`.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import json
import operator
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, fields
from decimal import Decimal
from pathlib import Path

from django.utils.translation import gettext as _

from cchc.core.dates import DateError, parse_datetime
from cchc.core.errors import InputFileError, require_file
from cchc.core.importing import (
    ImportFailed,
    RowErrors,
    csv_field_error,
    open_workbook,
    parse_decimal,
    raise_csv_field_limit,
)
from cchc.procedures import rules
from cchc.procedures.mapping import ColumnMapping

PROCEDURE_COLUMNS = [
    "code",
    "name",
    "field",
    "level",
    "processing_days",
    "online_mode",
    "fee",
    "paper_result",
]
DOSSIER_COLUMNS = [
    "code",
    "unit_code",
    "procedure_code",
    "received_at",
    "due_at",
    "finished_at",
    "returned_at",
    "status",
    "channel",
    "supplement_requested_at",
    "supplement_received_at",
    "supplement_count",
    "digitized",
    "paid_online",
    "apology_issued",
]
# The stored fields of a dossier besides its code (the values of a valid row).
DOSSIER_FIELDS = [
    "unit_id",
    "procedure_id",
    "received_at",
    "due_at",
    "due_at_computed",
    "finished_at",
    "returned_at",
    "status",
    "channel",
    "supplement_requested_at",
    "supplement_received_at",
    "supplement_count",
    "digitized",
    "paid_online",
    "apology_issued",
    "effective_due_at",
    "outcome",
    "processing_days",
]

# Columns a dossier file must have, with a value in every row; the others may be absent (read
# as empty / 0).
DOSSIER_REQUIRED = ("code", "unit_code", "procedure_code", "received_at", "status", "channel")
LEVELS = {"province", "district", "commune"}
MAX_LISTED_ERRORS = 1000  # the bad rows an import lists (and the count of the others)

Progress = Callable[[str, float, int], None]  # (phase, fraction 0–1, rows read)


@dataclass
class ImportResult:
    """What a dossier import did (both paths)."""

    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    bad: int = 0
    errors: list[str] = field(default_factory=list)
    months: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "bad": self.bad,
            "months": self.months,
        }


def listed_errors(errors: RowErrors) -> list[str]:
    """The first :data:`MAX_LISTED_ERRORS` errors, then how many more there are."""
    extra = len(errors.items) - MAX_LISTED_ERRORS
    return errors.items[:MAX_LISTED_ERRORS] + ([f"… and {extra} more error(s)"] if extra > 0 else [])


def detect_format(path: str | Path, mapping: ColumnMapping) -> str:
    if mapping.format:
        return mapping.format
    suffix = Path(path).suffix.lower()
    if suffix in {".xlsx", ".xlsm"}:
        return "xlsx"
    if suffix in {".jsonl", ".ndjson", ".json"}:
        return "jsonl"
    return "csv"


@dataclass
class Source:
    """An open file: ``header`` (source column names) and ``rows()`` yielding
    (line number, {source column: value}); ``fraction()`` is how far reading has got (0–1)."""

    header: list[str]
    rows: Callable[[], Iterator[tuple[int, dict]]]
    fraction: Callable[[], float]
    close: Callable[[], None]


def open_source(path: str | Path, mapping: ColumnMapping) -> Source:
    path = require_file(path)
    fmt = detect_format(path, mapping)
    if fmt == "xlsx":
        return _open_xlsx(path, mapping)
    if fmt == "jsonl":
        return _open_jsonl(path, mapping)
    return _open_csv(path, mapping)


def open_csv_reader(path: Path, mapping: ColumnMapping):
    """The binary file (the caller closes it; ``tell()`` gives the progress), a csv reader over
    it in the mapping's encoding and delimiter, and the stripped header (read already)."""
    raise_csv_field_limit()  # cells up to CCHC_MAX_CSV_FIELD_BYTES; larger ones are row errors
    raw = open(path, "rb")  # noqa: SIM115 - closed by the caller
    reader = csv.reader(
        io.TextIOWrapper(raw, encoding=mapping.encoding, newline=""), delimiter=mapping.delimiter
    )
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        header = []
    except UnicodeDecodeError as exc:
        raw.close()
        raise csv_decode_error(path, mapping, exc) from None
    except csv.Error as exc:
        raw.close()
        raise ImportFailed(str(path), [csv_field_error(1, exc)]) from None
    return raw, reader, header


def csv_decode_error(path: Path, mapping: ColumnMapping, exc: UnicodeDecodeError) -> InputFileError:
    """The error for a byte that is not text in the mapping's encoding, with its line: the
    decoder reads ahead of the csv reader (a whole small file at once), so the line is found
    again by decoding the file line by line."""
    line = None
    with open(path, "rb") as fh:
        decode = codecs.getincrementaldecoder(mapping.encoding)().decode
        for number, data in enumerate(fh, start=1):
            try:
                decode(data)
            except UnicodeDecodeError:
                line = number
                break
    where = f"line {line}: " if line else ""
    return InputFileError(
        f"{path}: {where}"
        + _("không phải văn bản %(encoding)s (%(why)s)") % {"encoding": mapping.encoding, "why": exc.reason}
    )


def _open_csv(path: Path, mapping: ColumnMapping) -> Source:
    size = max(os.path.getsize(path), 1)
    raw, reader, header = open_csv_reader(path, mapping)

    def rows():
        while True:
            try:
                values = next(reader)
            except StopIteration:
                return
            except UnicodeDecodeError as exc:
                raise csv_decode_error(path, mapping, exc) from None
            except csv.Error as exc:
                # A cell above the cap (or a broken quote): an error of its line, reading goes on.
                yield reader.line_num, {"__error__": csv_field_error(reader.line_num, exc).split(": ", 1)[1]}
                continue
            if not any(v.strip() for v in values):
                continue
            yield reader.line_num, dict(zip(header, values, strict=False))

    return Source(header, rows, lambda: raw.tell() / size if not raw.closed else 1.0, raw.close)


def _open_jsonl(path: Path, mapping: ColumnMapping) -> Source:
    size = max(os.path.getsize(path), 1)
    raw = open(path, "rb")  # noqa: SIM115 - closed by Source.close
    encoding = mapping.encoding
    state = {"pos": 0}

    def rows():
        for number, line in enumerate(raw, start=1):
            state["pos"] += len(line)
            try:
                text = line.decode(encoding).strip()
            except UnicodeDecodeError as exc:
                yield number, {"__error__": f"not {encoding} text ({exc.reason})"}
                continue
            if not text:
                continue
            try:
                obj = json.loads(text)
            except json.JSONDecodeError as exc:
                yield number, {"__error__": f"not valid JSON ({exc.msg})"}
                continue
            if not isinstance(obj, dict):
                yield number, {"__error__": "a line must hold a JSON object"}
                continue
            yield number, {k: ("" if v is None else v) for k, v in obj.items()}

    # JSON lines have no header: every key may appear on any line.
    return Source([], rows, lambda: state["pos"] / size, raw.close)


def _open_xlsx(path: Path, mapping: ColumnMapping) -> Source:
    wb = open_workbook(path)  # WorkbookError (an InputFileError): fake, bloated or broken file
    if mapping.sheet:
        if mapping.sheet not in wb.sheetnames:
            wb.close()
            raise InputFileError(
                _("%(path)s: không có trang tính tên %(sheet)s")
                % {"path": path, "sheet": repr(mapping.sheet)}
            )
        ws = wb[mapping.sheet]
    else:
        ws = wb.worksheets[0]
    total = max((ws.max_row or 1) - 1, 1)
    it = ws.iter_rows(values_only=True)
    first = next(it, None) or ()
    header = ["" if h is None else str(h).strip() for h in first]
    state = {"done": 0}

    def cell(v):
        if v is None:
            return ""
        if isinstance(v, dt.datetime):
            # An Excel date cell (no time) comes as midnight: it is a date alone.
            return v.date().isoformat() if v.time() == dt.time(0, 0) else v.isoformat()
        if isinstance(v, dt.date):
            return v.isoformat()
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        return str(v)

    def rows():
        for number, values in enumerate(it, start=2):
            state["done"] += 1
            if not any(v not in (None, "") for v in values):
                continue
            yield number, {h: cell(v) for h, v in zip(header, values, strict=False)}

    return Source(header, rows, lambda: state["done"] / total, wb.close)


# -- value parsing ---------------------------------------------------------------------------------


def parse_bool(raw: str) -> bool:
    if raw in {"1", "true", "True"}:
        return True
    if raw in {"0", "", "false", "False"}:
        return False
    raise ValueError(_("cần 0 hoặc 1, nhận được %(v)s") % {"v": repr(raw)})


def parse_moment(raw: str, formats: list[str], *, date_means_end: bool = False) -> dt.datetime:
    """A moment as Vietnamese files write it (:mod:`cchc.core.dates`: ``dd/mm/yyyy HH:MM``, ISO
    8601 with ``T`` or a space, Excel date cells; naive = Vietnam time), or one of the mapping's
    ``datetime_formats`` (tried first: the mapping is explicit). A date alone is accepted only
    where ``date_means_end`` (``due_at``): the end of that day."""
    for fmt in formats:
        try:
            value = dt.datetime.strptime(raw, fmt)
        except ValueError:
            continue
        if not any(code in fmt for code in ("%H", "%I")):
            if not date_means_end:
                raise ValueError(
                    _("cần cả giờ (ví dụ %(example)s), không chỉ ngày: %(v)s")
                    % {"example": "04/03/2021 09:30", "v": repr(raw)}
                )
            return rules.end_of_day(value.date())
        return value if value.tzinfo is not None else value.replace(tzinfo=rules.VN)
    try:
        return parse_datetime(raw, date_alone=rules.end_of_day if date_means_end else None, tz=rules.VN)
    except DateError as exc:
        raise ValueError(str(exc)) from None


# -- the procedure catalogue -------------------------------------------------------------------------


@dataclass(frozen=True)
class ProcedureRow:
    code: str
    name: str
    field: str
    level: str
    processing_days: Decimal | None
    processing_hours: Decimal | None
    online_mode: str
    fee: bool
    paper_result: bool


def parse_processing_time(raw: str) -> tuple[Decimal | None, Decimal | None]:
    """``15`` (working days), ``0.5`` or ``8h`` (working hours); empty = no legal time limit."""
    raw = raw.strip().lower().replace(" ", "")
    if not raw:
        return None, None
    hours = raw.endswith("h") or raw.endswith("giờ")
    number = parse_decimal(raw.removesuffix("h").removesuffix("giờ"))
    if number < 0:
        raise ValueError("must not be negative")
    return (None, number) if hours else (number, None)


def procedure_lengths() -> dict[str, int]:
    """The longest text each catalogue column may hold (the database refuses more)."""
    from cchc.procedures.models import Procedure

    return {name: Procedure._meta.get_field(name).max_length for name in ("code", "name", "field")}


def read_procedures(path: str | Path, mapping: ColumnMapping | None = None) -> list[ProcedureRow]:
    """Every row of a catalogue file, validated; raises ImportFailed listing every bad row."""
    mapping = mapping or ColumnMapping()
    source = open_source(path, mapping)
    try:
        if source.header:
            missing = mapping.missing_columns(source.header, PROCEDURE_COLUMNS)
            if missing:
                raise ImportFailed(str(path), [f"line 1, column {c}: missing column" for c in missing])
        errors = RowErrors()
        lengths = procedure_lengths()
        rows: list[ProcedureRow] = []
        seen: dict[str, int] = {}
        for line, raw in source.rows():
            if "__error__" in raw:
                errors.add(line, "-", raw["__error__"])
                continue
            r = mapping.apply(raw, [*PROCEDURE_COLUMNS, "processing_hours"])
            bad = len(errors.items)
            for col in ("code", "name", "field", "level"):
                if not r[col]:
                    errors.add(line, col, "required")
            for col, limit in lengths.items():
                if len(r[col] or "") > limit:
                    errors.add(line, col, _("dài quá %(n)s ký tự") % {"n": limit})
            if r["code"] in seen:
                errors.add(line, "code", f"duplicate of line {seen[r['code']]}")
            seen.setdefault(r["code"], line)
            if r["level"] and r["level"] not in LEVELS:
                errors.add(line, "level", f"{r['level']!r} is not one of province, district, commune")
            days = hours = None
            try:
                days, hours = parse_processing_time(r["processing_days"])
            except ValueError as exc:
                errors.add(line, "processing_days", str(exc))
            if r["processing_hours"]:
                try:
                    extra = parse_decimal(r["processing_hours"])
                except ValueError as exc:
                    errors.add(line, "processing_hours", str(exc))
                else:
                    if days is not None:
                        errors.add(
                            line, "processing_hours", "give processing_days or processing_hours, not both"
                        )
                    hours = extra
            mode = "none"
            try:
                mode = rules.map_online_mode(r["online_mode"] or "none")
            except ValueError as exc:
                errors.add(line, "online_mode", str(exc))
            flags = {}
            for col in ("fee", "paper_result"):
                try:
                    flags[col] = parse_bool(r[col])
                except ValueError as exc:
                    errors.add(line, col, str(exc))
            if len(errors.items) == bad:
                rows.append(
                    ProcedureRow(
                        code=r["code"],
                        name=r["name"],
                        field=r["field"],
                        level=r["level"],
                        processing_days=days,
                        processing_hours=hours,
                        online_mode=mode,
                        fee=flags["fee"],
                        paper_result=flags["paper_result"],
                    )
                )
        errors.raise_if_any(str(path))
        return rows
    finally:
        source.close()


# -- dossiers -----------------------------------------------------------------------------------------


@dataclass
class DossierRow:
    """A validated dossier row with its derived values (effective deadline, outcome, time)."""

    line: int
    code: str
    unit_id: int
    procedure_id: int
    received_at: dt.datetime
    due_at: dt.datetime
    due_at_computed: bool
    finished_at: dt.datetime | None
    returned_at: dt.datetime | None
    status: str
    channel: str
    supplement_requested_at: dt.datetime | None
    supplement_received_at: dt.datetime | None
    supplement_count: int
    digitized: bool
    paid_online: bool
    apology_issued: bool
    effective_due_at: dt.datetime | None = None
    outcome: str = ""
    processing_days: Decimal | None = None

    def as_tuple(self) -> tuple:
        """The values in field order: ``DossierRow(*row.as_tuple())`` is an equal row."""
        return _row_values(self)


_row_values = operator.attrgetter(*(f.name for f in fields(DossierRow)))


@dataclass(frozen=True)
class ProcedureInfo:
    id: int
    days: Decimal | None
    hours: Decimal | None


class DossierValidator:
    """Checks dossier rows against the catalogue, the unit tree and the life-cycle rules, and
    derives due dates (from the procedure's time limit and the province's working-day
    calendar when ``due_at`` is empty), the effective deadline, the outcome and the processing
    time in working days."""

    MOMENTS = (
        "received_at",
        "finished_at",
        "returned_at",
        "supplement_requested_at",
        "supplement_received_at",
    )

    def __init__(self, mapping: ColumnMapping, allowed_unit_ids: set[int] | None = None):
        from cchc.orgs.models import OrgUnit
        from cchc.procedures.models import Procedure

        self.mapping = mapping
        self.allowed_unit_ids = allowed_unit_ids
        self.units: dict[str, tuple[int, str]] = {
            code: (pk, path) for code, pk, path in OrgUnit.objects.values_list("code", "pk", "path")
        }
        self.procedures: dict[str, ProcedureInfo] = {
            code: ProcedureInfo(pk, days, hours)
            for code, pk, days, hours in Procedure.objects.values_list(
                "code", "pk", "processing_days", "processing_hours"
            )
        }
        self._calendars: dict[str, object] = {}

    def calendar_for(self, unit_path: str):
        from cchc.workdays.services import get_calendar

        root = unit_path.strip("/").split("/")[0]
        cal = self._calendars.get(root)
        if cal is None:
            from cchc.orgs.models import OrgUnit

            cal = get_calendar(OrgUnit.objects.only("path").get(pk=int(root)))
            self._calendars[root] = cal
        return cal

    def missing_columns(self, header: list[str]) -> list[str]:
        if not header:
            return []
        required = [c for c in DOSSIER_COLUMNS if c in DOSSIER_REQUIRED]
        return self.mapping.missing_columns(header, required)

    def validate(self, line: int, raw: dict) -> tuple[DossierRow | None, list[tuple[str, str]]]:
        """The row, or the list of (column, reason) problems."""
        if "__error__" in raw:
            return None, [("-", raw["__error__"])]
        r = self.mapping.apply(raw, DOSSIER_COLUMNS)
        problems: list[tuple[str, str]] = []
        formats = self.mapping.datetime_formats
        for col in DOSSIER_REQUIRED:
            if not r[col]:
                problems.append((col, _("bắt buộc")))
        if len(r["code"]) > 100:
            problems.append(("code", _("dài quá 100 ký tự")))
        unit = self.units.get(r["unit_code"]) if r["unit_code"] else None
        if r["unit_code"] and unit is None:
            problems.append(("unit_code", _("không có đơn vị %(code)s") % {"code": repr(r["unit_code"])}))
        elif unit is not None and self.allowed_unit_ids is not None and unit[0] not in self.allowed_unit_ids:
            problems.append(
                (
                    "unit_code",
                    _("đơn vị %(code)s nằm ngoài các đơn vị bạn quản lý") % {"code": repr(r["unit_code"])},
                )
            )
            unit = None
        proc = self.procedures.get(r["procedure_code"]) if r["procedure_code"] else None
        if r["procedure_code"] and proc is None:
            problems.append(
                (
                    "procedure_code",
                    _("không có thủ tục %(code)s (hãy nhập danh mục thủ tục trước)")
                    % {"code": repr(r["procedure_code"])},
                )
            )
        if r["status"] and r["status"] not in rules.STATUSES:
            problems.append(
                (
                    "status",
                    _("%(v)s không thuộc %(allowed)s")
                    % {"v": repr(r["status"]), "allowed": ", ".join(sorted(rules.STATUSES))},
                )
            )
        if r["channel"] and r["channel"] not in rules.CHANNELS:
            problems.append(
                (
                    "channel",
                    _("%(v)s không thuộc %(allowed)s")
                    % {"v": repr(r["channel"]), "allowed": "online, direct, postal"},
                )
            )
        moments: dict[str, dt.datetime | None] = {}
        for col in self.MOMENTS:
            moments[col] = None
            if r[col]:
                try:
                    moments[col] = parse_moment(r[col], formats)
                except ValueError as exc:
                    problems.append((col, str(exc)))
        due_at = None
        if r["due_at"]:
            try:
                due_at = parse_moment(r["due_at"], formats, date_means_end=True)
            except ValueError as exc:
                problems.append(("due_at", str(exc)))
        count = 0
        if r["supplement_count"]:
            try:
                count = int(r["supplement_count"])
                if count < 0:
                    raise ValueError
            except ValueError:
                problems.append(
                    (
                        "supplement_count",
                        _("không phải số nguyên ≥ 0: %(v)s") % {"v": repr(r["supplement_count"])},
                    )
                )
        flags = {}
        for col in ("digitized", "paid_online", "apology_issued"):
            try:
                flags[col] = parse_bool(r[col])
            except ValueError as exc:
                problems.append((col, str(exc)))
        received = moments["received_at"]
        if problems or received is None or unit is None or proc is None:
            return None, problems
        for p in rules.check_consistency(
            status=r["status"],
            received_at=received,
            finished_at=moments["finished_at"],
            returned_at=moments["returned_at"],
            supplement_requested_at=moments["supplement_requested_at"],
            supplement_received_at=moments["supplement_received_at"],
            supplement_count=count,
        ):
            problems.append((p.column, p.reason))
        computed = False
        if due_at is None:
            if proc.days is None and proc.hours is None:
                problems.append(
                    ("due_at", f"empty and procedure {r['procedure_code']} has no processing time")
                )
            else:
                cal = self.calendar_for(unit[1])
                due_at = (
                    cal.due_at(received, days=proc.days)
                    if proc.days is not None
                    else cal.due_at(received, hours=proc.hours)
                )
                computed = True
        if problems:
            return None, problems
        row = DossierRow(
            line=line,
            code=r["code"],
            unit_id=unit[0],
            procedure_id=proc.id,
            received_at=received,
            due_at=due_at,
            due_at_computed=computed,
            finished_at=moments["finished_at"],
            returned_at=moments["returned_at"],
            status=r["status"],
            channel=r["channel"],
            supplement_requested_at=moments["supplement_requested_at"],
            supplement_received_at=moments["supplement_received_at"],
            supplement_count=count,
            digitized=flags["digitized"],
            paid_online=flags["paid_online"],
            apology_issued=flags["apology_issued"],
        )
        self.derive(row, unit[1])
        return row, []

    def derive(self, row: DossierRow, unit_path: str) -> None:
        row.effective_due_at = rules.effective_deadline(
            row.due_at, row.supplement_requested_at, row.supplement_received_at, as_of=row.finished_at
        )
        if row.status in rules.RESOLVED_STATUSES and row.finished_at is not None:
            row.outcome = rules.resolved_outcome(
                row.finished_at,
                row.due_at,
                row.supplement_requested_at,
                row.supplement_received_at,
                row.supplement_count,
            )
            cal = self.calendar_for(unit_path)
            days = cal.working_time_between(row.received_at, row.finished_at)
            if row.supplement_requested_at is not None:
                back = row.supplement_received_at or row.finished_at
                days -= cal.working_time_between(row.supplement_requested_at, min(back, row.finished_at))
            row.processing_days = max(days, Decimal(0)).quantize(Decimal("0.01"))
