"""State changes of the procedures app: catalogue import, dossier import (with the rollups and
the indicator values kept in step), indicator values from the KPIs.

The dossier import is two-pass: pass 1 validates every row of the file (streaming, nothing
written); when any row is bad and ``skip_bad_rows`` is off, it raises ``ImportFailed`` listing
``line N, column X: reason`` for each and nothing changes. Pass 2 reads the file again and loads
it in batches inside one transaction: for each batch it reads the stored state of the dossiers it
touches, subtracts their old rollup contribution and adds the new one, upserts the dossiers
(natural key: the dossier code), links procedures to units, and finally rewrites the indicator
values of the months it touched.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import pickle
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from cchc.core.importing import ImportFailed, RowErrors
from cchc.procedures import fast_import, indicator_values, rules
from cchc.procedures.importers import (
    DOSSIER_FIELDS,
    DossierRow,
    DossierValidator,
    open_source,
    read_procedures,
)
from cchc.procedures.mapping import ColumnMapping, load_mapping
from cchc.procedures.models import Dossier, Procedure, ProcedureUnit
from cchc.procedures.rollups import Delta

log = logging.getLogger(__name__)

BATCH = 5000
LINKS_BATCH = 50000
MAX_LISTED_ERRORS = 1000

Progress = Callable[[str, float, int], None]  # (phase, fraction 0–1, rows read)


# -- the catalogue ------------------------------------------------------------------------------------


@transaction.atomic
def import_procedures(path: str | Path, mapping: ColumnMapping | None = None) -> dict[str, int]:
    """Create or update procedures by code. Validates the whole file first."""
    rows = read_procedures(path, mapping)
    existing = {p.code: p for p in Procedure.objects.filter(code__in=[r.code for r in rows])}
    created = updated = 0
    to_create, to_update = [], []
    names = [
        "name",
        "field",
        "level",
        "processing_days",
        "processing_hours",
        "online_mode",
        "fee",
        "paper_result",
    ]
    for r in rows:
        values = {n: getattr(r, n) for n in names}
        p = existing.get(r.code)
        if p is None:
            to_create.append(Procedure(code=r.code, **values))
            created += 1
        elif any(getattr(p, n) != v for n, v in values.items()):
            for n, v in values.items():
                setattr(p, n, v)
            to_update.append(p)
            updated += 1
    Procedure.objects.bulk_create(to_create, batch_size=1000)
    Procedure.objects.bulk_update(to_update, names, batch_size=1000)
    return {
        "rows": len(rows),
        "created": created,
        "updated": updated,
        "unchanged": len(rows) - created - updated,
    }


# -- dossiers ---------------------------------------------------------------------------------------------


@dataclass
class ImportResult:
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
            result_cls=ImportResult,
            max_errors=MAX_LISTED_ERRORS,
        )
    with tempfile.TemporaryFile(prefix="cchc-dossiers-") as spill:
        errors, bad_lines, _n = _validate_file(
            path, mapping, validator, progress, spill, skip_bad_rows=skip_bad_rows
        )
        if errors and not skip_bad_rows:
            raise ImportFailed(str(path), errors.items[:MAX_LISTED_ERRORS] + _more(errors))
        result = ImportResult(bad=len(bad_lines), errors=errors.items[:MAX_LISTED_ERRORS] + _more(errors))
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


def _more(errors: RowErrors) -> list[str]:
    extra = len(errors.items) - MAX_LISTED_ERRORS
    return [f"… and {extra} more error(s)"] if extra > 0 else []


# -- web import jobs ------------------------------------------------------------------------------------------
#
# A job row is the page's only view of the worker. The worker writes a heartbeat on it every
# ``heartbeat_interval()`` seconds from a thread of its own (with its own database connection, so
# the beat goes through while the load runs in one long transaction); a running job whose
# heartbeat is older than ``stale_after()`` lost its worker (killed, out of memory, machine
# restarted) and is marked failed by ``fail_stale_jobs`` — run by ``cchc fail-stale-jobs`` (cron),
# by every job the worker starts and whenever a job page is viewed. A failed job can be retried.


def stale_after() -> int:
    """Seconds without a heartbeat after which a running job is declared dead
    (``CCHC_JOB_STALE_SECONDS``, default 300)."""
    value = getattr(settings, "CCHC_JOB_STALE_SECONDS", None) or os.environ.get("CCHC_JOB_STALE_SECONDS")
    return max(30, int(value or 300))


def heartbeat_interval() -> float:
    """Seconds between two heartbeats: well inside ``stale_after``."""
    value = getattr(settings, "CCHC_JOB_HEARTBEAT_SECONDS", None)
    return float(value) if value else max(5.0, stale_after() / 10)


class JobHeartbeat:
    """While the ``with`` block runs, a daemon thread writes the job's heartbeat and its latest
    progress (phase, %, rows read) every ``interval`` seconds. The progress callback only records
    the figures in memory when the caller is inside a transaction (writing the row there would lock
    it until the commit, and the thread's beat with it); the thread's own connection writes them."""

    def __init__(self, job_id: int, interval: float | None = None):
        self.job_id = job_id
        self.interval = heartbeat_interval() if interval is None else interval
        self.figures: dict = {}
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def note(self, **figures) -> None:
        with self._lock:
            self.figures.update(figures)

    def beat(self) -> None:
        """One heartbeat (with the figures noted since the last one)."""
        from cchc.procedures.models import ImportJob, ImportStatus

        with self._lock:
            figures, self.figures = self.figures, {}
        ImportJob.objects.filter(pk=self.job_id, status=ImportStatus.RUNNING).update(
            heartbeat_at=timezone.now(), **figures
        )

    def _run(self) -> None:
        from django.db import connections

        try:
            while not self._stop.wait(self.interval):
                try:
                    self.beat()
                except Exception:  # a locked SQLite file, a dropped connection: beat again later
                    log.warning("heartbeat of import job %s failed", self.job_id, exc_info=True)
        finally:
            connections.close_all()

    def __enter__(self) -> JobHeartbeat:
        self._thread = threading.Thread(target=self._run, name=f"job-{self.job_id}-heartbeat", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self.interval + 30)


def fail_stale_jobs(queryset=None, *, now: dt.datetime | None = None) -> int:
    """Mark failed the running jobs (of ``queryset``, default all) whose heartbeat is older than
    ``stale_after()`` (a job with no heartbeat at all: counted from its start), and their task
    rows in the queue. Returns how many. One conditional UPDATE: safe to run from many places."""
    from django.db.models import Q

    from cchc.procedures.models import ImportJob, ImportStatus

    now = now or timezone.now()
    limit = now - dt.timedelta(seconds=stale_after())
    qs = (ImportJob.objects.all() if queryset is None else queryset).filter(
        Q(heartbeat_at__lt=limit) | Q(heartbeat_at__isnull=True, started_at__lt=limit),
        status=ImportStatus.RUNNING,
    )
    stale = list(qs.values_list("pk", "task_id", "heartbeat_at", "started_at"))
    failed = 0
    for pk, task_id, beat, started in stale:
        last = beat or started
        failed += ImportJob.objects.filter(
            Q(heartbeat_at__lt=limit) | Q(heartbeat_at__isnull=True, started_at__lt=limit),
            pk=pk,
            status=ImportStatus.RUNNING,
        ).update(
            status=ImportStatus.FAILED,
            phase="done",
            finished_at=now,
            summary={"stale": True, "last_heartbeat": last.isoformat() if last else None},
        )
        if task_id:
            _fail_task_row(task_id, now)
    if failed:
        log.warning("%s import job(s) lost their worker and were marked failed", failed)
    return failed


def _fail_task_row(task_id: str, now: dt.datetime) -> None:
    """The queue's row of a dead job says so too (else it shows "running" for ever)."""
    try:
        from django_tasks.base import TaskResultStatus
        from django_tasks_db.models import DBTaskResult
    except ImportError:  # another task backend
        return
    try:
        DBTaskResult.objects.filter(pk=task_id, status=TaskResultStatus.RUNNING).update(
            status=TaskResultStatus.FAILED, finished_at=now
        )
    except (ValueError, ValidationError):  # not a task id of this backend
        return


def may_start_import(user, kind: str) -> bool:
    """Who may start (and so retry) an import of ``kind``: a secretariat; the shared procedure
    catalogue only one whose scope covers the province."""
    from cchc.orgs.access import may_change_shared, scope_for
    from cchc.orgs.models import Role

    if not scope_for(user).has(Role.SECRETARIAT):
        return False
    return kind != "procedures" or may_change_shared(user)


def execute_import_job(job_id: int) -> dict:
    """Run an ImportJob (called by the task): progress and a heartbeat are written on the row as
    it goes (``JobHeartbeat``); first, jobs whose worker died are marked failed."""
    fail_stale_jobs()
    from cchc.procedures.models import ImportJob, ImportStatus

    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    now = timezone.now()
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.RUNNING, started_at=now, heartbeat_at=now, phase="validating", progress=0
    )
    depth = len(connection.atomic_blocks)
    with JobHeartbeat(job.pk) as heartbeat:

        def progress(phase: str, fraction: float, rows: int) -> None:
            share = {"validating": (0, 50), "loading": (50, 95), "indicators": (95, 99)}.get(phase, (0, 100))
            pct = int(share[0] + (share[1] - share[0]) * min(max(fraction, 0.0), 1.0))
            if len(connection.atomic_blocks) > depth:
                heartbeat.note(phase=phase, progress=pct, rows_read=rows)
            else:
                ImportJob.objects.filter(pk=job.pk).update(
                    phase=phase, progress=pct, rows_read=rows, heartbeat_at=timezone.now()
                )

        return _run_import_job(job, progress)


