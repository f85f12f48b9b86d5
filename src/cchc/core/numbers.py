"""Numbers in the Vietnamese form, whatever the reader's browser: ``89,34`` — ``1.234.567``.

For text that is stored or read the same by everyone (a score's change history, a target's
status sentence); tables that follow the page's language use the ``grouped`` template filter
(:mod:`cchc.core.templatetags.numbers`)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation


def vn_number(value, places: int = 2) -> str:
    """``Decimal("89.344")`` → "89,34", ``1234567`` with 0 places → "1.234.567"; "" for None or
    ""; text that is not a number is given back as it is."""
    if value is None or value == "":
        return ""
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    text = f"{number:,.{places}f}"
    return text.replace(",", "\u2009").replace(".", ",").replace("\u2009", ".")
