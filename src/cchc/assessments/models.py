"""Assessments: one unit's evaluation for one year under one framework, its leaf scores,
evidence, workflow transitions and the audit trail of every score change."""

from __future__ import annotations

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cchc.frameworks.models import Framework, Node
from cchc.orgs.models import OrgUnit


class Round(models.Model):
    """An evaluation year under a framework (đợt đánh giá): the secretariat opens it for the
    units and sets the self-assessment deadline."""

    framework = models.ForeignKey(
        Framework, on_delete=models.PROTECT, related_name="rounds", verbose_name=_("bộ chỉ số")
    )
    year = models.PositiveSmallIntegerField(_("năm đánh giá"))
    deadline = models.DateTimeField(_("hạn nộp tự đánh giá"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "framework__code"]
        verbose_name = _("đợt đánh giá")
        verbose_name_plural = _("đợt đánh giá")
        constraints = [
            models.UniqueConstraint(fields=["framework", "year"], name="round_unique_framework_year")
        ]

    def __str__(self) -> str:
        return f"{self.framework.code} / {self.year}"


class Status(models.TextChoices):
    DRAFT = "draft", _("Đang tự đánh giá")
    SUBMITTED = "submitted", _("Đã nộp")
    UNDER_APPRAISAL = "under_appraisal", _("Đang thẩm định")
    RETURNED = "returned", _("Yêu cầu giải trình")
    FINALISED = "finalised", _("Đã chốt kết quả")
    PUBLISHED = "published", _("Đã công bố")


STATUS_COLORS = {
    Status.DRAFT: "#64748b",
    Status.SUBMITTED: "#0369a1",
    Status.UNDER_APPRAISAL: "#7c3aed",
    Status.RETURNED: "#c2410c",
    Status.FINALISED: "#15803d",
    Status.PUBLISHED: "#166534",
}


class Assessment(models.Model):
    round = models.ForeignKey(
        Round, on_delete=models.CASCADE, related_name="assessments", verbose_name=_("đợt đánh giá")
    )
    unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="assessments", verbose_name=_("đơn vị")
    )
    status = models.CharField(
        _("trạng thái"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    submitted_at = models.DateTimeField(_("ngày nộp"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["round", "unit__path"]
        verbose_name = _("bản đánh giá")
        verbose_name_plural = _("bản đánh giá")
        constraints = [models.UniqueConstraint(fields=["round", "unit"], name="assessment_unique_round_unit")]

    def __str__(self) -> str:
        return f"{self.unit} — {self.round}"

    @property
    def status_color(self) -> str:
        return STATUS_COLORS[Status(self.status)]

    @property
    def is_locked(self) -> bool:
        return self.status == Status.PUBLISHED


class Score(models.Model):
    """One leaf of one assessment."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="scores")
    node = models.ForeignKey(
        Node, on_delete=models.CASCADE, related_name="scores", verbose_name=_("tiêu chí")
    )
    self_score = models.DecimalField(
        _("điểm tự đánh giá"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    explanation = models.TextField(_("thuyết minh"), blank=True)
    appraised_score = models.DecimalField(
        _("điểm thẩm định"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    appraiser_comment = models.TextField(_("ý kiến thẩm định"), blank=True)
    unit_response = models.TextField(_("giải trình của đơn vị"), blank=True)
    not_applicable = models.BooleanField(_("không áp dụng"), default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("điểm tiêu chí")
        verbose_name_plural = _("điểm tiêu chí")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "node"], name="score_unique_assessment_node"),
            models.CheckConstraint(
                condition=models.Q(self_score__gte=0) | models.Q(self_score__isnull=True),
                name="score_self_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(appraised_score__gte=0) | models.Q(appraised_score__isnull=True),
                name="score_appraised_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id}:{self.node_id}"


def evidence_path(instance: Evidence, filename: str) -> str:
    suffix = PurePosixPath(filename).suffix.lower()[:10]
    return f"evidence/{instance.score.assessment.round_id}/{instance.score.assessment_id}/{uuid.uuid4().hex}{suffix}"


class Evidence(models.Model):
    """A file of evidence (tài liệu kiểm chứng), stored under MEDIA_ROOT with a random name and
    downloaded only through the permission-checked view."""

    score = models.ForeignKey(Score, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to=evidence_path, max_length=255)
    original_name = models.CharField(_("tên tệp"), max_length=255)
    content_type = models.CharField(max_length=120)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at"]
        verbose_name = _("tài liệu kiểm chứng")
        verbose_name_plural = _("tài liệu kiểm chứng")

    def __str__(self) -> str:
        return self.original_name


class Transition(models.Model):
    """Every status change is its own row: the audit trail, the "waiting for me" lists and the
    timeliness of submissions all read it."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Status.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("chuyển trạng thái")
        verbose_name_plural = _("chuyển trạng thái")

    def __str__(self) -> str:
        return f"{self.from_status or '∅'} → {self.to_status}"


class ScoreField(models.TextChoices):
    SELF = "self_score", _("điểm tự đánh giá")
    APPRAISED = "appraised_score", _("điểm thẩm định")
    NOT_APPLICABLE = "not_applicable", _("không áp dụng")


class ScoreChange(models.Model):
    """Who changed which score when, from what to what, and why."""

    score = models.ForeignKey(Score, on_delete=models.CASCADE, related_name="changes")
    field = models.CharField(max_length=20, choices=ScoreField.choices)
    old_value = models.CharField(max_length=20, blank=True)
    new_value = models.CharField(max_length=20, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    reason = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("lịch sử thay đổi điểm")
        verbose_name_plural = _("lịch sử thay đổi điểm")

    def __str__(self) -> str:
        return f"{self.field}: {self.old_value} → {self.new_value}"
