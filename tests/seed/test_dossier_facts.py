"""Seed facts #2, #9, #11 and #13 of SEED_FACTS.md, reproduced from imported dossier files.

Each test writes a unit list, a procedure catalogue and a dossier export (the one-stop-shop CSV
format of issue 3 §3) whose content yields the figures the conference reports quote, loads them
through the operators' CLI (``import_units``, ``import_procedures``, ``import_dossiers``) and
reads the figures back through ``dossier-kpis`` (CSV and JSON), the dossier indicators the
import writes, and — for the figures compared with a target — the PAR criteria bound to those
indicators (``import_framework``, ``import_scores``, ``results``).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command

from cchc.procedures.importers import DOSSIER_COLUMNS, PROCEDURE_COLUMNS

pytestmark = pytest.mark.django_db

UNIT_COLUMNS = ["code", "name", "type", "parent_code", "valid_from", "valid_to", "successor_code"]


# -- the generator ---------------------------------------------------------------------------------


def moment(day: dt.date, hour: int = 8, minute: int = 0) -> str:
    return f"{day.isoformat()}T{hour:02d}:{minute:02d}"


@dataclass
class DossierFile:
    """Builds a dossier export row by row; ``add`` writes ``n`` alike dossiers whose receipt
    days cycle through ``days`` (a list of dates) and whose other moments are given as day
    offsets from the receipt day (``due`` a date alone: the end of that day)."""

    prefix: str
    rows: list[dict] = field(default_factory=list)

    def add(
        self,
        n: int,
        *,
        unit: str,
        proc: str,
        days: list[dt.date],
        due: int = 5,
        finished: int | None = None,
        finished_hour: int = 10,
        status: str | None = None,
        channel: str = "direct",
        supplement: tuple[int, int | None] | None = None,
        supplement_count: int | None = None,
        digitized: bool = False,
        online: int = 0,
        digitized_n: int | None = None,
    ) -> None:
        """``online`` of the ``n`` dossiers come online (the rest through ``channel``);
        ``digitized_n`` of them are digitised (default: all when ``digitized``, else none);
        ``supplement`` = (request day offset, receipt day offset or None while pending)."""
        if digitized_n is None:
            digitized_n = n if digitized else 0
        for i in range(n):
            received = days[i % len(days)]
            fin = None if finished is None else received + dt.timedelta(days=finished)
            row = {
                "code": f"{self.prefix}-{len(self.rows) + 1:06d}",
                "unit_code": unit,
                "procedure_code": proc,
                "received_at": moment(received, 8 + i % 8, (7 * i) % 60),
                "due_at": (received + dt.timedelta(days=due)).isoformat(),
                "finished_at": "" if fin is None else moment(fin, finished_hour),
                "returned_at": "",
                "status": status or ("resolved" if fin is not None else "in_progress"),
                "channel": "online" if i < online else channel,
                "supplement_requested_at": "",
                "supplement_received_at": "",
                "supplement_count": "0",
                "digitized": "1" if i < digitized_n else "0",
                "paid_online": "0",
                "apology_issued": "0",
            }
            if supplement is not None:
                asked, back = supplement
                row["supplement_requested_at"] = moment(received + dt.timedelta(days=asked), 9)
                if back is not None:
                    row["supplement_received_at"] = moment(received + dt.timedelta(days=back), 9)
                row["supplement_count"] = "1"
            if supplement_count is not None:
                row["supplement_count"] = str(supplement_count)
            if row["status"] == "returned":
                row["returned_at"] = moment(fin, 16)
            self.rows.append(row)

    def write(self, path: Path) -> Path:
        with path.open("w", encoding="utf-8", newline="") as fh:
            out = csv.DictWriter(fh, fieldnames=DOSSIER_COLUMNS)
            out.writeheader()
            out.writerows(self.rows)
        return path


def days_between(first: dt.date, last: dt.date, step: int = 1) -> list[dt.date]:
    return [first + dt.timedelta(days=d) for d in range(0, (last - first).days + 1, step)]


def write_rows(path: Path, header: list[str], rows: list[list | dict]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(header)
        for row in rows:
            out.writerow([row.get(c, "") for c in header] if isinstance(row, dict) else row)
    return path


def load(tmp_path: Path, units: list[list[str]], procedures: list[dict], dossiers: DossierFile) -> str:
    """Units, catalogue and dossiers through the CLI; returns the import's summary line."""
    call_command("import_units", str(write_rows(tmp_path / "units.csv", UNIT_COLUMNS, units)))
    call_command(
        "import_procedures", str(write_rows(tmp_path / "procedures.csv", PROCEDURE_COLUMNS, procedures))
    )
    out = io.StringIO()
    call_command("import_dossiers", str(dossiers.write(tmp_path / "dossiers.csv")), stdout=out)
    return out.getvalue()


