from cchc.core.commands import BaseCommand
from cchc.procedures.indicator_values import write_year_indicators


class Command(BaseCommand):
    help = "Recompute the dossier indicator values (unit × month and unit × year) of a year"

    def add_arguments(self, parser):
        parser.add_argument("--year", required=True, type=int)

    def handle(self, *args, **opts):
        n = write_year_indicators(opts["year"])
        self.stdout.write(f"{n} indicator values written for {opts['year']}")
