"""Background tasks of the indicators app (django-tasks; ``cchc db_worker`` runs them)."""

from django_tasks import task

from cchc.indicators.entry import send_entry_reminders


@task()
def send_entry_reminders_task(period: str, unit_ids: list[int]) -> dict:
    """E-mail the unit officers of the units late with their figures (queued from the overview)."""
    return send_entry_reminders(period, unit_ids)
