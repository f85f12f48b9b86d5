"""The production deploy check and the refusal to run on the development key."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

CCHC = Path(sys.executable).parent / "cchc"


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


def test_the_app_refuses_to_start_with_debug_off_and_no_secret_key(tmp_path):
    r = run_check(tmp_path)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert (
        "cchc: configuration error: DJANGO_SECRET_KEY is not set and DJANGO_DEBUG is off: refusing to start"
        in r.stderr
    )


def test_the_settings_refuse_the_missing_key_at_import(tmp_path):
    """A WSGI server imports the settings: the refusal happens there, before any request."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CCHC_", "PYTEST"))}
    env.update({"CCHC_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "cchc.settings"})
    code = "from cchc.wsgi import application"
    r = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode != 0 and "refusing to start on the development key" in r.stderr
    r = subprocess.run(
        [sys.executable, "-c", code], env={**env, "DJANGO_DEBUG": "1"}, capture_output=True, text=True
    )
    assert r.returncode == 0, r.stderr


def test_check_deploy_refuses_the_development_key_given_explicitly(tmp_path):
    from django.conf import settings

    r = run_check(tmp_path, DJANGO_SECRET_KEY=settings.DEV_SECRET_KEY)
    assert r.returncode != 0
    assert "cchc.E001" in r.stderr + r.stdout
