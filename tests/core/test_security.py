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


def test_check_deploy_fails_without_a_secret_key(tmp_path):
    r = run_check(tmp_path)
    assert r.returncode != 0
    assert "cchc.E001" in r.stderr + r.stdout
