"""``cchc api-token list|revoke``: the API tokens (create one with ``cchc create-api-token``)."""

from __future__ import annotations

from django.core.management.base import CommandError
from django.utils import timezone

from cchc.api.models import ApiToken
from cchc.core.commands import BaseCommand


def _when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else "-"


class Command(BaseCommand):
    help = (
        "List or revoke API tokens: `api-token list [--user U] [--all]`, `api-token revoke ID… | --user U`."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        ls = sub.add_parser("list", help="tab-separated: id, user, name, created, expires, last used, status")
        ls.add_argument("--user", help="only this user's tokens")
        ls.add_argument("--all", action="store_true", help="also the expired and revoked tokens")
        rv = sub.add_parser("revoke", help="revoke tokens by id, or every token of --user")
        rv.add_argument("ids", nargs="*", type=int)
        rv.add_argument("--user", help="revoke every token of this user")

    def handle(self, *args, **opts):
        if opts["action"] == "list":
            self.list_tokens(opts)
        else:
            self.revoke(opts)

    def list_tokens(self, opts):
        tokens = ApiToken.objects.select_related("user").order_by("pk")
        if opts["user"]:
            tokens = tokens.filter(user__username=opts["user"])
        if not opts["all"]:
            tokens = tokens.usable()
        self.stdout.write("id\tuser\tname\tcreated\texpires\tlast_used\tstatus\n")
        for t in tokens:
            row = [str(t.pk), t.user.get_username(), t.name, _when(t.created), _when(t.expires)]
            row += [_when(t.last_used), t.status if t.user.is_active else "inactive user"]
            self.stdout.write("\t".join(row) + "\n")

    def revoke(self, opts):
        ids, username = opts["ids"], opts["user"]
        if bool(ids) == bool(username):
            raise CommandError("give token ids or --user USERNAME (one of the two)")
        if ids:
            found = set(ApiToken.objects.filter(pk__in=ids).values_list("pk", flat=True))
            missing = sorted(set(ids) - found)
            if missing:
                raise CommandError(f"no token with id {', '.join(map(str, missing))}; nothing revoked")
            count = ApiToken.objects.filter(pk__in=ids).revoke()
        else:
            tokens = ApiToken.objects.filter(user__username=username)
            if not tokens.exists():
                raise CommandError(f"no token for user {username!r}")
            count = tokens.revoke()
        self.stdout.write(f"revoked {count} token(s)\n")
