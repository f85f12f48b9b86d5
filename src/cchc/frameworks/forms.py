"""Forms of the framework editor. They only parse what the user typed (Vietnamese decimals
with a comma are accepted); the rules of a framework are checked by the services with the
import's own validation."""

from __future__ import annotations

import re
from decimal import Decimal

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from cchc.core.importing import parse_decimal
from cchc.frameworks.models import Node
from cchc.frameworks.scoring import RULE_TYPES

RULE_LABELS = {
    "manual": _("Chấm tay (0 đến tối đa, theo bước)"),
    "yes_no": _("Có/không (0 hoặc tối đa)"),
    "thresholds": _("Theo ngưỡng của chỉ tiêu"),
    "proportional": _("Tỷ lệ theo chỉ tiêu"),
    "deduction": _("Trừ điểm theo số lần vi phạm"),
    "survey": _("Theo chỉ số khảo sát"),
}
RULE_SHORT_LABELS = {
    "manual": _("Chấm tay"),
    "yes_no": _("Có/không"),
    "thresholds": _("Theo ngưỡng"),
    "proportional": _("Tỷ lệ"),
    "deduction": _("Trừ điểm"),
    "survey": _("Khảo sát"),
}
RULE_KEYS = {"type", "indicator", "step", "steps", "full_at", "per_event"}


def plain(value: Decimal | None):
    """A decimal as the int or float the YAML format (and the JSON rule) holds."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


class DecimalText(forms.CharField):
    """A decimal typed as ``1,5`` or ``1.5``."""

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        try:
            return parse_decimal(value)
        except ValueError:
            raise forms.ValidationError(_("Không phải là số: %(v)s"), params={"v": value}) from None

    def prepare_value(self, value):
        if isinstance(value, Decimal):
            return format(value.normalize(), "f").replace(".", ",")
        if isinstance(value, (int, float)):
            return str(value).replace(".", ",")
        return value


def format_steps(steps) -> str:
    return "\n".join(
        f"{DecimalText().prepare_value(s.get('min'))}: {DecimalText().prepare_value(s.get('points'))}"
        for s in steps or []
    )


STEP_LINE = re.compile(r"^\s*(?P<min>[-\d.,]+)\s*(?::|=|→|->)\s*(?P<points>[-\d.,]+)\s*$")


def parse_steps(text: str) -> list[dict]:
    steps, errors = [], []
    for line_no, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        match = STEP_LINE.match(line)
        try:
            if not match:
                raise ValueError
            steps.append(
                {"min": plain(parse_decimal(match["min"])), "points": plain(parse_decimal(match["points"]))}
            )
        except ValueError:
            errors.append(
                _("Dòng %(n)s: cần dạng “ngưỡng: điểm”, ví dụ 98: 2 (có: %(line)s)")
                % {"n": line_no, "line": line.strip()}
            )
    if errors:
        raise forms.ValidationError(errors)
    return steps


class NodeForm(forms.Form):
    """Edit one node. Frozen fields (maximum, evidence flag, rule) are disabled when the
    framework is scored; rule fields exist only for leaves."""

    name = forms.CharField(label=_("Tên"), widget=forms.Textarea(attrs={"rows": 2}))
    guidance = forms.CharField(
        label=_("Hướng dẫn chấm điểm"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    max_points = DecimalText(
        label=_("Điểm tối đa"),
        required=False,
        help_text=_("Để trống ở một nhóm: bằng tổng điểm tối đa của các tiêu chí con."),
    )
    evidence_required = forms.BooleanField(label=_("Yêu cầu tài liệu kiểm chứng"), required=False)
    responsible_unit = forms.CharField(
        label=_("Đơn vị cung cấp tài liệu kiểm chứng (mã đơn vị)"), required=False, max_length=50
    )
    rule_type = forms.ChoiceField(
        label=_("Cách chấm điểm"), choices=[(t, RULE_LABELS[t]) for t in sorted(RULE_TYPES)], required=False
    )
    indicator = forms.CharField(
        label=_("Chỉ tiêu (mã)"),
        required=False,
        max_length=100,
        help_text=_("Với cách chấm theo ngưỡng, tỷ lệ, trừ điểm, khảo sát; ví dụ dossiers.on_time_rate"),
    )
    step = DecimalText(label=_("Bước chấm (chấm tay)"), required=False, help_text=_("Mặc định 0,25"))
    steps = forms.CharField(
        label=_("Các ngưỡng (theo ngưỡng)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Mỗi dòng “ngưỡng: điểm”, ngưỡng cao nhất trước, ví dụ 98: 2"),
    )
    full_at = DecimalText(label=_("Giá trị đạt điểm tối đa (tỷ lệ)"), required=False)
    per_event = DecimalText(label=_("Điểm trừ mỗi lần (trừ điểm)"), required=False)

    RULE_FIELDS = ("rule_type", "indicator", "step", "steps", "full_at", "per_event")
    STRUCTURAL = ("max_points", "evidence_required") + RULE_FIELDS

    def __init__(self, *args, is_leaf: bool = True, locked: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.is_leaf = is_leaf
        self.locked = locked
        if not is_leaf:
            for name in self.RULE_FIELDS:
                del self.fields[name]
        if locked:
            for name in self.STRUCTURAL:
                if name in self.fields:
                    self.fields[name].disabled = True

    def main_fields(self):
        return [self[name] for name in self.fields if name not in self.RULE_FIELDS]

    def rule_fields(self):
        return [self[name] for name in self.fields if name in self.RULE_FIELDS]

    @classmethod
    def initial_for(cls, node: Node) -> dict:
        rule = node.rule or {}
        return {
            "name": node.name,
            "guidance": node.guidance,
            "max_points": node.max_points,
            "evidence_required": node.evidence_required,
            "responsible_unit": node.responsible_unit.code if node.responsible_unit is not None else "",
            "rule_type": rule.get("type", "manual"),
            "indicator": rule.get("indicator", ""),
            "step": rule.get("step"),
            "steps": format_steps(rule.get("steps")),
            "full_at": rule.get("full_at"),
            "per_event": rule.get("per_event"),
            "_rule": rule,
        }

    def clean_steps(self):
        return parse_steps(self.cleaned_data.get("steps") or "")

    def clean(self):
        data = super().clean()
        if self.is_leaf and not self.locked and "rule_type" in self.fields and not self.errors:
            data["rule"] = self.build_rule(data)
        return data

    def build_rule(self, data) -> dict:
        """The rule mapping of the chosen type, with the parameters that type uses; other keys of
        the node's current rule (e.g. notes) are kept when the type does not change."""
        kind = data.get("rule_type") or "manual"
        base = dict(self.initial.get("_rule") or {})
        rule = {k: v for k, v in base.items() if k not in RULE_KEYS} if base.get("type") == kind else {}
        rule["type"] = kind
        if kind == "manual" and data.get("step") is not None:
            rule["step"] = plain(data["step"])
        if kind in {"thresholds", "proportional", "deduction", "survey"}:
            rule["indicator"] = (data.get("indicator") or "").strip()
        if kind == "thresholds":
            rule["steps"] = data.get("steps") or []
        if kind == "proportional":
            rule["full_at"] = plain(data.get("full_at") or Decimal(0))
        if kind == "deduction":
            rule["per_event"] = plain(data.get("per_event") or Decimal(0))
        return rule

    def service_fields(self) -> dict:
        data = self.cleaned_data
        fields = {
            "name": data["name"].strip(),
            "guidance": data.get("guidance", ""),
            "responsible_unit": (data.get("responsible_unit") or "").strip(),
        }
        if not self.locked:
            fields["evidence_required"] = data.get("evidence_required", False)
            fields["max_points"] = data.get("max_points")
            if "rule" in data:
                fields["rule"] = data["rule"]
        return fields