def procedure(code: str, field: str, level: str, mode: str = "none", days: str = "5") -> dict:
    return {
        "code": code,
        "name": f"Thủ tục {code}",
        "field": field,
        "level": level,
        "processing_days": days,
        "online_mode": mode,
        "fee": "0",
        "paper_result": "0",
    }


def kpis_csv(date_from: str, date_to: str, by: str, unit: str | None = None) -> dict[str, dict]:
    out = io.StringIO()
    opts = {"unit": unit} if unit else {}
    call_command("dossier_kpis", "--from", date_from, "--to", date_to, "--by", by, stdout=out, **opts)
    return {row["group"]: row for row in csv.DictReader(io.StringIO(out.getvalue()))}


def kpis_json(date_from: str, date_to: str, by: str, unit: str | None = None) -> list[dict]:
    out = io.StringIO()
    opts = {"unit": unit} if unit else {}
    call_command(
        "dossier_kpis",
        "--from",
        date_from,
        "--to",
        date_to,
        "--by",
        by,
        "--format",
        "json",
        stdout=out,
        **opts,
    )
    return json.loads(out.getvalue())


def indicator(code: str, unit: str, year: int):
    from cchc.indicators.models import IndicatorValue

    return IndicatorValue.objects.get(
        indicator__code=code, unit__code=unit, period_kind="year", period_start=dt.date(year, 1, 1)
    )


def framework_with_indicator_leaf(tmp_path: Path, code: str, year: int, unit_type: str, rule: dict) -> None:
    """A two-leaf framework: 1.1 scored by hand (max 8), 1.2 bound to a dossier indicator (max 2)."""
    doc = {
        "code": code,
        "name": code,
        "year": year,
        "unit_types": [unit_type],
        "nodes": [
            {
                "code": "1",
                "name": "Cải cách thủ tục hành chính",
                "children": [
                    {"code": "1.1", "name": "Công khai TTHC", "max": 8, "rule": {"type": "manual"}},
                    {"code": "1.2", "name": "Chỉ tiêu hồ sơ", "max": 2, "rule": rule},
                ],
            }
        ],
    }
    path = tmp_path / f"{code}.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    call_command("import_framework", str(path))


def results_of(tmp_path: Path, framework: str, year: int, unit: str) -> dict:
    scores = write_rows(
        tmp_path / "scores.csv",
        ["unit_code", "criterion_code", "self_score", "appraised_score"],
        [[unit, "1.1", "8", "8"]],
    )
    call_command("import_scores", str(scores), framework=framework, year=year)
    out = io.StringIO()
    call_command("results", framework=framework, year=year, stdout=out)
    return {row["unit_code"]: row for row in csv.DictReader(io.StringIO(out.getvalue()))}


# -- #11 ----------------------------------------------------------------------------------------------------


