"""When scripts/setup-tests cannot install, it says the one command to run and exits non-zero.

It never prompts for a password (sudo -n) and never pretends: a failed or empty install fails.
"""

from __future__ import annotations


def test_without_root_or_sudo_it_prints_the_exact_command(machine):
    r = machine.run()
    assert r.returncode == 1
    assert "    sudo apt-get install chromium gettext\n" in r.stderr
    assert "missing: chromium gettext" in r.stderr
    # It asked sudo without a prompt, and installed nothing.
    assert machine.calls == ["id -u", "sudo -n true"]


def test_the_command_names_only_what_is_missing(machine):
    machine.install("msgfmt")
    r = machine.run()
    assert r.returncode == 1
    assert "    sudo apt-get install chromium\n" in r.stderr


def test_without_sudo_installed_it_still_prints_the_command(machine):
    (machine.dir / "bin" / "sudo").unlink()
    r = machine.run()
    assert r.returncode == 1
    assert "sudo apt-get install chromium gettext" in r.stderr
    assert machine.calls == ["id -u"]


def test_a_failing_apt_get_fails_the_setup(machine):
    machine.uid = 0
    machine.apt = "fails"
    r = machine.run()
    assert r.returncode != 0
    assert "Unable to locate package" in r.stderr


def test_an_install_that_leaves_chromium_missing_fails_the_setup(machine):
    machine.uid = 0
    machine.apt = "empty"
    r = machine.run()
    assert r.returncode == 1
    assert "still missing" in r.stderr and "chromium gettext" in r.stderr


def test_without_apt_get_it_says_what_to_install(machine):
    machine.has_apt = False
    r = machine.run()
    assert r.returncode == 1
    assert "no apt-get" in r.stderr
    assert "Chromium" in r.stderr and "gettext" in r.stderr
    assert machine.calls == []
