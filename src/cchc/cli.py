"""The operators' CLI: ``cchc COMMAND``.

Runs the platform's own commands (``cchc import-units``, ``cchc results`` …, spelled with
hyphens) and any Django management command (``cchc migrate``, ``cchc createsuperuser``),
reading ``DATABASE_URL`` like the web app.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cchc.settings")
    if len(argv) > 1 and not argv[1].startswith("-"):
        # Our commands are documented with hyphens; Django's modules use underscores.
        argv[1] = argv[1].replace("-", "_")
    argv[0] = "cchc"
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(argv)
    except ImproperlyConfigured as exc:
        # A configuration the settings refuse (e.g. DEBUG off without DJANGO_SECRET_KEY): one line.
        sys.stderr.write(f"cchc: configuration error: {exc}\n")
        sys.exit(2)


if __name__ == "__main__":
    main()