class NewNodeForm(NodeForm):
    code = forms.CharField(label=_("Mã"), max_length=30)

    field_order = ["code", "name"]

    def service_fields(self) -> dict:
        fields = super().service_fields()
        fields.setdefault("rule", {"type": "manual"})
        return fields


HEX_COLOR = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Màu dạng #RRGGBB, ví dụ #15803d."))


class BandForm(forms.Form):
    code = forms.SlugField(label=_("Mã"), max_length=30)
    name = forms.CharField(label=_("Tên"), max_length=60)
    min = DecimalText(label=_("Chỉ số tối thiểu"))
    min_field_ratio = DecimalText(label=_("Mỗi lĩnh vực đạt tối thiểu (tỷ lệ 0–1)"), required=False)
    color = forms.CharField(
        label=_("Màu"), max_length=7, validators=[HEX_COLOR], widget=forms.TextInput(attrs={"type": "color"})
    )


class BaseBandFormSet(forms.BaseFormSet):
    def bands(self) -> list[dict]:
        return [
            {
                "code": f.cleaned_data["code"],
                "name": f.cleaned_data["name"].strip(),
                "min": f.cleaned_data["min"],
                "min_field_ratio": f.cleaned_data.get("min_field_ratio"),
                "color": f.cleaned_data["color"].lower(),
            }
            for f in self.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]


BandFormSet = forms.formset_factory(BandForm, formset=BaseBandFormSet, extra=1, can_delete=True)


class CopyForm(forms.Form):
    code = forms.CharField(label=_("Mã bộ chỉ số mới"), max_length=60)
    year = forms.IntegerField(label=_("Năm áp dụng"), min_value=2000, max_value=2100)
    name = forms.CharField(label=_("Tên"), max_length=255)
    link_previous = forms.BooleanField(
        label=_("So sánh thứ hạng với bộ chỉ số gốc (bộ chỉ số năm trước)"), required=False, initial=True
    )
