from cchc.core.commands import BaseCommand
from cchc.surveys.papi import import_published_indices


class Command(BaseCommand):
    help = "Import published PAPI / SIPAS / PAR Index values: unit_code,year,kind,dimension,value,rank,rank_of,source"

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, **opts):
        stats = import_published_indices(opts["file"])
        self.stdout.write(
            f"{stats['rows']} rows: {stats['created']} created, {stats['updated']} updated, "
            f"{stats['unchanged']} unchanged"
        )
