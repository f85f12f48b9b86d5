"""cchc send-reminders [--today DATE]: today's reminders (tasks, self-assessments, monthly entry,
commitment items) in the app and one e-mail digest per user; safe to run twice (cron, a systemd
timer)."""

from django.core.management.base import CommandError

from cchc.core.commands import BaseCommand
from cchc.core.dates import DateError, parse_date
from cchc.plans.reminders import send_reminders


class Command(BaseCommand):
    help = "Send today's reminders (in the app and one e-mail digest per user); a second run sends none."

    def add_arguments(self, parser):
        parser.add_argument("--today", help="the day to remind for (dd/mm/yyyy or YYYY-MM-DD; default today)")

    def handle(self, *args, **opts):
        today = None
        if opts["today"]:
            try:
                today = parse_date(opts["today"])
            except DateError as exc:
                raise CommandError(f"--today: {exc}") from None
        result = send_reminders(today)
        self.stdout.write(f"{result['reminders']} reminders sent, {result['emails']} e-mails\n")
