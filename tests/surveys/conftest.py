"""Fixtures shared by the surveys tests (core: core_fixtures.py; public pages: see below)."""

from tests.surveys.core_fixtures import sipas, write_csv  # noqa: F401
