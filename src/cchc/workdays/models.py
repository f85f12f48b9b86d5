"""The calendar's data: the admin's override table (days off and swapped working days announced
by the government) and per-province settings (afternoon cut-off, when the clock starts)."""

from __future__ import annotations

from datetime import time

from django.db import models
from django.db.models import Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _


class OverrideKind(models.TextChoices):
    DAY_OFF = "day_off", _("Ngày nghỉ")
    WORKING_DAY = "working_day", _("Ngày làm việc (làm bù)")


class CalendarOverride(models.Model):
    """A day whose status the government announced (a swapped day off, a Saturday worked, an
    extra holiday). It wins over the statutory calendar derived by ``holidays``."""

    date = models.DateField(_("ngày"), unique=True)
    kind = models.CharField(_("loại"), max_length=20, choices=OverrideKind.choices)
    name = models.CharField(_("tên"), max_length=255)
    source_document = models.CharField(_("văn bản công bố"), max_length=255, blank=True)
    source_url = models.URLField(_("đường dẫn văn bản"), max_length=500, blank=True)
    year = models.PositiveSmallIntegerField(_("năm"), editable=False, db_index=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("ngày nghỉ / làm bù")
        verbose_name_plural = _("ngày nghỉ / làm bù")

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} — {self.get_kind_display()} — {self.name}"

    def save(self, *args, **kwargs):
        self.year = self.date.year
        super().save(*args, **kwargs)


class CalendarSettings(models.Model):
    """How one province (or, with no province, every province without its own row) counts
    processing time."""

    province = models.ForeignKey(
        "orgs.OrgUnit",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("tỉnh (để trống: mặc định)"),
    )
    afternoon_cutoff = models.TimeField(
        _("giờ chốt tiếp nhận buổi chiều"),
        null=True,
        blank=True,
        help_text=_(
            "Hồ sơ tiếp nhận sau giờ này được tính từ ngày làm việc tiếp theo. Để trống: không áp dụng."
        ),
    )
    clock_starts_next_day = models.BooleanField(
        _("tính thời hạn từ ngày làm việc tiếp theo"),
        default=True,
        help_text=_("Bỏ chọn để tính cả ngày tiếp nhận là ngày thứ nhất."),
    )
    work_start = models.TimeField(_("giờ bắt đầu làm việc"), default=time(7, 30))
    work_end = models.TimeField(_("giờ kết thúc làm việc"), default=time(17, 0))
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        verbose_name = _("cấu hình lịch làm việc")
        verbose_name_plural = _("cấu hình lịch làm việc")
        constraints = [
            models.UniqueConstraint(
                Coalesce("province", Value(0)),
                name="calendarsettings_one_per_province",
                violation_error_message=_("Tỉnh này (hoặc cấu hình mặc định) đã có cấu hình lịch."),
            ),
            models.CheckConstraint(
                condition=models.Q(work_start__lt=models.F("work_end")),
                name="calendarsettings_work_start_before_end",
                violation_error_message=_("Giờ bắt đầu phải trước giờ kết thúc."),
            ),
        ]

    def __str__(self) -> str:
        return str(self.province) if self.province_id else str(_("Mặc định"))
