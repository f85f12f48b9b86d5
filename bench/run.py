"""`make bench`: time `cchc results` for 3,300 units × 100 leaves against a plain-Python
baseline measured in the same run, and print both with their ratio (best of 3)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
DB = OUT / "bench.sqlite3"
REPEAT = 3


def env() -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{DB}",
        "CCHC_VAR_DIR": str(OUT),
        "DJANGO_SETTINGS_MODULE": "cchc.settings",
    }


def best(fn) -> float:
    times = []
    for _ in range(REPEAT):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


def baseline() -> None:
    """What any script would do: read the scores, sum the final score per unit, sort."""
    con = sqlite3.connect(DB)
    totals: dict[int, Decimal] = defaultdict(Decimal)
    rows = con.execute("SELECT assessment_id, self_score, appraised_score FROM assessments_score")
    for assessment_id, self_score, appraised in rows:
        value = appraised if appraised is not None else self_score
        if value is not None:
            totals[assessment_id] += Decimal(str(value))
    sorted(totals.items(), key=lambda kv: kv[1], reverse=True)
    con.close()


def cchc_results() -> None:
    subprocess.run(
        [
            str(Path(sys.executable).parent / "cchc"),
            "results",
            "--framework",
            "BENCH-XA",
            "--year",
            "2025",
            "--output",
            str(OUT / "results.csv"),
        ],
        env=env(),
        check=True,
    )


def cchc_startup() -> None:
    subprocess.run(
        [str(Path(sys.executable).parent / "cchc"), "check"], env=env(), check=True, capture_output=True
    )


def main() -> None:
    OUT.mkdir(exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{DB}{suffix}").unlink(missing_ok=True)
    started = time.perf_counter()
    subprocess.run([sys.executable, str(HERE / "generate.py")], env=env(), check=True)
    print(f"data generated in {time.perf_counter() - started:.1f} s")
    base = best(baseline)
    startup = best(cchc_startup)
    results = best(cchc_results)
    rows = len((OUT / "results.csv").read_text(encoding="utf-8").splitlines()) - 1
    print(f"{'measure':<48}{'best of 3':>12}{'× baseline':>12}")
    print(f"{'baseline: sqlite3 + plain Python sum per unit':<48}{base:>11.2f}s{1:>12.2f}")
    print(f"{'cchc check (process start-up only)':<48}{startup:>11.2f}s{startup / base:>12.2f}")
    print(
        f"{f'cchc results, {rows} units × 100 leaves (end to end)':<48}{results:>11.2f}s{results / base:>12.2f}"
    )
    print(f"target: cchc results under 2 s — {'met' if results < 2 else 'NOT met'}")


if __name__ == "__main__":
    main()
