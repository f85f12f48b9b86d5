"""Computed task statuses: from progress and dates, from sub-tasks (weighted), and from an
indicator's values through target_status; reporting periods of the CCHC year."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cchc.indicators.models import Indicator, ValueOrigin
from cchc.indicators.periods import Period
from cchc.indicators.services import Value, replace_values
from cchc.orgs.models import Role
from cchc.plans import periods, services
from cchc.plans.models import Area, Plan, Task, TaskChange, TaskStatus
from cchc.plans.status import task_state, task_states
from tests.factories import make_unit, make_user

D = dt.date


@pytest.fixture
def world(db):
    province = make_unit("P", "Tỉnh Thử Nghiệm", "province")
    dept = make_unit("SNV", "Sở Nội vụ", "department", parent=province)
    commune = make_unit("X1", "Xã Một", "commune", parent=province)
    secretariat = make_user("thu_ky", Role.SECRETARIAT, province)
    officer = make_user("can_bo_x1", Role.UNIT_OFFICER, commune)
    other = make_user("can_bo_snv", Role.UNIT_OFFICER, dept)
    plan = Plan.objects.create(
        year=2025, scope_unit=province, title="Kế hoạch CCHC năm 2025", doc_number="11/KH-UBND"
    )
    return type("W", (), locals())


JUNE_30 = D(2025, 6, 30)


def task(world, code, deadline=JUNE_30, **kw) -> Task:
    kw.setdefault("lead_unit", world.commune)
    t = Task(
        plan=world.plan, code=code, title=f"Nhiệm vụ {code}", area=Area.PROCEDURES, deadline=deadline, **kw
    )
    return services.save_task(t, user=world.secretariat)


def test_a_task_moves_from_not_started_to_done_on_time_or_late(world):
    t = task(world, "1")
    assert task_state(t, D(2025, 3, 1)).status == TaskStatus.NOT_STARTED
    assert task_state(t, D(2025, 7, 1)).status == TaskStatus.OVERDUE
    services.record_progress(t, user=world.officer, on=D(2025, 3, 1), text="Đã triển khai", percent=40)
    t.refresh_from_db()
    assert (task_state(t, D(2025, 3, 2)).status, t.progress) == (TaskStatus.IN_PROGRESS, 40)
    services.record_progress(t, user=world.officer, on=D(2025, 6, 30), text="Xong", percent=100)
    t.refresh_from_db()
    assert task_state(t, D(2025, 12, 1)).status == TaskStatus.DONE_ON_TIME
    late = task(world, "2")
    services.record_progress(late, user=world.officer, on=D(2025, 7, 2), text="Xong muộn", percent=100)
    late.refresh_from_db()
    assert task_state(late, D(2025, 7, 3)).status == TaskStatus.DONE_LATE
    # every change is an audit row
    assert list(TaskChange.objects.filter(task=t).values_list("field", "old", "new").order_by("pk")) == [
        ("created", "", "1"),
        ("progress", "0", "40"),
        ("progress", "40", "100"),
        ("completed_on", "", "30/06/2025"),
    ]


def test_sub_tasks_roll_their_progress_up_weighted(world):
    parent = task(world, "1", deadline=D(2025, 9, 30))
    a = task(world, "1.1", parent=parent, weight=Decimal(3))
    b = task(world, "1.2", parent=parent, weight=Decimal(1))
    c = task(world, "1.3", parent=parent)
    services.cancel_task(c, user=world.secretariat, reason="Không còn phù hợp")
    services.record_progress(a, user=world.officer, on=D(2025, 3, 1), text="…", percent=100)
    services.record_progress(b, user=world.officer, on=D(2025, 3, 1), text="…", percent=20)
    states = task_states(list(world.plan.tasks.all()), D(2025, 4, 1))
    assert states[parent.pk].progress == 80  # (3 × 100 + 1 × 20) / 4; the cancelled one left out
    assert states[parent.pk].status == TaskStatus.IN_PROGRESS
    assert states[c.pk].status == TaskStatus.CANCELLED
    services.record_progress(b, user=world.officer, on=D(2025, 10, 2), text="…", percent=100)
    states = task_states(list(world.plan.tasks.all()), D(2025, 10, 3))
    assert (states[parent.pk].status, states[parent.pk].progress) == (TaskStatus.DONE_LATE, 100)
    with pytest.raises(ValidationError):  # a parent's progress is computed, never typed
        services.record_progress(parent, user=world.officer, on=D(2025, 10, 3), text="…", percent=50)


def test_an_indicator_task_takes_its_status_from_the_values(world):
    online = Indicator.objects.get(code="dossiers.online_rate")
    t = task(world, "2", deadline=D(2025, 6, 30), indicator=online, target=Decimal(20))
    assert task_state(t, D(2025, 2, 1)).status == TaskStatus.NOT_STARTED  # no value yet
    replace_values(
        ValueOrigin.IMPORTED,
        [Value(online.pk, world.commune.pk, Period.month(2025, 1), Decimal(10), Decimal(10), Decimal(100))],
        [Period.month(2025, 1)],
    )
    mid = task_state(t, D(2025, 2, 1))
    assert (mid.status, mid.on_track, mid.indicator_value) == (
        TaskStatus.IN_PROGRESS,
        False,
        Decimal("10.0000"),
    )
    assert mid.progress == 50
    assert task_state(t, D(2025, 7, 1)).status == TaskStatus.OVERDUE
    replace_values(
        ValueOrigin.IMPORTED,
        [Value(online.pk, world.commune.pk, Period.month(2025, 7), Decimal(90), Decimal(90), Decimal(100))],
        [Period.month(2025, 7)],
    )
    after = task_state(t, D(2025, 8, 1))  # 100 of 200 = 50 % by August: met, after the deadline
    assert (after.status, after.on_track, after.progress) == (TaskStatus.DONE_LATE, True, 100)
    with pytest.raises(ValidationError):
        services.record_progress(t, user=world.officer, on=D(2025, 8, 1), text="…", percent=100)


def test_only_the_lead_unit_or_the_secretariat_records_progress(world):
    t = task(world, "1")
    with pytest.raises(PermissionDenied):
        services.record_progress(t, user=world.other, on=D(2025, 3, 1), text="…", percent=10)
    with pytest.raises(PermissionDenied):
        services.save_task(
            Task(
                plan=world.plan,
                code="9",
                title="x",
                area=Area.PROCEDURES,
                deadline=D(2025, 5, 1),
                lead_unit=world.commune,
            ),
            user=world.officer,
        )
    with pytest.raises(ValidationError):
        services.save_task(
            Task(
                plan=world.plan,
                code="9",
                title="x",
                area=Area.PROCEDURES,
                start_on=D(2025, 6, 1),
                deadline=D(2025, 5, 1),
                lead_unit=world.commune,
            ),
            user=world.secretariat,
        )


@pytest.mark.parametrize(
    ("kind", "year", "number", "start", "end"),
    [
        ("year", 2025, 1, D(2024, 12, 15), D(2025, 12, 14)),
        ("half_year", 2025, 1, D(2024, 12, 15), D(2025, 6, 14)),
        ("quarter", 2025, 1, D(2024, 12, 15), D(2025, 3, 14)),
        ("quarter", 2025, 3, D(2025, 6, 15), D(2025, 9, 14)),
        ("month", 2025, 1, D(2024, 12, 15), D(2025, 1, 14)),
        ("month", 2025, 7, D(2025, 6, 15), D(2025, 7, 14)),
    ],
)
def test_reporting_periods_run_from_the_15th_to_the_14th(kind, year, number, start, end):
    p = periods.reporting_period(kind, year, number)
    assert (p.start, p.end) == (start, end)


def test_the_reporting_year_and_the_last_closed_period():
    assert periods.reporting_year(D(2024, 12, 15)) == 2025
    assert periods.reporting_year(D(2024, 12, 14)) == 2024
    assert periods.last_closed("quarter", D(2025, 5, 1)).number == 1
    assert periods.last_closed("month", D(2025, 1, 14)).number == 1
    assert periods.last_closed("month", D(2025, 1, 13)).year == 2024
