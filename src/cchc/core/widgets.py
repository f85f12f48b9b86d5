"""Form widgets that read the same whatever the browser's locale.

``<input type="date">`` shows and takes dates in the browser's locale (mm/dd/yyyy on the en-US
machines many offices run): ``VnDateInput`` is a text input that shows ``dd/mm/yyyy`` and takes
``dd/mm/yyyy`` or ISO ``yyyy-mm-dd`` (what links and older
bookmarks carry). Templates that draw a date input by hand include ``partials/date_input.html``.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from cchc.core import dates

DISPLAY_FORMAT = "%d/%m/%Y"
PLACEHOLDER = "dd/mm/yyyy"


def parse_date(text: str | None) -> dt.date | None:
    """A date typed as dd/mm/yyyy (or ISO), through the one parser of :mod:`cchc.core.dates`;
    None when empty. Raises ValueError (``DateError``) when unreadable."""
    text = (text or "").strip()
    return dates.parse_date(text) if text else None


def format_date(value) -> str:
    """dd/mm/yyyy for a date; a typed string is shown back as typed."""
    if isinstance(value, dt.date):
        return value.strftime(DISPLAY_FORMAT)
    return "" if value is None else str(value)


class VnDateInput(forms.DateInput):
    input_type = "text"
    template_name = "partials/date_input.html"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format=DISPLAY_FORMAT)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        w = context["widget"]
        extra = {k: v for k, v in w["attrs"].items() if k not in {"id", "required"}}
        context.update(
            id=w["attrs"].get("id", ""),
            name=w["name"],
            value=w["value"],
            required=w["attrs"].get("required", False),
            attrs=extra,
        )
        return context

    def _render(self, template_name, context, renderer=None):
        # The project's template engine (the partial is shared with hand-written templates),
        # not the form renderer's, which only knows Django's own widget templates.
        from django.template.loader import render_to_string
        from django.utils.safestring import mark_safe

        return mark_safe(render_to_string(template_name, context))  # noqa: S308 — a template's output


class VnDateField(forms.DateField):
    widget = VnDateInput
    default_error_messages = {"invalid": _("Nhập ngày theo dạng ngày/tháng/năm, ví dụ 13/12/2021.")}

    def to_python(self, value):
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        try:
            return parse_date(value)
        except ValueError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None
