from django.core.management.base import CommandError

from cchc.assessments.exports import write_results
from cchc.assessments.models import Round
from cchc.assessments.results import round_results
from cchc.core.commands import BaseCommand


class Command(BaseCommand):
    help = (
        "PAR Index results of a framework and year: "
        "rank,unit_code,unit_name,total,max,index,class,rank_change,fields_at_max,criteria_at_max"
    )

    def add_arguments(self, parser):
        parser.add_argument("--framework", required=True)
        parser.add_argument("--year", required=True, type=int)
        parser.add_argument("--group", help="unit type code to rank within (default: each unit's own type)")
        parser.add_argument("--format", choices=["csv", "json", "xlsx"], default="csv")
        parser.add_argument("--output", help="file to write (default: standard output)")

    def handle(self, *args, **opts):
        round_obj = Round.objects.filter(framework__code=opts["framework"], year=opts["year"]).first()
        if round_obj is None:
            raise CommandError(f"no assessments for framework {opts['framework']!r} in {opts['year']}")
        results = round_results(round_obj, group=opts["group"])
        if opts["format"] == "xlsx" and not opts["output"]:
            raise CommandError("--output is required for xlsx")
        write_results(results, opts["format"], opts["output"] or self.stdout)
