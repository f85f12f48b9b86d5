"""A KPI row: the counts of one group over one window and the rates derived from them
(:class:`KpiRow`), and the columns of the ``cchc dossier-kpis`` table (:data:`CLI_COLUMNS`,
:func:`cli_cell`)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from decimal import ROUND_HALF_UP, Decimal

from cchc.procedures.models import DossierDay

CLI_COLUMNS = [
    "group",
    "carried_over",
    "received",
    "received_online",
    "resolved",
    "resolved_early",
    "resolved_on_time",
    "resolved_late",
    "in_progress",
    "in_progress_overdue",
    "withdrawn",
    "on_time_rate",
    "online_rate",
    "digitized_rate",
]
HUNDRED = Decimal(100)
CENT = Decimal("0.01")


@dataclass
class KpiRow:
    group: str
    group_key: str
    unit_id: int | None = None
    carried_over: int = 0
    received: int = 0
    received_online: int = 0
    received_direct: int = 0
    received_postal: int = 0
    resolved: int = 0
    resolved_early: int = 0
    resolved_on_time: int = 0
    resolved_late: int = 0
    late_without_apology: int = 0
    in_progress: int = 0
    in_progress_overdue: int = 0
    withdrawn: int = 0
    digitized: int = 0
    paid_online: int = 0
    received_fee: int = 0
    processing_days_sum: Decimal = Decimal(0)
    procedures_handled: int = 0
    procedures_online: int = 0
    procedures_full_online: int = 0
    on_time_rate: Decimal | None = None
    online_rate: Decimal | None = None
    digitized_rate: Decimal | None = None
    online_payment_rate: Decimal | None = None
    overdue_rate: Decimal | None = None
    online_procedure_rate: Decimal | None = None
    full_online_procedure_rate: Decimal | None = None
    avg_processing_days: Decimal | None = None

    COUNTS = (
        "carried_over",
        "received",
        "received_online",
        "received_direct",
        "received_postal",
        "resolved",
        "resolved_early",
        "resolved_on_time",
        "resolved_late",
        "late_without_apology",
        "in_progress",
        "in_progress_overdue",
        "withdrawn",
        "digitized",
        "paid_online",
        "received_fee",
        "processing_days_sum",
    )

    @staticmethod
    def rate(numerator, denominator) -> Decimal | None:
        """Percent with 2 decimals (half up); None when the denominator is 0."""
        if not denominator:
            return None
        return (Decimal(numerator) * HUNDRED / Decimal(denominator)).quantize(CENT, rounding=ROUND_HALF_UP)

    def add(self, other: KpiRow) -> None:
        for name in self.COUNTS:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def finish(self) -> KpiRow:
        self.in_progress = self.carried_over + self.received - self.resolved - self.withdrawn
        self.on_time_rate = self.rate(self.resolved_early + self.resolved_on_time, self.resolved)
        self.online_rate = self.rate(self.received_online, self.received)
        self.digitized_rate = self.rate(self.digitized, self.received)
        self.online_payment_rate = self.rate(self.paid_online, self.received_fee)
        self.overdue_rate = self.rate(
            self.resolved_late + self.in_progress_overdue, self.resolved + self.in_progress
        )
        self.online_procedure_rate = self.rate(self.procedures_online, self.procedures_handled)
        self.full_online_procedure_rate = self.rate(self.procedures_full_online, self.procedures_handled)
        self.avg_processing_days = (
            (Decimal(self.processing_days_sum) / self.resolved).quantize(CENT, rounding=ROUND_HALF_UP)
            if self.resolved
            else None
        )
        return self

    @property
    def empty(self) -> bool:
        return not (self.carried_over or self.received or self.resolved or self.withdrawn or self.in_progress)

    def as_dict(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def row_from(flows: dict | None, group: str, key: str) -> KpiRow:
    row = KpiRow(group=group, group_key=key)
    if flows:
        for c in DossierDay.COUNTERS:
            setattr(row, c, flows.get(f"s_{c}") or 0)
        row.processing_days_sum = Decimal(str(flows.get("s_processing_days_sum") or 0)).quantize(CENT)
        row.received_fee = flows.get("s_received_fee") or 0
        row.carried_over = (flows.get("s_before_received") or 0) - (flows.get("s_before_finished") or 0)
    return row


def cli_cell(row: KpiRow, column: str):
    """The cell of ``column`` (one of :data:`CLI_COLUMNS`) for ``row`` in the CLI table: the
    group's code (its name when it has none), a rate with two decimals, "" for no value."""
    if column == "group":
        return row.group_key or row.group
    value = getattr(row, column)
    if value is None:
        return ""
    return f"{value:.2f}" if column.endswith("_rate") else value
