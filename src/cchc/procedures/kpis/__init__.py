"""Dossier KPIs for any date window and grouping, in the form of the standard periodic report
(definitions: docs/methodology/dossier-kpis.md).

- :mod:`~cchc.procedures.kpis.row` — a row of counts and rates (:class:`KpiRow`) and the
  columns of the CLI table;
- :mod:`~cchc.procedures.kpis.scope` — the window's moments and months, the scope of units,
  the open and overdue tests, the drill-downs;
- :mod:`~cchc.procedures.kpis.tree` — the unit-tree roll-up (each unit with its subtree), for
  one window or many months at once;
- :mod:`~cchc.procedures.kpis.window` — the KPIs of a window from the rollups
  (:func:`compute_kpis`, and every grouping at once for the dashboard: :func:`kpi_overview`).

Each imports only those above it; the public names are re-exported here.
"""

from cchc.procedures.kpis.row import CLI_COLUMNS, KpiRow, cli_cell
from cchc.procedures.kpis.scope import (
    late_dossiers,
    month_periods,
    month_window,
    open_q,
    overdue_dossiers,
    overdue_q,
    window_moments,
)
from cchc.procedures.kpis.tree import SERIES_FLOWS, unit_tree_counts, unit_tree_series
from cchc.procedures.kpis.window import GROUPINGS, Overview, compute_kpis, kpi_overview

__all__ = [
    "CLI_COLUMNS",
    "GROUPINGS",
    "SERIES_FLOWS",
    "KpiRow",
    "Overview",
    "cli_cell",
    "compute_kpis",
    "kpi_overview",
    "late_dossiers",
    "month_periods",
    "month_window",
    "open_q",
    "overdue_dossiers",
    "overdue_q",
    "unit_tree_counts",
    "unit_tree_series",
    "window_moments",
]
