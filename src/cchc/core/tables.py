"""The one table writer of every CSV and XLSX export: headers and rows in, a file out.

A cell a spreadsheet would run as a formula (text beginning with ``=``, ``+``, ``-``, ``@``, a tab
or a carriage return) is guarded: in CSV it gets a leading apostrophe (OWASP "CSV injection"),
in XLSX it is written as a text cell (``data_type 's'``) so its value comes back exactly as it
was — a framework exported and re-imported keeps a name such as ``=A1``. Text that is a plain
number (``-2``, ``+3,5``) is left as it is: it cannot be a formula and CSV columns keep their
contract.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?")

Row = Sequence[Any] | Mapping[str, Any]


def is_dangerous(value: Any) -> bool:
    """Whether ``value`` is text a spreadsheet would read as a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(value)


def csv_cell(value: Any) -> Any:
    """The value as a CSV cell: a dangerous text gets a leading apostrophe."""
    if value is None:
        return ""
    return "'" + value if is_dangerous(value) else value


def _values(headers: Sequence[str], row: Row) -> list[Any]:
    if isinstance(row, Mapping):
        return [row.get(h) for h in headers]
    return list(row)


def csv_text(headers: Sequence[str], rows: Iterable[Row], *, lineterminator: str = "\n") -> str:
    buffer = io.StringIO()
    write_csv(headers, rows, buffer, lineterminator=lineterminator)
    return buffer.getvalue()


def write_csv(
    headers: Sequence[str],
    rows: Iterable[Row],
    target: IO[str] | str | Path,
    *,
    lineterminator: str = "\n",
    bom: bool = False,
) -> None:
    """Write ``headers`` then ``rows`` (sequences, or mappings keyed by header) as CSV to a
    text stream or a path (UTF-8)."""
    if isinstance(target, str | Path):
        with open(target, "w", encoding="utf-8", newline="") as fh:
            write_csv(headers, rows, fh, lineterminator=lineterminator, bom=bom)
        return
    if bom:
        target.write("\ufeff")
    writer = csv.writer(target, lineterminator=lineterminator)
    writer.writerow([csv_cell(h) for h in headers])
    for row in rows:
        writer.writerow([csv_cell(v) for v in _values(headers, row)])


class _Echo:
    def write(self, value: str) -> str:
        return value


def iter_csv(headers: Sequence[str], rows: Iterable[Row], *, lineterminator: str = "\r\n", bom: bool = False):
    """The CSV as text chunks, one per row (for a streaming response)."""
    writer = csv.writer(_Echo(), lineterminator=lineterminator)
    yield ("\ufeff" if bom else "") + writer.writerow([csv_cell(h) for h in headers])
    for row in rows:
        yield writer.writerow([csv_cell(v) for v in _values(headers, row)])


def xlsx_row(ws, values: Iterable[Any]) -> list[Any]:
    """The row to ``ws.append``: dangerous texts become text cells (never formulas)."""
    from openpyxl.cell import WriteOnlyCell

    out = []
    for value in values:
        if isinstance(value, str) and value.startswith(FORMULA_STARTS):
            cell = WriteOnlyCell(ws, value=value)
            cell.data_type = "s"
            out.append(cell)
        else:
            out.append(value)
    return out


def append_row(ws, values: Iterable[Any]) -> None:
    ws.append(xlsx_row(ws, values))


@dataclass
class Sheet:
    title: str
    headers: Sequence[str]
    rows: Iterable[Row]
    widths: Sequence[float] = field(default_factory=list)
    bold_header: bool = True
    freeze_header: bool = False


def write_xlsx(sheets: Sequence[Sheet], target, *, write_only: bool = False) -> None:
    """Write the sheets to a path or a binary stream (an HttpResponse will do)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=write_only)
    if not write_only:
        wb.remove(wb.active)
    for sheet in sheets:
        ws = wb.create_sheet(title=str(sheet.title)[:31])
        for i, width in enumerate(sheet.widths, start=1):
            ws.column_dimensions[get_column_letter(i)].width = width
        if sheet.freeze_header:
            ws.freeze_panes = "A2"
        header = []
        for h in sheet.headers:
            cell = WriteOnlyCell(ws, value=str(h))
            cell.data_type = "s"
            if sheet.bold_header:
                cell.font = Font(bold=True)
            header.append(cell)
        ws.append(header)
        for row in sheet.rows:
            append_row(ws, _values(sheet.headers, row))
    wb.save(target)
