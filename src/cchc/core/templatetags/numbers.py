"""Number filters for tables with many figures.

``floatformat`` localises each value through ``Decimal`` and ``number_format`` (tens of
microseconds a value): the dossier dashboard's unit table, 169 units × 15 figures, spent half
of its page there. These give the same text — the active language's separators, thousands
grouped — from Python's own formatting, reading the separators once per language.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template
from django.utils.formats import get_format
from django.utils.translation import get_language

register = template.Library()

_SEPARATORS: dict[str | None, tuple[str, str]] = {}


def _separators() -> tuple[str, str]:
    language = get_language()
    found = _SEPARATORS.get(language)
    if found is None:
        found = _SEPARATORS[language] = (
            str(get_format("DECIMAL_SEPARATOR")),
            str(get_format("THOUSAND_SEPARATOR")),
        )
    return found


def format_number(value, places: int = 0) -> str:
    """``1234567`` → "1.234.567", ``(89.344, 2)`` → "89,34" in Vietnamese ("1,234,567" and
    "89.34" in English); rounding half away from zero as ``floatformat``; "" for None or text
    that is not a number."""
    if value is None or value == "":
        return ""
    try:
        number = value if isinstance(value, int | Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return ""
    if places == 0 and isinstance(number, int):
        text = f"{number:,}"
    else:
        exponent = Decimal(1).scaleb(-places)
        rounded = Decimal(number).quantize(exponent, rounding=ROUND_HALF_UP)
        text = f"{rounded if rounded else abs(rounded):,.{places}f}"  # no "-0"
    decimal_sep, thousand_sep = _separators()
    if decimal_sep == "." and thousand_sep == ",":
        return text
    return text.replace(",", "\0").replace(".", decimal_sep).replace("\0", thousand_sep)


@register.filter
def grouped(value, places: int = 0) -> str:
    """``{{ n|grouped }}`` — a count with thousands grouped; ``{{ rate|grouped:2 }}`` — two places."""
    return format_number(value, int(places))
