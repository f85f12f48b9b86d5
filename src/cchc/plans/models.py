"""Annual CCHC plans (kế hoạch CCHC), their tasks and progress, the commitments unit heads sign
(ký cam kết), inspections (kiểm tra CCHC) with their findings, awards (thi đua, khen thưởng) and
the reminders sent about all of them.

Statuses are computed, never typed: a task's from its progress and dates, or from its indicator
through ``cchc.indicators.services.target_status``; a commitment item's from its indicator or its
task (``cchc.plans.status``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cchc.frameworks.models import Node
from cchc.indicators.models import Indicator
from cchc.orgs.models import OrgUnit


class Area(models.TextChoices):
    """The six reform areas (Nghị quyết 76/NQ-CP; Quyết định 1023/QĐ-TTg)."""

    INSTITUTIONS = "institutions", _("Cải cách thể chế")
    PROCEDURES = "procedures", _("Cải cách thủ tục hành chính")
    APPARATUS = "apparatus", _("Cải cách tổ chức bộ máy hành chính nhà nước")
    CIVIL_SERVICE = "civil-service", _("Cải cách chế độ công vụ")
    PUBLIC_FINANCE = "public-finance", _("Cải cách tài chính công")
    E_GOVERNMENT = "e-government", _("Xây dựng và phát triển Chính phủ điện tử, Chính phủ số")


class DocumentKind(models.TextChoices):
    PLAN = "plan", _("Kế hoạch")
    DECISION = "decision", _("Quyết định")
    DIRECTIVE = "directive", _("Chỉ thị")
    OFFICIAL_LETTER = "letter", _("Công văn")
    CONCLUSION = "conclusion", _("Thông báo kết luận")


class Plan(models.Model):
    """A year's CCHC plan of a unit (the province, a department, a commune), issued as a numbered
    document (Kế hoạch số 11/KH-UBND ngày 13/01/2023)."""

    year = models.PositiveSmallIntegerField(_("năm"))
    scope_unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="cchc_plans", verbose_name=_("đơn vị ban hành")
    )
    title = models.CharField(_("tên kế hoạch"), max_length=500)
    doc_kind = models.CharField(
        _("loại văn bản"), max_length=16, choices=DocumentKind.choices, default=DocumentKind.PLAN
    )
    doc_number = models.CharField(_("số, ký hiệu"), max_length=64, blank=True)  # 11/KH-UBND
    doc_date = models.DateField(_("ngày ban hành"), null=True, blank=True)
    signer = models.CharField(_("người ký"), max_length=200, blank=True)
    body = models.TextField(_("nội dung"), blank=True)
    doc_file = models.FileField(_("tệp văn bản"), upload_to="plans/%Y/", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-year", "scope_unit__code", "title"]
        verbose_name = _("kế hoạch CCHC")
        verbose_name_plural = _("kế hoạch CCHC")
        constraints = [
            models.UniqueConstraint(
                fields=["scope_unit", "year", "title"], name="plan_unique_unit_year_title"
            )
        ]

    def __str__(self) -> str:
        number = f" ({self.doc_number})" if self.doc_number else ""
        return f"{self.title}{number}"


class OutputKind(models.TextChoices):
    REPORT = "report", _("Báo cáo")
    DECISION = "decision", _("Quyết định, văn bản")
    SYSTEM = "system", _("Hệ thống, phần mềm")
    EVENT = "event", _("Hội nghị, sự kiện")
    OTHER = "other", _("Khác")


class TaskStatus(models.TextChoices):
    """As the Government Office's task-tracking system reports them."""

    NOT_STARTED = "not_started", _("Chưa thực hiện")
    IN_PROGRESS = "in_progress", _("Đang thực hiện, trong hạn")
    DONE_ON_TIME = "done_on_time", _("Hoàn thành đúng hạn")
    DONE_LATE = "done_late", _("Hoàn thành quá hạn")
    OVERDUE = "overdue", _("Quá hạn, chưa hoàn thành")
    CANCELLED = "cancelled", _("Đã huỷ")


TASK_STATUS_COLORS = {
    TaskStatus.NOT_STARTED: "#64748b",
    TaskStatus.IN_PROGRESS: "#0369a1",
    TaskStatus.DONE_ON_TIME: "#15803d",
    TaskStatus.DONE_LATE: "#a16207",
    TaskStatus.OVERDUE: "#b91c1c",
    TaskStatus.CANCELLED: "#9ca3af",
}


