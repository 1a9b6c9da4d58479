"""The README's ./dev script on a machine without what it needs."""

import os
import stat
import subprocess
import sys
from pathlib import Path

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
