"""The base of every ``cchc`` command: a :class:`~cchc.core.errors.DomainError` raised by a
service becomes Django's ``CommandError`` here (message on stderr, exit status 1, no
traceback), so that the services never depend on the command line."""

from __future__ import annotations

from django.core.management import base
from django.core.management.base import CommandError

from cchc.core.errors import DomainError


class BaseCommand(base.BaseCommand):
    def execute(self, *args, **options):
        try:
            return super().execute(*args, **options)
        except DomainError as exc:
            raise CommandError(str(exc)) from exc