class Task(models.Model):
    """A task of a plan, with the "5 rõ": clear person (responsible_person), task (title), time
    (deadline), result (expected_output) and responsibility (accountable)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="tasks", verbose_name=_("kế hoạch"))
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="subtasks",
        verbose_name=_("nhiệm vụ cha"),
    )
    code = models.CharField(_("mã nhiệm vụ"), max_length=32)
    title = models.CharField(_("nội dung nhiệm vụ"), max_length=1000)
    area = models.CharField(_("lĩnh vực cải cách"), max_length=16, choices=Area.choices)
    framework_field = models.ForeignKey(
        Node,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("lĩnh vực của bộ chỉ số"),
    )
    lead_unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="led_tasks", verbose_name=_("đơn vị chủ trì")
    )
    co_units = models.ManyToManyField(
        OrgUnit, blank=True, related_name="co_tasks", verbose_name=_("đơn vị phối hợp")
    )
    start_on = models.DateField(_("ngày bắt đầu"), null=True, blank=True)
    deadline = models.DateField(_("thời hạn hoàn thành"))
    output_kind = models.CharField(
        _("sản phẩm"), max_length=16, choices=OutputKind.choices, default=OutputKind.REPORT
    )
    expected_output = models.CharField(_("kết quả, sản phẩm dự kiến"), max_length=500, blank=True)
    responsible_person = models.CharField(_("người thực hiện"), max_length=200, blank=True)
    accountable = models.CharField(_("người chịu trách nhiệm"), max_length=200, blank=True)
    weight = models.DecimalField(_("trọng số"), max_digits=6, decimal_places=2, default=1)
    indicator = models.ForeignKey(
        Indicator,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tasks",
        verbose_name=_("chỉ tiêu"),
    )
    target = models.DecimalField(
        _("mục tiêu"),
        max_digits=14,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_("Tối thiểu khi chỉ tiêu càng cao càng tốt, tối đa khi càng thấp càng tốt."),
    )
    progress = models.PositiveSmallIntegerField(_("tiến độ (%)"), default=0)  # the last update's
    completed_on = models.DateField(_("ngày hoàn thành"), null=True, blank=True)
    cancelled_reason = models.TextField(_("lý do huỷ"), blank=True)
    cancelled_at = models.DateTimeField(_("ngày huỷ"), null=True, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["plan", "position", "code"]
        verbose_name = _("nhiệm vụ")
        verbose_name_plural = _("nhiệm vụ")
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="task_unique_plan_code"),
            models.CheckConstraint(condition=models.Q(progress__lte=100), name="task_progress_at_most_100"),
            models.CheckConstraint(condition=models.Q(weight__gt=0), name="task_weight_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title[:80]}"


class TaskUpdate(models.Model):
    """A progress report on a task (ngày, nội dung, % hoàn thành, tài liệu)."""

    task = models.ForeignKey(
        Task, on_delete=models.CASCADE, related_name="updates", verbose_name=_("nhiệm vụ")
    )
    on = models.DateField(_("ngày báo cáo"))
    text = models.TextField(_("kết quả thực hiện"))
    percent = models.PositiveSmallIntegerField(_("% hoàn thành"))
    file = models.FileField(_("tài liệu kèm theo"), upload_to="plans/updates/%Y/", blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["task", "-on", "-at"]
        verbose_name = _("báo cáo tiến độ")
        verbose_name_plural = _("báo cáo tiến độ")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(percent__lte=100), name="task_update_percent_at_most_100"
            )
        ]

    def __str__(self) -> str:
        return f"{self.task.code} {self.on:%d/%m/%Y}: {self.percent}%"


class TaskChange(models.Model):
    """Audit of every change of a task (who, when, field, old, new)."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="changes")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    field = models.CharField(max_length=64)
    old = models.TextField(blank=True)
    new = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("lịch sử thay đổi nhiệm vụ")
        verbose_name_plural = _("lịch sử thay đổi nhiệm vụ")

    def __str__(self) -> str:
        return f"{self.task.code} {self.field}"


# -- commitments (ký cam kết) ---------------------------------------------------------------------


class CommitmentTemplate(models.Model):
    """The secretariat's template of commitment items for a year ("15 nội dung CCHC"), applied to
    many units at once, then adjusted per unit."""

    year = models.PositiveSmallIntegerField(_("năm"))
    name = models.CharField(_("tên mẫu cam kết"), max_length=300)
    owner_unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("đơn vị lập mẫu")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "name"]
        verbose_name = _("mẫu cam kết")
        verbose_name_plural = _("mẫu cam kết")

    def __str__(self) -> str:
        return f"{self.name} ({self.year})"


