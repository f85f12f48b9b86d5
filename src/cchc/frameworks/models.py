"""Frameworks (bộ chỉ số): a versioned tree field → criterion → sub-criterion with maximum
points, a scoring rule per leaf and classification bands — all data, none hard-coded."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cchc.orgs.models import OrgUnit, UnitType


class FrameworkStatus(models.TextChoices):
    DRAFT = "draft", _("Dự thảo")
    ACTIVE = "active", _("Đang áp dụng")
    ARCHIVED = "archived", _("Lưu trữ")


class Framework(models.Model):
    code = models.CharField(_("mã"), max_length=60, unique=True)
    name = models.CharField(_("tên"), max_length=255)
    year = models.PositiveSmallIntegerField(_("năm"))
    unit_types = models.ManyToManyField(
        UnitType, related_name="frameworks", verbose_name=_("áp dụng cho loại đơn vị")
    )
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=FrameworkStatus.choices, default=FrameworkStatus.ACTIVE
    )
    description = models.TextField(_("mô tả"), blank=True)
    source_document = models.CharField(_("văn bản ban hành"), max_length=255, blank=True)
    previous = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="next_versions",
        verbose_name=_("bộ chỉ số năm trước"),
        help_text=_("Dùng để so sánh thứ hạng với năm trước."),
    )
    scored = models.BooleanField(
        _("đã có điểm chấm"),
        default=False,
        editable=False,
        help_text=_(
            "Đặt khi điểm đầu tiên được lưu: cách chấm, điểm tối đa và yêu cầu tài liệu kiểm chứng "
            "không còn sửa được."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "code"]
        verbose_name = _("bộ chỉ số")
        verbose_name_plural = _("bộ chỉ số")

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"


class Band(models.Model):
    """A classification band (xếp loại): the highest band whose ``min_index`` the index reaches
    and whose optional condition holds. ``min_field_ratio`` is such a condition: every field
    must reach that share (0–1) of its applicable maximum, else the unit falls to a lower band."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="bands")
    code = models.SlugField(_("mã"), max_length=30)
    name = models.CharField(_("tên"), max_length=60)
    min_index = models.DecimalField(_("chỉ số tối thiểu"), max_digits=6, decimal_places=2)
    min_field_ratio = models.DecimalField(
        _("mỗi lĩnh vực đạt tối thiểu (tỷ lệ)"), max_digits=4, decimal_places=3, null=True, blank=True
    )
    color = models.CharField(_("màu"), max_length=9, default="#64748b")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["framework", "-min_index", "order"]
        verbose_name = _("xếp loại")
        verbose_name_plural = _("xếp loại")
        constraints = [models.UniqueConstraint(fields=["framework", "code"], name="band_unique_code")]

    def __str__(self) -> str:
        return self.name


class Node(models.Model):
    """A field (lĩnh vực), criterion (tiêu chí) or sub-criterion (tiêu chí thành phần).

    ``max_points`` null on a parent means "the sum of its children". ``rule`` is the leaf's
    scoring rule as data, e.g. ``{"type": "thresholds", "indicator": "dossiers.on_time_rate",
    "steps": [{"min": 98, "points": 2}, {"min": 0, "points": 0}]}`` (see ``scoring.py``).
    """

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="nodes")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    code = models.CharField(_("mã"), max_length=30)
    name = models.TextField(_("tên"))
    guidance = models.TextField(_("hướng dẫn chấm điểm"), blank=True)
    max_points = models.DecimalField(_("điểm tối đa"), max_digits=7, decimal_places=2, null=True, blank=True)
    order = models.PositiveIntegerField(default=0)
    evidence_required = models.BooleanField(_("yêu cầu tài liệu kiểm chứng"), default=False)
    responsible_unit = models.ForeignKey(
        OrgUnit,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="responsible_for_nodes",
        verbose_name=_("đơn vị cung cấp tài liệu kiểm chứng"),
    )
    rule = models.JSONField(_("cách chấm điểm"), default=dict, blank=True)

    class Meta:
        ordering = ["framework", "order"]
        verbose_name = _("tiêu chí")
        verbose_name_plural = _("tiêu chí")
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="node_unique_code"),
            models.CheckConstraint(
                condition=Q(max_points__isnull=True) | Q(max_points__gte=0), name="node_max_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def rule_type(self) -> str:
        return (self.rule or {}).get("type", "manual")


class FrameworkChange(models.Model):
    """One audited change of a framework's text (who, when, which node or band, which field, old
    and new value). Once a framework is scored only texts change, and each change is a row."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="changes")
    target = models.CharField(_("tiêu chí / xếp loại"), max_length=60, blank=True)
    field = models.CharField(_("trường"), max_length=40)
    old = models.TextField(_("giá trị cũ"), blank=True)
    new = models.TextField(_("giá trị mới"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("người sửa"),
    )
    at = models.DateTimeField(_("thời điểm"), auto_now_add=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("thay đổi bộ chỉ số")
        verbose_name_plural = _("thay đổi bộ chỉ số")

    FIELD_LABELS = {
        "name": _("tên"),
        "guidance": _("hướng dẫn chấm điểm"),
        "responsible_unit": _("đơn vị cung cấp tài liệu kiểm chứng"),
        "max_points": _("điểm tối đa"),
        "rule": _("cách chấm điểm"),
        "evidence_required": _("yêu cầu tài liệu kiểm chứng"),
        "color": _("màu"),
        "description": _("mô tả"),
        "source_document": _("văn bản ban hành"),
        "previous": _("bộ chỉ số năm trước"),
    }

    def __str__(self) -> str:
        return f"{self.framework.code} {self.target} {self.field}"

    @property
    def field_label(self) -> str:
        return str(self.FIELD_LABELS.get(self.field, self.field))
