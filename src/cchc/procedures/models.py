"""Administrative procedures (thủ tục hành chính, TTHC), their dossiers (hồ sơ) and the per-day
rollups that the KPI queries read.

``Dossier`` keeps the columns of the one-stop-shop export under the same names as the import
(``code, unit_code → unit, procedure_code → procedure, received_at, due_at, …``) plus a few
values derived once at import time (effective deadline, outcome, processing time) so that the
rollups and the drill-down lists never recompute them.

``DossierDay`` is the rollup: one row per unit × procedure × day with counts. Each import adds
the new contribution of the dossiers it touched and subtracts their old one
(:mod:`cchc.procedures.rollups`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cchc.orgs.models import OrgUnit


class ProcedureLevel(models.TextChoices):
    PROVINCE = "province", _("Cấp tỉnh")
    DISTRICT = "district", _("Cấp huyện")
    COMMUNE = "commune", _("Cấp xã")


class OnlineMode(models.TextChoices):
    """Online service level under Decree 42/2022 (toàn trình / một phần). The legacy levels of
    Circular 32/2017 map approximately: 4 → full, 3 → partial (levels 1–2 → none)."""

    FULL = "full", _("Toàn trình")
    PARTIAL = "partial", _("Một phần")
    NONE = "none", _("Không trực tuyến")


class Procedure(models.Model):
    code = models.CharField(_("mã TTHC"), max_length=64, unique=True, help_text=_("Mã trên CSDL quốc gia"))
    name = models.CharField(_("tên thủ tục"), max_length=1000)
    field = models.CharField(_("lĩnh vực"), max_length=255, db_index=True)
    level = models.CharField(_("cấp thực hiện"), max_length=10, choices=ProcedureLevel.choices)
    processing_days = models.DecimalField(
        _("thời hạn giải quyết (ngày làm việc)"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    processing_hours = models.DecimalField(
        _("thời hạn giải quyết (giờ làm việc)"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    online_mode = models.CharField(
        _("dịch vụ công trực tuyến"), max_length=10, choices=OnlineMode.choices, default=OnlineMode.NONE
    )
    fee = models.BooleanField(_("có phí, lệ phí"), default=False)
    paper_result = models.BooleanField(_("yêu cầu kết quả bản giấy"), default=False)
    units = models.ManyToManyField(
        OrgUnit, through="ProcedureUnit", related_name="procedures", verbose_name=_("đơn vị giải quyết")
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("thủ tục hành chính")
        verbose_name_plural = _("thủ tục hành chính")
        constraints = [
            models.CheckConstraint(
                condition=Q(processing_days__isnull=True) | Q(processing_hours__isnull=True),
                name="procedure_days_or_hours",
                violation_error_message=_("Thời hạn giải quyết tính theo ngày hoặc theo giờ, không cả hai."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"


class ProcedureUnit(models.Model):
    """A unit that handles a procedure: it has dossiers of it (kept by the imports) or an admin
    linked it."""

    procedure = models.ForeignKey(
        Procedure, on_delete=models.CASCADE, related_name="unit_links", verbose_name=_("thủ tục")
    )
    unit = models.ForeignKey(
        OrgUnit, on_delete=models.CASCADE, related_name="procedure_links", verbose_name=_("đơn vị")
    )
    linked_by_admin = models.BooleanField(_("gán bởi quản trị"), default=False)
    has_dossiers = models.BooleanField(_("có hồ sơ"), default=False)

    class Meta:
        verbose_name = _("đơn vị giải quyết thủ tục")
        verbose_name_plural = _("đơn vị giải quyết thủ tục")
        constraints = [models.UniqueConstraint(fields=["procedure", "unit"], name="procedureunit_unique")]
        indexes = [models.Index(fields=["unit", "procedure"])]

    def __str__(self) -> str:
        return f"{self.unit} — {self.procedure.code}"


class DossierStatus(models.TextChoices):
    RECEIVED = "received", _("Mới tiếp nhận")
    IN_PROGRESS = "in_progress", _("Đang xử lý")
    SUPPLEMENT = "supplement", _("Yêu cầu bổ sung")
    RESOLVED = "resolved", _("Đã giải quyết")
    RETURNED = "returned", _("Đã trả kết quả")
    REJECTED = "rejected", _("Từ chối")
    WITHDRAWN = "withdrawn", _("Công dân rút hồ sơ")
    CANCELLED = "cancelled", _("Hủy, dừng xử lý")


class SubmissionChannel(models.TextChoices):
    """How a dossier was submitted (not :class:`cchc.surveys.models.Channel`, how a survey
    response came in)."""

    ONLINE = "online", _("Trực tuyến")
    DIRECT = "direct", _("Trực tiếp")
    POSTAL = "postal", _("Bưu chính công ích")


class Outcome(models.TextChoices):
    EARLY = "early", _("Trước hạn")
    ON_TIME = "on_time", _("Đúng hạn")
    LATE = "late", _("Trễ hạn")


class Dossier(models.Model):
    code = models.CharField(_("mã hồ sơ"), max_length=100, unique=True)
    # No database foreign keys on the two fact tables (Dossier, DossierDay): a per-row FK trigger
    # costs more than the whole rest of a bulk import. The imports resolve every unit and
    # procedure code by join before writing, and Django still applies on_delete (PROTECT here,
    # CASCADE on the rollups) when a unit or procedure is deleted. ``unit`` has no index of its
    # own: the composite indexes below start with it.
    unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        related_name="dossiers",
        verbose_name=_("đơn vị"),
        db_constraint=False,
        db_index=False,
    )
    procedure = models.ForeignKey(
        Procedure,
        on_delete=models.PROTECT,
        related_name="dossiers",
        verbose_name=_("thủ tục"),
        db_constraint=False,
    )
    received_at = models.DateTimeField(_("ngày tiếp nhận"))
    due_at = models.DateTimeField(_("ngày hẹn trả"))
    due_at_computed = models.BooleanField(_("hạn tính từ thời hạn TTHC"), default=False)
    finished_at = models.DateTimeField(_("ngày kết thúc xử lý"), null=True, blank=True)
    returned_at = models.DateTimeField(_("ngày trả kết quả"), null=True, blank=True)
    status = models.CharField(_("trạng thái"), max_length=12, choices=DossierStatus.choices)
    channel = models.CharField(_("kênh nộp"), max_length=8, choices=SubmissionChannel.choices)
    supplement_requested_at = models.DateTimeField(_("ngày yêu cầu bổ sung"), null=True, blank=True)
    supplement_received_at = models.DateTimeField(_("ngày nhận bổ sung"), null=True, blank=True)
    supplement_count = models.PositiveSmallIntegerField(_("số lần yêu cầu bổ sung"), default=0)
    digitized = models.BooleanField(_("đã số hóa"), default=False)
    paid_online = models.BooleanField(_("thanh toán trực tuyến"), default=False)
    apology_issued = models.BooleanField(_("có phiếu xin lỗi"), default=False)
    # Derived at import (cchc.procedures.rules):
    effective_due_at = models.DateTimeField(
        _("hạn hiệu lực"),
        null=True,
        blank=True,
        help_text=_("Hạn trả cộng thời gian công dân bổ sung hồ sơ; trống khi đang chờ bổ sung."),
    )
    outcome = models.CharField(_("kết quả đúng hạn"), max_length=8, choices=Outcome.choices, blank=True)
    processing_days = models.DecimalField(
        _("thời gian xử lý (ngày làm việc)"), max_digits=9, decimal_places=2, null=True, blank=True
    )
    imported_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("hồ sơ")
        verbose_name_plural = _("hồ sơ")
        indexes = [
            models.Index(fields=["unit", "received_at"], name="dossier_unit_received"),
            models.Index(fields=["unit", "finished_at"], name="dossier_unit_finished"),
            # The late dossiers (the drill-down behind resolved_late): a partial index, a tenth
            # of the table's size.
            models.Index(
                fields=["unit", "finished_at"], name="dossier_unit_late", condition=Q(outcome="late")
            ),
            # Open dossiers (the in-progress/overdue drill-down at "now"): a small partial index.
            models.Index(
                fields=["unit", "due_at"], name="dossier_open_due", condition=Q(finished_at__isnull=True)
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(finished_at__isnull=True) | Q(finished_at__gte=models.F("received_at")),
                name="dossier_finished_after_received",
            )
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def late_without_apology(self) -> bool:
        return self.outcome == Outcome.LATE and not self.apology_issued


class DossierCounts(models.Model):
    """The counters of the rollups (:class:`DossierDay`, :class:`DossierMonth`)."""

    received = models.IntegerField(default=0)
    received_online = models.IntegerField(default=0)
    received_direct = models.IntegerField(default=0)
    received_postal = models.IntegerField(default=0)
    digitized = models.IntegerField(default=0)
    paid_online = models.IntegerField(default=0)
    resolved = models.IntegerField(default=0)
    resolved_early = models.IntegerField(default=0)
    resolved_on_time = models.IntegerField(default=0)
    resolved_late = models.IntegerField(default=0)
    late_without_apology = models.IntegerField(default=0)
    processing_days_sum = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    withdrawn = models.IntegerField(default=0)

    COUNTERS = (
        "received",
        "received_online",
        "received_direct",
        "received_postal",
        "digitized",
        "paid_online",
        "resolved",
        "resolved_early",
        "resolved_on_time",
        "resolved_late",
        "late_without_apology",
        "processing_days_sum",
        "withdrawn",
    )

    class Meta:
        abstract = True


class DossierDay(DossierCounts):
    """Counts of one unit × procedure × day. Flow measures are counted on the day they happen:
    ``received*``, ``digitized`` and ``paid_online`` on the day of receipt; ``resolved*``,
    ``late_without_apology`` and ``processing_days_sum`` on the day of finishing (resolved or
    returned); ``withdrawn`` on the day a dossier was rejected, withdrawn or cancelled."""

    # See Dossier.unit: no database foreign keys; the unique constraint indexes ``unit`` first.
    unit = models.ForeignKey(
        OrgUnit, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    day = models.DateField()

    class Meta:
        verbose_name = _("tổng hợp hồ sơ theo ngày")
        verbose_name_plural = _("tổng hợp hồ sơ theo ngày")
        constraints = [models.UniqueConstraint(fields=["unit", "procedure", "day"], name="dossierday_unique")]
        indexes = [models.Index(fields=["unit", "day"], name="dossierday_unit_day")]

    def __str__(self) -> str:
        return f"{self.unit_id}/{self.procedure_id}/{self.day}"


class DossierMonth(DossierCounts):
    """The per-day rollups summed per unit and month, all procedures together, plus the
    dossiers received of procedures with a fee: what the KPI queries without a level or field
    filter read for whole months (a province-year is a few thousand of these rows however many
    dossiers there are). Kept by the same imports as :class:`DossierDay`, in the same
    transaction (:mod:`cchc.procedures.rollups`)."""

    unit = models.ForeignKey(
        OrgUnit, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    month = models.DateField(help_text=_("Ngày đầu tháng"))
    received_fee = models.IntegerField(default=0)

    COUNTERS = (*DossierCounts.COUNTERS, "received_fee")

    class Meta:
        verbose_name = _("tổng hợp hồ sơ theo tháng")
        verbose_name_plural = _("tổng hợp hồ sơ theo tháng")
        constraints = [models.UniqueConstraint(fields=["unit", "month"], name="dossiermonth_unique")]

    def __str__(self) -> str:
        return f"{self.unit_id}/{self.month:%Y-%m}"


class ImportKind(models.TextChoices):
    DOSSIERS = "dossiers", _("Hồ sơ")
    PROCEDURES = "procedures", _("Danh mục thủ tục")


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("Đang chờ")
    RUNNING = "running", _("Đang chạy")
    SUCCEEDED = "succeeded", _("Hoàn thành")
    FAILED = "failed", _("Không thành công")


class ImportJob(models.Model):
    """A file uploaded through the web, imported by a background task; the page polls it."""

    kind = models.CharField(_("loại"), max_length=12, choices=ImportKind.choices, default=ImportKind.DOSSIERS)
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    phase = models.CharField(_("giai đoạn"), max_length=40, blank=True)
    file = models.FileField(_("tệp"), upload_to="imports/%Y/%m/")
    original_name = models.CharField(_("tên tệp"), max_length=255)
    mapping = models.FileField(_("tệp ánh xạ cột"), upload_to="imports/%Y/%m/", blank=True)
    skip_bad_rows = models.BooleanField(_("bỏ qua dòng lỗi"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("người tải lên"),
    )
    unit = models.ForeignKey(
        OrgUnit, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("đơn vị")
    )
    progress = models.PositiveSmallIntegerField(_("tiến độ (%)"), default=0)
    rows_read = models.PositiveIntegerField(_("số dòng đã đọc"), default=0)
    rows_loaded = models.PositiveIntegerField(_("số dòng đã ghi"), default=0)
    rows_bad = models.PositiveIntegerField(_("số dòng lỗi"), default=0)
    errors = models.TextField(_("lỗi"), blank=True)
    summary = models.JSONField(_("kết quả"), default=dict, blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    started_at = models.DateTimeField(_("bắt đầu"), null=True, blank=True)
    # Written by the running worker every few seconds (``jobs.JobHeartbeat``); a running job
    # whose heartbeat is older than ``CCHC_JOB_STALE_SECONDS`` lost its worker (``fail_stale_jobs``).
    heartbeat_at = models.DateTimeField(_("tín hiệu gần nhất"), null=True, blank=True)
    finished_at = models.DateTimeField(_("kết thúc"), null=True, blank=True)
    retry_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="retries",
        verbose_name=_("chạy lại từ lượt"),
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            # fail_stale_jobs looks at the few running jobs only.
            models.Index(fields=["status", "heartbeat_at"], name="importjob_status_beat"),
        ]
        verbose_name = _("lượt nhập dữ liệu")
        verbose_name_plural = _("lượt nhập dữ liệu")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.original_name} ({self.get_status_display()})"

    @property
    def done(self) -> bool:
        return self.status in {ImportStatus.SUCCEEDED, ImportStatus.FAILED}

    @property
    def stale(self) -> bool:
        """Failed because its worker stopped sending heartbeats (killed, machine restarted)."""
        return self.status == ImportStatus.FAILED and bool((self.summary or {}).get("stale"))
