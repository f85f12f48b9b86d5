"""API tokens: the key is shown once; only its SHA-256 digest is stored."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("người dùng"),
    )
    name = models.CharField(_("tên"), max_length=100, blank=True)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created = models.DateTimeField(_("ngày tạo"), auto_now_add=True)
    last_used = models.DateTimeField(_("lần dùng cuối"), null=True, blank=True)

    class Meta:
        verbose_name = _("khoá API")
        verbose_name_plural = _("khoá API")

    def __str__(self) -> str:
        return f"{self.user} — {self.name or self.pk}"

    @classmethod
    def issue(cls, user, name: str = "") -> tuple[ApiToken, str]:
        """A new token and its clear key (returned once, never stored)."""
        key = secrets.token_urlsafe(32)
        return cls.objects.create(user=user, name=name, key_hash=digest(key)), key

    @classmethod
    def authenticate(cls, key: str):
        """The active user owning ``key``, or None; records the last use."""
        if not key:
            return None
        token = cls.objects.select_related("user").filter(key_hash=digest(key)).first()
        if token is None or not token.user.is_active:
            return None
        now = timezone.now()
        cls.objects.filter(pk=token.pk).update(last_used=now)
        return token.user
