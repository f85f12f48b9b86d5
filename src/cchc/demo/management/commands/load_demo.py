import ipaddress
import time

from django.conf import settings
from django.core.management.base import CommandError

from cchc.core.commands import BaseCommand
from cchc.demo.province import load_demo

# The wildcard hosts of runserver: compared with, never bound to here.
WILDCARDS = {"0.0.0.0": "127.0.0.1", "::": "::1"}  # noqa: S104


def serve_address(host: str, port: int) -> str:
    """The address a browser opens for ``runserver HOST:PORT`` (what ``make demo`` runs): a
    wildcard host is reached through the loopback; an IPv6 address goes in brackets."""
    host = host.strip().strip("[]") or "127.0.0.1"
    host = WILDCARDS.get(host, host)
    try:
        if isinstance(ipaddress.ip_address(host), ipaddress.IPv6Address):
            host = f"[{host}]"
    except ValueError:
        pass  # a name, e.g. localhost
    return f"http://{host}:{port}"


def _port(value: str) -> int:
    import argparse

    try:
        port = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {value!r}") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"not a port number: {value!r}")
    return port


class Command(BaseCommand):
    help = "Load the demo province (safe to re-run; --reset rebuilds the demo assessments)."

    def add_arguments(self, parser):
        parser.add_argument("--reset", action="store_true")
        parser.add_argument(
            "--force",
            action="store_true",
            help="load even with DEBUG off (creates the superuser admin with the published demo password)",
        )
        parser.add_argument(
            "--host",
            default="127.0.0.1",
            help="the host the server will listen on (printed; default 127.0.0.1)",
        )
        parser.add_argument(
            "--port",
            type=_port,
            default=8000,
            help="the port the server will listen on (printed; default 8000)",
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
        url = serve_address(opts["host"], opts["port"])
        self.stdout.write(f"Open {url}/ (admin: {url}/admin/, API: {url}/api/docs)\n")
        if opts["host"].strip("[]") in WILDCARDS:
            self.stdout.write(
                f"  (listening on every interface, port {opts['port']}: also this machine's address)\n"
            )
