"""Web import jobs: an :class:`~cchc.procedures.models.ImportJob` row run by the background
worker (:func:`execute_import_job`, queued by :mod:`cchc.procedures.tasks`).

A job row is the page's only view of the worker. The worker writes a heartbeat on it every
``heartbeat_interval()`` seconds from a thread of its own (with its own database connection, so
the beat goes through while the load runs in one long transaction); a running job whose
heartbeat is older than ``stale_after()`` lost its worker (killed, out of memory, machine
restarted) and is marked failed by ``fail_stale_jobs`` — run by ``cchc fail-stale-jobs`` (cron),
by every job the worker starts and whenever a job page is viewed. A failed job can be retried.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.core.errors import DomainError
from cchc.core.importing import ImportFailed
from cchc.orgs.access import may_change_shared, scope_for, units_for
from cchc.orgs.models import Role
from cchc.procedures.catalogue import import_procedures
from cchc.procedures.importers import MAX_LISTED_ERRORS, Progress
from cchc.procedures.models import ImportJob, ImportStatus
from cchc.procedures.row_import import import_dossiers

log = logging.getLogger(__name__)


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
        with self._lock:
            figures, self.figures = self.figures, {}
        ImportJob.objects.filter(pk=self.job_id, status=ImportStatus.RUNNING).update(
            heartbeat_at=timezone.now(), **figures
        )

    def _run(self) -> None:
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
    if not scope_for(user).has(Role.SECRETARIAT):
        return False
    return kind != "procedures" or may_change_shared(user)


def execute_import_job(job_id: int) -> dict:
    """Run an ImportJob (called by the task): progress and a heartbeat are written on the row as
    it goes (``JobHeartbeat``); first, jobs whose worker died are marked failed."""
    fail_stale_jobs()
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
    allowed = None
    user = job.created_by
    if user is not None and not user.is_superuser:
        allowed = set(units_for(user, Role.SECRETARIAT).values_list("pk", flat=True))
    try:
        if job.kind == "procedures":
            if user is not None and not may_change_shared(user):
                # The catalogue is shared by the whole province (the upload page checks it too).
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
    except DomainError as exc:
        # A file or mapping refused as a whole (missing, not text, not a mapping): its message,
        # for the person reading the job page; not a crash of the worker.
        log.info("import job %s refused: %s", job.pk, exc)
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportStatus.FAILED,
            phase="done",
            progress=100,
            errors="\n".join(str(exc).splitlines()[:MAX_LISTED_ERRORS]),
            finished_at=timezone.now(),
        )
        return {"status": "failed", "errors": 1}
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
