from cchc.core.commands import BaseCommand
from cchc.indicators.importers import TARGET_COLUMNS, import_targets


class Command(BaseCommand):
    help = (
        "Import indicator targets (CSV/XLSX): "
        + ",".join(TARGET_COLUMNS)
        + " (scope: unit code or type:<unit type>)"
    )

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, **opts):
        stats = import_targets(opts["file"])
        self.stdout.write(f"{stats['rows']} rows: {stats['created']} created, {stats['updated']} updated")
