"""The assessments layer writes down what the frameworks layer must know without importing
Score: the first score saved under a framework marks it ``scored`` (its rules, maxima and
evidence flags are frozen from then on)."""

from __future__ import annotations

from django.db.models.signals import post_save
from django.dispatch import receiver

from cchc.assessments.models import Score
from cchc.frameworks.models import Framework, Node


@receiver(post_save, sender=Score, dispatch_uid="cchc.assessments.mark_framework_scored")
def mark_framework_scored(sender, instance: Score, created: bool, raw: bool = False, **kwargs) -> None:
    if not created or raw:
        return
    Framework.objects.filter(
        pk__in=Node.objects.filter(pk=instance.node_id).values("framework_id"), scored=False
    ).update(scored=True)
