"""Reminding late units: the secretariat's bulk action queues a background task
(django-tasks, database backend) and ``cchc db_worker`` sends the e-mails."""

from datetime import timedelta

from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from cchc.assessments import services
from cchc.assessments.models import Assessment


def _past_deadline(round_obj):
    round_obj.deadline = timezone.now() - timedelta(days=1)
    round_obj.save(update_fields=["deadline"])


def test_remind_action_queues_a_task_that_the_worker_runs(
    client, opened_round, province, people, django_capture_on_commit_callbacks, monkeypatch
):
    # The worker closes "old" connections between tasks; inside the test's transaction on
    # PostgreSQL that would close the test's own connection.
    from django_tasks_db.management.commands import db_worker

    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    _past_deadline(opened_round)
    services.submit(Assessment.objects.get(round=opened_round, unit=province.B), force=True)
    client.force_login(people.sec)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("assessments:round_bulk", args=[opened_round.pk]), {"action": "remind"}, follow=True
        )
    assert "1 đơn vị chưa nộp" in response.content.decode()
    assert mail.outbox == []  # nothing is sent inside the request
    job = DBTaskResult.objects.get()
    assert job.status == "READY"

    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)

    job.refresh_from_db()
    assert job.status == "SUCCESSFUL", job.traceback
    assert job.return_value == {"late_units": 1, "units_without_email": 0, "sent": 1}
    assert [m.to for m in mail.outbox] == [["a@example.vn"]]  # officer of A only: B has submitted
    assert "Huyện An" in mail.outbox[0].body


def test_a_unit_that_submits_before_the_worker_runs_is_not_reminded(opened_round, province, people):
    _past_deadline(opened_round)
    late = list(services.late_assessments(opened_round).values_list("pk", flat=True))
    assert len(late) == 2
    services.submit(Assessment.objects.get(round=opened_round, unit=province.A), force=True)
    result = services.send_late_reminders(opened_round.pk, late)
    assert result == {"late_units": 1, "units_without_email": 0, "sent": 1}
    assert [m.to for m in mail.outbox] == [["b@example.vn"]]


def test_nothing_is_queued_before_the_deadline(
    client, opened_round, people, django_capture_on_commit_callbacks
):
    opened_round.deadline = timezone.now() + timedelta(days=3)
    opened_round.save(update_fields=["deadline"])
    client.force_login(people.sec)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("assessments:round_bulk", args=[opened_round.pk]), {"action": "remind"}, follow=True
        )
    assert "Không có đơn vị nào nộp muộn" in response.content.decode()
    assert not DBTaskResult.objects.exists()


def test_only_the_secretariat_may_remind(client, opened_round, people):
    _past_deadline(opened_round)
    client.force_login(people.officer_a)
    response = client.post(reverse("assessments:round_bulk", args=[opened_round.pk]), {"action": "remind"})
    assert response.status_code in (403, 404)
    assert not DBTaskResult.objects.exists()
