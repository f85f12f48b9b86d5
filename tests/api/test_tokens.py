"""API tokens: an expiry and a last-used time; listed and revoked from the CLI and the admin;
an expired or revoked token gets 401."""

from __future__ import annotations

import io
from contextlib import redirect_stdout
from datetime import timedelta
from unittest import mock

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone

from cchc import cli
from cchc.api.models import ApiToken


def cchc(*args) -> str:
    """Runs ``cchc ARGS`` in this process (the test database), returns what it printed. Django
    closes every connection after a command run from the command line: in a test that is the
    test's own connection, inside its transaction (PostgreSQL then refuses every later query),
    so the close is held back here."""
    out = io.StringIO()
    with redirect_stdout(out), mock.patch("django.core.management.base.connections.close_all"):
        cli.main(["cchc", *args])
    return out.getvalue()


def units(key):
    return Client().get("/api/units", HTTP_AUTHORIZATION=f"Bearer {key}")


def create(username, name, *extra) -> tuple[ApiToken, str]:
    key = cchc("create-api-token", username, "--name", name, *extra).strip()
    return ApiToken.objects.get(user__username=username, name=name), key


def test_a_new_token_expires_after_the_default_lifetime(people, settings):
    settings.API_TOKEN_DAYS = 30
    token, key = create("officer_a", "script")
    assert abs(token.expires - (timezone.now() + timedelta(days=30))) < timedelta(minutes=1)
    assert units(key).status_code == 200
    token.refresh_from_db()
    assert token.last_used is not None


def test_days_zero_never_expires_and_negative_days_are_refused(people):
    token, _key = create("officer_a", "forever", "--days", "0")
    assert token.expires is None
    with pytest.raises(CommandError, match="--days"):
        call_command("create_api_token", "officer_a", "--days", "-1")


def test_an_expired_token_gets_401(people):
    token, key = create("officer_a", "short", "--days", "1")
    ApiToken.objects.filter(pk=token.pk).update(expires=timezone.now() - timedelta(seconds=1))
    assert units(key).status_code == 401
    token.refresh_from_db()
    assert token.last_used is None


def test_list_shows_usable_tokens_and_all_with_their_state(people):
    a, _ = create("officer_a", "a-script")
    b, key_b = create("officer_b", "b-script")
    units(key_b)
    old, _ = create("officer_a", "old")
    ApiToken.objects.filter(pk=old.pk).update(expires=timezone.now() - timedelta(days=1))
    listed = cchc("api-token", "list")
    lines = listed.splitlines()
    assert lines[0].split("\t") == ["id", "user", "name", "created", "expires", "last_used", "status"]
    rows = {line.split("\t")[0]: line.split("\t") for line in lines[1:]}
    assert set(rows) == {str(a.pk), str(b.pk)}
    assert rows[str(b.pk)][5] != "-" and rows[str(a.pk)][5] == "-"  # last used
    every = cchc("api-token", "list", "--all", "--user", "officer_a")
    states = {line.split("\t")[2]: line.split("\t")[6] for line in every.splitlines()[1:]}
    assert states == {"a-script": "active", "old": "expired"}


def test_revoke_by_id_then_by_user_gives_401(people):
    a, key_a = create("officer_a", "a1")
    a2, key_a2 = create("officer_a", "a2")
    b, key_b = create("officer_b", "b1")
    assert cchc("api-token", "revoke", str(a.pk)).strip() == "revoked 1 token(s)"
    assert units(key_a).status_code == 401
    assert units(key_a2).status_code == 200
    assert cchc("api-token", "revoke", "--user", "officer_a").strip() == "revoked 1 token(s)"
    assert units(key_a2).status_code == 401
    assert units(key_b).status_code == 200
    a.refresh_from_db()
    assert a.revoked is not None and a.status == "revoked"


def test_revoke_an_unknown_id_changes_nothing(people):
    a, key_a = create("officer_a", "a1")
    with pytest.raises(CommandError, match=f"no token with id {a.pk + 100}"):
        call_command("api_token", "revoke", str(a.pk), str(a.pk + 100))
    assert units(key_a).status_code == 200
    with pytest.raises(CommandError, match="one of the two"):
        call_command("api_token", "revoke")


def test_the_admin_lists_and_revokes_tokens(people, client):
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.create_superuser("quan_tri", "qt@example.vn", "Mat-khau-thu-nghiem-1")
    client.force_login(admin)
    token, key = create("officer_a", "a1")
    page = client.get("/admin/api/apitoken/")
    assert page.status_code == 200 and "a1" in page.content.decode()
    assert client.get("/admin/api/apitoken/add/").status_code == 403
    r = client.post(
        "/admin/api/apitoken/",
        {"action": "revoke", "_selected_action": [token.pk]},
        follow=True,
    )
    assert "Đã thu hồi 1 khoá" in r.content.decode()
    assert units(key).status_code == 401
