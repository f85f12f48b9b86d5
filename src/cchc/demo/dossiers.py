"""Demo dossiers for the demo province (``cchc.demo.province``): a small procedure catalogue and a few
thousand dossiers from January 2023 up to today, written as the one-stop-shop export files and
loaded through the real imports (:func:`cchc.procedures.catalogue.import_procedures` and
:func:`~cchc.procedures.row_import.import_dossiers`), which keep the day rollups and the dossier
indicators (unit × month, unit × year) in step. Yearly targets for the on-time and online rates
are set on the province so that the dashboard charts have a line to compare against.

Who handles what, following the 2025 reorganisation of the demo tree: districts and their
communes until 30/6/2025, the two new communes from 1/7/2025, four departments throughout.

Realistic mix per unit: early, on time (the due day), late (after the deadline, a few with two
supplement requests, most with an apology letter), still open (within the deadline or overdue,
including a few stuck for months), withdrawn or rejected; online and postal channels growing
year by year, digitised dossiers, online payment for fee-charging procedures. Deterministic for
a given ``rng`` and day.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
import tempfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.utils import timezone

from cchc.indicators.models import Indicator, Target
from cchc.orgs.models import OrgUnit
from cchc.procedures import rules
from cchc.procedures.catalogue import import_procedures
from cchc.procedures.importers import DOSSIER_COLUMNS, PROCEDURE_COLUMNS
from cchc.procedures.row_import import import_dossiers
from cchc.workdays.services import get_calendar

VN = rules.VN
START = dt.date(2023, 1, 1)
MERGER = dt.date(2025, 7, 1)  # districts and their communes end on 30/6/2025 in the demo tree

# code, name, field, level, working days, online mode, fee, paper result, relative demand
CATALOGUE = [
    ("DEMO.HT.01", "Đăng ký khai sinh", "Hộ tịch", "commune", 1, "full", 0, 1, 10),
    ("DEMO.HT.02", "Đăng ký kết hôn", "Hộ tịch", "commune", 3, "partial", 0, 1, 3),
    ("DEMO.HT.03", "Đăng ký khai tử", "Hộ tịch", "commune", 1, "full", 0, 1, 3),
    ("DEMO.HT.04", "Cấp giấy xác nhận tình trạng hôn nhân", "Hộ tịch", "commune", 3, "full", 0, 1, 5),
    (
        "DEMO.CT.01",
        "Chứng thực bản sao từ bản chính giấy tờ, văn bản",
        "Chứng thực",
        "commune",
        1,
        "none",
        1,
        1,
        9,
    ),
    (
        "DEMO.CT.02",
        "Chứng thực chữ ký trong các giấy tờ, văn bản",
        "Chứng thực",
        "commune",
        1,
        "none",
        1,
        1,
        4,
    ),
    (
        "DEMO.BTXH.01",
        "Trợ cấp xã hội hằng tháng đối với đối tượng bảo trợ xã hội",
        "Bảo trợ xã hội",
        "commune",
        12,
        "partial",
        0,
        1,
        1,
    ),
    (
        "DEMO.DD.01",
        "Đăng ký đất đai, cấp Giấy chứng nhận quyền sử dụng đất lần đầu",
        "Đất đai",
        "district",
        20,
        "partial",
        1,
        1,
        3,
    ),
    ("DEMO.DD.02", "Chuyển mục đích sử dụng đất", "Đất đai", "district", 15, "partial", 1, 1, 2),
    ("DEMO.XD.01", "Cấp giấy phép xây dựng nhà ở riêng lẻ", "Xây dựng", "district", 15, "partial", 1, 1, 2),
    (
        "DEMO.KD.01",
        "Đăng ký thành lập hộ kinh doanh",
        "Thành lập và hoạt động của hộ kinh doanh",
        "district",
        3,
        "full",
        1,
        1,
        4,
    ),
    (
        "DEMO.KD.02",
        "Cấp giấy phép bán lẻ rượu",
        "Lưu thông hàng hóa trong nước",
        "district",
        10,
        "full",
        1,
        1,
        1,
    ),
    (
        "DEMO.TP.01",
        "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam",
        "Lý lịch tư pháp",
        "province",
        10,
        "full",
        1,
        1,
        5,
    ),
    ("DEMO.XD.02", "Cấp giấy phép xây dựng công trình", "Xây dựng", "province", 20, "partial", 1, 1, 1),
    (
        "DEMO.DN.01",
        "Đăng ký thành lập doanh nghiệp",
        "Thành lập và hoạt động của doanh nghiệp",
        "province",
        3,
        "full",
        0,
        1,
        4,
    ),
    (
        "DEMO.YT.01",
        "Cấp chứng chỉ hành nghề khám bệnh, chữa bệnh",
        "Khám bệnh, chữa bệnh",
        "province",
        30,
        "partial",
        1,
        1,
        1,
    ),
]
# Which departments handle the province-level procedures (demo codes from cchc.demo.province).
DEPARTMENT_PROCEDURES = {
    "DEMO-S02": ["DEMO.TP.01"],  # Sở Tư pháp
    "DEMO-S05": ["DEMO.XD.02"],  # Sở Xây dựng
    "DEMO-S04": ["DEMO.DN.01"],  # Sở Kế hoạch và Đầu tư
    "DEMO-S06": ["DEMO.YT.01"],  # Sở Y tế
}
# Dossiers received per month (mean) by kind of unit.
MONTHLY = {"commune": 2.0, "district": 3.0, "new_commune": 25.0, "department": 4.0}
ONLINE_SHARE = {2023: 0.3, 2024: 0.45, 2025: 0.6}  # later years: 0.65


@dataclass
class Plan:
    unit: OrgUnit
    procedures: list[tuple]  # catalogue rows
    first: dt.date
    last: dt.date
    monthly: float
    quality: float  # probability of finishing in time


def _plans(units: dict[str, OrgUnit], today: dt.date, rng: random.Random) -> list[Plan]:
    commune_procs = [p for p in CATALOGUE if p[3] == "commune"]
    district_procs = [p for p in CATALOGUE if p[3] == "district"]
    by_code = {p[0]: p for p in CATALOGUE}
    before = min(MERGER - dt.timedelta(days=1), today)
    plans = []
    for code, unit in sorted(units.items()):
        kind = unit.unit_type.code
        if code.startswith("DEMO-H") and kind == "district":
            plans.append(
                Plan(unit, district_procs, START, before, MONTHLY["district"], rng.uniform(0.9, 0.99))
            )
        elif code.startswith("DEMO-H") and kind == "commune":
            plans.append(
                Plan(unit, commune_procs, START, before, MONTHLY["commune"], rng.uniform(0.93, 0.998))
            )
        elif code.startswith("DEMO-X-") and today >= MERGER:
            plans.append(
                Plan(
                    unit,
                    commune_procs + district_procs,
                    MERGER,
                    today,
                    MONTHLY["new_commune"],
                    rng.uniform(0.88, 0.97),
                )
            )
        elif code in DEPARTMENT_PROCEDURES:
            procs = [by_code[c] for c in DEPARTMENT_PROCEDURES[code]]
            plans.append(Plan(unit, procs, START, today, MONTHLY["department"], rng.uniform(0.9, 0.99)))
    return plans


def _write(path: Path, header: list[str], rows: list[dict]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=header)
        w.writeheader()
        w.writerows(rows)
    return path


def _iso(moment: dt.datetime | None) -> str:
    return "" if moment is None else moment.astimezone(VN).strftime("%Y-%m-%dT%H:%M")


def _at(day: dt.date, hour: float) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(int(hour), int((hour % 1) * 60)), tzinfo=VN)


def _months(first: dt.date, last: dt.date):
    y, m = first.year, first.month
    while (y, m) <= (last.year, last.month):
        yield y, m
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)


class _Generator:
    def __init__(self, rng: random.Random, now: dt.datetime, calendar):
        self.rng = rng
        self.now = now
        self.cal = calendar
        self.serial = 0

    def working_day_in(self, y: int, m: int, first: dt.date, last: dt.date) -> dt.date | None:
        days = [
            d
            for d in (dt.date(y, m, 1) + dt.timedelta(days=i) for i in range(31))
            if d.month == m and first <= d <= last and self.cal.is_working_day(d)
        ]
        return self.rng.choice(days) if days else None

    def dossier(self, plan: Plan, day: dt.date) -> dict:
        rng, cal = self.rng, self.cal
        self.serial += 1
        weights = [p[8] for p in plan.procedures]
        code, _name, _field, _level, days, mode, fee, _paper, _w = rng.choices(plan.procedures, weights)[0]
        received = _at(day, rng.uniform(7.5, 16.5))
        if received > self.now:
            received = (self.now - dt.timedelta(hours=1)).replace(second=0, microsecond=0)
        online_share = ONLINE_SHARE.get(day.year, 0.65)
        r = rng.random()
        if mode != "none" and r < online_share:
            channel = "online"
        elif r > 0.97:
            channel = "postal"
        else:
            channel = "direct"
        due = cal.due_at(received, days=days)
        row = {c: "" for c in DOSSIER_COLUMNS}
        row.update(
            code=f"DEMO-HS-{day:%Y%m}-{self.serial:06d}",
            unit_code=plan.unit.code,
            procedure_code=code,
            received_at=_iso(received),
            channel=channel,
            supplement_count="0",
            digitized="1" if rng.random() < min(0.95, 0.35 + 0.2 * (day.year - 2023)) else "0",
            paid_online="1" if fee and channel == "online" and rng.random() < 0.75 else "0",
            apology_issued="0",
        )
        # The source gives the due date for a third of the rows; the import computes the others.
        if rng.random() < 0.33:
            row["due_at"] = due.astimezone(VN).date().isoformat()
        pause: dt.timedelta | None = dt.timedelta(0)
        not_before = received
        count = 0
        s = rng.random()
        if s < 0.09:
            count = 2 if s < 0.012 else 1
            asked = _at(cal.add_working_days(received, rng.randint(0, max(1, days // 2))), rng.uniform(8, 16))
            asked = max(asked, received + dt.timedelta(minutes=30))
            back = asked + dt.timedelta(days=rng.randint(1, 8), minutes=rng.randint(0, 360))
            if asked <= self.now:
                row["supplement_requested_at"] = _iso(asked)
                row["supplement_count"] = str(count)
                if back <= self.now and rng.random() < 0.96:
                    row["supplement_received_at"] = _iso(back)
                    pause = back - asked
                    not_before = back
                else:
                    pause = None  # still waiting for the citizen
        if rng.random() < 0.02:  # withdrawn by the citizen, rejected or cancelled
            end = received + dt.timedelta(days=rng.randint(0, 6), hours=rng.uniform(0, 4))
            if end <= self.now:
                row["status"] = rng.choice(["withdrawn", "rejected", "rejected", "cancelled"])
                row["finished_at"] = _iso(end)
                return row
        stuck = rng.random() < 0.004  # forgotten on someone's desk: open, overdue for months
        deadline = due + pause if pause is not None else None
        finished = None if stuck or deadline is None else self.finish(plan, not_before, deadline, count)
        if finished is None or finished > self.now:
            row["status"] = (
                "supplement" if pause is None else rng.choice(["received", "in_progress", "in_progress"])
            )
            if (
                row["status"] != "supplement"
                and row["supplement_requested_at"]
                and not row["supplement_received_at"]
            ):
                row["status"] = "supplement"
            return row
        row["finished_at"] = _iso(finished)
        assert deadline is not None  # a dossier waiting for the citizen returned above
        late = count > 1 or finished > deadline
        row["apology_issued"] = "1" if late and rng.random() < 0.6 else "0"
        returned = finished + dt.timedelta(hours=rng.uniform(1, 60))
        if rng.random() < 0.7 and returned <= self.now:
            row["status"] = "returned"
            row["returned_at"] = _iso(returned)
        else:
            row["status"] = "resolved"
        return row

    def finish(self, plan: Plan, received: dt.datetime, deadline: dt.datetime, count: int) -> dt.datetime:
        """When the dossier is finished: ``received`` is the moment work can end after (receipt,
        or the supplement's return)."""
        rng, cal = self.rng, self.cal
        start_day = received.astimezone(VN).date()
        due_day = deadline.astimezone(VN).date()
        if count > 1 or rng.random() > plan.quality:  # late: 1–8 working days after the deadline
            day = cal.add_working_days(due_day, rng.randint(1, 8))
            return max(_at(day, rng.uniform(8, 16.5)), received + dt.timedelta(hours=2))
        span = cal.count_working_days(start_day, due_day) - 1
        if span > 0 and rng.random() < 0.7:  # early: a working day before the due day
            day = cal.add_working_days(start_day, rng.randint(0, span - 1)) if span > 1 else start_day
            if day < due_day:
                moment = _at(day, rng.uniform(8, 16.5))
                return max(moment, received + dt.timedelta(minutes=45))
        moment = _at(due_day, rng.uniform(8, 16.5))  # on the due day, before its end
        return min(max(moment, received + dt.timedelta(minutes=45)), deadline)


def _set_targets(province: OrgUnit, years: range) -> None:
    values = {"dossiers.on_time_rate": Decimal("98"), "dossiers.online_rate": Decimal("50")}
    for indicator in Indicator.objects.filter(code__in=values):
        for year in years:
            Target.objects.update_or_create(
                indicator=indicator,
                unit=province,
                year=year,
                defaults={
                    "value": values[indicator.code],
                    "source_document": "Kế hoạch CCHC năm của UBND tỉnh (demo)",
                },
            )


def load_demo_dossiers(
    units: dict[str, OrgUnit], rng: random.Random, *, now: dt.datetime | None = None
) -> dict:
    """Create the demo catalogue and dossiers for ``units`` (the dict returned by
    :func:`cchc.demo.province.build_units`: unit code → OrgUnit) through the real imports, which also
    write the dossier indicator values. Returns counts (procedures, dossiers created/updated,
    months whose indicators were written). Re-running imports the same codes: updates, never
    duplicates."""
    now = now or timezone.now()
    today = now.astimezone(VN).date()
    province = units["DEMO"]
    calendar = get_calendar(province)
    gen = _Generator(rng, now, calendar)
    rows = []
    for plan in _plans(units, today, rng):
        for y, m in _months(plan.first, plan.last):
            n = _poisson(rng, plan.monthly)
            for _i in range(n):
                day = gen.working_day_in(y, m, plan.first, plan.last)
                if day is not None:
                    rows.append(gen.dossier(plan, day))
    with tempfile.TemporaryDirectory(prefix="cchc-demo-") as tmp:
        catalogue = _write(
            Path(tmp) / "thu-tuc.csv",
            PROCEDURE_COLUMNS,
            [
                {
                    "code": c,
                    "name": name,
                    "field": field,
                    "level": level,
                    "processing_days": str(days),
                    "online_mode": mode,
                    "fee": str(fee),
                    "paper_result": str(paper),
                }
                for c, name, field, level, days, mode, fee, paper, _w in CATALOGUE
            ],
        )
        procs = import_procedures(catalogue)
        result = import_dossiers(_write(Path(tmp) / "ho-so.csv", DOSSIER_COLUMNS, rows))
    _set_targets(province, range(START.year, today.year + 1))
    return {
        "procedures": procs["rows"],
        "dossiers": result.rows,
        "created": result.created,
        "updated": result.updated,
        "months": len(result.months),
    }


def _poisson(rng: random.Random, mean: float) -> int:
    """A Poisson draw (Knuth) — small means only."""
    import math

    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1
