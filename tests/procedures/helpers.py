"""Writing catalogue and dossier files for the tests (CSV, XLSX, JSON lines)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import CommandError

from cchc.core.errors import DomainError
from cchc.procedures.importers import DOSSIER_COLUMNS, PROCEDURE_COLUMNS


def refusal(excinfo, kind: type[DomainError] = DomainError) -> DomainError:
    """The service's error behind a command's ``CommandError`` (``pytest.raises`` info): the
    commands' base turns a :class:`DomainError` into a ``CommandError`` caused by it."""
    error = excinfo.value
    assert isinstance(error, CommandError), repr(error)
    assert isinstance(error.__cause__, kind), repr(error.__cause__)
    return error.__cause__


def write_csv(path: Path, header: list[str], rows: list[dict | list]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        for row in rows:
            w.writerow([row.get(c, "") for c in header] if isinstance(row, dict) else row)
    return path


def write_xlsx(path: Path, header: list[str], rows: list[dict]) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for row in rows:
        ws.append([row.get(c, None) for c in header])
    wb.save(path)
    return path


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    with path.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    return path


def procedure(code, field="Tư pháp", level="commune", days="3", mode="none", fee="0", paper="0", name=None):
    return {
        "code": code,
        "name": name or f"Thủ tục {code}",
        "field": field,
        "level": level,
        "processing_days": days,
        "online_mode": mode,
        "fee": fee,
        "paper_result": paper,
    }


def import_catalogue(tmp_path: Path, rows: list[dict], name="procedures.csv"):
    path = write_csv(tmp_path / name, PROCEDURE_COLUMNS, rows)
    call_command("import_procedures", str(path))
    return path


def dossier(code, unit="A", proc="P1", received="2021-03-01T09:00", due="2021-03-05", **kw) -> dict:
    row = {
        "code": code,
        "unit_code": unit,
        "procedure_code": proc,
        "received_at": received,
        "due_at": due,
        "finished_at": "",
        "returned_at": "",
        "status": "in_progress",
        "channel": "direct",
        "supplement_requested_at": "",
        "supplement_received_at": "",
        "supplement_count": "0",
        "digitized": "0",
        "paid_online": "0",
        "apology_issued": "0",
    }
    row.update({k: str(v) for k, v in kw.items()})
    return row


def import_dossier_rows(tmp_path: Path, rows: list[dict], name="dossiers.csv", **opts):
    path = write_csv(tmp_path / name, DOSSIER_COLUMNS, rows)
    call_command("import_dossiers", str(path), **opts)
    return path
