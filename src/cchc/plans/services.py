"""Actions on plans and tasks: each checks the one access rule (:mod:`cchc.plans.access`), runs
in one transaction and writes its audit rows (:class:`TaskChange`). Views, commands and the API
call these; none of them saves a plan or a task itself."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.orgs.access import scope_for
from cchc.plans.access import may_manage, task_access
from cchc.plans.models import Plan, Task, TaskChange, TaskUpdate

AUDITED_FIELDS = (
    "title",
    "area",
    "lead_unit_id",
    "start_on",
    "deadline",
    "output_kind",
    "expected_output",
    "responsible_person",
    "accountable",
    "weight",
    "indicator_id",
    "target",
    "parent_id",
    "framework_field_id",
)


def _show(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


def require_manage(user, plan: Plan) -> None:
    if not may_manage(scope_for(user), plan.scope_unit):
        raise PermissionDenied(
            _("Chỉ Thường trực CCHC của đơn vị ban hành kế hoạch mới được sửa kế hoạch này.")
        )


def validate_task(task: Task) -> None:
    """The rules a task keeps whatever the entry point (page, import, API)."""
    problems: dict[str, str] = {}
    if task.start_on and task.deadline and task.start_on > task.deadline:
        problems["deadline"] = _("Thời hạn phải từ ngày bắt đầu trở đi.")
    if task.target is not None and task.indicator_id is None:
        problems["target"] = _("Mục tiêu cần một chỉ tiêu.")
    if task.indicator_id is not None and task.target is None:
        problems["target"] = _("Nhiệm vụ gắn chỉ tiêu cần mục tiêu.")
    if task.parent_id is not None:
        parent = Task.objects.filter(pk=task.parent_id).values_list("plan_id", flat=True).first()
        if parent != task.plan_id:
            problems["parent"] = _("Nhiệm vụ cha phải thuộc cùng kế hoạch.")
        ancestor: int | None = task.parent_id
        seen = set()
        while ancestor is not None and ancestor not in seen:
            if task.pk is not None and ancestor == task.pk:
                problems["parent"] = _("Một nhiệm vụ không thể là nhiệm vụ con của chính nó.")
                break
            seen.add(ancestor)
            ancestor = Task.objects.filter(pk=ancestor).values_list("parent_id", flat=True).first()
    if problems:
        raise ValidationError(problems)


@transaction.atomic
def save_task(task: Task, *, user, co_units=None) -> Task:
    """Create or change a task of a plan; every changed field is an audit row."""
    plan = Plan.objects.select_for_update().get(pk=task.plan_id)
    require_manage(user, plan)
    validate_task(task)
    before = Task.objects.filter(pk=task.pk).first() if task.pk else None
    task.save()
    if co_units is not None:
        old_co = sorted(u.code for u in task.co_units.all()) if before else []
        task.co_units.set(co_units)
        new_co = sorted(u.code for u in co_units)
        if old_co != new_co:
            TaskChange.objects.create(
                task=task, by=user, field="co_units", old=", ".join(old_co), new=", ".join(new_co)
            )
    if before is None:
        TaskChange.objects.create(task=task, by=user, field="created", new=task.code)
    else:
        for field in AUDITED_FIELDS:
            old, new = getattr(before, field), getattr(task, field)
            if old != new:
                TaskChange.objects.create(task=task, by=user, field=field, old=_show(old), new=_show(new))
    return task


@transaction.atomic
def record_progress(task: Task, *, user, on: dt.date, text: str, percent: int, file=None) -> TaskUpdate:
    """A progress report by the lead unit (or the secretariat). 100 % marks the task completed
    on ``on``; a later report under 100 % re-opens it."""
    task = Task.objects.select_for_update().select_related("plan__scope_unit", "lead_unit").get(pk=task.pk)
    access = task_access(scope_for(user), task)
    if not access.report:
        raise PermissionDenied(
            _("Chỉ đơn vị chủ trì hoặc Thường trực CCHC mới báo cáo tiến độ nhiệm vụ này.")
        )
    problems = {}
    if task.cancelled_at is not None:
        problems["text"] = _("Nhiệm vụ đã huỷ.")
    if not (text or "").strip():
        problems["text"] = _("Cần nội dung kết quả thực hiện.")
    if not isinstance(percent, int) or not 0 <= percent <= 100:
        problems["percent"] = _("Tỷ lệ hoàn thành phải từ 0 đến 100.")
    if on > timezone.localdate():
        problems["on"] = _("Ngày báo cáo không được sau hôm nay.")
    if task.indicator_id is not None:
        problems["percent"] = _("Tiến độ của nhiệm vụ gắn chỉ tiêu được tính từ số liệu, không nhập tay.")
    if task.subtasks.exists():
        problems["percent"] = _("Tiến độ của nhiệm vụ có nhiệm vụ con được tính từ các nhiệm vụ con.")
    if problems:
        raise ValidationError(problems)
    update = TaskUpdate.objects.create(
        task=task, on=on, text=text.strip(), percent=percent, file=file or "", by=user
    )
    latest = task.updates.order_by("-on", "-at", "-pk").first()
    assert latest is not None
    old_progress, old_done = task.progress, task.completed_on
    task.progress = latest.percent
    task.completed_on = latest.on if latest.percent >= 100 else None
    task.save(update_fields=["progress", "completed_on"])
    if old_progress != task.progress:
        TaskChange.objects.create(
            task=task, by=user, field="progress", old=str(old_progress), new=str(task.progress)
        )
    if old_done != task.completed_on:
        TaskChange.objects.create(
            task=task, by=user, field="completed_on", old=_show(old_done), new=_show(task.completed_on)
        )
    return update


@transaction.atomic
def cancel_task(task: Task, *, user, reason: str) -> Task:
    task = Task.objects.select_for_update().select_related("plan__scope_unit").get(pk=task.pk)
    require_manage(user, task.plan)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Cần lý do huỷ nhiệm vụ.")})
    if task.cancelled_at is not None:
        raise ValidationError({"reason": _("Nhiệm vụ đã huỷ.")})
    task.cancelled_at = timezone.now()
    task.cancelled_reason = reason.strip()
    task.save(update_fields=["cancelled_at", "cancelled_reason"])
    TaskChange.objects.create(task=task, by=user, field="cancelled", new=task.cancelled_reason)
    return task
