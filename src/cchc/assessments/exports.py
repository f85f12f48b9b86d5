"""Result tables as rows and files (CSV, JSON, XLSX). The columns are a contract:
``rank,unit_code,unit_name,total,max,index,class,rank_change,fields_at_max,criteria_at_max``."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from typing import IO

from cchc.assessments.results import UnitResult

RESULT_COLUMNS = [
    "rank",
    "unit_code",
    "unit_name",
    "total",
    "max",
    "index",
    "class",
    "rank_change",
    "fields_at_max",
    "criteria_at_max",
]


def _num(value: Decimal | None) -> str:
    if value is None:
        return ""
    return (
        f"{value.normalize():f}"
        if value == value.to_integral_value()
        else f"{value:f}".rstrip("0").rstrip(".")
    )


def result_rows(results: list[UnitResult]) -> list[dict[str, str]]:
    """One dict per unit, values as text; ``fields_at_max`` and ``criteria_at_max`` read
    "achieved/counted" (e.g. ``3/8`` and ``73/87``: not-applicable ones are not counted)."""
    rows = []
    for r in results:
        rows.append(
            {
                "rank": "" if r.rank is None else str(r.rank),
                "unit_code": r.unit_code,
                "unit_name": r.unit_name,
                "total": _num(r.total),
                "max": _num(r.max_points),
                "index": "" if r.index is None else f"{r.index:.2f}",
                "class": r.band.code if r.band else "",
                "rank_change": "" if r.rank_change is None else str(r.rank_change),
                "fields_at_max": f"{r.fields_at_max}/{r.fields_counted}",
                "criteria_at_max": f"{r.leaves_at_max}/{r.leaves_counted}",
            }
        )
    return rows


def write_results(results: list[UnitResult], fmt: str, stream_or_path: IO | str) -> None:
    rows = result_rows(results)
    if fmt == "xlsx":
        _write_xlsx(results, rows, stream_or_path)
        return
    if fmt == "json":
        text = json.dumps(rows, ensure_ascii=False, indent=2) + "\n"
    elif fmt == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=RESULT_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        text = buffer.getvalue()
    else:
        raise ValueError(f"unknown format {fmt!r}")
    if isinstance(stream_or_path, str):
        with open(stream_or_path, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
    else:
        stream_or_path.write(text)


def _write_xlsx(results: list[UnitResult], rows: list[dict[str, str]], target) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    wb = Workbook()
    ws = wb.active
    ws.title = "ket-qua"
    ws.append(RESULT_COLUMNS)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    numeric = {"rank", "total", "max", "index", "rank_change"}
    for r, row in zip(results, rows, strict=True):
        ws.append([(Decimal(row[c]) if row[c] and c in numeric else row[c]) for c in RESULT_COLUMNS])
        if r.band:
            ws.cell(row=ws.max_row, column=RESULT_COLUMNS.index("class") + 1).fill = PatternFill(
                "solid", fgColor=r.band.color.lstrip("#")[:6].upper()
            )
    for col, width in zip("ABCDEFGHIJ", [6, 12, 40, 9, 7, 9, 12, 11, 13, 15], strict=True):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A2"
    wb.save(target)
