"""Per-day rollups (unit × procedure × day × counts), kept up to date incrementally.

A dossier contributes to at most two rollup rows: the day it was received (``received*``,
``digitized``, ``paid_online``) and the day it finished (``resolved*``,
``late_without_apology``, ``processing_days_sum`` for resolved/returned dossiers; ``withdrawn``
for rejected, withdrawn or cancelled ones). An import subtracts the old contribution of each
dossier it touches and adds the new one, in one ``INSERT … ON CONFLICT DO UPDATE`` per batch
(SQLite ≥ 3.24 and PostgreSQL share the syntax), and the same increments summed per unit and
month into :class:`~cchc.procedures.models.DossierMonth`. :func:`rebuild` recomputes everything
from the raw dossiers (used by tests to prove the increments right, and after manual repairs).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.db import connection, transaction

from cchc.procedures import rules
from cchc.procedures.models import DossierDay, DossierMonth

COUNTERS = DossierDay.COUNTERS
INDEX = {name: i for i, name in enumerate(COUNTERS)}
Key = tuple[int, int, dt.date]

# The dossier fields a contribution is computed from (stored values, so an old contribution is
# computed exactly as it was added).
FIELDS = (
    "unit_id",
    "procedure_id",
    "received_at",
    "finished_at",
    "status",
    "channel",
    "digitized",
    "paid_online",
    "outcome",
    "apology_issued",
    "processing_days",
)


def contributions(d) -> list[tuple[Key, dict[str, float]]]:
    """The rollup increments of one dossier (an object or a mapping with :data:`FIELDS`)."""
    get = d.get if isinstance(d, dict) else lambda name: getattr(d, name)
    unit, proc = get("unit_id"), get("procedure_id")
    received = {"received": 1, f"received_{get('channel')}": 1}
    if get("digitized"):
        received["digitized"] = 1
    if get("paid_online"):
        received["paid_online"] = 1
    out = [((unit, proc, rules.local_day(get("received_at"))), received)]
    status, finished = get("status"), get("finished_at")
    if finished is not None and status in rules.RESOLVED_STATUSES:
        done = {"resolved": 1, f"resolved_{get('outcome')}": 1}
        if get("outcome") == rules.LATE and not get("apology_issued"):
            done["late_without_apology"] = 1
        if get("processing_days") is not None:
            done["processing_days_sum"] = float(get("processing_days"))
        out.append(((unit, proc, rules.local_day(finished)), done))
    elif finished is not None and status in rules.WITHDRAWN_STATUSES:
        out.append(((unit, proc, rules.local_day(finished)), {"withdrawn": 1}))
    return out


class Delta:
    """Accumulated increments per rollup key."""

    def __init__(self):
        self.rows: dict[Key, list[float]] = defaultdict(lambda: [0] * len(COUNTERS))

    def add(self, dossier, sign: int = 1) -> None:
        for key, counts in contributions(dossier):
            row = self.rows[key]
            for name, value in counts.items():
                row[INDEX[name]] += sign * value

    def days(self) -> Iterable[dt.date]:
        return (key[2] for key in self.rows)

    def flush(self) -> None:
        """Apply the increments to the rollup table and forget them."""
        rows = [
            (unit, proc, day, *values)
            for (unit, proc, day), values in self.rows.items()
            if any(v != 0 for v in values)
        ]
        self.rows.clear()
        if not rows:
            return
        _upsert_months(rows)
        table = DossierDay._meta.db_table
        cols = ", ".join(("unit_id", "procedure_id", "day", *COUNTERS))
        updates = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in COUNTERS)
        conflict = f"ON CONFLICT (unit_id, procedure_id, day) DO UPDATE SET {updates}"
        # Table and column names are constants of this module, values go through parameters/COPY.
        with connection.cursor() as cur:
            if connection.vendor == "postgresql":
                # COPY the increments into a temporary table, then one upsert: a statement per
                # rollup row would cost a round trip each.
                cur.execute(
                    f"CREATE TEMP TABLE IF NOT EXISTS dossierday_stage AS SELECT {cols} FROM {table} WITH NO DATA"  # noqa: S608
                )
                with cur.cursor.copy(f"COPY dossierday_stage ({cols}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                cur.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM dossierday_stage {conflict}")  # noqa: S608
                cur.execute("TRUNCATE dossierday_stage")
            else:
                marks = ", ".join(["%s"] * (3 + len(COUNTERS)))
                cur.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks}) {conflict}", rows)  # noqa: S608


def _upsert_months(day_rows: list[tuple]) -> None:
    """Add day increments ``(unit, procedure, day, *COUNTERS)`` into :class:`DossierMonth`."""
    from cchc.procedures.models import Procedure

    fee = set(Procedure.objects.filter(fee=True).values_list("pk", flat=True))
    months: dict[tuple[int, dt.date], list] = defaultdict(lambda: [0] * (len(COUNTERS) + 1))
    for unit, proc, day, *values in day_rows:
        row = months[(unit, day.replace(day=1))]
        for i, v in enumerate(values):
            row[i] += v
        if proc in fee:
            row[-1] += values[INDEX["received"]]
    rows = [(unit, month, *values) for (unit, month), values in months.items() if any(values)]
    if not rows:
        return
    table = DossierMonth._meta.db_table
    cols = ", ".join(("unit_id", "month", *DossierMonth.COUNTERS))
    updates = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in DossierMonth.COUNTERS)
    marks = ", ".join(["%s"] * (2 + len(DossierMonth.COUNTERS)))
    with connection.cursor() as cur:
        cur.executemany(
            f"INSERT INTO {table} ({cols}) VALUES ({marks}) ON CONFLICT (unit_id, month) DO UPDATE SET {updates}",  # noqa: S608
            rows,
        )


@transaction.atomic
def rebuild(unit_ids: Iterable[int] | None = None) -> int:
    """Recompute the rollups from the raw dossiers (all, or of some units). Returns the number
    of rollup rows written."""
    from cchc.procedures.models import Dossier

    days = DossierDay.objects.all()
    months = DossierMonth.objects.all()
    dossiers = Dossier.objects.all()
    if unit_ids is not None:
        ids = list(unit_ids)
        days = days.filter(unit_id__in=ids)
        months = months.filter(unit_id__in=ids)
        dossiers = dossiers.filter(unit_id__in=ids)
    days.delete()
    months.delete()
    delta = Delta()
    written = 0
    for d in dossiers.values(*FIELDS).iterator(chunk_size=5000):
        delta.add(d)
        if len(delta.rows) >= 20000:
            written += len(delta.rows)
            delta.flush()
    written += len(delta.rows)
    delta.flush()
    return written
