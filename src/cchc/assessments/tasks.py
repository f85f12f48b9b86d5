"""Background tasks of the assessments app (django-tasks; ``cchc db_worker`` runs them)."""

from django_tasks import task

from cchc.assessments.services import send_late_reminders


@task()
def send_late_reminders_task(round_id: int, assessment_ids: list[int]) -> dict:
    """E-mail the unit officers of the late assessments (queued by ``remind_late``)."""
    return send_late_reminders(round_id, assessment_ids)
