"""`porchlight demo --for N` runs the real server and simulator end to end, and says so; a
demo stopped with SIGTERM takes its server with it."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time

from porchlight.demo.runner import port_is_free


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def demo_env(tmp_path):
    env = {
        k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")
    }
    # The demo's own defaults: SQLite under a fresh var/ and generated dev secrets.
    env.update(PORCHLIGHT_VAR_DIR=str(tmp_path), PORCHLIGHT_SECRET_KEY="", PORCHLIGHT_PII_KEY="")
    return env


def test_bounded_demo_ingests_simulated_calls(tmp_path):
    port = free_port()
    env = demo_env(tmp_path)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "porchlight.cli",
            "demo",
            "--for",
            "10",
            "--port",
            str(port),
            "--history-days",
            "0.5",
            "--speed",
            "60",
        ],
        env=env,
        capture_output=True,
        text=True,
        # Only a hang guard: seeding and migrating took over two minutes on a loaded machine.
        timeout=300,
    )
    out = result.stdout + result.stderr
    assert result.returncode == 0, out
    assert f"http://127.0.0.1:{port}/console/" in out
    assert f"http://127.0.0.1:{port}/api/v1/docs" in out
    assert "TOTP secret     PORCHLIGHTDEMO234567ABCDEFGHIJKL" in out
    assert "otpauth://totp/" in out
    # The residents' side is in the banner too, with a resident who can sign in.
    for path in (
        "/n/bakersfield/",
        "/map/bakersfield/",
        "/alerts/bakersfield/",
        "/report/bakersfield/",
    ):
        assert f"http://127.0.0.1:{port}{path}" in out, path
    assert "maria@neighbors.example" in out and "porchlight-demo-neighbor" in out
    assert "OK: " in out and "calls ingested" in out
    assert (tmp_path / "porchlight.sqlite3").exists()
    # Both the server and the simulator stopped: the port is free again.
    assert port_is_free("127.0.0.1", port)
    # Every link it printed, and every link in the texts and emails (the dev inbox) and in
    # those still waiting in the outbox, opens this demo's server, not :8000.
    links = _links(out)
    with sqlite3.connect(tmp_path / "porchlight.sqlite3") as db:
        for (body,) in db.execute("SELECT body FROM notify_devmessage"):
            links += _links(body)
        for body, context in db.execute("SELECT body, context FROM notify_outbox"):
            links += _links(body or "")
            links += _links(" ".join(str(v) for v in json.loads(context or "{}").values()))
    # The seed's alerts and assistance requests have links in their texts.
    assert any("/alerts/" in link for link in links), links
    ours = re.compile(rf"http://127\.0\.0\.1:{port}(/|$)")
    wrong = [link for link in links if not ours.match(link)]
    assert wrong == [], wrong


def _links(text: str) -> list[str]:
    return re.findall(r"https?://[^\s\"'<>)]+", text)


def test_sigterm_stops_the_demo_and_its_server(tmp_path):
    port = free_port()
    command = [sys.executable, "-m", "porchlight.cli", "demo", "--port", str(port)]
    demo = subprocess.Popen(
        [*command, "--history-days", "0.5"],
        env=demo_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group: nothing it started outlives the test
    )
    try:
        out = ""
        deadline = time.monotonic() + 300  # a hang guard: seeding is slow on a loaded machine
        while "Ctrl-C stops" not in out and time.monotonic() < deadline:
            line = demo.stdout.readline()  # type: ignore[union-attr]
            if not line:
                break
            out += line
        assert "Ctrl-C stops" in out, out
        assert not port_is_free("127.0.0.1", port)
        demo.send_signal(signal.SIGTERM)
        rest, _ = demo.communicate(timeout=60)
        out += rest
    finally:
        if demo.poll() is None:
            demo.kill()
            demo.wait()
        left = port_is_free("127.0.0.1", port)
        try:
            os.killpg(demo.pid, signal.SIGKILL)  # whatever the demo left behind (the bug)
        except ProcessLookupError:
            pass
    assert demo.returncode == 0, out
    assert "Stopping" in out
    assert left, out
