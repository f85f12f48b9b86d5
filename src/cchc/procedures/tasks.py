"""Background tasks (django-tasks; the database backend in production, ``cchc db_worker``)."""

from django_tasks import task

from cchc.procedures.services import execute_import_job


@task()
def run_import_job(job_id: int) -> dict:
    """Import the file of an ImportJob, writing progress on the row."""
    return execute_import_job(job_id)
