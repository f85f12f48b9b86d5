"""Who may see and change plans, tasks, commitments, inspections and awards — one rule per
question, used by every page, command and API call.

* A plan is the secretariat's (Thường trực CCHC) whose scope covers its issuing unit: it edits
  the plan, its tasks, commitments, inspections and awards there.
* A lead unit's officers record progress on the tasks their unit leads.
* Everyone whose scope covers the plan's unit, or who leads or co-operates on one of its tasks,
  sees the plan; leaders see everything in their scope."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404

from cchc.orgs.access import Scope, scope_for
from cchc.orgs.models import OrgUnit, Role
from cchc.plans.models import Commitment, Plan, Task


@dataclass(frozen=True)
class PlanAccess:
    view: bool = False
    edit: bool = False  # the plan, its tasks, cancelling, importing


@dataclass(frozen=True)
class TaskAccess:
    view: bool = False
    edit: bool = False  # the task's fields, cancel (the plan's secretariat)
    report: bool = False  # record progress (the lead unit, or the secretariat)


def may_manage(scope: Scope, unit: OrgUnit) -> bool:
    """The secretariat rule: plans, commitments, inspections and awards of ``unit``."""
    return scope.covers(Role.SECRETARIAT, unit)


def plan_access(scope: Scope, plan: Plan) -> PlanAccess:
    edit = may_manage(scope, plan.scope_unit)
    view = edit or scope.any_covers(plan.scope_unit) or plan.tasks.filter(_task_unit_q(scope)).exists()
    return PlanAccess(view=view, edit=edit)


def _task_unit_q(scope: Scope) -> Q:
    return scope.unit_q(prefix="lead_unit__") | Q(co_units__in=OrgUnit.objects.filter(scope.unit_q()))


def task_access(scope: Scope, task: Task) -> TaskAccess:
    edit = may_manage(scope, task.plan.scope_unit)
    lead = scope.covers(Role.UNIT_OFFICER, task.lead_unit) or scope.covers(Role.SECRETARIAT, task.lead_unit)
    view = (
        edit
        or lead
        or scope.any_covers(task.plan.scope_unit)
        or scope.any_covers(task.lead_unit)
        or task.co_units.filter(scope.unit_q()).exists()
    )
    return TaskAccess(view=view, edit=edit, report=edit or lead)


def plans_for(user) -> QuerySet[Plan]:
    scope = scope_for(user)
    if scope.superuser:
        return Plan.objects.all()
    tasks = Task.objects.filter(_task_unit_q(scope)).values("plan_id")
    return Plan.objects.filter(scope.unit_q(prefix="scope_unit__") | Q(pk__in=tasks)).distinct()


def get_plan_for_user(user, plan_id: int) -> tuple[Plan, PlanAccess]:
    plan = Plan.objects.select_related("scope_unit").filter(pk=plan_id).first()
    if plan is None:
        raise Http404
    access = plan_access(scope_for(user), plan)
    if not access.view:
        raise Http404
    return plan, access


def get_task_for_user(user, task_id: int) -> tuple[Task, TaskAccess]:
    task = (
        Task.objects.select_related("plan__scope_unit", "lead_unit", "indicator").filter(pk=task_id).first()
    )
    if task is None:
        raise Http404
    access = task_access(scope_for(user), task)
    if not access.view:
        raise Http404
    return task, access


def commitments_for(user) -> QuerySet[Commitment]:
    return Commitment.objects.filter(scope_for(user).unit_q(prefix="unit__"))
