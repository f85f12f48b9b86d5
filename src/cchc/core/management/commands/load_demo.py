import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from cchc.core.demo import load_demo


class Command(BaseCommand):
    help = "Load the demo province (safe to re-run; --reset rebuilds the demo assessments)."

    def add_arguments(self, parser):
        parser.add_argument("--reset", action="store_true")
        parser.add_argument(
            "--force",
            action="store_true",
            help="load even with DEBUG off (creates the superuser admin with the published demo password)",
        )

    def handle(self, *args, **opts):
        if not settings.DEBUG and not opts["force"]:
            raise CommandError(
                "refusing to load the demo with DEBUG off: it creates the superuser 'admin' and demo "
                "accounts with the password published in the README. Use DJANGO_DEBUG=1 (as `make demo` "
                "does) on a development machine, or --force on a throwaway trial server."
            )
        started = time.perf_counter()
        info = load_demo(reset=opts["reset"])
        took = time.perf_counter() - started
        state = "already present, kept" if info["already_loaded"] else "created"
        self.stdout.write(f"Demo province {state} in {took:.1f} s.\n")
        for line in info["extras"]:
            self.stdout.write(f"  + {line}\n")
        self.stdout.write(f"Log-ins (password for all: {info['password']})\n")
        width = max(len(u) for u, _r, _n in info["logins"])
        for username, role, unit in info["logins"]:
            self.stdout.write(f"  {username.ljust(width)}  {role} — {unit}\n")
        self.stdout.write(
            "Open http://127.0.0.1:8000 (admin: http://127.0.0.1:8000/admin/, API: /api/docs)\n"
        )
