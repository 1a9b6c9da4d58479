"""scripts/setup-tests installs what the tests need, only what is missing, in one apt-get run.

`./dev test` and `.ci/run` both call it. The machine is faked (porchlight/tests/conftest.py):
apt-get, sudo and id are shims that log their calls, so these tests see exactly what it would
run on a fresh Debian machine.
"""

from __future__ import annotations

# Every apt-get waits for dpkg's lock (unattended-upgrades on a fresh machine) instead of failing.
LOCK = "-o DPkg::Lock::Timeout=600"


def test_nothing_missing_means_no_apt_get_at_all(machine):
    machine.install("chromium", "msgfmt")
    r = machine.run()
    assert r.returncode == 0, r.stderr
    assert machine.calls == []  # not even `id`: a present machine only looks
    assert r.stderr == ""


def test_as_root_it_updates_once_then_installs_the_missing_packages(machine):
    machine.uid = 0
    r = machine.run()
    assert r.returncode == 0, r.stderr
    assert machine.calls == [
        "id -u",
        f"apt-get {LOCK} update -qq (DEBIAN_FRONTEND=noninteractive)",
        f"apt-get {LOCK} install -y -qq chromium gettext (DEBIAN_FRONTEND=noninteractive)",
    ]
    assert "installing chromium gettext with apt-get (as root)" in r.stderr
    assert machine.chromium.exists()


def test_only_what_is_missing_is_installed(machine):
    machine.uid = 0
    machine.install("chromium")
    r = machine.run()
    assert r.returncode == 0, r.stderr
    installs = [c for c in machine.calls if c.startswith(f"apt-get {LOCK} install")]
    assert installs == [f"apt-get {LOCK} install -y -qq gettext (DEBIAN_FRONTEND=noninteractive)"]


def test_not_root_it_installs_through_sudo_without_a_prompt(machine):
    machine.sudo = "works"
    machine.install("msgfmt")
    r = machine.run()
    assert r.returncode == 0, r.stderr
    assert machine.calls == [
        "id -u",
        "sudo -n true",
        f"sudo -n env DEBIAN_FRONTEND=noninteractive apt-get {LOCK} update -qq",
        f"apt-get {LOCK} update -qq (DEBIAN_FRONTEND=noninteractive)",
        f"sudo -n env DEBIAN_FRONTEND=noninteractive apt-get {LOCK} install -y -qq chromium",
        f"apt-get {LOCK} install -y -qq chromium (DEBIAN_FRONTEND=noninteractive)",
    ]
    assert "(through sudo)" in r.stderr


def test_ci_extras_share_the_same_single_apt_get_run(machine):
    # .ci/run passes python3-venv and PostgreSQL when the machine lacks them.
    machine.uid = 0
    machine.install("chromium", "msgfmt")
    r = machine.run("python3-venv", "postgresql", "postgresql-client")
    assert r.returncode == 0, r.stderr
    assert [c.split(" (")[0] for c in machine.calls if c.startswith("apt-get")] == [
        f"apt-get {LOCK} update -qq",
        f"apt-get {LOCK} install -y -qq python3-venv postgresql postgresql-client",
    ]


def test_ffmpeg_is_installed_when_missing(machine):
    # Video uploads (porchlight/media/video.py) and their tests run Debian's ffmpeg/ffprobe.
    machine.uid = 0
    machine.install("chromium", "msgfmt")
    (machine.dir / "bin" / "ffprobe").unlink()
    r = machine.run()
    assert r.returncode == 0, r.stderr
    installs = [c for c in machine.calls if c.startswith(f"apt-get {LOCK} install")]
    assert installs == [f"apt-get {LOCK} install -y -qq ffmpeg (DEBIAN_FRONTEND=noninteractive)"]
    assert (machine.dir / "bin" / "ffprobe").exists()