def test_fact_11_na_ri_window_15_12_2020_to_13_12_2021(tmp_path):
    """Seed 002: "Kết quả giải quyết TTHC từ 15/12/2020 đến 13/12/2021 tổng hồ sơ tiếp nhận và
    giải quyết là 19.938 hồ sơ; giải quyết đúng hạn là 19.536 hồ sơ; đang giải quyết 287 hồ sơ."

    Interpretation (the standard periodic report): "tiếp nhận" is every dossier the district had
    to handle in the window — carried over from before it plus received in it — so 19,938 =
    carried over + received; of these 19,938 − 287 = 19,651 were resolved in the window, 19,536
    of them early or on time (hence 115 late), and 287 were still in progress at the window's
    end; none was withdrawn in the window (otherwise the three figures would not add up).

    The data set: 150 dossiers received on 1–14/12/2020 and resolved in the window (carried
    over); 19,788 received in the window, of which 19,501 resolved in it — 1,000 on the due day,
    50 after ``due_at`` but before the deadline moved by the citizen's supplement time (on time:
    that time is excluded), 80 after the deadline and 35 before it but after two supplement
    requests (late: the 766 rule), the rest early — and 287 not finished by 13/12/2021: 137
    resolved on 15–28/12/2021 (after the window), 150 still open (60 overdue, 10 overdue after
    their supplement pause was added, 20 waiting for a supplement whose pause keeps them within
    the deadline, 60 not due yet). Around the window, dossiers that must not count: 300
    received and resolved in November 2020, 5 withdrawn before the window, 120 received after
    it. Dossiers go to the district one-stop shop (district procedures) and two communes.
    """
    win_first, win_last = dt.date(2020, 12, 15), dt.date(2021, 12, 13)
    units = [
        ["BK", "Tỉnh Bắc Kạn", "province", "", "", "", ""],
        ["NR", "Huyện Na Rì", "district", "BK", "", "", ""],
        ["NR-KB", "Xã Kim Lư", "commune", "NR", "", "", ""],
        ["NR-LS", "Xã Lương Sơn", "commune", "NR", "", "", ""],
    ]
    procedures = [
        procedure("H.DD", "Đất đai", "district", "3", "10"),
        procedure("H.KD", "Đăng ký kinh doanh", "district", "4", "3"),
        procedure("X.HT", "Hộ tịch", "commune", "4", "3"),
    ]
    f = DossierFile("NR")
    spread = days_between(dt.date(2020, 12, 16), dt.date(2021, 10, 31))  # receipts inside the window
    # before the window (noise) and carried over into it
    f.add(
        300,
        unit="NR",
        proc="H.DD",
        days=days_between(dt.date(2020, 11, 2), dt.date(2020, 11, 20)),
        finished=2,
    )
    f.add(5, unit="NR-KB", proc="X.HT", days=[dt.date(2020, 12, 1)], finished=1, status="withdrawn")
    carried = days_between(dt.date(2020, 12, 8), dt.date(2020, 12, 14))
    f.add(150, unit="NR", proc="H.DD", days=carried, due=10, finished=8)  # finished 16–22/12/2020
    # resolved in the window: 1,000 on the due day, 50 on time thanks to the supplement pause,
    # 80 + 35 late, the rest early (19,501 − 1,000 − 50 − 115 = 18,336)
    f.add(1000, unit="NR", proc="H.KD", days=spread, due=3, finished=3, status="returned")
    f.add(50, unit="NR", proc="H.DD", days=spread, due=5, finished=8, supplement=(1, 5))
    f.add(80, unit="NR", proc="H.DD", days=spread, due=5, finished=9)
    f.add(
        35, unit="NR-LS", proc="X.HT", days=spread, due=5, finished=3, supplement=(1, 2), supplement_count=2
    )
    f.add(9000, unit="NR-KB", proc="X.HT", days=spread, due=3, finished=1)
    f.add(9336, unit="NR-LS", proc="X.HT", days=spread, due=3, finished=2, status="returned")
    # in progress at the window's end (287)
    late_nov = days_between(dt.date(2021, 11, 15), dt.date(2021, 11, 30))
    f.add(137, unit="NR", proc="H.DD", days=[dt.date(2021, 12, 10)], due=10, finished=5)  # finished 15/12
    f.add(60, unit="NR", proc="H.DD", days=late_nov, due=5)  # due by 5/12: overdue
    f.add(
        10, unit="NR", proc="H.DD", days=[dt.date(2021, 12, 1)], due=5, supplement=(1, 4)
    )  # due 6/12 + 3 days
    f.add(
        20,
        unit="NR-KB",
        proc="X.HT",
        days=[dt.date(2021, 12, 1)],
        due=8,
        supplement=(2, None),
        status="supplement",
    )
    f.add(60, unit="NR-LS", proc="X.HT", days=[dt.date(2021, 12, 10)], due=7)  # due 17/12
    # after the window (noise)
    f.add(
        120,
        unit="NR",
        proc="H.KD",
        days=days_between(dt.date(2021, 12, 14), dt.date(2021, 12, 20)),
        due=3,
        finished=1,
    )

    summary = load(tmp_path, units, procedures, f)
    assert summary.startswith(f"{len(f.rows)} rows: {len(f.rows)} created, 0 updated, 0 unchanged")

    rows = kpis_json(win_first.isoformat(), win_last.isoformat(), "unit", unit="NR")
    assert {r["group"] for r in rows} == {"NR", "NR-KB", "NR-LS"}
    total = {c: sum(r[c] for r in rows) for c in rows[0] if c != "group" and not c.endswith("_rate")}
    assert total["carried_over"] + total["received"] == 19_938
    assert total["carried_over"] == 150
    assert total["resolved"] == 19_651
    assert total["resolved_early"] + total["resolved_on_time"] == 19_536
    assert total["resolved_on_time"] == 1_000
    assert total["resolved_late"] == 115
    assert total["in_progress"] == 287
    assert total["in_progress_overdue"] == 70
    assert total["withdrawn"] == 0

    # The same window by month: the first month carries the 150 over, the last ends with the 287
    # in progress, and the flows add up to the window's.
    months = list(kpis_csv(win_first.isoformat(), win_last.isoformat(), "month", unit="NR").values())
    assert [m["group"] for m in (months[0], months[-1])] == ["2020-12", "2021-12"]
    assert len(months) == 13
    assert int(months[0]["carried_over"]) == 150
    assert int(months[-1]["in_progress"]) == 287
    assert int(months[-1]["in_progress_overdue"]) == 70
    for column in ("received", "resolved", "resolved_early", "resolved_on_time", "resolved_late"):
        assert sum(int(m[column]) for m in months) == total[column], column

    # The district's yearly indicator for the calendar year 2021 is rolled up from its own and its
    # communes' numerators and denominators (not from their rates).
    year = kpis_json("2021-01-01", "2021-12-31", "unit", unit="NR")
    on_time = indicator("dossiers.on_time_rate", "NR", 2021)
    assert on_time.denominator == sum(r["resolved"] for r in year)
    assert on_time.numerator == sum(r["resolved_early"] + r["resolved_on_time"] for r in year)
    assert on_time.denominator != 19_651  # a calendar year is not the report's window


