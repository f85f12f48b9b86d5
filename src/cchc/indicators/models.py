"""Indicators: everything the platform measures, one value per unit and period.

A ratio keeps its numerator and denominator so that it re-aggregates up the unit tree as
Σ numerators / Σ denominators, never as an average of rates.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cchc.orgs.models import OrgUnit


class IndicatorSource(models.TextChoices):
    DOSSIERS = "dossiers", _("Tính từ hồ sơ TTHC")
    SURVEYS = "surveys", _("Tính từ khảo sát")
    ENTRY = "entry", _("Đơn vị nhập hằng kỳ")
    IMPORTED = "import", _("Nhập từ tệp")


class Aggregation(models.TextChoices):
    """How values of several units (up the tree) or several periods (months → year) combine."""

    RATIO = "ratio", _("Tỷ lệ: Σ tử số / Σ mẫu số")
    SUM = "sum", _("Tổng")
    MEAN = "mean", _("Trung bình các đơn vị")
    LATEST = "latest", _("Giá trị kỳ gần nhất")


class Periodicity(models.TextChoices):
    MONTH = "month", _("Tháng")
    QUARTER = "quarter", _("Quý")
    YEAR = "year", _("Năm")


class ValueOrigin(models.TextChoices):
    """Where a stored value comes from. A unit and period may hold one value of each origin;
    readers take the computed one first, then an entered one, then an imported one."""

    COMPUTED = "computed", _("Tính từ dữ liệu của hệ thống")
    ENTRY = "entry", _("Đơn vị nhập (đã duyệt)")
    IMPORTED = "import", _("Nhập từ tệp")


class Indicator(models.Model):
    code = models.CharField(_("mã"), max_length=80, unique=True, help_text="e.g. dossiers.on_time_rate")
    name = models.CharField(_("tên"), max_length=255)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=255, blank=True)
    unit_of_measure = models.CharField(_("đơn vị tính"), max_length=30, default="%")
    higher_is_better = models.BooleanField(_("càng cao càng tốt"), default=True)
    source = models.CharField(
        _("nguồn"), max_length=20, choices=IndicatorSource.choices, default=IndicatorSource.ENTRY
    )
    aggregation = models.CharField(
        _("cách tổng hợp"), max_length=10, choices=Aggregation.choices, default=Aggregation.RATIO
    )
    periodicity = models.CharField(
        _("kỳ báo cáo"), max_length=10, choices=Periodicity.choices, default=Periodicity.YEAR
    )
    min_value = models.DecimalField(
        _("giá trị nhỏ nhất"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    max_value = models.DecimalField(
        _("giá trị lớn nhất"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    methodology = models.CharField(_("phương pháp tính (tài liệu)"), max_length=120, blank=True)
    entry_unit_types = models.ManyToManyField(
        "orgs.UnitType",
        blank=True,
        related_name="entry_indicators",
        verbose_name=_("loại đơn vị nhập số liệu"),
        help_text=_("Chỉ tiêu nhập tay: các loại đơn vị phải nhập (để trống: mọi loại đơn vị)."),
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
    origin = models.CharField(
        _("nguồn số liệu"), max_length=10, choices=ValueOrigin.choices, default=ValueOrigin.COMPUTED
    )
    source = models.CharField(
        _("nguồn"), max_length=255, blank=True, help_text=_("Dữ liệu gốc tạo ra số liệu này")
    )
    updated_at = models.DateTimeField(_("tính lúc"), auto_now=True)

    class Meta:
        verbose_name = _("giá trị chỉ tiêu")
        verbose_name_plural = _("giá trị chỉ tiêu")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "unit", "period_kind", "period_start", "origin"],
                name="indicatorvalue_unique_period_origin",
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
    """A target value (chỉ tiêu giao) for an indicator and a year, set for one unit (and, for a
    province or district, the units below it), for a unit type, or for every unit (neither).
    The most specific applies: the unit, then its type, then its nearest ancestor, then every
    unit. Whether the value is a floor or a ceiling follows the indicator's direction."""

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
    unit_type = models.ForeignKey(
        "orgs.UnitType",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="targets",
        verbose_name=_("loại đơn vị"),
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    value = models.DecimalField(_("giá trị mục tiêu"), max_digits=14, decimal_places=4)
    source_document = models.CharField(_("văn bản giao"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("mục tiêu")
        verbose_name_plural = _("mục tiêu")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "year", "unit"],
                condition=models.Q(unit__isnull=False),
                name="target_unique_unit",
            ),
            models.UniqueConstraint(
                fields=["indicator", "year", "unit_type"],
                condition=models.Q(unit_type__isnull=False),
                name="target_unique_unit_type",
            ),
            models.UniqueConstraint(
                fields=["indicator", "year"],
                condition=models.Q(unit__isnull=True, unit_type__isnull=True),
                name="target_unique_everyone",
            ),
            models.CheckConstraint(
                condition=models.Q(unit__isnull=True) | models.Q(unit_type__isnull=True),
                name="target_one_scope",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.year}: {self.value}"

    @property
    def scope_label(self) -> str:
        if self.unit is not None:
            return self.unit.code
        if self.unit_type is not None:
            return f"type:{self.unit_type.code}"
        return "*"


class SheetStatus(models.TextChoices):
    """The states of a unit's data-entry sheet for one period."""

    DRAFT = "draft", _("Đang nhập")
    SUBMITTED = "submitted", _("Đã gửi, chờ duyệt")
    RETURNED = "returned", _("Bị trả lại")
    APPROVED = "approved", _("Đã duyệt")


class EntrySheet(models.Model):
    """A unit's entered values for one month or quarter (phiếu nhập số liệu): saved as a draft,
    submitted, then approved (locked) or returned with a reason by the secretariat. Only an
    approved sheet writes its values (origin ``entry``) through the one writer."""

    unit = models.ForeignKey(
        OrgUnit, on_delete=models.CASCADE, related_name="entry_sheets", verbose_name=_("đơn vị")
    )
    period_kind = models.CharField(_("loại kỳ"), max_length=10, choices=PeriodKind.choices)
    period_start = models.DateField(_("từ ngày"))
    period_end = models.DateField(_("đến ngày"))
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=SheetStatus.choices, default=SheetStatus.DRAFT
    )
    submitted_at = models.DateTimeField(_("gửi lúc"), null=True, blank=True)
    decided_at = models.DateTimeField(_("duyệt/trả lúc"), null=True, blank=True)
    return_reason = models.TextField(_("lý do trả lại"), blank=True)

    class Meta:
        verbose_name = _("phiếu nhập số liệu")
        verbose_name_plural = _("phiếu nhập số liệu")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "period_kind", "period_start"], name="entrysheet_unique_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit.code} {self.period_kind} {self.period_start}"


