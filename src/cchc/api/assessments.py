"""Assessments: list, detail with leaf scores, score updates and workflow transitions. Every
call goes through ``get_assessment_for_user``: an assessment outside the caller's scope is 404."""

from __future__ import annotations

from decimal import Decimal
from enum import Enum

from django.http import Http404
from ninja import Query, Router, Schema

from cchc.assessments import services, workflow
from cchc.assessments.access import assessments_for, get_assessment_for_user
from cchc.assessments.models import Score
from cchc.assessments.results import assessment_result
from cchc.frameworks.models import Node
from cchc.frameworks.tree import build_tree

router = Router(tags=["assessments"])

CAPABILITIES = ["view", *workflow.CAPABILITIES]


def summary(a) -> dict:
    return {
        "id": a.pk,
        "unit_code": a.unit.code,
        "unit_name": a.unit.name,
        "framework": a.round.framework.code,
        "year": a.round.year,
        "round_id": a.round_id,
        "status": a.status,
    }


@router.get("")
def list_assessments(
    request,
    round: int | None = Query(None, ge=1, le=2**63 - 1),
    year: int | None = Query(None, ge=1900, le=2200),
    status: str | None = None,
):
    """The assessments you may see, filtered by round id, year and status."""
    qs = assessments_for(request.user)
    if round:
        qs = qs.filter(round_id=round)
    if year:
        qs = qs.filter(round__year=year)
    if status:
        qs = qs.filter(status=status)
    return [summary(a) for a in qs.order_by("round__year", "round__framework__code", "unit__code")]


@router.get("/{assessment_id}")
def get_assessment(request, assessment_id: int):
    """One assessment, its leaves and its result, by the visibility rule of the assessment page:
    before publication the unit and the leaders see neither the appraised scores nor a result
    that includes them (``result.basis`` is then ``self``), and the appraisers' comments only
    once returned to the unit."""
    assessment, access = get_assessment_for_user(request.user, assessment_id)
    tree = build_tree(assessment.round.framework_id)
    scores = {s.node_id: s for s in Score.objects.filter(assessment=assessment)}
    leaves = []
    for leaf in tree.leaves:
        s = scores.get(leaf.id)
        leaves.append(
            {
                "code": leaf.code,
                "name": leaf.name,
                "max": leaf.max_points,
                "self_score": s.self_score if s else None,
                "explanation": s.explanation if s else "",
                "appraised_score": s.appraised_score if s and access.see_appraisal else None,
                "comment": s.appraiser_comment if s and access.see_comments else "",
                "unit_response": s.unit_response if s else "",
                "not_applicable": s.not_applicable if s else False,
            }
        )
    result = assessment_result(assessment, with_appraisal=access.see_appraisal)
    return {
        **summary(assessment),
        "can": {k: getattr(access, k) for k in CAPABILITIES},
        "sees": {"appraisal": access.see_appraisal, "comments": access.see_comments},
        "result": {
            "basis": "appraisal" if access.see_appraisal else "self",
            "provisional": access.provisional,
            "total": result.total,
            "max": result.max_points,
            "index": result.index,
            "class": result.band.code if result.band else None,
        },
        "leaves": leaves,
    }


class ScoreIn(Schema):
    # as a person types it ("0,75" or "0.75") or a number; null clears it
    score: str | Decimal | None = None
    not_applicable: bool | None = None
    explanation: str | None = None
    comment: str | None = None
    response: str | None = None
    reason: str = ""


@router.put("/{assessment_id}/scores/{node_code}")
def put_score(request, assessment_id: int, node_code: str, payload: ScoreIn):
    """By your access (the rule of the assessment page's autosave, ``services.save_leaf``): the
    self score, N/A flag and explanation (unit officer, draft); the answer to a comment,
    ``response``, and the explanation (unit officer, returned); the appraised score, N/A flag and
    comment (appraiser/secretariat, submitted or under appraisal)."""
    assessment, _access = get_assessment_for_user(request.user, assessment_id)
    node = Node.objects.filter(framework_id=assessment.round.framework_id, code=node_code).first()
    if node is None:
        raise Http404
    obj = services.save_leaf(
        assessment,
        node,
        user=request.user,
        score=payload.score if "score" in payload.model_fields_set else services.UNSET,
        not_applicable=payload.not_applicable,
        explanation=payload.explanation,
        comment=payload.comment,
        response=payload.response,
        reason=payload.reason,
    )
    return {
        "code": node.code,
        "self_score": obj.self_score,
        "appraised_score": obj.appraised_score,
        "comment": obj.appraiser_comment,
        "explanation": obj.explanation,
        "unit_response": obj.unit_response,
        "not_applicable": obj.not_applicable,
    }


# The actions the API takes: those of the workflow's table that are offered.
TransitionAction = Enum("TransitionAction", {a.upper(): a for a in workflow.OFFERED_ACTIONS}, type=str)


class TransitionIn(Schema):
    action: TransitionAction
    note: str = ""
    reason: str = ""


@router.post("/{assessment_id}/transitions")
def post_transition(request, assessment_id: int, payload: TransitionIn):
    """action: submit | return | answer | finalise | publish | reopen (reopen needs ``reason``,
    or the note; finalise needs it when some applicable leaf is not appraised: it is recorded)."""
    assessment, _access = get_assessment_for_user(request.user, assessment_id)
    services.perform(
        payload.action.value, assessment, user=request.user, note=payload.note, reason=payload.reason
    )
    assessment.refresh_from_db()
    return summary(assessment)
