import sys
import time

from cchc.core.commands import BaseCommand
from cchc.procedures.row_import import import_dossiers

PHASES = {"validating": "checking", "loading": "loading", "indicators": "indicators"}


class ProgressBar:
    """A one-line progress bar on stderr (only when stderr is a terminal, or when forced)."""

    def __init__(self, stream, enabled: bool):
        self.stream = stream
        self.enabled = enabled
        self.started = time.monotonic()
        self.last = 0.0

    def __call__(self, phase: str, fraction: float, rows: int) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if fraction < 1.0 and now - self.last < 0.2:
            return
        self.last = now
        width = 30
        filled = int(width * min(max(fraction, 0.0), 1.0))
        rate = rows / max(now - self.started, 1e-6)
        self.stream.write(
            f"\r{PHASES.get(phase, phase):<10} [{'#' * filled}{'.' * (width - filled)}] "
            f"{fraction * 100:5.1f}%  {rows:>10,} rows  {rate:,.0f} rows/s"
        )
        if fraction >= 1.0:
            self.stream.write("\n")
        self.stream.flush()


class Command(BaseCommand):
    help = (
        "Import dossiers (CSV, XLSX or JSON lines): code,unit_code,procedure_code,received_at,due_at,"
        "finished_at,returned_at,status,channel,supplement_requested_at,supplement_received_at,"
        "supplement_count,digitized,paid_online,apology_issued. Any bad row: nothing changes "
        "(unless --skip-bad-rows)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--mapping", help="YAML column mapping (docs/methodology/dossier-import.md)")
        parser.add_argument(
            "--skip-bad-rows", action="store_true", help="load the good rows and list the bad ones"
        )
        parser.add_argument(
            "--progress", action="store_true", help="show the progress bar even when not a tty"
        )

    def handle(self, *args, **opts):
        bar = ProgressBar(self.stderr._out, opts["progress"] or sys.stderr.isatty())
        result = import_dossiers(
            opts["file"], mapping_path=opts["mapping"], skip_bad_rows=opts["skip_bad_rows"], progress=bar
        )
        for line in result.errors:
            self.stderr.write(line)
        months = f"{result.months[0]}..{result.months[-1]}" if result.months else "none"
        self.stdout.write(
            f"{result.rows} rows: {result.created} created, {result.updated} updated, "
            f"{result.unchanged} unchanged, {result.bad} bad rows skipped; months recomputed: {months}"
        )
