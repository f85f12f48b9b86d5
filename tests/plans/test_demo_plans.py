"""The demo province's plans: two years, every area, statuses computed (done on time, late,
overdue, in progress), indicator tasks judged from the values; safe to re-run."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.contrib.auth import get_user_model

from cchc.demo.plans import load_demo_plans
from cchc.demo.province import USERS, build_units, build_users
from cchc.plans.models import Area, Plan, Task, TaskStatus
from cchc.plans.status import task_states

pytestmark = pytest.mark.django_db


def test_the_demo_plans_cover_two_years_and_every_status():
    units = build_units()
    build_users(units)
    users = {u.username: u for u in get_user_model().objects.filter(username__in=[u[0] for u in USERS])}
    today = dt.date(2026, 12, 2)
    created = load_demo_plans(units, users, random.Random(20250113), today)
    assert created == Task.objects.count() > 20
    assert load_demo_plans(units, users, random.Random(1), today) == 0  # idempotent
    assert sorted(Plan.objects.values_list("year", "doc_number")) == [
        (2025, "11/KH-UBND"),
        (2026, "12/KH-UBND"),
    ]
    assert set(Task.objects.values_list("area", flat=True)) == set(Area.values)
    states = task_states(
        list(Task.objects.filter(plan__year=2025).select_related("plan", "lead_unit", "indicator")), today
    )
    seen = {s.status for s in states.values()}
    assert {TaskStatus.DONE_ON_TIME, TaskStatus.DONE_LATE} <= seen
    assert TaskStatus.OVERDUE in seen or TaskStatus.IN_PROGRESS in seen
