"""The demo province's CCHC plans for two years: the province's plan issued as a numbered
document, its tasks in the six reform areas (some bound to indicators with a target, some with
sub-tasks), progress reported by the lead units — all through the plans app's services, so the
statuses on the pages are computed exactly as for a real province."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from cchc.indicators.models import Indicator
from cchc.orgs.models import OrgUnit
from cchc.plans import services
from cchc.plans.models import Area, DocumentKind, OutputKind, Plan, Task

PLAN_YEARS = (2025, 2026)

# code, title, area, lead unit (DEMO-… code), deadline (month, day), output, indicator, target, sub-tasks
TASKS = [
    (
        "1",
        "Rà soát, hệ thống hóa văn bản quy phạm pháp luật của tỉnh",
        Area.INSTITUTIONS,
        "DEMO-S02",
        (6, 30),
        OutputKind.REPORT,
        None,
        None,
        [],
    ),
    (
        "2",
        "Kiểm tra việc thi hành pháp luật về xử lý vi phạm hành chính",
        Area.INSTITUTIONS,
        "DEMO-S02",
        (10, 31),
        OutputKind.REPORT,
        None,
        None,
        [],
    ),
    (
        "3",
        "Công bố, công khai đầy đủ thủ tục hành chính trên Cổng dịch vụ công",
        Area.PROCEDURES,
        "DEMO-S12",
        (3, 31),
        OutputKind.DECISION,
        None,
        None,
        [],
    ),
    (
        "4",
        "Nâng tỷ lệ hồ sơ nộp trực tuyến",
        Area.PROCEDURES,
        "DEMO",
        (12, 14),
        OutputKind.SYSTEM,
        "dossiers.online_rate",
        Decimal("20"),
        [],
    ),
    (
        "5",
        "Số hóa hồ sơ, kết quả giải quyết thủ tục hành chính",
        Area.PROCEDURES,
        "DEMO",
        (12, 14),
        OutputKind.SYSTEM,
        "dossiers.digitized_rate",
        Decimal("100"),
        [],
    ),
    (
        "6",
        "Sắp xếp, kiện toàn tổ chức bộ máy các cơ quan chuyên môn",
        Area.APPARATUS,
        "DEMO-S01",
        (9, 30),
        OutputKind.DECISION,
        None,
        None,
        [("6.1", "Xây dựng đề án sắp xếp", (5, 31), 2), ("6.2", "Trình Hội đồng nhân dân tỉnh", (9, 30), 1)],
    ),
    (
        "7",
        "Xác định, điều chỉnh vị trí việc làm và cơ cấu ngạch công chức",
        Area.CIVIL_SERVICE,
        "DEMO-S01",
        (8, 31),
        OutputKind.DECISION,
        None,
        None,
        [],
    ),
    (
        "8",
        "Bồi dưỡng kỹ năng giao tiếp, ứng xử cho công chức một cửa",
        Area.CIVIL_SERVICE,
        "DEMO-S01",
        (11, 30),
        OutputKind.EVENT,
        None,
        None,
        [],
    ),
    (
        "9",
        "Giao quyền tự chủ tài chính cho đơn vị sự nghiệp công lập",
        Area.PUBLIC_FINANCE,
        "DEMO-S03",
        (7, 31),
        OutputKind.DECISION,
        None,
        None,
        [],
    ),
    (
        "10",
        "Ký số văn bản đi trên hệ thống quản lý văn bản",
        Area.E_GOVERNMENT,
        "DEMO",
        (12, 14),
        OutputKind.SYSTEM,
        "egov.signed_documents_rate",
        Decimal("90"),
        [],
    ),
    (
        "11",
        "Vận hành Trung tâm điều hành thông minh (IOC) giai đoạn 1",
        Area.E_GOVERNMENT,
        "DEMO-S10",
        (10, 31),
        OutputKind.SYSTEM,
        None,
        None,
        [],
    ),
]


def _unit(units: dict[str, OrgUnit], code: str) -> OrgUnit:
    return units.get(code) or units["DEMO"]


def load_demo_plans(units: dict[str, OrgUnit], users, rng: random.Random, today: dt.date) -> int:
    """The plans of :data:`PLAN_YEARS` (idempotent: a plan already there is left as it is).
    Returns the number of tasks created."""
    secretariat = users["thuongtruc"]
    created = 0
    indicators = {i.code: i for i in Indicator.objects.all()}
    for year in PLAN_YEARS:
        province = units["DEMO"]
        plan, new = Plan.objects.get_or_create(
            scope_unit=province,
            year=year,
            title=f"Kế hoạch cải cách hành chính năm {year}",
            defaults={
                "doc_kind": DocumentKind.PLAN,
                "doc_number": f"{11 + year - 2025}/KH-UBND",
                "doc_date": dt.date(year, 1, 13),
                "signer": "Chủ tịch UBND tỉnh",
                "body": "Thực hiện Nghị quyết 76/NQ-CP và Quyết định 1023/QĐ-TTg; triển khai sáu nội dung cải cách.",
                "created_by": secretariat,
            },
        )
        if not new:
            continue
        for position, (code, title, area, lead, (month, day), output, ind, target, subs) in enumerate(TASKS):
            deadline = dt.date(year, month, day)
            task = services.save_task(
                Task(
                    plan=plan,
                    code=code,
                    title=title,
                    area=area,
                    lead_unit=_unit(units, lead),
                    start_on=dt.date(year, 1, 15),
                    deadline=deadline,
                    output_kind=output,
                    expected_output=str(output.label),
                    responsible_person="Trưởng phòng phụ trách",
                    accountable="Thủ trưởng đơn vị chủ trì",
                    indicator=indicators.get(ind) if ind else None,
                    target=target if ind in indicators else None,
                    position=position,
                ),
                user=secretariat,
            )
            created += 1
            for sub_code, sub_title, (sm, sd), weight in subs:
                sub = services.save_task(
                    Task(
                        plan=plan,
                        parent=task,
                        code=sub_code,
                        title=sub_title,
                        area=area,
                        lead_unit=task.lead_unit,
                        deadline=dt.date(year, sm, sd),
                        weight=Decimal(weight),
                        position=position,
                    ),
                    user=secretariat,
                )
                created += 1
                _report(sub, secretariat, rng, today)
            if task.indicator_id is None and not subs:
                _report(task, secretariat, rng, today)
    return created


def _report(task: Task, user, rng: random.Random, today: dt.date) -> None:
    """Progress reports up to today: most tasks finish, a few late, a few behind."""
    start = task.start_on or dt.date(task.plan.year, 1, 15)
    if start > today:
        return
    fate = rng.random()
    steps = [(start + dt.timedelta(days=45), 30), (start + dt.timedelta(days=100), 60)]
    if fate < 0.65:
        steps.append((task.deadline - dt.timedelta(days=rng.randint(0, 20)), 100))
    elif fate < 0.85:
        steps.append((task.deadline + dt.timedelta(days=rng.randint(3, 25)), 100))
    else:
        steps.append((min(task.deadline, today) - dt.timedelta(days=5), 80))
    for on, percent in steps:
        if on > today or on < start:
            continue
        text = (
            "Đã hoàn thành, có văn bản kèm theo."
            if percent == 100
            else f"Đang triển khai, đạt khoảng {percent}%."
        )
        services.record_progress(task, user=user, on=on, text=text, percent=percent)
