"""The computed status of tasks and commitment items — the one place that says whether a task is
done on time, late, overdue, and whether a commitment item is on track.

A task without an indicator: from its progress updates and dates (sub-tasks roll their progress
up, weighted). A task with an indicator and a target: from the indicator's values through
:func:`cchc.indicators.services.target_status` — never typed: the value as of the deadline meets
the target → done on time; met only later → done late; not met after the deadline → overdue;
before the deadline → in progress (not started while there is no value at all)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from cchc.indicators.periods import Period
from cchc.indicators.services import Status as TargetState
from cchc.indicators.services import TargetStatus, fmt, target_status
from cchc.plans.models import Task, TaskStatus

HUNDRED = Decimal(100)
DONE = {TaskStatus.DONE_ON_TIME, TaskStatus.DONE_LATE}
CLOSED = DONE | {TaskStatus.CANCELLED}


@dataclass(frozen=True)
class TaskState:
    status: str  # a TaskStatus value
    progress: int  # 0–100
    indicator_value: Decimal | None = None
    target: Decimal | None = None
    on_track: bool | None = None  # None: the task has no target
    reason: str = ""

    @property
    def label(self) -> str:
        return str(TaskStatus(self.status).label)

    @property
    def closed(self) -> bool:
        return self.status in CLOSED


def _dated(
    status: str, completed_on: dt.date | None, deadline: dt.date, progress: int, today: dt.date
) -> str:
    if completed_on is not None and progress >= 100:
        return TaskStatus.DONE_ON_TIME if completed_on <= deadline else TaskStatus.DONE_LATE
    if today > deadline:
        return TaskStatus.OVERDUE
    return (
        TaskStatus.IN_PROGRESS if progress > 0 or status == TaskStatus.IN_PROGRESS else TaskStatus.NOT_STARTED
    )


def _indicator_progress(ts: TargetStatus) -> int:
    if ts.value is None or ts.target is None:
        return 0
    if ts.status == TargetState.ON_TRACK:
        return 100
    if ts.higher_is_better:
        share = ts.value / ts.target * HUNDRED if ts.target else HUNDRED
    else:
        share = ts.target / ts.value * HUNDRED if ts.value else HUNDRED
    return max(0, min(99, int(share)))


def indicator_task_state(task: Task, today: dt.date) -> TaskState:
    """The state of a task bound to an indicator, from its values (see the module's docstring)."""
    assert task.indicator is not None
    period = Period.year(task.plan.year)
    at_deadline = target_status(
        task.indicator, task.lead_unit, period, min(today, task.deadline), goal=task.target
    )
    if at_deadline.status == TargetState.NO_TARGET:
        return TaskState(TaskStatus.NOT_STARTED, 0, at_deadline.value, None, None, at_deadline.reason)
    met = at_deadline.status == TargetState.ON_TRACK
    figures = {"reason": at_deadline.reason}
    if today <= task.deadline:
        status = TaskStatus.NOT_STARTED if at_deadline.value is None else TaskStatus.IN_PROGRESS
        return TaskState(
            status,
            _indicator_progress(at_deadline),
            at_deadline.value,
            at_deadline.target,
            met,
            at_deadline.reason,
        )
    if met:
        return TaskState(
            TaskStatus.DONE_ON_TIME,
            100,
            at_deadline.value,
            at_deadline.target,
            True,
            _("đạt mục tiêu đúng hạn: %(reason)s") % figures,
        )
    now = target_status(task.indicator, task.lead_unit, period, today, goal=task.target)
    if now.status == TargetState.ON_TRACK:
        return TaskState(
            TaskStatus.DONE_LATE,
            100,
            now.value,
            now.target,
            True,
            _("đạt mục tiêu sau thời hạn %(deadline)s: %(reason)s")
            % {"deadline": task.deadline.strftime("%d/%m/%Y"), "reason": now.reason},
        )
    return TaskState(
        TaskStatus.OVERDUE,
        _indicator_progress(now),
        now.value,
        now.target,
        False,
        _("quá hạn %(deadline)s, %(reason)s")
        % {"deadline": task.deadline.strftime("%d/%m/%Y"), "reason": now.reason},
    )


def task_states(tasks: list[Task], today: dt.date) -> dict[int, TaskState]:
    """The state of every task of ``tasks`` (a whole plan, or any set closed under sub-tasks:
    a parent's progress is the weighted mean of its children that are not cancelled)."""
    children: dict[int | None, list[Task]] = defaultdict(list)
    for t in tasks:
        children[t.parent_id].append(t)
    out: dict[int, TaskState] = {}

    def visit(task: Task) -> TaskState:
        if task.pk in out:
            return out[task.pk]
        kids = children.get(task.pk, [])
        if task.cancelled_at is not None:
            state = TaskState(TaskStatus.CANCELLED, task.progress, reason=task.cancelled_reason)
        elif task.indicator_id is not None:
            state = indicator_task_state(task, today)
        elif kids:
            kid_states = [(k, visit(k)) for k in kids]
            live = [(k, s) for k, s in kid_states if s.status != TaskStatus.CANCELLED]
            weight = sum((k.weight for k, _s in live), Decimal(0))
            progress = (
                int(sum((k.weight * s.progress for k, s in live), Decimal(0)) / weight) if weight else 0
            )
            finished = [k.completed_on or today for k, s in live if s.status in DONE]
            done_on = max(finished) if live and len(finished) == len(live) else None
            if done_on is not None:
                progress = 100
            status = _dated("", done_on, task.deadline, progress, today)
            state = TaskState(status, progress)
        else:
            state = TaskState(
                _dated("", task.completed_on, task.deadline, task.progress, today), task.progress
            )
        out[task.pk] = state
        return state

    for t in tasks:
        visit(t)
    for t in tasks:  # the state of the children the caller did not pass stays unknown
        out.setdefault(t.pk, visit(t))
    return out


def task_state(task: Task, today: dt.date) -> TaskState:
    """The state of one task (its sub-tasks read from the database)."""
    family = [task, *_descendants(task)]
    return task_states(family, today)[task.pk]


def _descendants(task: Task) -> list[Task]:
    out: list[Task] = []
    frontier = [task.pk]
    while frontier:
        kids = list(
            Task.objects.filter(parent_id__in=frontier).select_related("indicator", "lead_unit", "plan")
        )
        out += kids
        frontier = [k.pk for k in kids]
    return out


def fmt_value(value: Decimal | None) -> str:
    return fmt(value) if value is not None else ""