class ItemKind(models.TextChoices):
    INDICATOR = "indicator", _("Chỉ tiêu")
    TASK = "task", _("Nhiệm vụ của kế hoạch")


class CommitmentItemBase(models.Model):
    kind = models.CharField(_("loại nội dung"), max_length=16, choices=ItemKind.choices)
    text = models.CharField(_("nội dung cam kết"), max_length=500)
    indicator = models.ForeignKey(
        Indicator,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("chỉ tiêu"),
    )
    target = models.DecimalField(_("mục tiêu"), max_digits=14, decimal_places=4, null=True, blank=True)
    task = models.ForeignKey(
        Task, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("nhiệm vụ")
    )
    weight = models.DecimalField(_("trọng số"), max_digits=6, decimal_places=2, default=1)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True
        ordering = ["position", "pk"]


class CommitmentTemplateItem(CommitmentItemBase):
    template = models.ForeignKey(CommitmentTemplate, on_delete=models.CASCADE, related_name="items")

    class Meta(CommitmentItemBase.Meta):
        verbose_name = _("nội dung mẫu cam kết")
        verbose_name_plural = _("nội dung mẫu cam kết")

    def __str__(self) -> str:
        return self.text


class Commitment(models.Model):
    """A unit head's signed commitment for a year (bản cam kết)."""

    unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="commitments", verbose_name=_("đơn vị")
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    head_name = models.CharField(_("người đứng đầu"), max_length=200, blank=True)
    head_title = models.CharField(_("chức vụ"), max_length=200, blank=True)
    template = models.ForeignKey(
        CommitmentTemplate, on_delete=models.SET_NULL, null=True, blank=True, related_name="commitments"
    )
    signed_on = models.DateField(_("ngày ký"), null=True, blank=True)
    signed_scan = models.FileField(_("bản ký (scan)"), upload_to="commitments/%Y/", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "unit__code"]
        verbose_name = _("bản cam kết")
        verbose_name_plural = _("bản cam kết")
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="commitment_unique_unit_year")]

    def __str__(self) -> str:
        return f"{self.unit.code} {self.year}"


class CommitmentItem(CommitmentItemBase):
    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="items")

    class Meta(CommitmentItemBase.Meta):
        verbose_name = _("nội dung cam kết")
        verbose_name_plural = _("nội dung cam kết")

    def __str__(self) -> str:
        return self.text


# -- inspections (kiểm tra CCHC) --------------------------------------------------------------------


class Inspection(models.Model):
    """A year's inspection programme or one inspection round (đoàn kiểm tra)."""

    year = models.PositiveSmallIntegerField(_("năm"))
    title = models.CharField(_("tên đợt kiểm tra"), max_length=300)
    owner_unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("đơn vị kiểm tra")
    )
    plan = models.ForeignKey(
        Plan, on_delete=models.SET_NULL, null=True, blank=True, related_name="inspections"
    )
    decision = models.CharField(_("quyết định thành lập đoàn"), max_length=200, blank=True)
    team = models.TextField(_("thành phần đoàn"), blank=True)

    class Meta:
        ordering = ["-year", "title"]
        verbose_name = _("đợt kiểm tra CCHC")
        verbose_name_plural = _("đợt kiểm tra CCHC")

    def __str__(self) -> str:
        return self.title


class Visit(models.Model):
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="visits")
    unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        related_name="inspection_visits",
        verbose_name=_("đơn vị được kiểm tra"),
    )
    scheduled_on = models.DateField(_("ngày kiểm tra dự kiến"))
    visited_on = models.DateField(_("ngày kiểm tra"), null=True, blank=True)

    class Meta:
        ordering = ["scheduled_on", "unit__code"]
        verbose_name = _("lượt kiểm tra")
        verbose_name_plural = _("lượt kiểm tra")
        constraints = [models.UniqueConstraint(fields=["inspection", "unit"], name="visit_unique_unit")]

    def __str__(self) -> str:
        return f"{self.inspection} – {self.unit.code}"


class Severity(models.TextChoices):
    MINOR = "minor", _("Nhẹ")
    MAJOR = "major", _("Cần khắc phục")
    SERIOUS = "serious", _("Nghiêm trọng")


