"""Reminders ("việc của tôi"): what is due soon or overdue for each user — plan tasks,
self-assessments, monthly entry sheets (and, registered by the commitments module, commitment
items at risk) — sent once a day as in-app reminders and one e-mail digest per user, with an
escalation to the unit head (the leader assigned to the unit itself) once overdue.

``send_reminders(today)`` is safe to run twice: a reminder is one row per user, subject and day
(``Reminder`` has a unique constraint), and only rows not yet e-mailed are sent.

"Soon" is ``CCHC_REMIND_AHEAD_WORKING_DAYS`` working days (default 3) on the unit's province
calendar (``cchc.workdays``): a task due on Monday is announced on the Wednesday before when
Thursday and Friday are working days, and earlier across a holiday."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.assessments.models import Assessment, Status
from cchc.indicators import entry
from cchc.indicators.periods import Period
from cchc.orgs.models import OrgUnit, Role, RoleAssignment
from cchc.plans.models import Reminder, Task
from cchc.plans.status import task_states
from cchc.workdays.services import get_calendar


@dataclass(frozen=True)
class Due:
    """Something due for a unit: its officers are reminded; ``escalate`` also tells its head."""

    key: str
    unit_id: int
    text: str
    url: str = ""
    due_on: dt.date | None = None
    escalate: bool = False


Collector = Callable[[dt.date], Iterable[Due]]
_collectors: dict[str, Collector] = {}


def register_collector(name: str, collect: Collector) -> None:
    """Apps above this module add what they know to be due (commitment items at risk, …)."""
    _collectors[name] = collect


def ahead_days() -> int:
    return int(getattr(settings, "CCHC_REMIND_AHEAD_WORKING_DAYS", 3))


class _Soon:
    """Whether a deadline is within the reminder window, on each unit's province calendar."""

    def __init__(self, today: dt.date):
        self.today = today
        self._calendars: dict[int, object] = {}

    def __call__(self, unit: OrgUnit, deadline: dt.date) -> bool:
        if deadline < self.today:
            return True
        root = unit.path_ids[0] if unit.path_ids else unit.pk
        calendar = self._calendars.get(root)
        if calendar is None:
            calendar = self._calendars[root] = get_calendar(unit)
        # working days from tomorrow to the deadline, the deadline included
        between = calendar.count_working_days(self.today + dt.timedelta(days=1), deadline)  # type: ignore[attr-defined]
        return between <= ahead_days()


