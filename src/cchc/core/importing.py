"""Shared plumbing for file imports: every import validates the whole file first and reports
each bad row as ``line N, column X: reason``; on any error nothing is saved."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.management.base import CommandError


@dataclass
class RowErrors:
    items: list[str] = field(default_factory=list)

    def add(self, line: int, column: str, reason: str) -> None:
        self.items.append(f"line {line}, column {column}: {reason}")

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self, what: str) -> None:
        if self.items:
            raise ImportFailed(what, self.items)


class ImportFailed(CommandError):
    def __init__(self, what: str, items: list[str]):
        self.items = items
        super().__init__(f"{what}: {len(items)} error(s), nothing was changed.\n" + "\n".join(items))


def read_csv(path: str | Path, required: list[str]) -> list[tuple[int, dict[str, str]]]:
    """Rows of a UTF-8 (BOM allowed) CSV as (line number, {column: stripped value}).
    Raises ImportFailed when required columns are missing."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise CommandError(f"{path}: file not found") from None
    except UnicodeDecodeError as exc:
        raise CommandError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in required if c not in header]
    if missing:
        raise ImportFailed(str(path), [f"line 1, column {c}: missing column" for c in missing])
    reader.fieldnames = header
    rows = []
    for row in reader:
        if not any((v or "").strip() for v in row.values() if isinstance(v, str)):
            continue
        rows.append((reader.line_num, {k: (v or "").strip() for k, v in row.items() if k is not None}))
    return rows


def parse_decimal(raw: str) -> Decimal:
    """``89.34`` or ``89,34``; raises ValueError with a readable reason."""
    try:
        value = Decimal(raw.replace(",", "."))
    except InvalidOperation:
        raise ValueError(f"not a number: {raw!r}") from None
    if not value.is_finite():
        raise ValueError(f"not a number: {raw!r}")
    return value
