"""The public questionnaire as screens (one section per screen), skip logic between screens
(the one rule of :mod:`cchc.surveys.skip_logic`) and the parsing of one screen's posted answers
into plain values.

Answer values (kept in the session between screens and handed to ``services.submit_response``):
``scale5`` → int 1–5, ``choice`` → option code, ``multi`` → list of option codes,
``number`` → decimal string, ``integer`` → whole-number string (both as
``skip_logic.number_text`` writes them), ``text`` → string; ``"na"`` means not applicable. A
question left empty has no key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django import forms as _forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cchc.core.widgets import VnDateField
from cchc.surveys import skip_logic
from cchc.surveys.models import SCALE5_LABELS, Question, QuestionType

NA = skip_logic.NA
TEXT_MAX = 2000


@dataclass
class Screen:
    title: str
    questions: list[Question] = field(default_factory=list)


def build_screens(questionnaire) -> list[Screen]:
    """Sections in order, one screen each; questions without a section come first."""
    questions = list(
        Question.objects.filter(questionnaire=questionnaire)
        .select_related("section")
        .order_by("section__order", "order", "pk")
    )
    loose = Screen(questionnaire.name)
    by_section: dict[int, Screen] = {}
    ordered: list[Screen] = []
    for q in questions:
        if q.section_id is None:
            loose.questions.append(q)
            continue
        if q.section_id not in by_section:
            by_section[q.section_id] = Screen(q.section.title)
            ordered.append(by_section[q.section_id])
        by_section[q.section_id].questions.append(q)
    return ([loose] if loose.questions else []) + ordered


def visible_questions(screen: Screen, answers: dict) -> list[Question]:
    """The questions of a screen to show, judged on the answers of the screens before it (a
    condition on a question of the same screen is applied when the answers are pruned)."""
    codes_here = {q.code for q in screen.questions}
    return [
        q
        for q in screen.questions
        if skip_logic.condition_question(q) in codes_here or skip_logic.is_shown(q, answers)
    ]


def screen_is_shown(screen: Screen, answers: dict) -> bool:
    return bool(visible_questions(screen, answers))


def prune(screens: list[Screen], answers: dict) -> dict:
    """Drop answers to questions hidden by skip logic (in questionnaire order, so a chain of
    conditions resolves)."""
    kept: dict = {}
    for screen in screens:
        for q in screen.questions:
            if q.code in answers and skip_logic.is_shown(q, kept):
                kept[q.code] = answers[q.code]
    return kept


def first_incomplete(screens: list[Screen], answers: dict) -> int | None:
    """The index of the first shown screen with a required visible question left empty."""
    for i, screen in enumerate(screens):
        for q in screen.questions:
            if q.required and skip_logic.is_shown(q, answers) and q.code not in answers:
                return i
    return None


def parse_screen(questions: list[Question], data) -> tuple[dict, dict[str, str]]:
    """The values posted for ``questions`` (a QueryDict) and an error message per question code."""
    values: dict = {}
    errors: dict[str, str] = {}
    for q in questions:
        name = f"q_{q.code}"
        if q.type == QuestionType.MULTI:
            raw_list = [v for v in data.getlist(name) if v]
            if NA in raw_list and q.allow_na:
                values[q.code] = NA
                continue
            allowed = set(q.option_codes())
            bad = [v for v in raw_list if v not in allowed]
            if bad:
                errors[q.code] = _("Lựa chọn không hợp lệ.")
            elif raw_list:
                values[q.code] = [c for c in q.option_codes() if c in raw_list]
            continue
        raw = (data.get(name) or "").strip()
        if raw == "":
            continue
        if raw == NA:
            if q.allow_na:
                values[q.code] = NA
            else:
                errors[q.code] = _("Câu hỏi này không có lựa chọn “không áp dụng”.")
            continue
        if q.type == QuestionType.SCALE5:
            if raw in {"1", "2", "3", "4", "5"}:
                values[q.code] = int(raw)
            else:
                errors[q.code] = _("Hãy chọn một mức từ 1 đến 5.")
        elif q.type == QuestionType.CHOICE:
            if raw in q.option_codes():
                values[q.code] = raw
            else:
                errors[q.code] = _("Lựa chọn không hợp lệ.")
        elif q.type in (QuestionType.NUMBER, QuestionType.INTEGER):
            try:
                number = Decimal(raw.replace(",", "."))
            except InvalidOperation:
                errors[q.code] = _("Hãy nhập một số.")
                continue
            if not number.is_finite() or abs(number) >= Decimal(10) ** 12:
                errors[q.code] = _("Hãy nhập một số.")
            elif q.type == QuestionType.INTEGER and number != number.to_integral_value():
                errors[q.code] = _("Hãy nhập một số nguyên (ví dụ 2), không có phần thập phân.")
            else:
                values[q.code] = skip_logic.number_text(number)
        else:
            if len(raw) > TEXT_MAX:
                errors[q.code] = _("Tối đa %(n)s ký tự.") % {"n": TEXT_MAX}
            else:
                values[q.code] = raw
    return values, errors


def required_errors(questions: list[Question], values: dict, answers_before: dict) -> dict[str, str]:
    """Required visible questions of this screen left empty."""
    merged = {**answers_before, **values}
    return {
        q.code: _("Câu hỏi này bắt buộc.")
        for q in questions
        if q.required and q.code not in values and skip_logic.is_shown(q, merged)
    }


def field_rows(questions: list[Question], answers: dict, errors: dict[str, str]) -> list[dict]:
    """What the template needs to draw each question: its options with their checked state."""
    rows = []
    for q in questions:
        current = answers.get(q.code)
        chosen = skip_logic.answer_strings(current)
        if q.type == QuestionType.SCALE5:
            options = [{"code": str(k), "label": str(v)} for k, v in SCALE5_LABELS.items()]
        elif q.type in (QuestionType.CHOICE, QuestionType.MULTI):
            options = [{"code": str(o["code"]), "label": o.get("label", o["code"])} for o in q.options or []]
        else:
            options = []
        for o in options:
            o["checked"] = o["code"] in chosen
        rows.append(
            {
                "q": q,
                "name": f"q_{q.code}",
                "id": f"q-{q.pk}",
                "options": options,
                "na_checked": current == NA,
                "value": "" if current in (None, NA) or isinstance(current, list) else current,
                "error": errors.get(q.code, ""),
                "multi": q.type == QuestionType.MULTI,
                "grouped": q.type in (QuestionType.SCALE5, QuestionType.CHOICE, QuestionType.MULTI),
            }
        )
    return rows


# --- the filters of the secretariat's lists -------------------------------------------------------

_ID = re.compile(r"[0-9]{1,18}")  # a database id: ASCII digits that fit a 64-bit integer


def filter_id(raw: str) -> int | None:
    """The id a filter names, or None (the filter is ignored) for anything else: "²", a
    30-digit number (an overflow in the database, formerly a 500) or text."""
    return int(raw) if _ID.fullmatch(raw or "") else None


# --- the secretariat's campaign form ---------------------------------------------------------------

MARGINS = [("0.05", "±5%"), ("0.07", "±7%"), ("0.10", "±10%")]


class CampaignForm(_forms.Form):
    """A campaign: questionnaire, period, the unit types surveyed (within the secretariat's
    subtree), a target sample per unit (typed, or from the sampling guidance) and channels."""

    questionnaire = _forms.ModelChoiceField(label=gettext_lazy("Bộ câu hỏi"), queryset=None)
    period = _forms.IntegerField(label=gettext_lazy("Năm khảo sát"), min_value=2000, max_value=2100)
    unit_types = _forms.ModelMultipleChoiceField(
        label=gettext_lazy("Loại đơn vị được khảo sát"), queryset=None, widget=_forms.CheckboxSelectMultiple
    )
    target = _forms.IntegerField(
        label=gettext_lazy("Số phiếu mục tiêu mỗi đơn vị"),
        required=False,
        min_value=1,
        max_value=100_000,
        help_text=gettext_lazy(
            "Để trống: theo hướng dẫn chọn mẫu (độ tin cậy 95%, sai số chọn dưới đây), hiệu chỉnh theo "
            "số hồ sơ đơn vị tiếp nhận năm trước."
        ),
    )
    margin = _forms.ChoiceField(label=gettext_lazy("Sai số cho phép"), choices=MARGINS, initial="0.05")
    channels = _forms.MultipleChoiceField(
        label=gettext_lazy("Kênh khảo sát"), choices=(), widget=_forms.CheckboxSelectMultiple
    )
    public = _forms.BooleanField(
        label=gettext_lazy("Mở đường dẫn công khai (không cần thư mời)"), required=False
    )
    starts_on = VnDateField(
        label=gettext_lazy("Nhận phiếu từ ngày"),
        required=False,
        help_text=gettext_lazy("ngày/tháng/năm; để trống: nhận phiếu ngay"),
    )
    ends_on = VnDateField(
        label=gettext_lazy("Nhận phiếu đến hết ngày"),
        required=False,
        help_text=gettext_lazy("ngày/tháng/năm; để trống: đến khi đóng đợt khảo sát"),
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("starts_on"), data.get("ends_on")
        if start and end and end < start:
            self.add_error("ends_on", _("Ngày kết thúc phải sau ngày bắt đầu."))
        return data

    def __init__(self, *args, questionnaires, unit_types, **kwargs):
        from cchc.surveys.models import ResponseChannel

        super().__init__(*args, **kwargs)
        self.fields["questionnaire"].queryset = questionnaires
        self.fields["unit_types"].queryset = unit_types
        self.fields["channels"].choices = ResponseChannel.choices
