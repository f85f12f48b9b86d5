"""The procedure catalogue import: create or update procedures by code, after the whole file
has been read and validated (:func:`cchc.procedures.importers.read_procedures`)."""

from __future__ import annotations

from pathlib import Path

from django.db import transaction

from cchc.procedures.importers import read_procedures
from cchc.procedures.mapping import ColumnMapping
from cchc.procedures.models import Procedure

# The catalogue fields a row sets (besides its code).
PROCEDURE_FIELDS = [
    "name",
    "field",
    "level",
    "processing_days",
    "processing_hours",
    "online_mode",
    "fee",
    "paper_result",
]


@transaction.atomic
def import_procedures(path: str | Path, mapping: ColumnMapping | None = None) -> dict[str, int]:
    """Create or update procedures by code. Validates the whole file first."""
    rows = read_procedures(path, mapping)
    existing = {p.code: p for p in Procedure.objects.filter(code__in=[r.code for r in rows])}
    created = updated = 0
    to_create, to_update = [], []
    for r in rows:
        values = {n: getattr(r, n) for n in PROCEDURE_FIELDS}
        p = existing.get(r.code)
        if p is None:
            to_create.append(Procedure(code=r.code, **values))
            created += 1
        elif any(getattr(p, n) != v for n, v in values.items()):
            for n, v in values.items():
                setattr(p, n, v)
            to_update.append(p)
            updated += 1
    Procedure.objects.bulk_create(to_create, batch_size=1000)
    Procedure.objects.bulk_update(to_update, PROCEDURE_FIELDS, batch_size=1000)
    return {
        "rows": len(rows),
        "created": created,
        "updated": updated,
        "unchanged": len(rows) - created - updated,
    }
