from cchc.core.commands import BaseCommand
from cchc.indicators.importers import VALUE_COLUMNS, import_indicator_values


class Command(BaseCommand):
    help = "Import indicator values (CSV/XLSX): " + ",".join(VALUE_COLUMNS)

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, **opts):
        stats = import_indicator_values(opts["file"])
        self.stdout.write(
            f"{stats['rows']} rows: {stats['written']} values written ({stats['replaced']} replaced)"
        )
