"""The fieldwork the secretariat manages: the forms it reviews (quality control) and the
one-time invitations it prints or mails. Reads only; the changes are in ``services``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from cchc.surveys.models import Answer, Campaign, CampaignUnit, Invitation, Response, ResponseChannel

FAST_SECONDS = 30  # suspiciously quick online forms: the usual first check


@dataclass(frozen=True)
class ReviewFilter:
    """The quality-control filters, already parsed: ``state`` is ``valid``, ``excluded``,
    ``fast`` or empty; ``search`` a form number or a response id."""

    unit_id: int | None = None
    channel: str = ""
    state: str = ""
    since: dt.date | None = None
    until: dt.date | None = None
    search: str = ""
    search_id: int | None = None


def responses_for_review(campaign: Campaign, unit_ids: Iterable[int], f: ReviewFilter) -> QuerySet[Response]:
    """The responses of ``unit_ids`` matching the filter, newest first."""
    qs = Response.objects.filter(campaign=campaign, unit_id__in=list(unit_ids)).select_related(
        "unit", "excluded_by"
    )
    if f.unit_id is not None:
        qs = qs.filter(unit_id=f.unit_id)
    if f.channel in ResponseChannel.values:
        qs = qs.filter(channel=f.channel)
    if f.state == "valid":
        qs = qs.filter(excluded=False)
    elif f.state == "excluded":
        qs = qs.filter(excluded=True)
    elif f.state == "fast":
        qs = qs.filter(duration_seconds__lt=FAST_SECONDS)
    if f.since is not None:
        qs = qs.filter(submitted_at__date__gte=f.since)
    if f.until is not None:
        qs = qs.filter(submitted_at__date__lte=f.until)
    if f.search:
        qs = qs.filter(Q(form_no__icontains=f.search) | Q(pk=f.search_id or 0))
    return qs.order_by("-submitted_at", "-pk")


def attach_answers(responses: Sequence[Response]) -> None:
    """Set ``answer_list`` (in question order) on each response of a page."""
    answers: dict[int, list[Answer]] = {}
    for a in (
        Answer.objects.filter(response__in=list(responses))
        .select_related("question")
        .order_by("question__order", "pk")
    ):
        answers.setdefault(a.response_id, []).append(a)
    for r in responses:
        r.answer_list = answers.get(r.pk, [])


def unused_invitations(cu: CampaignUnit) -> QuerySet[Invitation]:
    return Invitation.objects.filter(campaign_unit=cu, used_at__isnull=True).order_by("pk")


def invitation_counts(cu: CampaignUnit) -> dict[str, int]:
    """``total`` and ``used`` invitations of a campaign unit."""
    return Invitation.objects.filter(campaign_unit=cu).aggregate(
        total=Count("id"), used=Count("id", filter=Q(used_at__isnull=False))
    )
