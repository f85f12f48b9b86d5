from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from cchc.api.models import ApiToken
from cchc.core.commands import BaseCommand


class Command(BaseCommand):
    help = (
        "Create an API token for USERNAME and print its key once (header: Authorization: Bearer KEY). "
        "List and revoke tokens with `cchc api-token list|revoke`."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="a label for the token")
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="lifetime in days (default: CCHC_API_TOKEN_DAYS, 365; 0: never expires)",
        )

    def handle(self, *args, **opts):
        User = get_user_model()
        try:
            user = User.objects.get(**{User.USERNAME_FIELD: opts["username"]})
        except User.DoesNotExist:
            raise CommandError(f"no user {opts['username']!r}") from None
        if opts["days"] is not None and opts["days"] < 0:
            raise CommandError("--days must be 0 (never expires) or more")
        _token, key = ApiToken.issue(user, opts["name"], days=opts["days"])
        self.stdout.write(key)