# -- #9 -------------------------------------------------------------------------------------------------------


def test_fact_9_on_time_rate_per_level(tmp_path):
    """Seed 002: "Tỷ lệ hồ sơ TTHC UBND cấp huyện, cấp xã tiếp nhận trong năm giải quyết đúng
    hạn trong đó, cấp huyện chỉ đạt 98,69%; cấp xã đạt 99,78%".

    The level is the procedure's level (cấp thực hiện). District level: 153 dossiers resolved in
    2021, 2 late (151 / 153 = 98.69 %); commune level: 445 resolved, 1 late (444 / 445 =
    99.78 %). Spread over two districts and three communes so that the rate is computed from
    the summed counts, not as an average of unit rates (which would give other figures). Also
    present, not counted: a late district dossier resolved in 2020, a commune dossier withdrawn
    in 2021 (never resolved), commune dossiers still in progress at the end of 2021, and
    province-level dossiers (their own group).
    """
    units = [
        ["BK", "Tỉnh Bắc Kạn", "province", "", "", "", ""],
        ["NR", "Huyện Na Rì", "district", "BK", "", "", ""],
        ["BB", "Huyện Ba Bể", "district", "BK", "", "", ""],
        ["NR-KL", "Xã Kim Lư", "commune", "NR", "", "", ""],
        ["BB-CT", "Xã Chu Hương", "commune", "BB", "", "", ""],
        ["BB-HT", "Xã Hà Hiệu", "commune", "BB", "", "", ""],
    ]
    procedures = [
        procedure("H.DD", "Đất đai", "district", days="10"),
        procedure("X.HT", "Hộ tịch", "commune", days="3"),
        procedure("T.XD", "Xây dựng", "province", days="15"),
    ]
    year = days_between(dt.date(2021, 1, 4), dt.date(2021, 12, 10), step=3)
    f = DossierFile("BK")
    f.add(100, unit="NR", proc="H.DD", days=year, due=10, finished=4)
    f.add(1, unit="NR", proc="H.DD", days=[dt.date(2021, 6, 1)], due=10, finished=12)  # late
    f.add(51, unit="BB", proc="H.DD", days=year, due=10, finished=10)  # on the due day
    f.add(1, unit="BB", proc="H.DD", days=[dt.date(2021, 3, 1)], due=10, finished=11)  # late
    f.add(1, unit="BB", proc="H.DD", days=[dt.date(2020, 6, 1)], due=10, finished=30)  # late, 2020
    f.add(200, unit="NR-KL", proc="X.HT", days=year, due=3, finished=1)
    f.add(150, unit="BB-CT", proc="X.HT", days=year, due=3, finished=2)
    f.add(94, unit="BB-HT", proc="X.HT", days=year, due=3, finished=3)
    f.add(1, unit="BB-HT", proc="X.HT", days=[dt.date(2021, 9, 1)], due=3, finished=4)  # late
    f.add(1, unit="BB-HT", proc="X.HT", days=[dt.date(2021, 9, 1)], finished=1, status="rejected")
    f.add(7, unit="NR-KL", proc="X.HT", days=[dt.date(2021, 12, 28)], due=3)  # in progress
    f.add(40, unit="BK", proc="T.XD", days=year, due=15, finished=5, online=40)

    load(tmp_path, units, procedures, f)
    table = kpis_csv("2021-01-01", "2021-12-31", "level")
    assert list(table) == ["province", "district", "commune"]
    district, commune = table["district"], table["commune"]
    assert (district["resolved"], district["resolved_late"], district["on_time_rate"]) == (
        "153",
        "2",
        "98.69",
    )
    assert (commune["resolved"], commune["resolved_late"], commune["on_time_rate"]) == ("445", "1", "99.78")
    assert (commune["withdrawn"], commune["in_progress"]) == ("1", "7")
    assert table["province"]["on_time_rate"] == "100.00"
    # An average of the unit rates would not give the reported figure.
    by_unit = kpis_csv("2021-01-01", "2021-12-31", "unit")
    communes = [Decimal(by_unit[c]["on_time_rate"]) for c in ("NR-KL", "BB-CT", "BB-HT")]
    assert (sum(communes) / 3).quantize(Decimal("0.01")) != Decimal("99.78")


