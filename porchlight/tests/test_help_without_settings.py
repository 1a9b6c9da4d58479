"""Every `porchlight` command's --help works before any setting or secret exists."""

from __future__ import annotations

import pytest

from porchlight.tests.production import ROOT, bare_env, porchlight

OURS = sorted(
    path.stem
    for path in (ROOT / "porchlight").glob("*/management/commands/*.py")
    if not path.stem.startswith("_")
)


def test_our_commands_are_found():
    assert {"createagency", "createstaff", "setup", "worker", "import", "demo"} <= set(OURS)


@pytest.mark.parametrize("command", OURS)
def test_help_needs_no_settings(tmp_path, command):
    result = porchlight(bare_env(tmp_path), command, "--help")
    assert result.returncode == 0, result.stderr
    assert f"usage: porchlight {command}" in result.stdout
    assert "PORCHLIGHT_SECRET_KEY" not in result.stderr


def test_the_command_list_and_help_subcommand_need_no_settings(tmp_path):
    env = bare_env(tmp_path)
    listing = porchlight(env)
    assert listing.returncode == 0, listing.stderr
    for command in OURS:
        assert f"    {command}\n" in listing.stdout
    # Django prints a note when the settings fail to load; they must load.
    assert "only Django core commands" not in listing.stderr + listing.stdout
    assert "ImproperlyConfigured" not in listing.stderr + listing.stdout
    helped = porchlight(env, "help", "createagency")
    assert helped.returncode == 0, helped.stderr
    assert "--non-emergency-number" in helped.stdout


def test_anything_but_help_still_refuses_to_run_without_secrets(tmp_path):
    result = porchlight(bare_env(tmp_path), "check")
    assert result.returncode != 0
    assert "Set PORCHLIGHT_SECRET_KEY" in result.stderr


def test_help_works_where_the_var_directory_cannot_be_made(tmp_path):
    # A read-only install, before the operator has chosen PORCHLIGHT_VAR_DIR.
    env = bare_env(tmp_path, PORCHLIGHT_VAR_DIR="/proc/porchlight/var")
    result = porchlight(env, "createagency", "--help")
    assert result.returncode == 0, result.stderr
    assert "usage: porchlight createagency" in result.stdout
