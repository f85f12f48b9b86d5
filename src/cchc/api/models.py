"""API tokens: the key is shown once; only its SHA-256 digest is stored. A token expires
(``API_TOKEN_DAYS`` after its creation unless told otherwise) and can be revoked; either way the
API answers 401."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def usable(self, now=None):
        now = now or timezone.now()
        return self.filter(revoked__isnull=True, user__is_active=True).filter(
            Q(expires__isnull=True) | Q(expires__gt=now)
        )

    def revoke(self, now=None) -> int:
        """Revoke the tokens not yet revoked; returns how many."""
        return self.filter(revoked__isnull=True).update(revoked=now or timezone.now())


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
    expires = models.DateTimeField(
        _("hết hạn"), null=True, blank=True, help_text=_("Để trống: không bao giờ hết hạn.")
    )
    last_used = models.DateTimeField(_("lần dùng cuối"), null=True, blank=True)
    revoked = models.DateTimeField(_("thu hồi lúc"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("khoá API")
        verbose_name_plural = _("khoá API")
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.user} — {self.name or self.pk}"

    @property
    def status(self) -> str:
        if self.revoked:
            return "revoked"
        if self.expires and self.expires <= timezone.now():
            return "expired"
        return "active"

    @classmethod
    def issue(cls, user, name: str = "", days: int | None = None) -> tuple[ApiToken, str]:
        """A new token and its clear key (returned once, never stored). ``days``: its lifetime
        (default ``settings.API_TOKEN_DAYS``; 0: never expires)."""
        days = settings.API_TOKEN_DAYS if days is None else days
        if days < 0:
            raise ValueError("days must be 0 (never expires) or more")
        expires = timezone.now() + timedelta(days=days) if days else None
        key = secrets.token_urlsafe(32)
        return cls.objects.create(user=user, name=name, key_hash=digest(key), expires=expires), key

    @classmethod
    def authenticate(cls, key: str):
        """The active user owning ``key`` if the token is neither expired nor revoked, or None;
        records the last use."""
        if not key:
            return None
        now = timezone.now()
        token = cls.objects.usable(now).select_related("user").filter(key_hash=digest(key)).first()
        if token is None:
            return None
        cls.objects.filter(pk=token.pk).update(last_used=now)
        return token.user
