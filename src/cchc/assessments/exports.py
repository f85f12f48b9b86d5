"""Result tables as rows and files (CSV, JSON, XLSX). The CSV and JSON columns are a contract:
``rank,unit_code,unit_name,total,max,index,class,rank_change,fields_at_max,criteria_at_max``.
The XLSX file is made for people ("Xuất Excel"): Vietnamese headers and class names.
Every file goes through the one table writer (:mod:`cchc.core.tables`), which keeps a unit
name such as ``=1+1`` from running as a formula."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import IO

from django.utils.translation import gettext as _

from cchc.assessments.results import UnitResult
from cchc.core.tables import append_row, csv_text

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
        text = csv_text(RESULT_COLUMNS, rows)
    else:
        raise ValueError(f"unknown format {fmt!r}")
    if isinstance(stream_or_path, str):
        with open(stream_or_path, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
    else:
        stream_or_path.write(text)


def result_headers_vi() -> list[str]:
    """The Vietnamese headers of the people's file, in the order of ``RESULT_COLUMNS``."""
    return [
        _("Xếp hạng"),
        _("Mã đơn vị"),
        _("Đơn vị"),
        _("Tổng điểm"),
        _("Điểm tối đa"),
        _("Chỉ số (%)"),
        _("Xếp loại"),
        _("Thay đổi thứ hạng"),
        _("Lĩnh vực đạt điểm tối đa"),
        _("Tiêu chí đạt điểm tối đa"),
    ]


def _write_xlsx(results: list[UnitResult], rows: list[dict[str, str]], target) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    wb = Workbook()
    ws = wb.active
    ws.title = "ket-qua"
    append_row(ws, result_headers_vi())
    for cell in ws[1]:
        cell.font = Font(bold=True)
    numeric = {"rank", "total", "max", "index", "rank_change"}
    for r, row in zip(results, rows, strict=True):
        values = [(Decimal(row[c]) if row[c] and c in numeric else row[c]) for c in RESULT_COLUMNS]
        values[RESULT_COLUMNS.index("class")] = r.band.name if r.band else ""
        append_row(ws, values)
        if r.band:
            ws.cell(row=ws.max_row, column=RESULT_COLUMNS.index("class") + 1).fill = PatternFill(
                "solid", fgColor=r.band.color.lstrip("#")[:6].upper()
            )
    for col, width in zip("ABCDEFGHIJ", [6, 12, 40, 9, 7, 9, 12, 11, 13, 15], strict=True):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A2"
    wb.save(target)
