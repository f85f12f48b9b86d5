"""A killed worker leaves its job "running 50 %" for ever — unless the job's heartbeat says so:
a running job silent for longer than CCHC_JOB_STALE_SECONDS is marked failed (by the command,
the job page and the worker) and can be retried from its page."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from cchc.procedures.jobs import JobHeartbeat, execute_import_job, fail_stale_jobs
from cchc.procedures.models import Dossier, ImportJob, ImportStatus
from tests.factories import make_user
from tests.procedures.helpers import DOSSIER_COLUMNS, dossier, import_catalogue, procedure, write_csv

pytestmark = pytest.mark.django_db

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def catalogue(tmp_path, province):
    import_catalogue(tmp_path, [procedure("P1")])


def _upload(client, user, tmp_path, *, kind="dossiers") -> ImportJob:
    """Upload through the page (the worker is not running: the job stays queued)."""
    path = write_csv(tmp_path / "d.csv", DOSSIER_COLUMNS, [dossier("HS-1"), dossier("HS-2")])
    client.force_login(user)
    with path.open("rb") as fh:
        assert client.post(reverse("procedures:import_list"), {"kind": kind, "file": fh}).status_code == 302
    return ImportJob.objects.latest("pk")


def _killed(job: ImportJob, minutes: float = 10, **extra) -> None:
    """What a worker killed half-way leaves behind: the row says running 50 %, its task running."""
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    task = DBTaskResult.objects.create(
        task_path="cchc.procedures.tasks.run_import_job",
        args_kwargs={"args": [job.pk], "kwargs": {}},
        status=TaskResultStatus.RUNNING,
        queue_name="default",
        backend_name="default",
        priority=0,
        started_at=timezone.now() - dt.timedelta(minutes=minutes),
    )
    beat = timezone.now() - dt.timedelta(minutes=minutes)
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.RUNNING,
        phase="loading",
        progress=50,
        started_at=beat,
        heartbeat_at=beat,
        task_id=str(task.pk),
        **extra,
    )
    return task


def test_the_command_marks_a_job_without_heartbeat_failed(client, people, catalogue, tmp_path):
    from cchc.cli import main

    job = _upload(client, people.sec, tmp_path)
    task = _killed(job)
    # Django closes every connection after a command line run: not the test's own, mid-transaction.
    with mock.patch("django.core.management.base.connections.close_all"):
        main(["cchc", "fail-stale-jobs"])
    job.refresh_from_db()
    task.refresh_from_db()
    assert job.status == ImportStatus.FAILED and job.stale and job.finished_at is not None
    assert task.status == "FAILED"
    assert not Dossier.objects.exists()


def test_a_job_with_a_recent_heartbeat_keeps_running(client, people, catalogue, tmp_path):
    job = _upload(client, people.sec, tmp_path)
    _killed(job, minutes=1)  # 1 minute of silence: within the default 300 s
    assert fail_stale_jobs() == 0
    job.refresh_from_db()
    assert job.status == ImportStatus.RUNNING


def test_the_stale_limit_is_a_setting(client, people, catalogue, tmp_path, settings):
    job = _upload(client, people.sec, tmp_path)
    _killed(job, minutes=1)
    settings.CCHC_JOB_STALE_SECONDS = 30
    assert fail_stale_jobs() == 1


def test_the_job_page_marks_a_dead_job_failed_and_offers_a_retry(client, people, catalogue, tmp_path):
    job = _upload(client, people.sec, tmp_path)
    _killed(job)
    page = client.get(reverse("procedures:import_detail", args=[job.pk])).content.decode()
    assert "Không thành công" in page and "đã dừng đột ngột" in page
    assert "Chạy lại" in page and reverse("procedures:import_retry", args=[job.pk]) in page
    assert 'hx-trigger="every 1s"' not in page  # the page stops polling
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED


def test_the_polled_progress_fragment_notices_the_dead_worker(client, people, catalogue, tmp_path):
    job = _upload(client, people.sec, tmp_path)
    _killed(job)
    fragment = client.get(reverse("procedures:import_progress", args=[job.pk])).content.decode()
    assert 'data-status="failed"' in fragment and "đã dừng đột ngột" in fragment


def test_the_worker_fails_dead_jobs_before_running_its_own(client, people, catalogue, tmp_path):
    dead = _upload(client, people.sec, tmp_path)
    _killed(dead)
    fresh = _upload(client, people.sec, tmp_path)
    execute_import_job(fresh.pk)
    dead.refresh_from_db()
    fresh.refresh_from_db()
    assert dead.status == ImportStatus.FAILED and dead.stale
    assert fresh.status == ImportStatus.SUCCEEDED and fresh.heartbeat_at is not None


def test_retrying_a_failed_job_imports_the_same_file(
    client, people, catalogue, tmp_path, settings, django_capture_on_commit_callbacks
):
    job = _upload(client, people.sec, tmp_path)
    _killed(job)
    settings.TASKS = IMMEDIATE
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("procedures:import_retry", args=[job.pk]))
    new = ImportJob.objects.latest("pk")
    assert response.status_code == 302 and response["Location"] == reverse(
        "procedures:import_detail", args=[new.pk]
    )
    new.refresh_from_db()
    assert new.retry_of == job and new.file.name == job.file.name
    assert new.status == ImportStatus.SUCCEEDED and new.rows_loaded == 2
    assert Dossier.objects.count() == 2
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED  # the failed job stays, as history
    page = client.get(reverse("procedures:import_detail", args=[new.pk])).content.decode()
    assert reverse("procedures:import_detail", args=[job.pk]) in page
    assert reverse("procedures:import_retry", args=[new.pk]) not in page


def test_retry_is_a_post(client, people, catalogue, tmp_path):
    job = _upload(client, people.sec, tmp_path)
    _killed(job)
    fail_stale_jobs()
    assert client.get(reverse("procedures:import_retry", args=[job.pk])).status_code == 405


def test_only_a_failed_job_is_retried(client, people, catalogue, tmp_path):
    job = _upload(client, people.sec, tmp_path)
    _killed(job, minutes=1)  # still alive
    assert client.post(reverse("procedures:import_retry", args=[job.pk])).status_code == 409
    assert ImportJob.objects.count() == 1


def test_who_may_not_start_an_import_may_not_retry_it(client, people, province, catalogue, tmp_path):
    job = _upload(client, people.sec, tmp_path)
    _killed(job)
    fail_stale_jobs()
    client.force_login(people.officer_a)
    assert client.post(reverse("procedures:import_retry", args=[job.pk])).status_code == 403
    # A district secretariat sees its own catalogue job but may not start a catalogue import.
    sec_a = make_user("sec_a", "secretariat", province.A)
    mine = ImportJob.objects.create(
        kind="procedures", file=job.file.name, original_name="c.csv", created_by=sec_a, status="failed"
    )
    client.force_login(sec_a)
    page = client.get(reverse("procedures:import_detail", args=[mine.pk])).content.decode()
    assert reverse("procedures:import_retry", args=[mine.pk]) not in page
    assert client.post(reverse("procedures:import_retry", args=[mine.pk])).status_code == 403
    assert ImportJob.objects.count() == 2


def test_the_heartbeat_writes_the_figures_noted_inside_the_load_transaction(
    client, people, catalogue, tmp_path
):
    job = _upload(client, people.sec, tmp_path)
    _killed(job)
    beat = JobHeartbeat(job.pk, interval=3600)
    beat.note(phase="loading", progress=73, rows_read=12)
    beat.beat()
    job.refresh_from_db()
    assert job.progress == 73 and job.rows_read == 12
    assert timezone.now() - job.heartbeat_at < dt.timedelta(seconds=30)
    assert fail_stale_jobs() == 0


def test_the_heartbeat_thread_beats_while_the_job_runs(client, people, catalogue, tmp_path):
    """The thread beats on its own connection; it is started and stopped around the job."""
    job = _upload(client, people.sec, tmp_path)
    with JobHeartbeat(job.pk, interval=3600) as beat:
        assert beat._thread is not None and beat._thread.is_alive()
    assert not beat._thread.is_alive()
