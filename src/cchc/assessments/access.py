"""One access helper per object: it returns the object and what the user may do with it.

Objects outside the user's scope raise ``Http404`` so that nothing leaks (not even existence).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404

from cchc.assessments import workflow
from cchc.assessments.models import Assessment, Evidence, Round, Status
from cchc.orgs.access import Scope, scope_for
from cchc.orgs.models import Role

# The visibility rule: the unit reads the appraisers' comments once returned to it for explanation.
COMMENTS_TO_UNIT_STATES = {Status.RETURNED, Status.UNDER_APPRAISAL, Status.FINALISED}


@dataclass(frozen=True)
class AssessmentAccess:
    view: bool = False
    # What the user may do now, from ``workflow.EDITS`` and ``workflow.STEPS``:
    self_assess: bool = False  # edit self scores, explanations, evidence (draft)
    respond: bool = False  # answer appraisal comments, add evidence (returned)
    submit: bool = False
    appraise: bool = False  # appraised scores and comments
    return_for_explanation: bool = False
    finalise: bool = False
    publish: bool = False
    reopen: bool = False
    # What the reader sees (the visibility rule, one place for pages, API, exports, charts):
    see_appraisal: bool = False  # appraised scores, and totals/index/class that include them
    see_comments: bool = False  # the appraisers' comments
    provisional: bool = True  # the result is not published yet
    is_officer: bool = False
    is_appraiser: bool = False
    is_secretariat: bool = False

    @property
    def read_only(self) -> bool:
        return not any(getattr(self, c) for c in workflow.CAPABILITIES)


def access_for(scope: Scope, assessment: Assessment) -> AssessmentAccess:
    unit = assessment.unit
    officer = scope.covers(Role.UNIT_OFFICER, unit)
    secretariat = scope.covers(Role.SECRETARIAT, unit)
    appraiser = secretariat or scope.covers(Role.APPRAISER, unit)
    leader = scope.covers(Role.LEADER, unit)
    if not (officer or appraiser or leader):
        return AssessmentAccess()
    status = assessment.status
    published = status == Status.PUBLISHED
    held = {role for role in workflow.WORKFLOW_ROLES if scope.covers(role, unit)}
    return AssessmentAccess(
        view=True,
        # The appraisers and the secretariat work on the appraisal; the unit and the leaders see
        # it once published (before that, their figures are the self-assessment's).
        see_appraisal=appraiser or published,
        # The unit reads the comments once the appraisal has been returned to it for explanation.
        see_comments=appraiser or published or (officer and status in COMMENTS_TO_UNIT_STATES),
        provisional=not published,
        # what the user may do: the workflow's tables (edits and steps) for the roles held
        **workflow.capabilities(held, status),
        is_officer=officer,
        is_appraiser=appraiser,
        is_secretariat=secretariat,
    )


def hidden_score_fields(access: AssessmentAccess) -> set[str]:
    """The ``Score`` / ``ScoreChange`` fields the reader may not see."""
    hidden = set()
    if not access.see_appraisal:
        hidden.add("appraised_score")
    if not access.see_comments:
        hidden.add("appraiser_comment")
    return hidden


def province_path(path: str) -> str:
    """The path of the top unit (the province) of a unit path ``/1/5/23/`` → ``/1/``."""
    head = path.strip("/").split("/", 1)[0]
    return f"/{head}/" if head else "/"


@dataclass(frozen=True)
class ResultVisibility:
    """Which results a reader sees in ranking tables, exports, trends and histories: published
    results are public within the reader's province(s); the secretariat also sees every
    result of its subtree in any state (marked provisional). Ranks, classes and distributions
    are computed over what the reader sees."""

    full_paths: tuple[str, ...] = ()
    province_paths: tuple[str, ...] = ()
    superuser: bool = False

    @property
    def any(self) -> bool:
        return self.superuser or bool(self.province_paths)

    @property
    def sees_unpublished(self) -> bool:
        return self.superuser or bool(self.full_paths)

    def sees(self, unit_path: str, status: str) -> bool:
        if self.superuser or any(unit_path.startswith(p) for p in self.full_paths):
            return True
        return status == Status.PUBLISHED and any(unit_path.startswith(p) for p in self.province_paths)

    def covers_unit(self, unit_path: str) -> bool:
        """Whether the unit lies where the reader may see published results."""
        return self.superuser or any(unit_path.startswith(p) for p in self.province_paths)

    def q(self, prefix: str = "unit__") -> Q:
        """Assessments (through ``prefix`` to their unit) whose result the reader sees."""
        if self.superuser:
            return Q()
        q = Q(pk__in=[])
        for p in self.full_paths:
            q |= Q(**{f"{prefix}path__startswith": p})
        for p in self.province_paths:
            q |= Q(**{f"{prefix}path__startswith": p, "status": Status.PUBLISHED})
        return q


def result_visibility(user) -> ResultVisibility:
    scope = scope_for(user)
    provinces = sorted({province_path(p) for paths in scope.paths.values() for p in paths})
    return ResultVisibility(
        full_paths=tuple(scope.paths.get(Role.SECRETARIAT, ())),
        province_paths=tuple(provinces),
        superuser=scope.superuser,
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
        # published results are public within the province
        or Assessment.objects.filter(round=round_obj).filter(result_visibility(user).q()).exists()
    )
    if not view:
        raise Http404
    return round_obj, RoundAccess(view=True, manage=manage)


def rounds_with_results_for(user) -> list[tuple[Round, int]]:
    """The rounds with results the user may see (``ResultVisibility``), newest first, each with
    how many of those results there are: what a reader's home page links to."""
    from django.db.models import Count

    visible = Assessment.objects.filter(result_visibility(user).q())
    counts = dict(visible.values("round_id").annotate(n=Count("id")).values_list("round_id", "n").order_by())
    rounds = (
        Round.objects.filter(pk__in=counts).select_related("framework").order_by("-year", "framework__code")
    )
    return [(r, counts[r.pk]) for r in rounds]
