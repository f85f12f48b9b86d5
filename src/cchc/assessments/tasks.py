"""Background tasks of the assessments app (django-tasks; ``cchc db_worker`` runs them), and the
action that queues them: this layer sits above the services, which never import it."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _
from django_tasks import task

from cchc.assessments.models import Round
from cchc.assessments.services import late_assessments, send_late_reminders
from cchc.orgs.access import scope_for
from cchc.orgs.models import Role


@task()
def send_late_reminders_task(round_id: int, assessment_ids: list[int]) -> dict:
    """E-mail the unit officers of the late assessments (queued by ``remind_late``)."""
    return send_late_reminders(round_id, assessment_ids)


def remind_late(round_obj: Round, *, user=None) -> int:
    """Queue the e-mail reminders to the unit officers of every late assessment (a background task,
    ``cchc db_worker``); returns how many units will be reminded."""
    late = late_assessments(round_obj)
    if user is not None:
        scope = scope_for(user)
        if not scope.has(Role.SECRETARIAT):
            raise PermissionDenied(_("Chỉ Thường trực CCHC được nhắc đơn vị."))
        late = late.filter(scope.unit_q(Role.SECRETARIAT, "unit__"))
    late_ids = list(late.values_list("pk", flat=True))
    if late_ids:
        round_id = round_obj.pk
        transaction.on_commit(lambda: send_late_reminders_task.enqueue(round_id, late_ids))
    return len(late_ids)
