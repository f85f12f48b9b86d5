from __future__ import annotations

import pytest

from cchc.workdays.calendar import WorkCalendar
from cchc.workdays.services import DEFAULT_OVERRIDES_FILE, parse_overrides, statutory_calendar


def shipped_calendar(**options) -> WorkCalendar:
    """The statutory calendar with the shipped overrides, without the database."""
    rows = parse_overrides(DEFAULT_OVERRIDES_FILE)
    return WorkCalendar(
        base=statutory_calendar(),
        days_off={r.date: r.name for r in rows if r.kind == "day_off"},
        working_days={r.date: r.name for r in rows if r.kind == "working_day"},
        **options,
    )


@pytest.fixture(scope="session")
def vn() -> WorkCalendar:
    return shipped_calendar()


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    from cchc.workdays.services import clear_calendar_cache

    clear_calendar_cache()
    yield
    clear_calendar_cache()


@pytest.fixture
def overrides(db):
    """The shipped overrides in the database. The data migration loads them, but a
    transactional test elsewhere in the suite may have flushed the table since."""
    from cchc.workdays.services import load_overrides

    load_overrides()


@pytest.fixture
def _keep_the_test_connection(monkeypatch):
    """``cchc.cli.main`` closes every connection after a command, as a shell run does; inside a
    test transaction (PostgreSQL) that would end the test's own connection."""
    from django.db import connections

    monkeypatch.setattr(connections, "close_all", lambda: None)
