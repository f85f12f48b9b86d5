"""System checks that make production misconfiguration fail loudly."""

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def check_secret_key(app_configs, **kwargs):
    if settings.SECRET_KEY == settings.DEV_SECRET_KEY:
        return [
            Error(
                "DJANGO_SECRET_KEY is not set: the development key must never serve production.",
                hint="Export DJANGO_SECRET_KEY with 50+ random characters.",
                id="cchc.E001",
            )
        ]
    return []