def _fmt(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def task_dues(today: dt.date) -> list[Due]:
    soon = _Soon(today)
    horizon = today + dt.timedelta(days=31)
    plan_ids = set(
        Task.objects.filter(
            cancelled_at=None, deadline__lte=horizon, plan__year__gte=today.year - 1
        ).values_list("plan_id", flat=True)
    )
    out = []
    tasks = list(Task.objects.filter(plan_id__in=plan_ids).select_related("plan", "lead_unit", "indicator"))
    states = task_states(tasks, today)
    for task in tasks:
        state = states[task.pk]
        if state.closed or task.deadline > horizon or not soon(task.lead_unit, task.deadline):
            continue
        overdue = today > task.deadline
        text = (
            _("Nhiệm vụ %(code)s “%(title)s” đã quá hạn %(deadline)s (tiến độ %(p)s%%).")
            if overdue
            else _("Nhiệm vụ %(code)s “%(title)s” đến hạn %(deadline)s (tiến độ %(p)s%%).")
        ) % {
            "code": task.code,
            "title": task.title[:120],
            "deadline": _fmt(task.deadline),
            "p": state.progress,
        }
        out.append(
            Due(
                f"task:{task.pk}",
                task.lead_unit_id,
                text,
                _url("plans:task", task.pk),
                task.deadline,
                escalate=overdue,
            )
        )
    return out


def assessment_dues(today: dt.date) -> list[Due]:
    soon = _Soon(today)
    out = []
    for a in Assessment.objects.filter(status=Status.DRAFT, round__deadline__isnull=False).select_related(
        "round__framework", "unit"
    ):
        assert a.round.deadline is not None
        deadline = timezone.localtime(a.round.deadline).date()
        if deadline > today + dt.timedelta(days=31) or not soon(a.unit, deadline):
            continue
        overdue = today > deadline
        text = (
            _("Chưa nộp bản tự đánh giá %(fw)s năm %(year)s; hạn nộp %(deadline)s đã qua.")
            if overdue
            else _("Nộp bản tự đánh giá %(fw)s năm %(year)s trước %(deadline)s.")
        ) % {"fw": a.round.framework.code, "year": a.round.year, "deadline": _fmt(deadline)}
        out.append(
            Due(
                f"assessment:{a.pk}",
                a.unit_id,
                text,
                _url("assessments:detail", a.pk),
                deadline,
                escalate=overdue,
            )
        )
    return out


def entry_dues(today: dt.date) -> list[Due]:
    """The units that have not submitted last month's entry sheet once it is due (or nearly)."""
    first = today.replace(day=1)
    last_month = first - dt.timedelta(days=1)
    period = Period.month(last_month.year, last_month.month)
    due = entry.due_date(period)
    soon = _Soon(today)
    out = []
    for unit in entry.late_units(period):
        if not soon(unit, due):
            continue
        overdue = today > due
        text = (
            _("Chưa gửi số liệu kỳ %(p)s; hạn gửi %(due)s đã qua.")
            if overdue
            else _("Gửi số liệu kỳ %(p)s trước %(due)s.")
        ) % {"p": str(period), "due": _fmt(due)}
        out.append(
            Due(
                f"entry:{unit.pk}:{period}",
                unit.pk,
                text,
                _url("indicators:sheet", unit.pk, str(period)),
                due,
                escalate=overdue,
            )
        )
    return out


def _url(name: str, *args) -> str:
    try:
        return reverse(name, args=args)
    except Exception:  # a page not installed in this deployment: the reminder still says what
        return ""


def collect(today: dt.date) -> list[Due]:
    dues = task_dues(today) + assessment_dues(today) + entry_dues(today)
    for collect_more in _collectors.values():
        dues += list(collect_more(today))
    return dues


@dataclass(frozen=True)
class Planned:
    user_id: int
    due: Due
    escalation: bool


def recipients(dues: list[Due]) -> list[Planned]:
    """Each due for every active officer of its unit; an escalated one also for the unit's head
    (a leader assigned to that unit itself)."""
    units = {d.unit_id for d in dues}
    officers: dict[int, set[int]] = defaultdict(set)
    heads: dict[int, set[int]] = defaultdict(set)
    for unit_id, user_id, role in RoleAssignment.objects.filter(
        unit_id__in=units, role__in=[Role.UNIT_OFFICER, Role.LEADER], user__is_active=True
    ).values_list("unit_id", "user_id", "role"):
        (officers if role == Role.UNIT_OFFICER else heads)[unit_id].add(user_id)
    out = []
    for d in dues:
        out += [Planned(u, d, False) for u in sorted(officers.get(d.unit_id, ()))]
        if d.escalate:
            out += [Planned(u, d, True) for u in sorted(heads.get(d.unit_id, ()))]
    return out


def send_reminders(today: dt.date | None = None) -> dict[str, int]:
    """Create today's reminders and e-mail one digest per user; a second run the same day creates
    and sends nothing."""
    today = today or timezone.localdate()
    planned = recipients(collect(today))
    created = 0
    with transaction.atomic():
        existing = set(Reminder.objects.filter(sent_on=today).values_list("user_id", "key"))
        rows = []
        for p in planned:
            key = f"{p.due.key}:head" if p.escalation else p.due.key
            if (p.user_id, key) in existing:
                continue
            existing.add((p.user_id, key))
            text = (_("[Báo cáo thủ trưởng] ") + p.due.text) if p.escalation else p.due.text
            rows.append(
                Reminder(
                    user_id=p.user_id,
                    key=key[:100],
                    text=text[:500],
                    url=p.due.url,
                    due_on=p.due.due_on,
                    escalation=p.escalation,
                    sent_on=today,
                )
            )
        Reminder.objects.bulk_create(rows, ignore_conflicts=True)
        created = len(rows)
    emailed = _send_digests(today)
    return {"reminders": created, "emails": emailed}


def _send_digests(today: dt.date) -> int:
    """One e-mail per user with today's reminders not yet e-mailed; each row marked as it goes, so
    a failure part-way leaves the rest for the next run."""
    pending: dict[int, list[Reminder]] = defaultdict(list)
    for r in Reminder.objects.filter(sent_on=today, emailed=False).order_by("due_on", "pk"):
        pending[r.user_id].append(r)
    users = get_user_model().objects.in_bulk(list(pending))
    sent = 0
    base = getattr(settings, "CCHC_SITE_URL", "").rstrip("/")
    for user_id, items in pending.items():
        user = users.get(user_id)
        if user is None or not user.email:
            Reminder.objects.filter(pk__in=[r.pk for r in items]).update(emailed=True)
            continue
        lines = [f"- {r.text}" + (f"\n  {base}{r.url}" if r.url else "") for r in items]
        body = (
            _("Kính gửi %(name)s,\n\nCác việc cần làm trên hệ thống CCHC ngày %(day)s:\n\n")
            % {"name": user.get_full_name() or user.username, "day": _fmt(today)}
            + "\n".join(lines)
            + "\n"
        )
        subject = _("[CCHC] %(n)s việc cần làm ngày %(day)s") % {"n": len(items), "day": _fmt(today)}
        send_mail(subject, body, None, [user.email], fail_silently=False)
        Reminder.objects.filter(pk__in=[r.pk for r in items]).update(emailed=True)
        sent += 1
    return sent


def my_work(user, today: dt.date | None = None) -> list[Reminder]:
    """The user's reminders of the last reminder day (what is due now), newest first."""
    latest = Reminder.objects.filter(user=user).order_by("-sent_on").values_list("sent_on", flat=True).first()
    if latest is None:
        return []
    return list(Reminder.objects.filter(user=user, sent_on=latest).order_by("escalation", "due_on", "pk"))


def mark_read(user) -> int:
    """Mark every unread reminder of ``user`` read."""
    return Reminder.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())


def unread_count(user) -> int:
    latest = Reminder.objects.filter(user=user).order_by("-sent_on").values_list("sent_on", flat=True).first()
    if latest is None:
        return 0
    return Reminder.objects.filter(Q(user=user, sent_on=latest, read_at__isnull=True)).count()
