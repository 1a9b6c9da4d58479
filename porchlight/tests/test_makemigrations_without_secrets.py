"""`python manage.py makemigrations` in a checkout with no secrets set says which environment
variables are missing, plainly (no traceback), and works once a development checkout says so."""

from __future__ import annotations

import subprocess
import sys

from porchlight.tests.production import ROOT, bare_env


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=300,
    )  # fmt: skip


def test_makemigrations_without_secrets_names_every_missing_variable(tmp_path):
    result = manage(bare_env(tmp_path), "makemigrations", "--check", "--dry-run")
    assert result.returncode == 1
    said = result.stderr + result.stdout
    assert "PORCHLIGHT_SECRET_KEY and PORCHLIGHT_PII_KEY" in said
    assert "Traceback" not in said and "aren't loaded yet" not in said
    assert said.startswith("porchlight: the settings cannot load: Set ")


def test_one_missing_secret_is_named_alone(tmp_path):
    env = bare_env(tmp_path, PORCHLIGHT_SECRET_KEY="a-secret-for-this-test-only-0123456789")
    result = manage(env, "makemigrations", "--check", "--dry-run")
    assert result.returncode == 1
    assert "Set PORCHLIGHT_PII_KEY in the environment" in result.stderr
    assert "PORCHLIGHT_SECRET_KEY" not in result.stderr


def test_a_development_checkout_makes_migrations(tmp_path):
    result = manage(bare_env(tmp_path, DEBUG="1"), "makemigrations", "--check", "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "No changes detected" in result.stdout
