"""Assessments: one unit's evaluation for one year under one framework, its leaf scores,
evidence, workflow transitions and the audit trail of every score change."""

from __future__ import annotations

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cchc.core.numbers import vn_number
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
    # Recorded when the unit submits, against the round's deadline at that moment, so that a late
    # submission is not forgotten once the unit has submitted (None: not submitted, or no deadline).
    deadline_at_submission = models.DateTimeField(_("hạn nộp khi nộp"), null=True, blank=True)
    working_days_late = models.PositiveSmallIntegerField(_("số ngày làm việc nộp trễ"), null=True, blank=True)
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

    @property
    def submitted_late(self) -> bool:
        return bool(self.working_days_late)


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


class EvidenceAction(models.TextChoices):
    ADDED = "added", _("Thêm tài liệu")
    REMOVED = "removed", _("Xoá tài liệu")


class EvidenceEvent(models.Model):
    """The audit trail of evidence: every addition and removal, with the file's name, size and
    SHA-256. A removed file stays in storage (``stored_name``) until the assessment is published,
    when it is pruned (``pruned_at``)."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="evidence_events", verbose_name=_("bản đánh giá")
    )
    node = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="+", verbose_name=_("tiêu chí"))
    evidence = models.ForeignKey(
        Evidence, null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    action = models.CharField(_("thao tác"), max_length=10, choices=EvidenceAction.choices)
    file_name = models.CharField(_("tên tệp"), max_length=255)
    size = models.PositiveBigIntegerField(_("kích thước (byte)"))
    sha256 = models.CharField("SHA-256", max_length=64)
    stored_name = models.CharField(_("tệp lưu trữ"), max_length=255)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("người thực hiện"),
    )
    at = models.DateTimeField(_("thời điểm"), auto_now_add=True, db_index=True)
    pruned_at = models.DateTimeField(_("đã xoá tệp lúc"), null=True, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("nhật ký tài liệu kiểm chứng")
        verbose_name_plural = _("nhật ký tài liệu kiểm chứng")

    def __str__(self) -> str:
        return f"{self.action}: {self.file_name}"


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
    # Finalising with leaves nobody appraised needs an explicit reason, kept here.
    override_reason = models.TextField(_("lý do chốt khi chưa thẩm định đủ"), blank=True)

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

    def _display(self, raw: str) -> str:
        if raw == "":
            return "∅"
        if self.field == ScoreField.NOT_APPLICABLE:
            return str(_("có") if raw == "1" else _("không"))
        return vn_number(raw, 2)

    @property
    def old_display(self) -> str:
        """The old value as a person reads it: ``0,75``."""
        return self._display(self.old_value)

    @property
    def new_display(self) -> str:
        return self._display(self.new_value)
