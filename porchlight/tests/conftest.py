"""A fake Debian machine for the setup script's tests: a PATH of shims that log their calls."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SETUP = ROOT / "scripts" / "setup-tests"
BASH = shutil.which("bash") or "/bin/bash"

# Each shim appends one line to $SHIM_LOG: its name and its arguments (plus, for apt-get, the
# DEBIAN_FRONTEND it was given), then behaves as the FAKE_* variables say.
SHIMS = {
    "id": 'echo "id $*" >>"$SHIM_LOG"; echo "$FAKE_UID"',
    "sudo": """echo "sudo $*" >>"$SHIM_LOG"
[ "$FAKE_SUDO" = works ] || { echo "sudo: a password is required" >&2; exit 1; }
[ "$1" = -n ] && shift
[ "$1" = true ] && exit 0
exec "$@"
""",
    # apt-get "installs" by creating the files the setup script looks for.
    "apt-get": """echo "apt-get $* (DEBIAN_FRONTEND=$DEBIAN_FRONTEND)" >>"$SHIM_LOG"
[ "$FAKE_APT" = fails ] && { echo "E: Unable to locate package" >&2; exit 100; }
while [ "$1" = -o ]; do shift 2; done
[ "$1" = install ] || exit 0
for p in "$@"; do
  case "$p" in
    chromium) [ "$FAKE_APT" = empty ] || : >"$SETUP_TESTS_CHROMIUM";;
    gettext) [ "$FAKE_APT" = empty ] || : >"$SHIM_DIR/msgfmt";;
    ffmpeg) [ "$FAKE_APT" = empty ] || { : >"$SHIM_DIR/ffmpeg"; : >"$SHIM_DIR/ffprobe"; };;
  esac
done
/bin/chmod +x "$SETUP_TESTS_CHROMIUM" "$SHIM_DIR/msgfmt" "$SHIM_DIR/ffmpeg" "$SHIM_DIR/ffprobe" 2>/dev/null
exit 0""",
}


@dataclass
class FakeMachine:
    dir: Path
    uid: int = 1000
    sudo: str = "refuses"  # or "works"
    apt: str = "installs"  # or "fails", "empty" (succeeds but installs nothing)
    has_apt: bool = True

    @property
    def chromium(self) -> Path:
        return self.dir / "usr-bin-chromium"

    def install(self, *names: str) -> None:
        """Make a program present, as if its package were installed."""
        for name in names:
            path = self.chromium if name == "chromium" else self.dir / "bin" / name
            path.write_text("#!/bin/sh\n")
            path.chmod(0o755)

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        """scripts/setup-tests with only the shims on PATH (no real apt-get, sudo or msgfmt)."""
        bin_dir = self.dir / "bin"
        if not self.has_apt:
            (bin_dir / "apt-get").unlink(missing_ok=True)
        env = {
            "PATH": str(bin_dir),
            "SHIM_LOG": str(self.dir / "calls.log"),
            "SHIM_DIR": str(bin_dir),
            "SETUP_TESTS_CHROMIUM": str(self.chromium),
            "FAKE_UID": str(self.uid),
            "FAKE_SUDO": self.sudo,
            "FAKE_APT": self.apt,
        }
        return subprocess.run(
            [BASH, str(SETUP), *args], capture_output=True, text=True, env=env, timeout=30
        )

    @property
    def calls(self) -> list[str]:
        log = self.dir / "calls.log"
        return log.read_text().splitlines() if log.exists() else []


@pytest.fixture
def machine(tmp_path: Path) -> FakeMachine:
    """A machine with apt-get, a non-root user, no working sudo, and no Chromium or msgfmt
    (ffmpeg is present: test_setup_install.py removes it where it matters)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name, body in SHIMS.items():
        path = bin_dir / name
        path.write_text(f"#!/bin/sh\n{body}\n")
        path.chmod(0o755)
    # sudo runs `env DEBIAN_FRONTEND=… apt-get …`: the real env, finding the shim on PATH.
    os.symlink(shutil.which("env") or "/usr/bin/env", bin_dir / "env")
    machine = FakeMachine(tmp_path)
    machine.install("ffmpeg", "ffprobe")
    return machine
