"""A first run on a real server, as docs/operators.md ("First run") tells an operator to do it.

On an EMPTY PostgreSQL database (pl_deploy_firstrun, made fresh and dropped afterwards), with
the production settings and nothing but the documented environment: `porchlight setup`,
`porchlight createagency`, `porchlight createstaff`, granian serving the app, and the new admin
signing in through a real browser with their password and authenticator code. A deployment
that ran only `migrate` answered 500 at that sign-in (no cache table); this is the test of it.

It needs PostgreSQL: the server of DATABASE_URL when that is PostgreSQL, else
PORCHLIGHT_TEST_PG_URL, else postgres://postgres@127.0.0.1:5432. Without one it fails, saying
so; it never skips.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from porchlight.tests.production import porchlight, production_env
from standins.browser import screenshot, totp_code

DATABASE = "pl_deploy_firstrun"
GRANIAN = str(Path(sys.executable).with_name("granian"))


def server_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        return url
    return os.environ.get("PORCHLIGHT_TEST_PG_URL") or "postgres://postgres@127.0.0.1:5432"


def with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def admin_sql(*statements: str) -> None:
    import psycopg

    admin = with_database(server_url(), "postgres")
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=3) as conn:
            for statement in statements:
                conn.execute(statement)
    except psycopg.OperationalError as exc:
        pytest.fail(
            f"this test needs PostgreSQL ({admin}): {str(exc).strip()}. Start it, or point "
            "PORCHLIGHT_TEST_PG_URL at one.",
            pytrace=False,
        )


@pytest.fixture
def empty_database() -> Iterator[str]:
    admin_sql(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)', f'CREATE DATABASE "{DATABASE}"')
    yield with_database(server_url(), DATABASE)
    admin_sql(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[object]:
    processes: list[subprocess.Popen[bytes]] = []

    def start(env: dict[str, str], port: int) -> None:
        log = open(tmp_path / "granian.log", "wb")  # noqa: SIM115 (the child keeps it)
        # The documented command, as the operator types it.
        command = [GRANIAN, "--interface", "wsgi", "--host", "127.0.0.1", "--port", str(port)]
        process = subprocess.Popen(
            [*command, "porchlight.wsgi:application"],
            env=env,
            cwd=env["HOME"],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        processes.append(process)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert process.poll() is None, (tmp_path / "granian.log").read_text()
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as r:
                    if r.status == 200:
                        return
            # OSError covers URLError, a refused connection, and a read that timed out while a
            # loaded machine was still starting the server: all mean "not yet", until the deadline.
            except OSError:
                pass
            time.sleep(0.3)
        pytest.fail("granian did not answer /healthz:\n" + (tmp_path / "granian.log").read_text())

    yield start
    for process in processes:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def field(output: str, name: str) -> str:
    match = re.search(rf"^{name}:\s+(\S+)$", output, re.MULTILINE)
    assert match, output
    return match.group(1)


def test_documented_first_run_on_an_empty_postgresql_database(
    tmp_path, empty_database, serve, page
):
    port = free_port()
    # A trial on the server itself, before the proxy: plain HTTP on localhost (browsers keep
    # Secure cookies there), otherwise the production settings and secrets.
    env = production_env(
        tmp_path,
        DATABASE_URL=empty_database,
        SITE_URL=f"http://localhost:{port}",
        ALLOWED_HOSTS="localhost,127.0.0.1",
        CSRF_TRUSTED_ORIGINS=f"http://localhost:{port}",
    )
    del env["BEHIND_TLS_PROXY"]

    setup = porchlight(env, "setup")
    assert setup.returncode == 0, setup.stdout + setup.stderr
    assert "Ready." in setup.stdout
    # Idempotent: the same command runs on every deploy.
    again = porchlight(env, "setup")
    assert again.returncode == 0, again.stdout + again.stderr

    agency = porchlight(
        env,
        "createagency",
        "--slug=bakersfield-pd",
        "--name=Bakersfield Police Department",
        "--ori=CA0150200",
        "--time-zone=America/Los_Angeles",
        "--non-emergency-number=661-327-7111",
        "--languages=en,es",
    )
    assert agency.returncode == 0, agency.stderr
    staff = porchlight(
        env,
        "createstaff",
        "--agency=bakersfield-pd",
        "--username=chief",
        "--email=chief@bakersfieldpd.example.gov",
        "--role=admin",
    )
    assert staff.returncode == 0, staff.stderr
    password = field(staff.stdout, "password")
    secret = field(staff.stdout, "totp secret")

    serve(env, port)
    base = f"http://localhost:{port}"
    page.goto(f"{base}/accounts/login/?next=/console/")
    page.fill("input[name=login]", "chief")
    page.fill("input[name=password]", password)
    page.press("input[name=password]", "Enter")
    page.wait_for_url(re.compile(r"/accounts/2fa/authenticate/"))
    page.fill("input[name=code]", totp_code(secret))
    page.press("input[name=code]", "Enter")
    page.wait_for_url(re.compile(r"/console/$"))
    assert page.locator("h1").first.inner_text() == "Intake overview"
    assert "Bakersfield Police Department" in page.content()
    screenshot(page, "first-run-console")
    # The admin too, where the operator's next steps (API key, sending number) are.
    response = page.goto(f"{base}/admin/")
    assert response is not None and response.status == 200
    assert page.url == f"{base}/admin/"
    # The session cookie the server set is Secure and HttpOnly, production defaults and all.
    cookies = {c["name"]: c for c in page.context.cookies()}
    assert cookies["sessionid"]["secure"] and cookies["sessionid"]["httpOnly"]
