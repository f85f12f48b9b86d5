"""Indicators: everything the platform measures, one value per unit and period.

A ratio keeps its numerator and denominator so that it re-aggregates up the unit tree as
Σ numerators / Σ denominators, never as an average of rates.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils.translation import gettext_lazy as _

from cchc.orgs.models import OrgUnit


class IndicatorSource(models.TextChoices):
    DOSSIERS = "dossiers", _("Tính từ hồ sơ TTHC")
    SURVEYS = "surveys", _("Tính từ khảo sát")
    MANUAL = "manual", _("Nhập tay")
    IMPORTED = "imported", _("Nhập từ tệp")


class Indicator(models.Model):
    code = models.CharField(_("mã"), max_length=80, unique=True, help_text="e.g. dossiers.on_time_rate")
    name = models.CharField(_("tên"), max_length=255)
    unit_of_measure = models.CharField(_("đơn vị tính"), max_length=30, default="%")
    higher_is_better = models.BooleanField(_("càng cao càng tốt"), default=True)
    source = models.CharField(
        _("nguồn"), max_length=20, choices=IndicatorSource.choices, default=IndicatorSource.MANUAL
    )
    description = models.TextField(_("mô tả"), blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("chỉ tiêu")
        verbose_name_plural = _("chỉ tiêu")

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"


class PeriodKind(models.TextChoices):
    YEAR = "year", _("Năm")
    QUARTER = "quarter", _("Quý")
    MONTH = "month", _("Tháng")
    CUSTOM = "custom", _("Khoảng thời gian")


class IndicatorValue(models.Model):
    # No single-column indexes on the two keys: the unique constraint starts with ``indicator``
    # and the index below with ``unit`` (an import writes hundreds of thousands of values).
    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="values", verbose_name=_("chỉ tiêu"), db_index=False
    )
    unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.CASCADE,
        related_name="indicator_values",
        verbose_name=_("đơn vị"),
        db_index=False,
    )
    period_kind = models.CharField(
        _("loại kỳ"), max_length=10, choices=PeriodKind.choices, default=PeriodKind.YEAR
    )
    period_start = models.DateField(_("từ ngày"))
    period_end = models.DateField(_("đến ngày"))
    value = models.DecimalField(_("giá trị"), max_digits=14, decimal_places=4)
    numerator = models.DecimalField(_("tử số"), max_digits=16, decimal_places=4, null=True, blank=True)
    denominator = models.DecimalField(_("mẫu số"), max_digits=16, decimal_places=4, null=True, blank=True)
    source = models.CharField(
        _("nguồn"), max_length=255, blank=True, help_text=_("Dữ liệu gốc tạo ra số liệu này")
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("giá trị chỉ tiêu")
        verbose_name_plural = _("giá trị chỉ tiêu")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "unit", "period_kind", "period_start"],
                name="indicatorvalue_unique_period",
            ),
            models.CheckConstraint(
                condition=models.Q(period_start__lte=models.F("period_end")),
                name="indicatorvalue_period_order",
            ),
        ]
        indexes = [models.Index(fields=["unit", "indicator", "period_start"])]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.unit.code} {self.period_start}: {self.value}"


def year_period(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


class Target(models.Model):
    """A target value (chỉ tiêu giao) for an indicator, for one unit or all units, for one year."""

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="targets", verbose_name=_("chỉ tiêu")
    )
    unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="targets",
        verbose_name=_("đơn vị"),
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    value = models.DecimalField(_("giá trị mục tiêu"), max_digits=14, decimal_places=4)
    source_document = models.CharField(_("văn bản giao"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("mục tiêu")
        verbose_name_plural = _("mục tiêu")
        constraints = [models.UniqueConstraint(fields=["indicator", "unit", "year"], name="target_unique")]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.year}: {self.value}"