def _run_import_job(job, progress: Progress) -> dict:
    from cchc.orgs.access import units_for
    from cchc.orgs.models import Role
    from cchc.procedures.models import ImportJob, ImportStatus

    allowed = None
    user = job.created_by
    if user is not None and not user.is_superuser:
        allowed = set(units_for(user, Role.SECRETARIAT).values_list("pk", flat=True))
    try:
        if job.kind == "procedures":
            from cchc.orgs.access import may_change_shared

            if user is not None and not may_change_shared(user):
                # The catalogue is shared by the whole province (the upload page checks it too).
                from django.utils.translation import gettext as _

                raise ImportFailed(
                    job.original_name,
                    [
                        _(
                            "Danh mục thủ tục hành chính dùng chung cho cả tỉnh: chỉ Thường trực CCHC cấp tỉnh mới được nhập."
                        )
                    ],
                )
            stats = import_procedures(job.file.path)
            summary = {**stats}
            loaded, bad, errors = stats["rows"], 0, []
        else:
            result = import_dossiers(
                job.file.path,
                mapping_path=job.mapping.path if job.mapping else None,
                skip_bad_rows=job.skip_bad_rows,
                progress=progress,
                allowed_unit_ids=allowed,
            )
            summary = result.as_dict()
            loaded, bad, errors = result.rows, result.bad, result.errors
    except ImportFailed as exc:
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportStatus.FAILED,
            phase="done",
            progress=100,
            rows_bad=len(exc.items),
            errors="\n".join(exc.items[:MAX_LISTED_ERRORS]),
            finished_at=timezone.now(),
        )
        return {"status": "failed", "errors": len(exc.items)}
    except Exception as exc:
        log.exception("import job %s failed", job.pk)
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportStatus.FAILED,
            phase="done",
            progress=100,
            errors=str(exc)[:2000],
            finished_at=timezone.now(),
        )
        return {"status": "failed", "errors": 1}
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.SUCCEEDED,
        phase="done",
        progress=100,
        rows_loaded=loaded,
        rows_bad=bad,
        errors="\n".join(errors),
        summary=summary,
        finished_at=timezone.now(),
    )
    return {"status": "succeeded", **summary}
