"""The assessment workflow, declared once.

Two tables say who may do what to an assessment in which state:

- ``EDITS``: what a role edits on the leaves in a state (the unit's self-assessment, its answers
  to the appraisers' comments, the appraisal);
- ``STEPS``: the actions that change the state — for each its from-states, its to-state, the
  roles that may take it (on the unit's scope), its guard, and how the pages offer it.

``access.access_for`` computes the capability booleans of a user from them, ``services`` checks
and records every transition through them, ``services.waiting_for`` ("waiting for me") lists
from them, the assessment page draws its buttons and the API its ``action`` enum from them.

Nothing here writes: guards only read and refuse with a ``WorkflowError``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cchc.assessments.models import Assessment, Score, Status
from cchc.frameworks.scoring import is_indicator_rule
from cchc.frameworks.tree import build_tree
from cchc.orgs.models import Role


class WorkflowError(ValidationError):
    """An action that the assessment's state does not allow."""


class Action:
    """The names of the workflow actions (the value the page's buttons and the API send)."""

    SUBMIT = "submit"
    START_APPRAISAL = "start_appraisal"
    RETURN = "return"
    ANSWER = "answer"
    FINALISE = "finalise"
    PUBLISH = "publish"
    REOPEN = "reopen"


# Who acts, on the unit's scope (a unit officer on the unit itself, the others on its subtree).
OFFICER = frozenset({Role.UNIT_OFFICER})
APPRAISERS = frozenset({Role.APPRAISER, Role.SECRETARIAT})  # the secretariat appraises too
SECRETARIAT = frozenset({Role.SECRETARIAT})
WORKFLOW_ROLES = (Role.UNIT_OFFICER, Role.APPRAISER, Role.SECRETARIAT)


# --- what each role edits in which state ------------------------------------------------------


@dataclass(frozen=True)
class Edit:
    capability: str  # the ``AssessmentAccess`` boolean
    roles: frozenset[str]
    states: frozenset[str]


EDITS = (
    # self scores, the not-applicable flag, explanations and evidence
    Edit("self_assess", OFFICER, frozenset({Status.DRAFT})),
    # answers to the appraisers' comments, explanations and evidence; not the self score
    Edit("respond", OFFICER, frozenset({Status.RETURNED})),
    # appraised scores, the not-applicable flag and the appraisers' comments
    Edit("appraise", APPRAISERS, frozenset({Status.SUBMITTED, Status.UNDER_APPRAISAL})),
)


def edit_states(*capabilities: str) -> frozenset[str]:
    """The states in which any of the edit ``capabilities`` applies."""
    return frozenset().union(*(e.states for e in EDITS if e.capability in capabilities))


