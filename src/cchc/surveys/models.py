"""Questionnaires, campaigns, responses and published indices (SIPAS, PAR survey, PAPI).

A questionnaire that has responses is never edited: a change creates version + 1
(``services.new_version``). Responses are anonymous: no account, no IP (only a salted hash).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cchc.orgs.models import OrgUnit


class QuestionnaireKind(models.TextChoices):
    SIPAS = "sipas", _("Đo lường sự hài lòng (SIPAS)")
    PAR_SURVEY = "par_survey", _("Điều tra xã hội học (Chỉ số CCHC)")
    OTHER = "other", _("Khác")


class Audience(models.TextChoices):
    CITIZEN = "citizen", _("Người dân, tổ chức")
    OFFICIAL = "official", _("Cán bộ, công chức")
    LEADER = "leader", _("Lãnh đạo")
    ANY = "any", _("Mọi đối tượng")


class QuestionnaireStatus(models.TextChoices):
    DRAFT = "draft", _("Nháp")
    ACTIVE = "active", _("Đang dùng")
    ARCHIVED = "archived", _("Lưu trữ")


class IndexMethod(models.TextChoices):
    """How the overall index of a group is computed (the method is not certain: configurable)."""

    MEAN_OF_ASPECTS = "mean_of_aspects", _("Trung bình các yếu tố (yếu tố = trung bình các tiêu chí)")
    MEAN_OF_CRITERIA = "mean_of_criteria", _("Trung bình các tiêu chí")
    POOLED = "pooled", _("Tỷ lệ gộp (mọi câu trả lời hợp lệ)")


class Questionnaire(models.Model):
    code = models.CharField(_("mã"), max_length=60)
    version = models.PositiveIntegerField(_("phiên bản"), default=1)
    name = models.CharField(_("tên"), max_length=255)
    kind = models.CharField(
        _("loại"), max_length=20, choices=QuestionnaireKind.choices, default=QuestionnaireKind.SIPAS
    )
    audience = models.CharField(
        _("đối tượng"), max_length=20, choices=Audience.choices, default=Audience.CITIZEN
    )
    source_document = models.CharField(_("văn bản nguồn"), max_length=500, blank=True)
    description = models.TextField(_("mô tả"), blank=True)
    status = models.CharField(
        _("trạng thái"),
        max_length=20,
        choices=QuestionnaireStatus.choices,
        default=QuestionnaireStatus.ACTIVE,
    )
    previous = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="next_versions",
        verbose_name=_("phiên bản trước"),
    )
    aspects = models.JSONField(_("yếu tố"), default=list, blank=True, help_text="[{code, name}]")
    index_method = models.CharField(
        _("cách tính chỉ số"), max_length=20, choices=IndexMethod.choices, default=IndexMethod.MEAN_OF_ASPECTS
    )
    min_valid_answers = models.PositiveSmallIntegerField(
        _("số câu trả lời hợp lệ tối thiểu của một phiếu"),
        default=1,
        help_text=_(
            "Một phiếu chỉ được tính (vào số phiếu, chỉ tiêu mẫu, kết quả và chỉ số) khi có ít nhất "
            "chừng này câu trả lời hợp lệ: mức 1–5 của câu hỏi thang đo; với bộ câu hỏi không có thang "
            "đo, mọi câu trả lời khác “không áp dụng”."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code", "-version"]
        verbose_name = _("bộ câu hỏi")
        verbose_name_plural = _("bộ câu hỏi")
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="questionnaire_unique_version")
        ]

    def __str__(self) -> str:
        return f"{self.code} v{self.version} — {self.name}"

    @property
    def in_use(self) -> bool:
        """Has responses (through any campaign): never edited, a change creates a new version."""
        return Response.objects.filter(campaign__questionnaire=self).exists()

    def aspect_name(self, code: str) -> str:
        for a in self.aspects or []:
            if a.get("code") == code:
                return a.get("name", code)
        return code


class Section(models.Model):
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="sections", verbose_name=_("bộ câu hỏi")
    )
    order = models.PositiveIntegerField(_("thứ tự"), default=0)
    code = models.CharField(_("mã"), max_length=40)
    title = models.CharField(_("tiêu đề"), max_length=255)

    class Meta:
        ordering = ["questionnaire", "order"]
        verbose_name = _("phần")
        verbose_name_plural = _("phần")
        constraints = [models.UniqueConstraint(fields=["questionnaire", "code"], name="section_unique_code")]

    def __str__(self) -> str:
        return self.title


class QuestionType(models.TextChoices):
    SCALE5 = "scale5", _("Thang 5 mức hài lòng")
    CHOICE = "choice", _("Chọn một")
    MULTI = "multi", _("Chọn nhiều")
    NUMBER = "number", _("Số")
    INTEGER = "integer", _("Số nguyên (số lần, số người…)")
    TEXT = "text", _("Văn bản")


SCALE5_LABELS = {
    1: _("Rất không hài lòng"),
    2: _("Không hài lòng"),
    3: _("Bình thường"),
    4: _("Hài lòng"),
    5: _("Rất hài lòng"),
}


class Question(models.Model):
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="questions", verbose_name=_("bộ câu hỏi")
    )
    section = models.ForeignKey(
        Section,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="questions",
        verbose_name=_("phần"),
    )
    order = models.PositiveIntegerField(_("thứ tự"), default=0)
    code = models.CharField(_("mã"), max_length=40)
    text = models.TextField(_("nội dung"))
    type = models.CharField(_("loại"), max_length=10, choices=QuestionType.choices)
    aspect = models.CharField(_("yếu tố"), max_length=40, blank=True)
    criterion = models.CharField(_("tiêu chí"), max_length=255, blank=True)
    required = models.BooleanField(_("bắt buộc"), default=False)
    allow_na = models.BooleanField(_("cho phép 'không áp dụng'"), default=True)
    options = models.JSONField(_("lựa chọn"), default=list, blank=True, help_text="[{code, label}]")
    show_if = models.JSONField(
        _("điều kiện hiển thị"), null=True, blank=True, help_text='{"question": code, "in": [values]}'
    )
    is_expectation = models.BooleanField(_("câu hỏi mong đợi / ưu tiên"), default=False)

    class Meta:
        ordering = ["questionnaire", "order"]
        verbose_name = _("câu hỏi")
        verbose_name_plural = _("câu hỏi")
        constraints = [models.UniqueConstraint(fields=["questionnaire", "code"], name="question_unique_code")]

    def __str__(self) -> str:
        return f"{self.code}. {self.text[:60]}"

    def option_codes(self) -> list[str]:
        return [str(o["code"]) for o in self.options or []]


class ResponseChannel(models.TextChoices):
    WEB = "web", _("Trực tuyến")
    KIOSK = "kiosk", _("Máy tại bộ phận một cửa")
    PAPER = "paper", _("Phiếu giấy")
    INVITATION = "invitation", _("Thư mời (mã dùng một lần)")


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("Nháp")
    OPEN = "open", _("Đang khảo sát")
    CLOSED = "closed", _("Đã kết thúc")


class Campaign(models.Model):
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.PROTECT, related_name="campaigns", verbose_name=_("bộ câu hỏi")
    )
    period = models.PositiveSmallIntegerField(_("kỳ (năm)"))
    name = models.CharField(_("tên"), max_length=255)
    starts_on = models.DateField(_("từ ngày"), null=True, blank=True)
    ends_on = models.DateField(_("đến ngày"), null=True, blank=True)
    channels = models.JSONField(_("kênh"), default=list, blank=True)
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.OPEN
    )
    public = models.BooleanField(_("cho phép đường dẫn mở"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-period", "questionnaire__code"]
        verbose_name = _("đợt khảo sát")
        verbose_name_plural = _("đợt khảo sát")
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "period"], name="campaign_unique_period")
        ]

    def __str__(self) -> str:
        return self.name


class CampaignUnit(models.Model):
    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="campaign_units", verbose_name=_("đợt khảo sát")
    )
    unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="survey_campaigns", verbose_name=_("đơn vị")
    )
    target_sample = models.PositiveIntegerField(_("số phiếu mục tiêu"), default=0)
    public_key = models.SlugField(_("khóa đường dẫn công khai"), max_length=40, unique=True)

    class Meta:
        ordering = ["campaign", "unit__path"]
        verbose_name = _("đơn vị được khảo sát")
        verbose_name_plural = _("đơn vị được khảo sát")
        constraints = [models.UniqueConstraint(fields=["campaign", "unit"], name="campaignunit_unique")]

    def __str__(self) -> str:
        return f"{self.campaign} — {self.unit}"


class Invitation(models.Model):
    """A one-time token printed on a form or sent to a respondent."""

    campaign_unit = models.ForeignKey(
        CampaignUnit, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("đơn vị")
    )
    token = models.CharField(_("mã"), max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    used_at = models.DateTimeField(_("đã dùng lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("thư mời")
        verbose_name_plural = _("thư mời")

    def __str__(self) -> str:
        return self.token


class ResponseQuerySet(models.QuerySet):
    def counted(self) -> ResponseQuerySet:
        """The forms that count — in the number of forms, toward a unit's target, in the results
        and the indicators: not excluded, with at least ``questionnaire.min_valid_answers`` valid
        answers. A valid answer is a level 1–5 of a scale question (what the SIPAS and PAR methods
        score); for a questionnaire without scale questions, any answer but "not applicable".
        An empty form (a crafted post of the last screen) never counts."""
        from django.db.models import Count, Exists, F, OuterRef, Subquery
        from django.db.models.functions import Coalesce

        def n_answers(**lookups):
            return Coalesce(
                Subquery(
                    Answer.objects.filter(response=OuterRef("pk"), is_na=False, **lookups)
                    .order_by()
                    .values("response")
                    .annotate(n=Count("pk"))
                    .values("n")[:1]
                ),
                0,
            )

        has_scale = Exists(
            Question.objects.filter(
                questionnaire=OuterRef("campaign__questionnaire"), type=QuestionType.SCALE5
            )
        )
        minimum = F("campaign__questionnaire__min_valid_answers")
        return (
            self.filter(excluded=False)
            .alias(
                _has_scale=has_scale,
                _scored=n_answers(question__type=QuestionType.SCALE5, value_int__gte=1, value_int__lte=5),
                _answered=n_answers(),
            )
            .filter(_answered__gte=1)
            .filter(Q(_has_scale=True, _scored__gte=minimum) | Q(_has_scale=False, _answered__gte=minimum))
        )


class Response(models.Model):
    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="responses", verbose_name=_("đợt khảo sát")
    )
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("đơn vị"))
    channel = models.CharField(
        _("kênh"), max_length=12, choices=ResponseChannel.choices, default=ResponseChannel.WEB
    )
    form_no = models.CharField(_("số phiếu"), max_length=60, blank=True)
    submitted_at = models.DateTimeField(_("thời điểm trả lời"))
    client_token = models.CharField(max_length=128, null=True, blank=True, unique=True)
    invitation = models.OneToOneField(
        Invitation, null=True, blank=True, on_delete=models.SET_NULL, related_name="response"
    )
    excluded = models.BooleanField(_("bị loại"), default=False)
    exclusion_reason = models.CharField(_("lý do loại"), max_length=500, blank=True)
    excluded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    excluded_at = models.DateTimeField(null=True, blank=True)
    ip_hash = models.CharField(max_length=64, blank=True)
    duration_seconds = models.PositiveIntegerField(null=True, blank=True)

    objects = ResponseQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at"]
        verbose_name = _("phiếu trả lời")
        verbose_name_plural = _("phiếu trả lời")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "form_no"], condition=~Q(form_no=""), name="response_unique_form_no"
            )
        ]
        indexes = [models.Index(fields=["campaign", "unit", "excluded"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.unit} {self.submitted_at:%d/%m/%Y}"


class Answer(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    value_int = models.IntegerField(null=True, blank=True)
    value_decimal = models.DecimalField(max_digits=16, decimal_places=4, null=True, blank=True)
    value_text = models.TextField(blank=True)
    choices = models.JSONField(default=list, blank=True)
    is_na = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("câu trả lời")
        verbose_name_plural = _("câu trả lời")
        constraints = [models.UniqueConstraint(fields=["response", "question"], name="answer_unique")]
        indexes = [models.Index(fields=["question", "value_int"])]

    def __str__(self) -> str:
        return f"{self.question.code}={self.display_value()}"

    def display_value(self) -> str:
        if self.is_na:
            return "na"
        if self.choices:
            return ";".join(str(c) for c in self.choices)
        if self.value_int is not None:
            return str(self.value_int)
        if self.value_decimal is not None:
            return f"{self.value_decimal.normalize():f}"
        return self.value_text


class PublishedKind(models.TextChoices):
    PAPI_TOTAL = "papi_total", _("PAPI (tổng)")
    PAPI_DIMENSION = "papi_dimension", _("PAPI (chỉ số nội dung)")
    SIPAS = "sipas", _("SIPAS")
    PAR_INDEX = "par_index", _("Chỉ số CCHC (PAR Index)")


class PublishedIndex(models.Model):
    """A nationally published index of a province for a year (PAPI, SIPAS, PAR Index)."""

    unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="published_indices")
    year = models.PositiveSmallIntegerField(_("năm"))
    kind = models.CharField(_("loại"), max_length=20, choices=PublishedKind.choices)
    dimension = models.CharField(_("nội dung"), max_length=40, blank=True)
    value = models.DecimalField(_("giá trị"), max_digits=10, decimal_places=4)
    rank = models.PositiveSmallIntegerField(_("thứ hạng"), null=True, blank=True)
    rank_of = models.PositiveSmallIntegerField(_("trên tổng số"), null=True, blank=True)
    source = models.CharField(_("nguồn"), max_length=500, blank=True)

    class Meta:
        ordering = ["unit", "kind", "dimension", "year"]
        verbose_name = _("chỉ số công bố")
        verbose_name_plural = _("chỉ số công bố")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year", "kind", "dimension"], name="publishedindex_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit.code} {self.year} {self.kind} {self.dimension}: {self.value}"
