import time

from django.core.management.base import BaseCommand

from cchc.core.demo import load_demo


class Command(BaseCommand):
    help = "Load the demo province (safe to re-run; --reset rebuilds the demo assessments)."

    def add_arguments(self, parser):
        parser.add_argument("--reset", action="store_true")

    def handle(self, *args, **opts):
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