# --- guards -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    """What the caller gave with an action: ``reason`` is the override reason of finalise and the
    reason of reopen; ``force`` skips the missing items check of submit (the CLI's import)."""

    user: Any = None
    note: str = ""
    reason: str = ""
    force: bool = False


@dataclass(frozen=True)
class Record:
    """What the transition records."""

    note: str = ""
    override_reason: str = ""


@dataclass
class Missing:
    node_code: str
    node_name: str
    reason: str


def missing_items(assessment: Assessment) -> list[Missing]:
    """What keeps an assessment from being submitted: unscored manual leaves, and leaves that
    require evidence with neither a file nor an explanation of why it is missing."""
    tree = build_tree(assessment.round.framework_id)
    scores = {s.node_id: s for s in Score.objects.filter(assessment=assessment).prefetch_related("evidence")}
    problems: list[Missing] = []
    for leaf in tree.walk():
        if not leaf.is_leaf:
            continue
        score = scores.get(leaf.id)
        if score is not None and score.not_applicable:
            continue
        if not is_indicator_rule(leaf.rule) and (score is None or score.self_score is None):
            problems.append(Missing(leaf.code, leaf.name, _("chưa chấm điểm tự đánh giá")))
        if leaf.evidence_required and (
            score is None or (not score.evidence.all() and not score.explanation.strip())
        ):
            problems.append(
                Missing(leaf.code, leaf.name, _("thiếu tài liệu kiểm chứng (hoặc thuyết minh lý do)"))
            )
    return problems


def unappraised_leaves(assessment: Assessment) -> list[Missing]:
    """The applicable leaves nobody has appraised yet: every leaf not marked not applicable
    that has no appraised score (indicator-bound leaves included: the appraiser confirms or
    corrects the computed points)."""
    tree = build_tree(assessment.round.framework_id)
    scores = {s.node_id: s for s in Score.objects.filter(assessment=assessment)}
    problems = []
    for leaf in tree.leaves:
        score = scores.get(leaf.id)
        if score is not None and score.not_applicable:
            continue
        if score is None or score.appraised_score is None:
            problems.append(Missing(leaf.code, leaf.name, _("chưa thẩm định")))
    return problems


def _note_only(assessment: Assessment, request: Request) -> Record:
    return Record(note=request.note)


def _submit_guard(assessment: Assessment, request: Request) -> Record:
    """Every manual leaf self-scored and every required evidence given, unless forced."""
    if not request.force:
        missing = missing_items(assessment)
        if missing:
            raise WorkflowError(
                [
                    _("%(code)s %(name)s: %(reason)s")
                    % {"code": m.node_code, "name": m.node_name[:60], "reason": m.reason}
                    for m in missing
                ]
            )
    return Record(note=request.note)


def _return_guard(assessment: Assessment, request: Request) -> Record:
    """Something for the unit to explain: a comment on a leaf, or a general note."""
    if (
        not Score.objects.filter(assessment=assessment).exclude(appraiser_comment="").exists()
        and not request.note.strip()
    ):
        raise WorkflowError(
            _("Hãy ghi ý kiến thẩm định ở ít nhất một tiêu chí (hoặc ghi chú chung) trước khi trả lại.")
        )
    return Record(note=request.note)


def _answer_guard(assessment: Assessment, request: Request) -> Record:
    """Every comment answered (the system may send it back as it is)."""
    unanswered = Score.objects.filter(assessment=assessment, unit_response="").exclude(appraiser_comment="")
    if request.user is not None and unanswered.exists():
        codes = ", ".join(unanswered.values_list("node__code", flat=True)[:20])
        raise WorkflowError(_("Còn ý kiến thẩm định chưa được giải trình: %(codes)s") % {"codes": codes})
    return Record(note=request.note)


def _finalise_guard(assessment: Assessment, request: Request) -> Record:
    """Every applicable leaf appraised, or an explicit override reason, recorded."""
    override_reason = (request.reason or "").strip()
    left = unappraised_leaves(assessment)
    if left and not override_reason:
        codes = ", ".join(m.node_code for m in left[:20]) + ("…" if len(left) > 20 else "")
        raise WorkflowError(
            _(
                "Còn %(n)s tiêu chí chưa thẩm định (%(codes)s): hãy thẩm định đủ hoặc ghi lý do chốt kết quả khi chưa thẩm định đủ."
            )
            % {"n": len(left), "codes": codes}
        )
    return Record(note=request.note, override_reason=override_reason if left else "")


def _reopen_guard(assessment: Assessment, request: Request) -> Record:
    """A reason, recorded as the transition's note (the API and the page may send it as the note)."""
    reason = (request.reason or request.note or "").strip()
    if not reason:
        raise WorkflowError(_("Phải ghi lý do mở lại bản đánh giá."))
    return Record(note=reason)


def _prune_after_publish(assessment: Assessment) -> None:
    from cchc.assessments.services import prune_removed_evidence

    prune_removed_evidence(assessment)


# --- previews (the confirmation pages: what would happen, without doing it) ----------------------


def _submit_preview(assessment: Assessment, preview) -> None:
    missing = missing_items(assessment)
    if missing:
        raise WorkflowError(_("còn %(n)s mục chưa hoàn thành trước khi nộp") % {"n": len(missing)})
    from cchc.assessments.services import working_days_late

    late = working_days_late(assessment.round.deadline, timezone.now(), assessment.unit)
    if late:
        preview.late[assessment.pk] = late


def _finalise_preview(assessment: Assessment, preview) -> None:
    left = unappraised_leaves(assessment)
    if left:  # not blocked: the confirmation page asks for the override reason
        preview.unappraised.append((assessment, left))


# --- the actions ------------------------------------------------------------------------------


@dataclass(frozen=True)
class NoteInput:
    """The text field beside an action's button on the assessment page."""

    placeholder: Any
    label: Any
    required: bool = False


@dataclass(frozen=True)
class Step:
    action: str
    sources: frozenset[str]  # the states it applies to
    target: str
    roles: frozenset[str]  # who may take it, on the unit's scope
    capability: str  # the ``AssessmentAccess`` boolean that grants it
    guard: Callable[[Assessment, Request], Record] = _note_only
    # How a refusal for the state reads. Empty: the state is checked first and refused with its
    # real reason ("Không thể chốt kết quả: đã công bố kết quả."), then the role. Set: the role
    # and the state are checked together for a user (403), this message is for the system.
    state_message: Any = ""
    verb: Any = ""  # "Không thể %(verb)s: …"
    # The assessment page and the API offer it (start_appraisal happens with the first appraised
    # score and is not offered).
    offered: bool = True
    button: Any = ""
    button_class: str = ""
    note_input: NoteInput | None = None
    confirm: bool = False  # asks for confirmation on a page that says what will happen
    title: Any = ""  # of the confirmation page
    effects: tuple = ()  # what will happen, on the confirmation page
    notified: tuple[str, ...] = ()  # the roles who will see the new state
    preview: Callable | None = None  # the confirmation page's dry run: raises to block
    done: Any = ""  # the message once done
    bulk_button: Any = ""  # offered on the round page for many assessments at once
    waiting_list: str | None = None  # the home page list ("waiting for me") it puts it in
    after: Callable[[Assessment], None] | None = None  # run after the transition is recorded

    @property
    def bulk(self) -> bool:
        return bool(self.bulk_button)


APPRAISAL = frozenset({Status.SUBMITTED, Status.UNDER_APPRAISAL})

STEPS: dict[str, Step] = {
    s.action: s
    for s in (
        Step(
            Action.SUBMIT,
            frozenset({Status.DRAFT}),
            Status.SUBMITTED,
            OFFICER,
            "submit",
            guard=_submit_guard,
            verb=gettext_lazy("nộp"),
            button=gettext_lazy("Nộp bản tự đánh giá"),
            button_class="primary",
            confirm=True,
            title=gettext_lazy("Nộp bản tự đánh giá"),
            effects=(
                gettext_lazy(
                    "Trạng thái chuyển sang “Đã nộp”; đơn vị không sửa được điểm tự chấm và tài liệu kiểm chứng nữa, trừ khi được trả lại để giải trình."
                ),
                gettext_lazy("Thời điểm nộp được ghi lại so với hạn nộp (số ngày làm việc nộp trễ, nếu có)."),
            ),
            notified=(Role.APPRAISER, Role.SECRETARIAT),
            preview=_submit_preview,
            done=gettext_lazy("Đã nộp bản tự đánh giá."),
            waiting_list=Role.UNIT_OFFICER,
        ),
        Step(
            Action.START_APPRAISAL,
            frozenset({Status.SUBMITTED}),
            Status.UNDER_APPRAISAL,
            APPRAISERS,
            "appraise",
            state_message=gettext_lazy("Chỉ thẩm định được bản đánh giá đã nộp."),
            offered=False,
            waiting_list=Role.APPRAISER,
        ),
        Step(
            Action.RETURN,
            APPRAISAL,
            Status.RETURNED,
            APPRAISERS,
            "return_for_explanation",
            guard=_return_guard,
            state_message=gettext_lazy("Chỉ trả lại để giải trình khi đang thẩm định."),
            button=gettext_lazy("Trả lại để giải trình"),
            note_input=NoteInput(gettext_lazy("Ghi chú gửi đơn vị"), gettext_lazy("Ghi chú gửi đơn vị")),
            done=gettext_lazy("Đã trả lại để đơn vị giải trình."),
            waiting_list=Role.APPRAISER,
        ),
        Step(
            Action.ANSWER,
            frozenset({Status.RETURNED}),
            Status.UNDER_APPRAISAL,
            OFFICER,
            "respond",
            guard=_answer_guard,
            state_message=gettext_lazy("Bản đánh giá không chờ giải trình."),
            button=gettext_lazy("Gửi giải trình"),
            button_class="primary",
            done=gettext_lazy("Đã gửi giải trình."),
            waiting_list=Role.UNIT_OFFICER,
        ),
        Step(
            Action.FINALISE,
            APPRAISAL,
            Status.FINALISED,
            SECRETARIAT,
            "finalise",
            guard=_finalise_guard,
            verb=gettext_lazy("chốt kết quả"),
            button=gettext_lazy("Chốt kết quả"),
            button_class="secondary",
            confirm=True,
            title=gettext_lazy("Chốt kết quả"),
            effects=(
                gettext_lazy(
                    "Trạng thái chuyển sang “Đã chốt kết quả”; không thẩm định được nữa, chỉ Thường trực CCHC mở lại được (có ghi lý do)."
                ),
                gettext_lazy("Kết quả thẩm định chưa hiển thị cho đơn vị và lãnh đạo cho tới khi công bố."),
            ),
            notified=(Role.UNIT_OFFICER, Role.SECRETARIAT),
            preview=_finalise_preview,
            done=gettext_lazy("Đã chốt kết quả."),
            bulk_button=gettext_lazy("Chốt kết quả các đơn vị đã chọn"),
            waiting_list=Role.APPRAISER,
        ),
        Step(
            Action.PUBLISH,
            frozenset({Status.FINALISED}),
            Status.PUBLISHED,
            SECRETARIAT,
            "publish",
            verb=gettext_lazy("công bố"),
            button=gettext_lazy("Công bố"),
            button_class="primary",
            confirm=True,
            title=gettext_lazy("Công bố kết quả"),
            effects=(
                gettext_lazy("Trạng thái chuyển sang “Đã công bố”; bản đánh giá bị khoá."),
                gettext_lazy(
                    "Kết quả thẩm định được công khai cho mọi người dùng trong tỉnh và vào bảng xếp hạng."
                ),
                gettext_lazy(
                    "Tệp của các tài liệu kiểm chứng đã xoá trước đây được xoá hẳn khỏi kho lưu trữ (nhật ký vẫn giữ tên, kích thước, SHA-256)."
                ),
            ),
            notified=(Role.UNIT_OFFICER, Role.LEADER),
            done=gettext_lazy("Đã công bố kết quả."),
            bulk_button=gettext_lazy("Công bố các đơn vị đã chọn"),
            waiting_list=Role.SECRETARIAT,
            after=_prune_after_publish,
        ),
        Step(
            Action.REOPEN,
            frozenset({Status.FINALISED, Status.PUBLISHED}),
            Status.UNDER_APPRAISAL,
            SECRETARIAT,
            "reopen",
            guard=_reopen_guard,
            verb=gettext_lazy("mở lại"),
            button=gettext_lazy("Mở lại"),
            note_input=NoteInput(
                gettext_lazy("Lý do mở lại (bắt buộc)"), gettext_lazy("Lý do mở lại"), required=True
            ),
            confirm=True,
            title=gettext_lazy("Mở lại bản đánh giá"),
            effects=(
                gettext_lazy(
                    "Trạng thái trở về “Đang thẩm định” để sửa điểm thẩm định; kết quả không còn là kết quả đã công bố."
                ),
                gettext_lazy("Lý do mở lại được ghi vào lịch sử trạng thái."),
            ),
            notified=(Role.UNIT_OFFICER, Role.APPRAISER),
            done=gettext_lazy("Đã mở lại bản đánh giá."),
        ),
    )
}

OFFERED_ACTIONS = tuple(a for a, s in STEPS.items() if s.offered)
BULK_ACTIONS = tuple(a for a, s in STEPS.items() if s.bulk)

# The capability booleans of ``AssessmentAccess`` that the tables grant, in a stable order.
CAPABILITIES = tuple(dict.fromkeys([e.capability for e in EDITS] + [s.capability for s in STEPS.values()]))


def step(action: str) -> Step:
    return STEPS[action]


def capabilities(held: set[str], status: str) -> dict[str, bool]:
    """The capability booleans for a user holding the workflow roles ``held`` on the unit, on an
    assessment in ``status``: a capability is granted by an edit or a step of one of those roles
    in that state."""
    granted = dict.fromkeys(CAPABILITIES, False)
    for e in EDITS:
        if held & e.roles and status in e.states:
            granted[e.capability] = True
    for s in STEPS.values():
        if held & s.roles and status in s.sources:
            granted[s.capability] = True
    return granted


def offered_steps(access) -> list[Step]:
    """The actions the assessment page offers this reader (its buttons), in the table's order."""
    return [s for s in STEPS.values() if s.offered and getattr(access, s.capability)]


STATE_REASONS = {
    Status.DRAFT: gettext_lazy("đơn vị chưa nộp bản tự đánh giá"),
    Status.SUBMITTED: gettext_lazy("đã nộp, chưa thẩm định"),
    Status.UNDER_APPRAISAL: gettext_lazy("đang thẩm định, chưa chốt kết quả"),
    Status.RETURNED: gettext_lazy("đang chờ đơn vị giải trình"),
    Status.FINALISED: gettext_lazy("đã hoàn thành thẩm định (đã chốt kết quả)"),
    Status.PUBLISHED: gettext_lazy("đã công bố kết quả"),
}


def state_error(assessment: Assessment, s: Step) -> WorkflowError | None:
    """Why ``s`` does not apply to the assessment in its state (None when it does)."""
    if assessment.status in s.sources:
        return None
    if s.state_message:
        return WorkflowError(str(s.state_message))
    return WorkflowError(
        _("Không thể %(action)s: %(reason)s.")
        % {"action": s.verb, "reason": STATE_REASONS[Status(assessment.status)]}
    )


def waiting_lists() -> dict[str, list[Step]]:
    """The home page's lists ("waiting for me"), in order, each with the steps that put an
    assessment in it: the unit's self-assessment, the appraisal, the publication."""
    lists: dict[str, list[Step]] = {}
    for role in WORKFLOW_ROLES:
        steps = [s for s in STEPS.values() if s.waiting_list == role]
        if steps:
            lists[role] = steps
    return lists
