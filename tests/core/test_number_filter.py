"""The table filter ``grouped`` writes what ``floatformat`` writes, in both languages."""

from decimal import Decimal

import pytest
from django.template.defaultfilters import floatformat
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from cchc.core.templatetags.numbers import format_number

pytestmark = pytest.mark.django_db(databases=[])


@pytest.mark.parametrize(
    ("language", "value", "places", "expected"),
    [
        ("vi", 1234567, 0, "1.234.567"),
        ("vi", Decimal("89.344"), 2, "89,34"),
        ("vi", 89.345, 2, "89,35"),
        ("vi", None, 0, ""),
        ("vi", "không phải số", 2, ""),
        ("en", 1234567, 0, "1,234,567"),
        ("en", Decimal("89.344"), 2, "89.34"),
    ],
)
def test_it_writes_the_languages_form(language, value, places, expected):
    with translation.override(language):
        assert format_number(value, places) == expected


@given(
    value=st.one_of(
        st.integers(min_value=-(10**12), max_value=10**12),
        st.decimals(min_value=-(10**6), max_value=10**6, places=4, allow_nan=False, allow_infinity=False),
    ),
    places=st.sampled_from([0, 1, 2]),
    language=st.sampled_from(["vi", "en"]),
)
def test_it_agrees_with_floatformat(value, places, language):
    with translation.override(language):
        assert format_number(value, places) == floatformat(value, f"{places}g")
