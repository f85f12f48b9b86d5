"""One access helper per object: it returns the object and what the user may do with it.

Objects outside the user's scope raise ``Http404`` so that nothing leaks (not even existence).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404

from cchc.assessments.models import Assessment, Evidence, Round, Status
from cchc.orgs.access import Scope, scope_for
from cchc.orgs.models import Role

SELF_EDIT_STATES = {Status.DRAFT}
RESPOND_STATES = {Status.RETURNED}
APPRAISE_STATES = {Status.SUBMITTED, Status.UNDER_APPRAISAL}


@dataclass(frozen=True)
class AssessmentAccess:
    view: bool = False
    self_assess: bool = False  # edit self scores, explanations, evidence (draft)
    respond: bool = False  # answer appraisal comments, add evidence (returned)
    submit: bool = False
    appraise: bool = False  # appraised scores and comments
    return_for_explanation: bool = False
    finalise: bool = False
    publish: bool = False
    reopen: bool = False
    is_officer: bool = False
    is_appraiser: bool = False
    is_secretariat: bool = False

    @property
    def read_only(self) -> bool:
        return not (
            self.self_assess or self.respond or self.appraise or self.finalise or self.publish or self.reopen
        )


def access_for(scope: Scope, assessment: Assessment) -> AssessmentAccess:
    unit = assessment.unit
    officer = scope.covers(Role.UNIT_OFFICER, unit)
    secretariat = scope.covers(Role.SECRETARIAT, unit)
    appraiser = secretariat or scope.covers(Role.APPRAISER, unit)
    leader = scope.covers(Role.LEADER, unit)
    if not (officer or appraiser or leader):
        return AssessmentAccess()
    status = assessment.status
    return AssessmentAccess(
        view=True,
        self_assess=officer and status in SELF_EDIT_STATES,
        respond=officer and status in RESPOND_STATES,
        submit=officer and status == Status.DRAFT,
        appraise=appraiser and status in APPRAISE_STATES,
        return_for_explanation=appraiser and status in APPRAISE_STATES,
        finalise=secretariat and status in APPRAISE_STATES,
        publish=secretariat and status == Status.FINALISED,
        reopen=secretariat and status in {Status.FINALISED, Status.PUBLISHED},
        is_officer=officer,
        is_appraiser=appraiser,
        is_secretariat=secretariat,
    )


def assessments_for(user) -> QuerySet[Assessment]:
    """Every assessment the user may see."""
    return Assessment.objects.filter(scope_for(user).unit_q(prefix="unit__")).select_related(
        "unit", "unit__unit_type", "round", "round__framework"
    )


def get_assessment_for_user(user, assessment_id: int) -> tuple[Assessment, AssessmentAccess]:
    try:
        assessment = Assessment.objects.select_related(
            "unit", "unit__unit_type", "round", "round__framework"
        ).get(pk=assessment_id)
    except (Assessment.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    access = access_for(scope_for(user), assessment)
    if not access.view:
        raise Http404
    return assessment, access


def get_evidence_for_user(user, evidence_id: int) -> tuple[Evidence, AssessmentAccess]:
    try:
        evidence = Evidence.objects.select_related("score__assessment").get(pk=evidence_id)
    except (Evidence.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    _assessment, access = get_assessment_for_user(user, evidence.score.assessment_id)
    return evidence, access


@dataclass(frozen=True)
class RoundAccess:
    view: bool = False
    manage: bool = False  # open for units, set the deadline, remind, finalise many, publish


def manages_round(scope: Scope, round_obj: Round) -> bool:
    """Whether ``scope`` manages the round: a superuser, or a secretariat whose subtree holds
    every unit of the round (a district's secretariat does not set the deadline of, or remind
    the units of, a province-wide round)."""
    return scope.superuser or (
        scope.has(Role.SECRETARIAT)
        and not Assessment.objects.filter(round=round_obj)
        .exclude(scope.unit_q(Role.SECRETARIAT, "unit__"))
        .exists()
    )


def get_round_for_user(user, round_id: int) -> tuple[Round, RoundAccess]:
    """A round is visible to whoever sees one of its assessments or holds the secretariat or
    leader role; it is managed by the secretariat (of the subtree holding its units)."""
    try:
        round_obj = Round.objects.select_related("framework").get(pk=round_id)
    except (Round.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    scope = scope_for(user)
    manage = manages_round(scope, round_obj)
    view = (
        manage
        or scope.has(Role.SECRETARIAT)
        or scope.has(Role.LEADER)
        or assessments_for(user).filter(round=round_obj).exists()
    )
    if not view:
        raise Http404
    return round_obj, RoundAccess(view=True, manage=manage)
