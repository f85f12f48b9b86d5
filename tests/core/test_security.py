"""Login throttling and the production deploy check."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.cache import cache
from django.test import Client

from tests.factories import make_user

PASSWORD = "Mat-khau-thu-nghiem-1"
CCHC = Path(sys.executable).parent / "cchc"


@pytest.fixture
def user(db, settings):
    settings.LOGIN_MAX_FAILURES = 3
    cache.clear()
    return make_user("thu_ky")


def login(client, password, username="thu_ky"):
    return client.post("/login/", {"username": username, "password": password})


def test_locked_out_after_failures_even_with_the_right_password(user):
    client = Client()
    for _ in range(3):
        r = login(client, "sai")
        assert r.status_code == 200
    r = login(client, PASSWORD)
    assert r.status_code == 429
    assert "_auth_user_id" not in client.session
    assert "Đăng nhập sai quá nhiều lần" in r.content.decode()
    # Another user from another address is not affected.
    make_user("khac")
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert login(other, PASSWORD, "khac").status_code == 302


def test_success_resets_the_counter(user):
    client = Client()
    for _ in range(2):
        login(client, "sai")
    assert login(client, PASSWORD).status_code == 302
    client.logout()
    for _ in range(2):
        assert login(client, "sai").status_code == 200
    # Two failures since the reset: still below the limit of three.
    assert login(client, PASSWORD).status_code == 302


def run_check(tmp_path, **env):
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CCHC_", "PYTEST"))}
    base.update(
        {"CCHC_VAR_DIR": str(tmp_path), "DJANGO_DEBUG": "0", "DJANGO_ALLOWED_HOSTS": "cchc.example.vn"}
    )
    base.update(env)
    return subprocess.run(
        [str(CCHC), "check", "--deploy", "--fail-level", "WARNING"],
        env=base,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_passes_with_production_settings(tmp_path):
    r = run_check(tmp_path, DJANGO_SECRET_KEY=secrets.token_urlsafe(60))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "no issues" in r.stdout


def test_check_deploy_fails_without_a_secret_key(tmp_path):
    r = run_check(tmp_path)
    assert r.returncode != 0
    assert "cchc.E001" in r.stderr + r.stdout
