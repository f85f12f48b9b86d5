from cchc.core.commands import BaseCommand
from cchc.orgs.importers import import_units_csv


class Command(BaseCommand):
    help = "Import org units from CSV: code,name,type,parent_code,valid_from,valid_to,successor_code"

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, **opts):
        stats = import_units_csv(opts["file"])
        self.stdout.write(f"{stats['rows']} rows: {stats['created']} created, {stats['updated']} updated")