# -- #2 -------------------------------------------------------------------------------------------------------


def test_fact_2_bu_gia_map_online_rate_per_commune_and_field(tmp_path):
    """Seed 000: "Huyện có trên 35,8% số TTHC được thực hiện trực tuyến mức độ 3,4 (chỉ tiêu tỉnh
    giao 20%) (… Phú Văn 46%, Đăk Ơ 43,4%, lĩnh vực tài chính 74.8%, lĩnh vực lao động 98,4%)".

    Interpretation: the share of dossiers received online (through the level 3/4 public
    services) among those received in 2020 — by the district's whole subtree (the district
    one-stop shop and its communes), per commune, and per procedure field. 1,000 dossiers
    received in the district in 2020, 358 online: Phú Văn 23 / 50, Đăk Ơ 23 / 53, finance 92 /
    123, labour 123 / 125 (at the district's one-stop shop), land 60 / 400 at the district and
    civil status 37 / 249 in the commune of Bù Gia Mập. Not counted: the 2019 dossiers and a
    neighbouring district's. The province's target of 20 % is a PAR criterion bound to the
    online-rate indicator (full marks from 20 %), scored automatically.
    """
    units = [
        ["BP", "Tỉnh Bình Phước", "province", "", "", "", ""],
        ["BGM", "Huyện Bù Gia Mập", "district", "BP", "", "", ""],
        ["PL", "Huyện Phú Riềng", "district", "BP", "", "", ""],
        ["BGM-PV", "Xã Phú Văn", "commune", "BGM", "", "", ""],
        ["BGM-DO", "Xã Đăk Ơ", "commune", "BGM", "", "", ""],
        ["BGM-BGM", "Xã Bù Gia Mập", "commune", "BGM", "", "", ""],
    ]
    procedures = [
        procedure("H.TC", "Tài chính", "district", "4"),
        procedure("H.LD", "Lao động", "district", "4"),
        procedure("H.DD", "Đất đai", "district", "3"),
        procedure("X.HT", "Hộ tịch", "commune", "3"),
    ]
    year = days_between(dt.date(2020, 1, 6), dt.date(2020, 12, 1), step=2)
    f = DossierFile("BGM")
    f.add(50, unit="BGM-PV", proc="X.HT", days=year, finished=2, online=23)
    f.add(53, unit="BGM-DO", proc="X.HT", days=year, finished=2, online=23)
    f.add(249, unit="BGM-BGM", proc="X.HT", days=year, finished=2, online=37, channel="postal")
    f.add(123, unit="BGM", proc="H.TC", days=year, finished=2, online=92)
    f.add(125, unit="BGM", proc="H.LD", days=year, finished=2, online=123)
    f.add(400, unit="BGM", proc="H.DD", days=year, finished=2, online=60)
    f.add(200, unit="BGM", proc="H.DD", days=[dt.date(2019, 6, 3)], finished=2)  # 2019
    f.add(300, unit="PL", proc="H.TC", days=year, finished=2, online=300)  # another district

    load(tmp_path, units, procedures, f)
    by_unit = kpis_csv("2020-01-01", "2020-12-31", "unit", unit="BGM")
    assert set(by_unit) == {"BGM", "BGM-PV", "BGM-DO", "BGM-BGM"}
    assert by_unit["BGM-PV"]["online_rate"] == "46.00"
    assert by_unit["BGM-DO"]["online_rate"] == "43.40"
    by_field = kpis_csv("2020-01-01", "2020-12-31", "field", unit="BGM")
    assert by_field["Tài chính"]["online_rate"] == "74.80"
    assert by_field["Lao động"]["online_rate"] == "98.40"
    assert sum(int(r["received"]) for r in by_field.values()) == 1000
    assert sum(int(r["received_online"]) for r in by_field.values()) == 358

    online = indicator("dossiers.online_rate", "BGM", 2020)
    assert (online.value, online.numerator, online.denominator) == (Decimal("35.80"), 358, 1000)
    assert indicator("dossiers.online_rate", "BGM-PV", 2020).value == Decimal("46.00")

    framework_with_indicator_leaf(
        tmp_path,
        "BP-HUYEN-2020",
        2020,
        "district",
        {"type": "thresholds", "indicator": "dossiers.online_rate", "steps": [{"min": 20, "points": 2}]},
    )
    row = results_of(tmp_path, "BP-HUYEN-2020", 2020, "BGM")["BGM"]
    assert Decimal(row["total"]) == Decimal("10.00")  # 8 by hand + 2: the 20 % target reached