class EntryValue(models.Model):
    """One entered figure of a sheet (giá trị nhập)."""

    sheet = models.ForeignKey(
        EntrySheet, on_delete=models.CASCADE, related_name="values", verbose_name=_("phiếu")
    )
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="+", verbose_name=_("chỉ tiêu")
    )
    value = models.DecimalField(_("giá trị"), max_digits=14, decimal_places=4, null=True, blank=True)
    numerator = models.DecimalField(_("tử số"), max_digits=16, decimal_places=4, null=True, blank=True)
    denominator = models.DecimalField(_("mẫu số"), max_digits=16, decimal_places=4, null=True, blank=True)
    comment = models.TextField(_("ghi chú"), blank=True)
    evidence = models.FileField(_("tài liệu kiểm chứng"), upload_to="entry/%Y/", blank=True)

    class Meta:
        verbose_name = _("giá trị nhập")
        verbose_name_plural = _("giá trị nhập")
        constraints = [models.UniqueConstraint(fields=["sheet", "indicator"], name="entryvalue_unique")]

    def __str__(self) -> str:
        return f"{self.sheet} {self.indicator.code}"


class EntryChange(models.Model):
    """The audit trail of a sheet: every saved figure (old → new) and every decision."""

    sheet = models.ForeignKey(
        EntrySheet, on_delete=models.CASCADE, related_name="changes", verbose_name=_("phiếu")
    )
    indicator = models.ForeignKey(
        Indicator,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("chỉ tiêu"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("người thực hiện"),
    )
    at = models.DateTimeField(_("lúc"), auto_now_add=True)
    action = models.CharField(_("thao tác"), max_length=20)
    old = models.CharField(_("giá trị cũ"), max_length=255, blank=True)
    new = models.CharField(_("giá trị mới"), max_length=255, blank=True)
    reason = models.TextField(_("lý do"), blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("lịch sử phiếu nhập")
        verbose_name_plural = _("lịch sử phiếu nhập")

    def __str__(self) -> str:
        return f"{self.sheet} {self.action} {self.at:%d/%m/%Y %H:%M}"
