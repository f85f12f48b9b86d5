import pytest


@pytest.fixture(autouse=True)
def _keep_the_test_connection(monkeypatch):
    """``cchc.cli.main`` runs commands the way a shell does, and Django closes every database
    connection after a command; inside a test transaction (PostgreSQL) that would end the test's
    own connection, so closing is a no-op here."""
    from django.db import connections

    monkeypatch.setattr(connections, "close_all", lambda: None)
