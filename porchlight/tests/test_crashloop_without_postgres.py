"""On a machine without PostgreSQL, a SQLite run deselects the crash loop with one line; in CI
it never does.

Each case runs pytest in a child process on notify/tests/test_crash_kill.py, pointed at a port
where nothing listens. The decision and the line are porchlight/conftest.py's.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CRASH_KILL = "porchlight/notify/tests/test_crash_kill.py"
LINE = "crash loop deselected: it needs PostgreSQL, and no PostgreSQL answers at 127.0.0.1:"


def dead_server() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"postgres://postgres@127.0.0.1:{port}"  # closed: nothing listens there now


def pytest_run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in ("CI", "DATABASE_URL")}
    base.pop("PYTEST_XDIST_WORKER", None)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**base, **env},
        timeout=120,
    )


def test_sqlite_run_without_postgres_deselects_it_in_one_line():
    r = pytest_run("-p", "no:xdist", CRASH_KILL, PORCHLIGHT_TEST_PG_URL=dead_server())
    assert r.stdout.count(LINE) == 1, r.stdout + r.stderr
    assert "./dev test -m crashloop" in r.stdout
    assert re.search(r"\b\d+ deselected", r.stdout), r.stdout
    assert r.returncode == 5  # pytest's "no tests ran": the only test here was deselected
    assert "failed" not in r.stdout and "error" not in r.stdout.lower()


def test_with_xdist_the_controller_says_it_once():
    r = pytest_run("-n", "2", CRASH_KILL, PORCHLIGHT_TEST_PG_URL=dead_server())
    assert r.stdout.count(LINE) == 1, r.stdout + r.stderr
    assert r.returncode == 5
    assert "failed" not in r.stdout and "error" not in r.stdout.lower()


def test_in_ci_it_runs_and_fails_saying_why():
    r = pytest_run("-p", "no:xdist", CRASH_KILL, PORCHLIGHT_TEST_PG_URL=dead_server(), CI="true")
    assert r.returncode == 1, r.stdout + r.stderr
    assert LINE not in r.stdout
    assert re.search(r"\b\d+ failed", r.stdout), r.stdout
    assert "The crash loop needs real PostgreSQL" in r.stdout


def test_a_postgresql_suite_keeps_it_and_runs_it_first():
    # The suite's own database is PostgreSQL, so the loop is not deselected here (the suite
    # needs that server anyway); only collected, so nothing connects.
    r = pytest_run(
        "-p",
        "no:xdist",
        "--collect-only",
        "porchlight/tests/test_bootstrap.py",
        CRASH_KILL,
        DATABASE_URL=dead_server() + "/porchlight",
    )
    assert LINE not in r.stdout, r.stdout
    collected = [line for line in r.stdout.splitlines() if "::" in line]
    assert collected[0].startswith(CRASH_KILL), collected
    assert len(collected) > 1
