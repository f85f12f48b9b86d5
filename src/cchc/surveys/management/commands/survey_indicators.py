from django.core.management.base import CommandError

from cchc.core.commands import BaseCommand
from cchc.surveys.importers import find_campaign
from cchc.surveys.indicators import refresh_indicators


class Command(BaseCommand):
    help = (
        "Write the survey indicators of every unit of a campaign: surveys.satisfied_share and "
        "surveys.sipas_index (SIPAS), surveys.par_index and surveys.par_index.<aspect> (PAR survey)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--questionnaire", required=True)
        parser.add_argument("--period", required=True, type=int)

    def handle(self, *args, **opts):
        campaign = find_campaign(opts["questionnaire"], opts["period"])
        if campaign is None:
            raise CommandError(f"no campaign of {opts['questionnaire']!r} in {opts['period']}")
        stats = refresh_indicators(campaign)
        if stats["skipped"]:
            raise CommandError(
                f"{campaign.questionnaire.code} is neither a SIPAS nor a PAR survey questionnaire: it feeds no indicator"
            )
        self.stdout.write(
            f"indicator values: {stats['created']} created, {stats['updated']} updated, {stats['removed']} removed"
        )
