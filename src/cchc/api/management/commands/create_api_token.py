from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from cchc.api.models import ApiToken


class Command(BaseCommand):
    help = "Create an API token for USERNAME and print its key once (header: Authorization: Bearer KEY)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="a label for the token")

    def handle(self, *args, **opts):
        User = get_user_model()
        try:
            user = User.objects.get(**{User.USERNAME_FIELD: opts["username"]})
        except User.DoesNotExist:
            raise CommandError(f"no user {opts['username']!r}") from None
        _token, key = ApiToken.issue(user, opts["name"])
        self.stdout.write(key)
