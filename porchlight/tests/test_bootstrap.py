"""The README's ./dev script on a machine without what it needs."""

import hashlib
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def fake_python(tmp_path: Path, fail_on: str) -> Path:
    """A python3 that behaves like the real one, except that importing `fail_on` fails."""
    script = tmp_path / "python3"
    script.write_text(
        f'#!/bin/sh\ncase "$*" in *{fail_on}*) echo "No module named {fail_on}" >&2; exit 1;; esac\nexec {sys.executable} "$@"\n'
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return script


def run_dev(tmp_path: Path, python: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHON": str(python), "PORCHLIGHT_VENV": str(tmp_path / "venv")}
    return subprocess.run(
        [str(ROOT / "dev"), *args], capture_output=True, text=True, env=env, timeout=60
    )


def test_missing_venv_says_what_to_install(tmp_path):
    r = run_dev(tmp_path, fake_python(tmp_path, "ensurepip"), "test")
    assert r.returncode == 1
    assert "apt-get install python3-venv" in r.stderr
    assert not (tmp_path / "venv").exists()


def test_old_python_is_refused_with_the_reason(tmp_path):
    old = tmp_path / "python3"
    old.write_text(
        '#!/bin/sh\ncase "$*" in *version_info*) exit 1;; *--version*) echo "Python 3.9.2";; esac\n'
    )
    old.chmod(0o755)
    r = run_dev(tmp_path, old, "demo")
    assert r.returncode == 1
    assert "3.11 or newer" in r.stderr


def test_unknown_command_prints_usage(tmp_path):
    r = run_dev(tmp_path, Path(sys.executable), "frobnicate")
    assert r.returncode == 2
    assert "./dev demo" in r.stdout and "./dev test" in r.stdout


def fake_venv(tmp_path: Path) -> Path:
    """An installed-looking virtualenv whose python prints the arguments ./dev gives it."""
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    stamp = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    (venv / ".installed").write_text(stamp + "\n")
    python = venv / "bin" / "python"
    python.write_text('#!/bin/sh\necho "python $*"\n')
    python.chmod(0o755)
    return venv


def dev_test(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, "PORCHLIGHT_VENV": str(fake_venv(tmp_path)), **env}
    return subprocess.run(
        [str(ROOT / "dev"), "test", *args], capture_output=True, text=True, env=full, timeout=60
    )


@pytest.mark.parametrize(
    "args, parallel",
    [
        ((), True),
        (("-q", "-p", "no:randomly", "-m", "not crashloop"), True),
        (("-n", "0"), False),
        (("-n4",), False),
        (("--numprocesses=3",), False),
        (("-p", "no:xdist"), False),
        (("-s", "porchlight/notify/tests/test_crash_kill.py"), False),
        (("--pdb",), False),
    ],
)
def test_dev_test_uses_every_core_unless_told_otherwise(tmp_path, args, parallel):
    r = dev_test(tmp_path, *args)
    assert r.returncode == 0, r.stderr
    added = "-n auto --dist worksteal " if parallel else ""
    assert r.stdout.strip() == f"python -m pytest {added}{' '.join(args)}".strip()


def test_dev_test_sets_up_the_system_first_and_stops_when_it_cannot(tmp_path, machine):
    # Chromium missing, not root, no working sudo: the setup script's message, and pytest never
    # starts (the fake python would print).
    r = dev_test(
        tmp_path,
        PATH=f"{machine.dir / 'bin'}:{os.environ['PATH']}",
        SETUP_TESTS_CHROMIUM=str(machine.chromium),
        SHIM_LOG=str(machine.dir / "calls.log"),
        FAKE_UID="1000",
        FAKE_SUDO="refuses",
    )
    assert r.returncode == 1
    assert "sudo apt-get install chromium" in r.stderr
    assert "python -m pytest" not in r.stdout


def test_ci_and_dev_share_the_setup_script():
    # .ci/run installs through the same script, so a step missing from it fails CI too.
    # Comments aside, it names no apt-get, Chromium or gettext of its own.
    lines = (ROOT / ".ci" / "run").read_text().splitlines()
    code = "\n".join(line for line in lines if not line.lstrip().startswith("#"))
    assert "scripts/setup-tests" in code
    for own in ("apt-get", "chromium", "gettext", "msgfmt"):
        assert own not in code.lower(), own
