"""Named actions on assessments. Each is atomic and writes its audit rows (Transition for a
status change, ScoreChange for a score); views, the API and the CLI call these, never save a
score themselves.

Actions take the acting ``user``; ``user=None`` means the system (CLI imports run by an
operator), which skips the role check but is still recorded.
"""

from __future__ import annotations

import datetime
import hashlib
import mimetypes
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mass_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.assessments import workflow
from cchc.assessments.access import access_for, manages_round
from cchc.assessments.models import (
    Assessment,
    Evidence,
    EvidenceAction,
    EvidenceEvent,
    Round,
    Score,
    ScoreChange,
    ScoreField,
    Status,
    Transition,
)
from cchc.core.numbers import vn_number
from cchc.frameworks.models import Framework, Node
from cchc.frameworks.scoring import is_indicator_rule, manual_score_error
from cchc.frameworks.tree import build_tree
from cchc.orgs.access import scope_for
from cchc.orgs.models import OrgUnit, Role

# The workflow's table and guards live in ``workflow``; these names stay here for the callers.
WorkflowError = workflow.WorkflowError
Action = workflow.Action
Missing = workflow.Missing
missing_items = workflow.missing_items
unappraised_leaves = workflow.unappraised_leaves


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


UNSET = _Unset()  # "leave this value as it is" (None means "clear it")


def _require(user, assessment: Assessment, capability: str) -> None:
    if user is None:
        return
    if not getattr(access_for(scope_for(user), assessment), capability):
        raise PermissionDenied(_("Bạn không có quyền thực hiện thao tác này với bản đánh giá này."))