# -- #13 ------------------------------------------------------------------------------------------------------


def test_fact_13_overdue_and_digitisation_below_target(tmp_path):
    """Seed 003: "Tỷ lệ hồ sơ TTHC giải quyết quá hạn còn cao …; việc số hóa hồ sơ TTHC chưa đạt
    chỉ tiêu tỉnh giao (100%)".

    A department of Đắk Lắk in 2022: 480 dossiers received (408 digitised: 85.00 %, below the
    100 % target), plus 20 carried over from December 2021; 400 resolved in 2022 of which 30
    late (25 after their deadline, 5 after two supplement requests), and 100 still in progress
    at the end of 2022 of which 20 overdue. Overdue rate = (late + overdue in progress) /
    (resolved + in progress) = 50 / 500 = 10.00 %. The digitisation target is a PAR criterion
    proportional to the rate with full marks at 100 %: the department gets 85 % of its points.
    """
    units = [
        ["DL", "Tỉnh Đắk Lắk", "province", "", "", "", ""],
        ["DL-SXD", "Sở Xây dựng", "department", "DL", "", "", ""],
    ]
    procedures = [
        procedure("T.XD1", "Xây dựng", "province", "4", "15"),
        procedure("T.XD2", "Nhà ở", "province"),
    ]
    year = days_between(dt.date(2022, 1, 3), dt.date(2022, 11, 30), step=2)
    f = DossierFile("DL")
    f.add(20, unit="DL-SXD", proc="T.XD1", days=[dt.date(2021, 12, 20)], due=20, finished=15, digitized=True)
    f.add(350, unit="DL-SXD", proc="T.XD1", days=year, due=15, finished=10, digitized_n=300)
    f.add(25, unit="DL-SXD", proc="T.XD2", days=year, due=5, finished=8, digitized_n=20)
    f.add(5, unit="DL-SXD", proc="T.XD2", days=year, due=5, finished=3, supplement=(1, 2), supplement_count=2)
    f.add(80, unit="DL-SXD", proc="T.XD1", days=[dt.date(2022, 12, 26)], due=15, digitized_n=68)
    f.add(20, unit="DL-SXD", proc="T.XD2", days=[dt.date(2022, 12, 1)], due=5, digitized_n=20)

    load(tmp_path, units, procedures, f)
    (row,) = kpis_json("2022-01-01", "2022-12-31", "unit", unit="DL-SXD")
    assert (row["carried_over"], row["received"], row["resolved"], row["resolved_late"]) == (20, 480, 400, 30)
    assert (row["in_progress"], row["in_progress_overdue"]) == (100, 20)
    assert row["digitized_rate"] == "85.00"

    overdue = indicator("dossiers.overdue_rate", "DL-SXD", 2022)
    assert (overdue.value, overdue.numerator, overdue.denominator) == (Decimal("10.00"), 50, 500)
    digitized = indicator("dossiers.digitized_rate", "DL-SXD", 2022)
    assert (digitized.value, digitized.numerator, digitized.denominator) == (Decimal("85.00"), 408, 480)
    assert indicator("dossiers.digitized_rate", "DL", 2022).value == Decimal("85.00")

    framework_with_indicator_leaf(
        tmp_path,
        "DL-SO-2022",
        2022,
        "department",
        {"type": "proportional", "indicator": "dossiers.digitized_rate", "full_at": 100},
    )
    result = results_of(tmp_path, "DL-SO-2022", 2022, "DL-SXD")["DL-SXD"]
    assert Decimal(result["total"]) == Decimal("9.70")  # 8 + 2 × 85 / 100: short of the target