class Finding(models.Model):
    """A weakness found at a visit; it may create a remedial task with an owner and a deadline."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="findings")
    area = models.CharField(_("lĩnh vực"), max_length=16, choices=Area.choices)
    text = models.TextField(_("tồn tại, hạn chế"))
    severity = models.CharField(_("mức độ"), max_length=16, choices=Severity.choices, default=Severity.MAJOR)
    remedial_task = models.OneToOneField(
        Task,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="finding",
        verbose_name=_("nhiệm vụ khắc phục"),
    )
    resolved_on = models.DateField(_("ngày khắc phục xong"), null=True, blank=True)

    class Meta:
        ordering = ["visit", "pk"]
        verbose_name = _("kết luận kiểm tra")
        verbose_name_plural = _("kết luận kiểm tra")

    def __str__(self) -> str:
        return self.text[:80]


# -- awards (thi đua, khen thưởng) ------------------------------------------------------------------


class AwardRuleKind(models.TextChoices):
    CLASS_AT_LEAST = "class_at_least", _("Xếp loại từ mức … trở lên")
    TOP_N = "top_n", _("N đơn vị dẫn đầu mỗi nhóm")
    MOST_IMPROVED = "most_improved", _("Tăng nhiều bậc xếp hạng nhất")


class AwardForm(models.TextChoices):
    CERTIFICATE = "giay_khen", _("Giấy khen")
    MERIT = "bang_khen", _("Bằng khen")


class AwardRule(models.Model):
    """A rule the secretariat sets as data; proposals come from the published results. The
    exclusions are the province's (Kon Tum: classified trung bình or lower, or dropping two classes,
    is not eligible that year)."""

    year = models.PositiveSmallIntegerField(_("năm"))
    owner_unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("đơn vị")
    )
    name = models.CharField(_("tên tiêu chuẩn"), max_length=300)
    kind = models.CharField(_("loại"), max_length=20, choices=AwardRuleKind.choices)
    band_code = models.CharField(_("xếp loại tối thiểu"), max_length=32, blank=True)
    top_n = models.PositiveSmallIntegerField(_("số đơn vị dẫn đầu"), null=True, blank=True)
    form = models.CharField(
        _("hình thức"), max_length=16, choices=AwardForm.choices, default=AwardForm.CERTIFICATE
    )
    exclude_band_at_most = models.CharField(
        _("loại trừ xếp loại từ mức … trở xuống"), max_length=32, blank=True
    )
    exclude_drop_of_classes = models.PositiveSmallIntegerField(
        _("loại trừ khi tụt từ … bậc xếp loại"), null=True, blank=True
    )

    class Meta:
        ordering = ["-year", "name"]
        verbose_name = _("tiêu chuẩn khen thưởng")
        verbose_name_plural = _("tiêu chuẩn khen thưởng")

    def __str__(self) -> str:
        return f"{self.name} ({self.year})"


class AwardDecision(models.Model):
    """A recorded award (quyết định khen thưởng), shown in the unit's history."""

    unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="awards", verbose_name=_("đơn vị")
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    rule = models.ForeignKey(
        AwardRule, on_delete=models.SET_NULL, null=True, blank=True, related_name="decisions"
    )
    number = models.CharField(_("số quyết định"), max_length=64)
    decided_on = models.DateField(_("ngày quyết định"))
    form = models.CharField(_("hình thức"), max_length=16, choices=AwardForm.choices)
    collective = models.BooleanField(_("tập thể"), default=True)
    person_name = models.CharField(_("cá nhân được khen"), max_length=200, blank=True)
    reason = models.CharField(_("thành tích"), max_length=500, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-year", "unit__code"]
        verbose_name = _("quyết định khen thưởng")
        verbose_name_plural = _("quyết định khen thưởng")

    def __str__(self) -> str:
        return f"{self.number} {self.unit.code}"


# -- reminders --------------------------------------------------------------------------------------


class Reminder(models.Model):
    """One reminder sent (in the app and in the user's daily digest). ``key`` names what it is
    about (``task:12``, ``assessment:5``, ``entry:7:2025-05``, ``commitment-item:3``) so that the
    same reminder is never sent twice on one day."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cchc_reminders"
    )
    key = models.CharField(max_length=100)
    text = models.CharField(_("nội dung"), max_length=500)
    url = models.CharField(max_length=300, blank=True)
    due_on = models.DateField(_("hạn"), null=True, blank=True)
    escalation = models.BooleanField(_("báo lên thủ trưởng"), default=False)
    sent_on = models.DateField(_("ngày nhắc"))
    emailed = models.BooleanField(default=False)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-sent_on", "due_on"]
        verbose_name = _("nhắc việc")
        verbose_name_plural = _("nhắc việc")
        constraints = [models.UniqueConstraint(fields=["user", "key", "sent_on"], name="reminder_once_a_day")]

    def __str__(self) -> str:
        return self.text[:80]
