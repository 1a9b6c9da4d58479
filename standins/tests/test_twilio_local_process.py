"""The local Twilio run as a process, driven through its /_local/ control endpoints."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
from collections.abc import Iterator

import pytest
import requests

from porchlight.notify.channels.base import Message, PermanentError
from porchlight.notify.channels.sms import TwilioSms

TOKEN = "process-test-token"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def process() -> Iterator[tuple[subprocess.Popen[str], str]]:
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "standins.twilio_local",
            "--port",
            str(port),
            "--auth-token",
            TOKEN,
            "--latency-ms",
            "20",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    banner = proc.stdout.readline()  # printed once the socket listens
    assert f"http://127.0.0.1:{port}" in banner, proc.stderr.read() if proc.stderr else banner
    yield proc, f"http://127.0.0.1:{port}"
    if proc.poll() is None:
        proc.kill()
        proc.wait()


def test_process_serves_the_sdk_and_its_controls(process):
    proc, base = process
    sms = TwilioSms(
        account_sid="AC" + "10ca1" + "0" * 27,
        auth_token=TOKEN,
        from_number="+15017122661",
        api_base=base,
        timeout=5,
    )

    receipt = sms.send(Message(outbox_id=1, to="+15558675310", body="hi"))
    [stored] = requests.get(f"{base}/_local/messages", timeout=5).json()["messages"]
    assert stored["sid"] == receipt.provider_id

    response = requests.post(
        f"{base}/_local/fail", json={"to": "+15558675311", "code": 21610}, timeout=5
    )
    assert response.json() == {"ok": True}
    with pytest.raises(PermanentError) as raised:
        sms.send(Message(outbox_id=2, to="+15558675311", body="hi"))
    assert raised.value.code == "21610"

    assert requests.post(f"{base}/_local/reset", timeout=5).status_code == 200
    assert requests.get(f"{base}/_local/messages", timeout=5).json() == {"messages": []}

    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=5) == 0


@pytest.mark.parametrize(
    ("path", "payload", "words"),
    [
        ("/_local/config", {"latency": "slow"}, "latency must be a float"),
        ("/_local/config", {"failure_rate": 3}, "between 0 and 1"),
        ("/_local/fail", {"to": "+15558675310"}, "missing field"),
        ("/_local/fail", {"to": "+15558675310", "code": 1}, "unknown error code"),
        ("/_local/outcome", {"to": "+1555", "status": "lost"}, "unknown outcome"),
        ("/_local/inbound", {"from": "+15558675310", "body": "hi"}, "no inbound webhook"),
        ("/_local/nothing", {}, "no control endpoint"),
    ],
)
def test_bad_control_requests_get_a_400_with_a_reason(process, path, payload, words):
    _, base = process
    response = requests.post(f"{base}{path}", json=payload, timeout=5)
    assert response.status_code in (400, 404)
    assert words in response.json()["error"]


def test_control_body_must_be_json(process):
    _, base = process
    response = requests.post(f"{base}/_local/config", data="latency=1", timeout=5)
    assert response.status_code == 400
    assert "not JSON" in response.json()["error"]


def test_a_taken_port_is_a_clear_error(process):
    _, base = process
    port = base.rsplit(":", 1)[1]
    result = subprocess.run(
        [sys.executable, "-m", "standins.twilio_local", "--port", port],
        capture_output=True,
        text=True,
        timeout=10,
    )
    assert result.returncode == 1
    assert "cannot listen" in result.stderr
    assert "Traceback" not in result.stderr