def _fmt(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def _record_transition(
    assessment: Assessment, to_status: str, user, note: str = "", override_reason: str = ""
) -> Transition:
    transition = Transition.objects.create(
        assessment=assessment,
        from_status=assessment.status,
        to_status=to_status,
        by=user,
        note=note,
        override_reason=override_reason,
    )
    assessment.status = to_status
    fields = ["status", "submitted_at", "updated_at"]
    if to_status == Status.SUBMITTED:
        assessment.submitted_at = timezone.now()
        assessment.deadline_at_submission = assessment.round.deadline
        assessment.working_days_late = working_days_late(
            assessment.round.deadline, assessment.submitted_at, assessment.unit
        )
        fields += ["deadline_at_submission", "working_days_late"]
    assessment.save(update_fields=fields)
    return transition


def working_days_late(deadline, submitted_at, unit=None) -> int | None:
    """How many working days after ``deadline`` a submission at ``submitted_at`` came, on the
    working-day calendar of the unit's province: None when on time (or no deadline); a submission
    after the deadline counts at least 1 (late the same evening, or on the weekend after)."""
    from cchc.workdays.calendar import local
    from cchc.workdays.services import get_calendar

    if deadline is None or submitted_at is None or submitted_at <= deadline:
        return None
    calendar = get_calendar(unit)
    first = local(deadline).date() + datetime.timedelta(days=1)
    return max(1, calendar.count_working_days(first, local(submitted_at).date()))


# --- rounds -----------------------------------------------------------------------------------


@transaction.atomic
def open_round(
    framework: Framework, year: int, *, user=None, deadline=None, units: list[OrgUnit] | None = None
) -> tuple[Round, int]:
    """Open an evaluation year for every active unit of the framework's unit types (within the
    user's secretariat scope), or for ``units``. Returns the round and how many assessments
    were created; existing assessments are kept (re-running is safe)."""
    scope = scope_for(user) if user is not None else None
    if scope is not None and not scope.has(Role.SECRETARIAT):
        raise PermissionDenied(_("Chỉ Thường trực CCHC được mở đợt đánh giá."))
    round_obj, created = Round.objects.get_or_create(
        framework=framework, year=year, defaults={"deadline": deadline}
    )
    may_set_deadline = scope is None or created or manages_round(scope, round_obj)
    if deadline is not None and round_obj.deadline != deadline and may_set_deadline:
        round_obj.deadline = deadline
        round_obj.save(update_fields=["deadline"])
    if units is None:
        day = timezone.datetime(year, 12, 31).date()
        qs = OrgUnit.objects.filter(unit_type__in=framework.unit_types.all()).active_on(day)
        if scope is not None:
            qs = qs.filter(scope.unit_q(Role.SECRETARIAT))
        units = list(qs)
    elif scope is not None:
        for unit in units:
            if not scope.covers(Role.SECRETARIAT, unit):
                raise PermissionDenied(
                    _("Đơn vị %(unit)s nằm ngoài phạm vi quản lý của bạn.") % {"unit": unit.code}
                )
    existing = set(Assessment.objects.filter(round=round_obj).values_list("unit_id", flat=True))
    new = [Assessment(round=round_obj, unit=u) for u in units if u.pk not in existing]
    Assessment.objects.bulk_create(new, batch_size=1000)
    fresh = list(Assessment.objects.filter(round=round_obj, unit_id__in=[a.unit_id for a in new]))
    Transition.objects.bulk_create(
        [
            Transition(
                assessment=a, from_status="", to_status=Status.DRAFT, by=user, note=_("Mở đợt đánh giá")
            )
            for a in fresh
        ],
        batch_size=1000,
    )
    return round_obj, len(new)


@transaction.atomic
def set_deadline(round_obj: Round, deadline, *, user=None) -> Round:
    """Set the self-assessment deadline of a round. An empty deadline is refused: it would erase
    the deadline and forget who is late."""
    if user is not None and not manages_round(scope_for(user), round_obj):
        raise PermissionDenied(_("Bạn không quản lý đợt đánh giá này."))
    if deadline is None:
        raise ValidationError(_("Hãy chọn hạn nộp mới; hạn nộp không được để trống."))
    round_obj.deadline = deadline
    round_obj.save(update_fields=["deadline"])
    return round_obj


# --- scores -----------------------------------------------------------------------------------


def parse_score(raw: str | None) -> Decimal | None:
    """A score as a person types it: ``0,75`` or ``0.75`` (spaces ignored); empty means none.
    Raises a translated ValidationError for anything else. The one parser of score inputs."""
    text = (raw or "").strip().replace(" ", "").replace("\u00a0", "")
    if not text:
        return None
    if text.count(",") + text.count(".") > 1:
        raise ValidationError(_("Điểm “%(value)s” không phải là số (ví dụ 0,75).") % {"value": raw.strip()})
    try:
        value = Decimal(text.replace(",", "."))
    except InvalidOperation:
        raise ValidationError(
            _("Điểm “%(value)s” không phải là số (ví dụ 0,75).") % {"value": raw.strip()}
        ) from None
    if not value.is_finite():
        raise ValidationError(_("Điểm “%(value)s” không phải là số (ví dụ 0,75).") % {"value": raw.strip()})
    return value


def format_score(value) -> str:
    """A score in the Vietnamese form, 2 decimals: ``Decimal("0.75")`` → ``0,75``."""
    return vn_number(value, 2)


def _leaf(assessment: Assessment, node: Node) -> Node:
    if node.framework_id != assessment.round.framework_id:
        raise ValidationError(
            _("Tiêu chí %(code)s không thuộc bộ chỉ số của bản đánh giá.") % {"code": node.code}
        )
    if node.children.exists():
        raise ValidationError(
            _("Tiêu chí %(code)s có tiêu chí con; chỉ chấm điểm tiêu chí lá.") % {"code": node.code}
        )
    return node


def _effective_max(node: Node) -> Decimal:
    if node.max_points is not None:
        return node.max_points
    return build_tree(node.framework_id).by_id[node.pk].max_points


def validate_score(node: Node, value: Decimal | None, max_points: Decimal | None = None) -> None:
    if value is None:
        return
    max_points = _effective_max(node) if max_points is None else max_points
    rule = {"type": "manual", "step": "0.01"} if is_indicator_rule(node.rule) else node.rule
    error = manual_score_error(rule, max_points, value)
    if error:
        raise ValidationError(
            _("Tiêu chí %(code)s: %(reason)s")
            % {"code": node.code, "reason": _score_reason(error, value, max_points, rule)}
        )


def _score_reason(error: str, value: Decimal, max_points: Decimal, rule) -> str:
    """The reason of ``scoring.manual_score_error`` (plain English for the CLI), for people."""
    params = {"value": format_score(value), "max": format_score(max_points)}
    if error.startswith("score below"):
        return _("điểm không được âm.")
    if error.startswith("score above"):
        return _("điểm %(value)s vượt điểm tối đa %(max)s.") % params
    if error.startswith("a yes/no"):
        return _("tiêu chí đạt/không đạt chỉ nhận 0 hoặc %(max)s điểm.") % params
    if error.startswith("score must be a multiple"):
        from cchc.frameworks.scoring import rule_step

        return _("điểm phải là bội số của %(step)s.") % {"step": format_score(rule_step(rule))}
    return _("điểm có tối đa 2 chữ số thập phân.")


def _change(score: Score, field: str, new, user, reason: str, changes: list[ScoreChange]) -> None:
    old = getattr(score, field)
    if old == new:
        return
    setattr(score, field, new)
    changes.append(
        ScoreChange(
            score=score, field=field, old_value=_fmt(old), new_value=_fmt(new), by=user, reason=reason
        )
    )


@transaction.atomic
def set_self_score(
    assessment: Assessment,
    node: Node,
    *,
    user=None,
    score: Decimal | None | _Unset = UNSET,
    not_applicable: bool | None = None,
    explanation: str | None = None,
    reason: str = "",
) -> Score:
    """The unit's self score (điểm tự đánh giá), not-applicable flag and explanation for a leaf."""
    access = access_for(scope_for(user), assessment) if user is not None else None
    # In "returned" the unit may still improve its explanation, not its score.
    if access is not None and not (
        access.self_assess or (access.respond and score is UNSET and not_applicable is None)
    ):
        raise PermissionDenied(_("Bản đánh giá không ở trạng thái cho phép đơn vị sửa điểm tự đánh giá."))
    _leaf(assessment, node)
    if score is not UNSET:
        validate_score(node, score)
    obj, _created = Score.objects.select_for_update().get_or_create(assessment=assessment, node=node)
    changes: list[ScoreChange] = []
    if user is None or access.self_assess:
        if score is not UNSET:
            _change(obj, ScoreField.SELF, score, user, reason, changes)
        if not_applicable is not None:
            _change(obj, ScoreField.NOT_APPLICABLE, not_applicable, user, reason, changes)
    explanation_changed = explanation is not None and explanation != obj.explanation
    if (changes or explanation_changed) and assessment.is_locked:
        raise WorkflowError(_("Bản đánh giá đã công bố và bị khoá."))
    if explanation is not None:
        obj.explanation = explanation
    obj.save()
    ScoreChange.objects.bulk_create(changes)
    return obj


@transaction.atomic
def set_appraised_score(
    assessment: Assessment,
    node: Node,
    *,
    user=None,
    score: Decimal | None | _Unset = UNSET,
    comment: str | None = None,
    not_applicable: bool | None = None,
    reason: str = "",
) -> Score:
    """The appraised score (điểm thẩm định) and the appraiser's comment. The first appraisal
    moves a submitted assessment to "under appraisal"."""
    _require(
        user, assessment, "appraise"
    )  # for a user: appraiser of the unit, status submitted/under appraisal
    _leaf(assessment, node)
    if score is not UNSET:
        validate_score(node, score)
    obj, _created = Score.objects.select_for_update().get_or_create(assessment=assessment, node=node)
    changes: list[ScoreChange] = []
    if score is not UNSET:
        _change(obj, ScoreField.APPRAISED, score, user, reason, changes)
    if not_applicable is not None:
        _change(obj, ScoreField.NOT_APPLICABLE, not_applicable, user, reason, changes)
    comment_changed = comment is not None and comment != obj.appraiser_comment
    if (changes or comment_changed) and assessment.is_locked:
        raise WorkflowError(_("Bản đánh giá đã công bố và bị khoá."))
    start = workflow.step(Action.START_APPRAISAL)
    if (changes or comment_changed) and assessment.status in start.sources:
        _record_transition(assessment, start.target, user, _("Bắt đầu thẩm định"))
    if comment is not None:
        obj.appraiser_comment = comment
    obj.save()
    ScoreChange.objects.bulk_create(changes)
    return obj


@transaction.atomic
def respond_to_comment(assessment: Assessment, node: Node, *, user, response: str) -> Score:
    """The unit's explanation (giải trình) in answer to an appraiser's comment."""
    _require(user, assessment, "respond")
    if assessment.status not in workflow.edit_states("respond"):
        raise WorkflowError(_("Chỉ giải trình khi bản đánh giá được trả lại để giải trình."))
    _leaf(assessment, node)
    obj, _created = Score.objects.select_for_update().get_or_create(assessment=assessment, node=node)
    obj.unit_response = response
    obj.save(update_fields=["unit_response", "updated_at"])
    return obj


def leaf_score_field(access) -> str:
    """The score a reader's ``score`` input writes on a leaf (:func:`save_leaf`): the appraised
    score for the appraisers, the self score otherwise."""
    return ScoreField.APPRAISED if access.appraise else ScoreField.SELF


def _score_input(raw) -> Decimal | None | _Unset:
    """A score as given: text as a person types it (``0,75``), a number, None or UNSET; read by
    the one parser (a number is read from its text: no infinity, no NaN)."""
    if raw is UNSET or raw is None:
        return raw
    return parse_score(str(raw))


@transaction.atomic
def save_leaf(
    assessment: Assessment,
    node: Node,
    *,
    user,
    score=UNSET,
    not_applicable: bool | None = None,
    explanation: str | None = None,
    comment: str | None = None,
    response: str | None = None,
    reason: str = "",
) -> Score:
    """Save what a user entered on one leaf, by their access: the one rule of the assessment
    page's autosave and the API's score endpoint.

    - the unit (draft): its self score, the not-applicable flag and the explanation;
    - the unit (returned for explanation): its answer to the comment (``response``) and the
      explanation; a change of its score or of the not-applicable flag is refused (403);
    - the appraisers (submitted, under appraisal): the appraised score, the not-applicable flag
      and the comment; the first change moves a submitted assessment to "under appraisal".

    ``score`` is the score the user's role writes (:func:`leaf_score_field`), as typed (``0,75``
    or ``0.75``; empty or None clears it) or a number; UNSET leaves it. Fields the role does not
    write are ignored. The maximum, the step and the history (ScoreChange) are those of
    :func:`set_self_score` and :func:`set_appraised_score`."""
    access = access_for(scope_for(user), assessment)
    if access.appraise:
        return set_appraised_score(
            assessment,
            node,
            user=user,
            score=_score_input(score),
            comment=comment,
            not_applicable=not_applicable,
            reason=reason,
        )
    if access.respond:
        # A score or flag given as it stands is no change (a page opened before the return
        # sends them with the explanation); a change is refused.
        try:
            value = _score_input(score)
        except ValidationError:
            value = score  # not a number: not the score as it stands
        current = Score.objects.filter(assessment=assessment, node=node).first()
        if (value is not UNSET and value != (current.self_score if current else None)) or (
            not_applicable is not None and not_applicable != (current.not_applicable if current else False)
        ):
            raise PermissionDenied(_("Khi giải trình, đơn vị không sửa được điểm tự đánh giá."))
        obj = None
        if response is not None:
            obj = respond_to_comment(assessment, node, user=user, response=response)
        if explanation is not None or obj is None:
            obj = set_self_score(assessment, node, user=user, explanation=explanation, reason=reason)
        return obj
    if access.self_assess:
        return set_self_score(
            assessment,
            node,
            user=user,
            score=_score_input(score),
            not_applicable=not_applicable,
            explanation=explanation,
            reason=reason,
        )
    raise PermissionDenied(_("Bạn không có quyền sửa điểm của bản đánh giá này ở trạng thái hiện tại."))


# --- evidence ---------------------------------------------------------------------------------

ALLOWED_EVIDENCE = {
    ".pdf": ("application/pdf", [b"%PDF-"]),
    ".png": ("image/png", [b"\x89PNG\r\n\x1a\n"]),
    ".jpg": ("image/jpeg", [b"\xff\xd8\xff"]),
    ".jpeg": ("image/jpeg", [b"\xff\xd8\xff"]),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", [b"PK\x03\x04"]),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", [b"PK\x03\x04"]),
    ".pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", [b"PK\x03\x04"]),
    ".doc": ("application/msword", [b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"]),
    ".xls": ("application/vnd.ms-excel", [b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"]),
    ".odt": ("application/vnd.oasis.opendocument.text", [b"PK\x03\x04"]),
    ".ods": ("application/vnd.oasis.opendocument.spreadsheet", [b"PK\x03\x04"]),
}


def validate_upload(uploaded) -> tuple[str, str]:
    """Check an uploaded evidence file by size, extension and magic bytes (not by the
    browser's claimed type). Returns (extension, content type)."""
    name = PurePosixPath(uploaded.name or "").name
    ext = PurePosixPath(name).suffix.lower()
    if ext not in ALLOWED_EVIDENCE:
        raise ValidationError(
            _(
                "Tệp %(name)s: chỉ nhận PDF, ảnh (PNG, JPG) và văn bản Office (DOC/DOCX, XLS/XLSX, PPTX, ODT/ODS)."
            )
            % {"name": name}
        )
    if uploaded.size > settings.EVIDENCE_MAX_BYTES:
        raise ValidationError(
            _("Tệp %(name)s quá lớn (tối đa %(mb)s MB).")
            % {"name": name, "mb": settings.EVIDENCE_MAX_BYTES // (1024 * 1024)}
        )
    if uploaded.size == 0:
        raise ValidationError(_("Tệp %(name)s rỗng.") % {"name": name})
    content_type, magics = ALLOWED_EVIDENCE[ext]
    head = uploaded.read(16)
    uploaded.seek(0)
    if not any(head.startswith(m) for m in magics):
        raise ValidationError(_("Tệp %(name)s không đúng định dạng %(ext)s.") % {"name": name, "ext": ext})
    return ext, content_type or mimetypes.guess_type(name)[0] or "application/octet-stream"


@transaction.atomic
def add_evidence(assessment: Assessment, node: Node, uploaded, *, user) -> Evidence:
    access = access_for(scope_for(user), assessment)
    if not (access.self_assess or access.respond):
        raise PermissionDenied(_("Không thể thêm tài liệu kiểm chứng ở trạng thái này."))
    _leaf(assessment, node)
    _ext, content_type = validate_upload(uploaded)
    digest = hashlib.sha256()
    for chunk in uploaded.chunks():
        digest.update(chunk)
    uploaded.seek(0)
    score, _created = Score.objects.get_or_create(assessment=assessment, node=node)
    evidence = Evidence.objects.create(
        score=score,
        file=uploaded,
        original_name=PurePosixPath(uploaded.name).name[:255],
        content_type=content_type,
        size=uploaded.size,
        sha256=digest.hexdigest(),
        uploaded_by=user,
    )
    _evidence_event(evidence, EvidenceAction.ADDED, user)
    return evidence


def _evidence_event(evidence: Evidence, action: str, user) -> EvidenceEvent:
    return EvidenceEvent.objects.create(
        assessment_id=evidence.score.assessment_id,
        node_id=evidence.score.node_id,
        evidence=evidence if action == EvidenceAction.ADDED else None,
        action=action,
        file_name=evidence.original_name,
        size=evidence.size,
        sha256=evidence.sha256,
        stored_name=evidence.file.name,
        by=user,
    )


EVIDENCE_EDIT_STATES = workflow.edit_states("self_assess", "respond")


@transaction.atomic
def remove_evidence(evidence: Evidence, *, user) -> EvidenceEvent:
    """Remove an evidence item while the unit may still edit (draft, returned for explanation).
    The removal is an audit row; the file stays in storage until the assessment is published."""
    assessment = Assessment.objects.select_for_update().get(pk=evidence.score.assessment_id)
    if assessment.status not in EVIDENCE_EDIT_STATES:
        raise WorkflowError(
            _("Chỉ xoá được tài liệu kiểm chứng khi đơn vị đang tự đánh giá hoặc đang giải trình.")
        )
    access = access_for(scope_for(user), assessment)
    if not (access.self_assess or access.respond):
        raise PermissionDenied(_("Không thể xoá tài liệu kiểm chứng ở trạng thái này."))
    EvidenceEvent.objects.filter(evidence=evidence).update(evidence=None)
    event = _evidence_event(evidence, EvidenceAction.REMOVED, user)
    evidence.delete()  # the row only: the file is kept for the audit until publication
    return event


def prune_removed_evidence(assessment: Assessment) -> int:
    """Delete from storage the files of the evidence removed from a published assessment
    (after the transaction commits); returns how many files will be pruned."""
    from django.core.files.storage import default_storage

    events = list(
        EvidenceEvent.objects.filter(
            assessment=assessment, action=EvidenceAction.REMOVED, pruned_at__isnull=True
        )
    )
    if not events:
        return 0
    names = [e.stored_name for e in events]
    EvidenceEvent.objects.filter(pk__in=[e.pk for e in events]).update(pruned_at=timezone.now())

    def delete_files() -> None:
        for name in names:
            if name and default_storage.exists(name):
                default_storage.delete(name)

    transaction.on_commit(delete_files)
    return len(names)


# --- workflow ---------------------------------------------------------------------------------


def _check(step: workflow.Step, assessment: Assessment, user) -> None:
    """Whether ``step`` applies, by the table: for most steps the state first (its real reason:
    "đã hoàn thành thẩm định", not "no permission"), then the user's role; for the steps with a
    state message, the user's capability (role and state, 403) first."""
    if not step.state_message:
        error = workflow.state_error(assessment, step)
        if error:
            raise error
    _require(user, assessment, step.capability)
    error = workflow.state_error(assessment, step)
    if error:
        raise error


@transaction.atomic
def perform(
    action: str, assessment: Assessment, *, user=None, note: str = "", reason: str = "", force: bool = False
) -> Transition:
    """Take the workflow ``action`` (``workflow.STEPS``) on the assessment: check its state and
    the user's role, run its guard, record the transition, then its after-effect. ``reason`` is
    the override reason of finalise and the reason of reopen; ``force`` skips the missing items
    check of submit."""
    step = workflow.step(action)
    _check(step, assessment, user)
    record = step.guard(assessment, workflow.Request(user=user, note=note, reason=reason, force=force))
    transition = _record_transition(
        assessment, step.target, user, record.note, override_reason=record.override_reason
    )
    if step.after is not None:
        step.after(assessment)
    return transition


def submit(assessment: Assessment, *, user=None, note: str = "", force: bool = False) -> Transition:
    """The unit submits its self-assessment. Refused while items are missing unless ``force``
    (the CLI's import, which records its own checks)."""
    return perform(Action.SUBMIT, assessment, user=user, note=note, force=force)


def start_appraisal(assessment: Assessment, *, user=None, note: str = "") -> Transition:
    return perform(Action.START_APPRAISAL, assessment, user=user, note=note)


def return_for_explanation(assessment: Assessment, *, user=None, note: str = "") -> Transition:
    """The appraiser asks the unit to explain (giải trình) the leaves it commented on."""
    return perform(Action.RETURN, assessment, user=user, note=note)


def answer_explanation(assessment: Assessment, *, user=None, note: str = "") -> Transition:
    """The unit sends back its explanations; the appraisal resumes."""
    return perform(Action.ANSWER, assessment, user=user, note=note)


def finalise(assessment: Assessment, *, user=None, note: str = "", override_reason: str = "") -> Transition:
    """The secretariat finalises the appraisal. Every applicable leaf must be appraised, unless
    an explicit ``override_reason`` is given: it is recorded on the transition."""
    return perform(Action.FINALISE, assessment, user=user, note=note, reason=override_reason)


def publish(assessment: Assessment, *, user=None, note: str = "") -> Transition:
    return perform(Action.PUBLISH, assessment, user=user, note=note)


def reopen(assessment: Assessment, *, user=None, reason: str) -> Transition:
    """Only the secretariat re-opens a finalised or published assessment, with a recorded reason."""
    return perform(Action.REOPEN, assessment, user=user, reason=reason)


@dataclass
class ActionPreview:
    """What a workflow action would do, for its confirmation page."""

    action: str
    apply: list = field(default_factory=list)  # assessments that will change
    blocked: list = field(default_factory=list)  # (assessment, reason): will not change
    unappraised: list = field(default_factory=list)  # (assessment, [Missing]): finalise needs a reason
    effects: list = field(default_factory=list)
    notified: list = field(default_factory=list)  # (role label, [names])
    late: dict = field(default_factory=dict)  # assessment id → working days late if submitted now


def preview_action(action: str, assessments, *, user) -> ActionPreview:
    """Check ``action`` on each assessment without doing it."""
    step = workflow.step(action)
    preview = ActionPreview(action)
    for a in assessments:
        try:
            _check(step, a, user)
            if step.preview is not None:
                step.preview(a, preview)
        except (WorkflowError, PermissionDenied, ValidationError) as exc:
            messages = getattr(exc, "messages", None) or [str(exc)]
            preview.blocked.append((a, "; ".join(messages)))
            continue
        preview.apply.append(a)
    preview.effects = list(step.effects)
    preview.notified = _people_who_see(step.notified, preview.apply)
    return preview


def _people_who_see(wanted, assessments) -> list[tuple[str, list[str]]]:
    """Who will see the new state on their pages (no e-mail is sent for these actions)."""
    from cchc.orgs.models import RoleAssignment

    if not assessments:
        return []
    paths = [a.unit.path for a in assessments]
    unit_ids = {a.unit_id for a in assessments}
    found: dict[str, set[str]] = {}
    rows = RoleAssignment.objects.filter(role__in=wanted, user__is_active=True).select_related("user", "unit")
    for ra in rows:
        if ra.role == Role.UNIT_OFFICER:
            hit = ra.unit_id in unit_ids
        else:
            hit = any(p.startswith(ra.unit.path) for p in paths)
        if hit:
            found.setdefault(ra.role, set()).add(ra.user.get_full_name() or ra.user.username)
    return [(str(Role(r).label), sorted(found[r])) for r in wanted if r in found]


# --- bulk actions for the secretariat -----------------------------------------------------------


def _bulk(action, assessments, user, **kwargs) -> tuple[int, list[str]]:
    """Apply ``action`` to each assessment; the units it did not apply to come back with the real
    reason each (its state, missing appraisal, or no permission)."""
    done, errors = 0, []
    for assessment in assessments:
        try:
            with transaction.atomic():
                action(assessment, user=user, **kwargs)
            done += 1
        except (WorkflowError, PermissionDenied, ValidationError) as exc:
            messages = getattr(exc, "messages", None) or [str(exc)]
            errors.append(f"{assessment.unit.code} {assessment.unit.name}: {'; '.join(messages)}")
    return done, errors


def perform_many(action: str, assessments, *, user=None, reason: str = "") -> tuple[int, list[str]]:
    """A bulk action of the round page (``workflow.BULK_ACTIONS``) on each assessment."""
    if action not in workflow.BULK_ACTIONS:
        raise ValueError(action)
    return _bulk(lambda a, **kw: perform(action, a, **kw), assessments, user, reason=reason)


def finalise_many(assessments, *, user=None, override_reason: str = "") -> tuple[int, list[str]]:
    return perform_many(Action.FINALISE, assessments, user=user, reason=override_reason)


def publish_many(assessments, *, user=None) -> tuple[int, list[str]]:
    return perform_many(Action.PUBLISH, assessments, user=user)


def late_assessments(round_obj: Round, now=None):
    """Assessments still in draft after the round's deadline."""
    now = now or timezone.now()
    qs = Assessment.objects.filter(round=round_obj, status=Status.DRAFT).select_related("unit")
    if round_obj.deadline is None or now <= round_obj.deadline:
        return qs.none()
    return qs


def send_late_reminders(round_id: int, assessment_ids: list[int]) -> dict:
    """Send the reminders queued by :func:`remind_late` (run by the task). An assessment submitted
    since then is skipped; a failure to send raises, so the task is recorded as failed."""
    from cchc.orgs.models import RoleAssignment

    round_obj = Round.objects.select_related("framework").get(pk=round_id)
    still_late = list(late_assessments(round_obj).filter(pk__in=assessment_ids))
    emails_by_unit: dict[int, list[str]] = {}
    for unit_id, email in (
        RoleAssignment.objects.filter(role=Role.UNIT_OFFICER, unit_id__in=[a.unit_id for a in still_late])
        .exclude(user__email="")
        .filter(user__is_active=True)
        .values_list("unit_id", "user__email")
    ):
        emails_by_unit.setdefault(unit_id, []).append(email)
    subject = _("[CCHC] Nhắc nộp tự đánh giá %(fw)s năm %(year)s") % {
        "fw": round_obj.framework.code,
        "year": round_obj.year,
    }
    deadline = timezone.localtime(round_obj.deadline).strftime("%H:%M %d/%m/%Y")
    messages = []
    for assessment in still_late:
        emails = sorted(set(emails_by_unit.get(assessment.unit_id, [])))
        if emails:
            body = _("Đơn vị %(unit)s chưa nộp bản tự đánh giá; hạn nộp là %(deadline)s.") % {
                "unit": assessment.unit.name,
                "deadline": deadline,
            }
            messages.append((subject, body, None, emails))
    sent = send_mass_mail(messages, fail_silently=False) if messages else 0
    return {
        "late_units": len(still_late),
        "units_without_email": sum(1 for a in still_late if a.unit_id not in emails_by_unit),
        "sent": sent,
    }


def waiting_for(user):
    """The assessments waiting for this user's action, per list of the home page (the unit's
    self-assessment, the appraisal, the publication), by ``workflow.STEPS``: an assessment is in
    a list when it is in a from-state of one of the list's steps and the user holds one of that
    step's roles on its unit."""
    from functools import reduce
    from operator import or_

    from django.db.models import Q

    from cchc.assessments.access import assessments_for

    scope = scope_for(user)
    qs = assessments_for(user)
    waiting = {}
    for role, steps in workflow.waiting_lists().items():
        if not any(scope.has(r) for s in steps for r in s.roles):
            continue
        waiting[role] = qs.filter(
            reduce(
                or_,
                [
                    Q(status__in=sorted(s.sources))
                    & reduce(or_, [scope.unit_q(r, "unit__") for r in sorted(s.roles)])
                    for s in steps
                ],
            )
        )
    return waiting
