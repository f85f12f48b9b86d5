"""The shared date parser: every accepted spelling of a moment reads back as that moment."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cchc.core.dates import VN, DateError, at_noon, parse_date, parse_datetime

moments = st.datetimes(min_value=dt.datetime(1976, 1, 1), max_value=dt.datetime(2100, 12, 31)).map(
    lambda m: m.replace(microsecond=0)
)


@given(moments)
def test_every_spelling_of_a_moment_round_trips(moment):
    expected = moment.replace(tzinfo=VN)
    spellings = [
        moment.strftime("%d/%m/%Y %H:%M:%S"),
        moment.isoformat(),
        moment.isoformat(sep=" "),
        f"{moment.day}/{moment.month}/{moment.year} {moment:%H:%M:%S}",
        moment.replace(tzinfo=VN).isoformat(),
        moment,  # an Excel date-time cell
    ]
    for text in spellings:
        assert parse_datetime(text) == expected, text
    assert parse_datetime(moment.strftime("%d/%m/%Y %H:%M")) == expected.replace(second=0)


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_every_spelling_of_a_date_round_trips(day):
    for text in (day.strftime("%d/%m/%Y"), day.isoformat(), day, dt.datetime.combine(day, dt.time())):
        assert parse_date(text) == day
    assert parse_datetime(day.strftime("%d/%m/%Y"), date_alone=at_noon) == at_noon(day).replace(tzinfo=VN)


@pytest.mark.parametrize(
    "raw", ["", "hôm qua", "31/02/2024", "2024-13-01", "04/03/21", "2024/03/04", "12:00"]
)
def test_what_is_not_a_date_is_a_translated_error(raw):
    with pytest.raises(DateError):
        parse_datetime(raw, date_alone=at_noon)


def test_a_date_alone_is_refused_where_a_time_is_needed():
    with pytest.raises(DateError, match="cần cả giờ"):
        parse_datetime("04/03/2021")
