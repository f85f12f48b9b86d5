"""Background tasks (django-tasks; the database backend in production, ``cchc db_worker``), and
the actions that queue them: the task layer sits above the jobs it runs, so the jobs
never import it."""

import logging

from django.db import transaction
from django_tasks import task

from cchc.procedures.jobs import execute_import_job, may_start_import
from cchc.procedures.models import ImportJob, ImportStatus

log = logging.getLogger(__name__)


@task()
def run_import_job(job_id: int) -> dict:
    """Import the file of an ImportJob, writing progress on the row."""
    return execute_import_job(job_id)


def retry_import_job(job, *, user):
    """A new job for the same file and options as the failed ``job`` (kept, as history), queued.
    A dossier import loads in one transaction, so a job that died changed nothing and may simply
    run again; the catalogue import is idempotent by code."""
    if job.status != ImportStatus.FAILED:
        raise ValueError("only a failed job can be retried")
    if not may_start_import(user, job.kind):
        raise PermissionError("this user may not start this import")
    new = ImportJob.objects.create(
        kind=job.kind,
        file=job.file.name,
        original_name=job.original_name,
        mapping=job.mapping.name if job.mapping else "",
        skip_bad_rows=job.skip_bad_rows,
        created_by=user,
        unit=job.unit,
        phase="queued",
        retry_of=job,
    )
    transaction.on_commit(lambda: _enqueue(new.pk, run_import_job))
    log.info("import job %s retried as %s by %s", job.pk, new.pk, user)
    return new


def start_import_job(
    *, user, unit, upload, mapping=None, skip_bad_rows: bool = False, kind: str = "dossiers"
):
    """Store the uploaded file, create the ImportJob row and enqueue the background task."""
    job = ImportJob.objects.create(
        kind=kind,
        file=upload,
        original_name=upload.name[:255],
        mapping=mapping or "",
        skip_bad_rows=skip_bad_rows,
        created_by=user,
        unit=unit,
        phase="queued",
    )
    transaction.on_commit(lambda: _enqueue(job.pk, run_import_job))
    return job


def _enqueue(job_id: int, task) -> None:
    result = task.enqueue(job_id)
    ImportJob.objects.filter(pk=job_id).update(task_id=str(result.id)[:64])
