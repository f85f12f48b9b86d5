"""Generate realistic one-stop-shop dossiers for the benchmark, in the `cchc import-dossiers` CSV
format, streaming (bounded memory whatever ``--rows``), plus the units (`cchc import-units`
format: the 34 provinces and 3,321 communes of the current two-level structure) and a procedure
catalogue (`cchc import-procedures` format).

    python bench/dossiers_generate.py                    # 1,000,000 dossiers in bench/out/
    python bench/dossiers_generate.py --rows 10000000

What "realistic" means here (deterministic for a given seed):
- dossiers received on working days (Mon–Fri) of 2024 and 2025, 07:30–16:30, spread over the
  units with a skewed (log-normal) weight, the big cities getting more; commune-level procedures
  go to communes, province-level ones to the province (its public administration service centre);
- legal processing times of 1–30 working days, the appointment date (``due_at``) counted in
  working days with numpy's business-day calendar (weekends only: the bench does not need the
  holiday table, and the importer keeps a given ``due_at``);
- about 88 % resolved or returned (most early, some on the due day, ~6 % late), 6 % still open
  (a few waiting for a supplement), 3 % rejected / withdrawn / cancelled, the rest just received;
- 9 % with a supplement request (1 % of them twice, which the 766 rule counts as late), the
  citizen taking 1–10 days to supplement;
- 55 % online, 43 % in person, 2 % by post; 70 % digitised; fees on a third of the procedures,
  paid online for half of the online dossiers of those; an apology for 60 % of late dossiers.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
DOSSIER_COLUMNS = [
    "code",
    "unit_code",
    "procedure_code",
    "received_at",
    "due_at",
    "finished_at",
    "returned_at",
    "status",
    "channel",
    "supplement_requested_at",
    "supplement_received_at",
    "supplement_count",
    "digitized",
    "paid_online",
    "apology_issued",
]
PROCEDURE_COLUMNS = [
    "code",
    "name",
    "field",
    "level",
    "processing_days",
    "online_mode",
    "fee",
    "paper_result",
]
UNIT_COLUMNS = ["code", "name", "type", "parent_code", "valid_from", "valid_to", "successor_code"]
VALID_FROM = ""  # the bench dossiers start in 2024, before the 1/7/2025 structure
FIELDS = [
    "Hộ tịch",
    "Chứng thực",
    "Đất đai",
    "Xây dựng",
    "Đăng ký kinh doanh",
    "Bảo trợ xã hội",
    "Người có công",
    "Giáo dục và Đào tạo",
    "Y tế",
    "Lao động",
    "Tư pháp",
    "Giao thông vận tải",
    "Tài nguyên nước",
    "Môi trường",
    "Công thương",
    "Nông nghiệp",
    "Văn hóa",
    "Nội vụ",
    "Tài chính",
    "Khoa học và Công nghệ",
]
PROCEDURES = 600  # a province handles ~1,800; 600 distinct codes keep the rollups realistic
COMMUNE_SHARE = 0.25  # share of procedures at commune level; they take ~60 % of dossiers
CHUNK = 200_000
START = np.datetime64("2024-01-01")
END = np.datetime64("2026-01-01")


def write_units(path: Path) -> list[tuple[str, str]]:
    """The units CSV; returns (unit code, level) for each unit that receives dossiers."""
    from vietnam_provinces import Province, Ward

    units = []
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(UNIT_COLUMNS)
        for p in Province.iter_all():
            pcode = f"P{int(p.code):02d}"
            out.writerow([pcode, p.name, "province", "", VALID_FROM, "", ""])
            units.append((pcode, "province"))
            for w in Ward.iter_by_province(p.code):
                wcode = f"W{int(w.code):05d}"
                out.writerow([wcode, w.name, "commune", pcode, VALID_FROM, "", ""])
                units.append((wcode, "commune"))
    return units


def write_procedures(path: Path, rng: np.random.Generator) -> list[tuple[str, str, int, bool]]:
    """The catalogue; returns (code, level, processing days, fee) per procedure."""
    procs = []
    modes = rng.choice(["full", "partial", "none"], size=PROCEDURES, p=[0.35, 0.45, 0.20])
    days = rng.choice(
        [1, 2, 3, 5, 7, 10, 15, 20, 30], size=PROCEDURES, p=[0.1, 0.1, 0.2, 0.2, 0.1, 0.1, 0.1, 0.05, 0.05]
    )
    fees = rng.random(PROCEDURES) < 1 / 3
    paper = rng.random(PROCEDURES) < 0.5
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(PROCEDURE_COLUMNS)
        for i in range(PROCEDURES):
            level = "commune" if i < PROCEDURES * COMMUNE_SHARE else "province"
            field = FIELDS[i % len(FIELDS)]
            code = f"1.{i + 1:06d}"
            out.writerow(
                [
                    code,
                    f"Thủ tục {field.lower()} số {i + 1}",
                    field,
                    level,
                    int(days[i]),
                    modes[i],
                    int(fees[i]),
                    int(paper[i]),
                ]
            )
            procs.append((code, level, int(days[i]), bool(fees[i])))
    return procs


def _iso(moments: np.ndarray) -> np.ndarray:
    """``YYYY-MM-DDTHH:MM`` strings, '' for NaT (vectorised, no Python loop)."""
    text = np.datetime_as_string(moments.astype("datetime64[m]"), unit="m")
    return np.where(np.isnat(moments), "", text)


def write_dossiers(path: Path, rows: int, units, procs, rng: np.random.Generator) -> None:
    unit_codes = {lvl: np.array([c for c, lv in units if lv == lvl]) for lvl in ("commune", "province")}
    # Skewed unit weights (a few big units, a long tail).
    unit_weights = {lvl: rng.lognormal(0, 1, len(codes)) for lvl, codes in unit_codes.items()}
    for lvl in unit_weights:
        unit_weights[lvl] /= unit_weights[lvl].sum()
    proc_codes = {
        lvl: np.array([c for c, lv, _d, _f in procs if lv == lvl]) for lvl in ("commune", "province")
    }
    proc_days = {
        lvl: np.array([d for _c, lv, d, _f in procs if lv == lvl]) for lvl in ("commune", "province")
    }
    proc_fee = {lvl: np.array([f for _c, lv, _d, f in procs if lv == lvl]) for lvl in ("commune", "province")}
    proc_weights = {lvl: rng.zipf(1.6, len(codes)).astype(float) for lvl, codes in proc_codes.items()}
    for lvl in proc_weights:
        proc_weights[lvl] /= proc_weights[lvl].sum()
    workdays = np.arange(START, END, dtype="datetime64[D]")
    workdays = workdays[np.is_busday(workdays)]
    minute = np.timedelta64(1, "m")
    day = np.timedelta64(1, "D")

    with path.open("w", newline="", encoding="utf-8") as fh:
        fh.write(",".join(DOSSIER_COLUMNS) + "\n")
        done = 0
        while done < rows:
            n = min(CHUNK, rows - done)
            commune = rng.random(n) < 0.6
            unit = np.empty(n, dtype=object)
            proc = np.empty(n, dtype=object)
            pdays = np.empty(n, dtype=np.int64)
            fee = np.empty(n, dtype=bool)
            for lvl, mask in (("commune", commune), ("province", ~commune)):
                k = int(mask.sum())
                unit[mask] = rng.choice(unit_codes[lvl], size=k, p=unit_weights[lvl])
                idx = rng.choice(len(proc_codes[lvl]), size=k, p=proc_weights[lvl])
                proc[mask] = proc_codes[lvl][idx]
                pdays[mask] = proc_days[lvl][idx]
                fee[mask] = proc_fee[lvl][idx]
            rday = rng.choice(workdays, size=n)
            received = rday.astype("datetime64[m]") + (450 + rng.integers(0, 540, n)) * minute  # 07:30–16:30
            due_day = np.busday_offset(rday, pdays, roll="forward")
            due = due_day.astype("datetime64[m]") + 17 * 60 * minute  # end of the office day

            # Supplement requests: 9 %, of which 1 in 9 twice; the citizen takes 1–10 days.
            supp = rng.random(n) < 0.09
            supp_count = np.where(supp, np.where(rng.random(n) < 1 / 9, 2, 1), 0)
            supp_req = np.where(
                supp, received + rng.integers(60, 2 * 24 * 60, n) * minute, np.datetime64("NaT")
            )
            supp_pause = rng.integers(1, 11, n) * day
            supp_rec = np.where(supp, supp_req + supp_pause, np.datetime64("NaT"))
            effective_due = np.where(supp, due + supp_pause, due)

            # Outcome: finished early (most), on the due day, late; open; withdrawn; just received.
            u = rng.random(n)
            status = np.full(n, "resolved", dtype=object)
            finished = np.full(n, np.datetime64("NaT"), dtype="datetime64[m]")
            early = u < 0.70
            on_day = (u >= 0.70) & (u < 0.80)
            late = (u >= 0.80) & (u < 0.88)
            open_ = (u >= 0.88) & (u < 0.94)
            withdrawn = (u >= 0.94) & (u < 0.97)
            # "Just received": only in the last two weeks of the data set; older ones were resolved.
            recent = rday >= END - np.timedelta64(14, "D")
            fresh = (u >= 0.97) & recent
            early |= (u >= 0.97) & ~recent
            # Open dossiers are mostly recent; older ones stay open only when stuck (15 %).
            stuck = rng.random(n) < 0.15
            early |= open_ & ~(rday >= END - np.timedelta64(60, "D")) & ~stuck
            open_ &= (rday >= END - np.timedelta64(60, "D")) | stuck
            span = (effective_due - received).astype("timedelta64[m]").astype(np.int64)
            finished[early] = (
                received[early]
                + (rng.random(int(early.sum())) * np.maximum(span[early] - 24 * 60, 30)).astype(np.int64)
                * minute
            )
            on_day_start = effective_due[on_day] - 9 * 60 * minute
            finished[on_day] = (
                np.maximum(on_day_start, received[on_day] + minute)
                + rng.integers(0, 8 * 60, int(on_day.sum())) * minute
            )
            finished[late] = effective_due[late] + rng.integers(1, 15, int(late.sum())) * day
            finished[withdrawn] = (
                received[withdrawn] + rng.integers(1, 5 * 24 * 60, int(withdrawn.sum())) * minute
            )
            # Nothing finishes in the future of the data set: those stay open.
            future = finished >= END.astype("datetime64[m]")
            open_ |= future & ~withdrawn
            finished[open_ | fresh] = np.datetime64("NaT")
            returned_mask = (early | on_day | late) & ~open_ & (rng.random(n) < 0.6)
            status[returned_mask] = "returned"
            status[open_] = np.where(
                supp[open_] & (rng.random(int(open_.sum())) < 0.3), "supplement", "in_progress"
            )
            status[withdrawn & ~open_] = rng.choice(
                ["rejected", "withdrawn", "cancelled"], size=int((withdrawn & ~open_).sum())
            )
            status[fresh] = "received"
            returned = np.full(n, np.datetime64("NaT"), dtype="datetime64[m]")
            returned[returned_mask] = (
                finished[returned_mask] + rng.integers(0, 3 * 24 * 60, int(returned_mask.sum())) * minute
            )
            # A dossier waiting for its supplement has no supplement_received_at yet.
            waiting = status == "supplement"
            supp_rec[waiting] = np.datetime64("NaT")
            # A fresh or withdrawn dossier may not reach its supplement request: drop it there.
            no_supp = fresh | (withdrawn & ~open_)
            supp_req[no_supp] = np.datetime64("NaT")
            supp_rec[no_supp] = np.datetime64("NaT")
            supp_count[no_supp] = 0
            # Supplement must be received before finishing: clip to the finishing moment.
            has_fin = ~np.isnat(finished) & ~np.isnat(supp_rec)
            supp_rec[has_fin] = np.minimum(supp_rec[has_fin], finished[has_fin])
            supp_req[has_fin] = np.minimum(supp_req[has_fin], supp_rec[has_fin])

            channel = rng.choice(["online", "direct", "postal"], size=n, p=[0.55, 0.43, 0.02])
            digitized = rng.random(n) < 0.70
            paid = fee & (channel == "online") & (rng.random(n) < 0.5)
            apology = late & ~open_ & (rng.random(n) < 0.6)

            codes = np.char.add("HS", np.char.zfill(np.arange(done + 1, done + n + 1).astype(str), 10))
            columns = [
                codes,
                unit.astype(str),
                proc.astype(str),
                _iso(received),
                _iso(due),
                _iso(finished),
                _iso(returned),
                status.astype(str),
                channel,
                _iso(supp_req.astype("datetime64[m]")),
                _iso(supp_rec.astype("datetime64[m]")),
                supp_count.astype(str),
                digitized.astype(int).astype(str),
                paid.astype(int).astype(str),
                apology.astype(int).astype(str),
            ]
            lines = columns[0].astype(object)
            for col in columns[1:]:
                lines = lines + "," + col.astype(object)
            fh.write("\n".join(lines.tolist()))
            fh.write("\n")
            done += n
            print(f"\r{done:,}/{rows:,} dossiers", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)


def generate(rows: int, out: Path = OUT, seed: int = 766) -> dict[str, Path]:
    """Write (or reuse, when already there for the same row count) the three files."""
    out.mkdir(parents=True, exist_ok=True)
    paths = {
        "units": out / "units.csv",
        "procedures": out / "procedures.csv",
        "dossiers": out / f"dossiers-{rows}.csv",
    }
    if all(p.exists() for p in paths.values()):
        return paths
    rng = np.random.default_rng(seed)
    units = write_units(paths["units"])
    procs = write_procedures(paths["procedures"], rng)
    tmp = paths["dossiers"].with_suffix(".tmp")
    write_dossiers(tmp, rows, units, procs, rng)
    tmp.rename(paths["dossiers"])
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--seed", type=int, default=766)
    args = parser.parse_args()
    started = time.perf_counter()
    paths = generate(args.rows, args.out, args.seed)
    print(f"{paths['dossiers']} ({args.rows:,} rows) in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
