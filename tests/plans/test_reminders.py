"""cchc send-reminders: what is due soon (working days on the province calendar) or overdue, in the
app and one e-mail digest per user, escalated to the unit head once overdue; never twice a day."""

from __future__ import annotations

import datetime as dt
import io
from unittest import mock

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from cchc.assessments.models import Assessment, Round
from cchc.orgs.models import Role
from cchc.plans import services
from cchc.plans.models import Area, Plan, Reminder, Task
from tests.factories import make_framework, make_unit, make_user

D = dt.date


def run(*args) -> str:
    out = io.StringIO()
    with mock.patch("django.core.management.base.connections.close_all"):
        call_command("send_reminders", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def world(db):
    province = make_unit("P", "Tỉnh Thử Nghiệm", "province")
    commune = make_unit("X1", "Xã Một", "commune", parent=province)
    secretariat = make_user("thu_ky", Role.SECRETARIAT, province, email="thuky@example.vn")
    officer = make_user("can_bo_x1", Role.UNIT_OFFICER, commune, email="x1@example.vn")
    head = make_user("chu_tich_x1", Role.LEADER, commune, email="chutich@example.vn")
    plan = Plan.objects.create(year=2025, scope_unit=province, title="Kế hoạch CCHC năm 2025")
    # Monday 5 May 2025: due within 3 working days of Wednesday 30 April? 30/4 and 1/5 are holidays.
    task = services.save_task(
        Task(
            plan=plan,
            code="1",
            title="Rà soát TTHC",
            area=Area.PROCEDURES,
            deadline=D(2025, 5, 6),
            lead_unit=commune,
        ),
        user=secretariat,
    )
    return type("W", (), locals())


def task_reminders():
    return list(
        Reminder.objects.filter(key__startswith="task:").values_list(
            "user__username", "sent_on", "escalation"
        )
    )


def test_a_task_due_soon_reminds_the_lead_unit_once_a_day(world):
    # 30/4–4/5/2025 were days off and Saturday 26/4 a working day (swapped for 2/5): from Friday
    # 25/4 the deadline is 5 working days ahead (26/4, 28/4, 29/4, 5/5, 6/5), from 28/4 three.
    run("--today", "25/04/2025")
    assert task_reminders() == []
    run("--today", "28/04/2025")
    assert task_reminders() == [("can_bo_x1", D(2025, 4, 28), False)]
    to_officer = [m for m in mail.outbox if m.to == ["x1@example.vn"]]
    assert len(to_officer) == 2  # one digest a day (25/4 held last month's entry sheet only)
    assert "Rà soát TTHC" in to_officer[1].body and "06/05/2025" in to_officer[1].body
    sent = len(mail.outbox)
    assert run("--today", "2025-04-28") == "0 reminders sent, 0 e-mails\n"  # the same day again: nothing
    assert len(mail.outbox) == sent


def test_last_months_entry_sheet_is_reminded_and_escalated_once_overdue(world):
    run("--today", "02/05/2025")  # April's figures are due 05/05: 3 working days ahead
    entry = Reminder.objects.filter(key__startswith=f"entry:{world.commune.pk}:")
    assert list(entry.values_list("user__username", "escalation")) == [("can_bo_x1", False)]
    run("--today", "06/05/2025")
    assert sorted(entry.filter(sent_on=D(2025, 5, 6)).values_list("user__username", "escalation")) == [
        ("can_bo_x1", False),
        ("chu_tich_x1", True),
    ]


def test_an_overdue_task_is_escalated_to_the_unit_head(world):
    run("--today", "07/05/2025")
    assert sorted(task_reminders()) == [
        ("can_bo_x1", D(2025, 5, 7), False),
        ("chu_tich_x1", D(2025, 5, 7), True),
    ]
    head = Reminder.objects.get(user=world.head, key__startswith="task:")
    assert "quá hạn" in head.text and "chutich@example.vn" in [m.to[0] for m in mail.outbox]
    # done: nothing more about it
    with mock.patch("django.utils.timezone.localdate", return_value=D(2025, 5, 7)):
        services.record_progress(world.task, user=world.officer, on=D(2025, 5, 7), text="Xong", percent=100)
    run("--today", "08/05/2025")
    assert Reminder.objects.filter(key__startswith="task:", sent_on=D(2025, 5, 8)).count() == 0


def test_one_digest_per_user_for_several_things_due(world, settings):
    framework = make_framework("BCS-XA", 2025, ["commune"], [{"code": "1", "name": "Lĩnh vực", "max": 1}])
    round_obj = Round.objects.create(
        framework=framework, year=2025, deadline=timezone.make_aware(dt.datetime(2025, 5, 5, 17))
    )
    Assessment.objects.create(round=round_obj, unit=world.commune)
    run("--today", "02/05/2025")
    to_officer = [m for m in mail.outbox if m.to == ["x1@example.vn"]]
    assert len(to_officer) == 1  # one e-mail with everything
    body = to_officer[0].body
    assert "Rà soát TTHC" in body and "tự đánh giá BCS-XA năm 2025" in body and "05/05/2025" in body


def test_my_work_page_lists_the_reminders_and_counts_them_in_the_menu(world, client):
    run("--today", "29/04/2025")
    client.force_login(world.officer)
    page = client.get("/my-work/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Rà soát TTHC" in text and "06/05/2025" in text
    assert page.context["my_work_count"] == Reminder.objects.filter(user=world.officer).count() >= 1
    client.post("/my-work/read/")
    assert client.get("/my-work/").context["my_work_count"] == 0
    client.force_login(world.secretariat)
    assert "Rà soát TTHC" not in client.get("/my-work/").content.decode()  # another user's reminders


def test_a_bad_date_is_a_clear_error(world):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--today"):
        run("--today", "31/02/2025")
