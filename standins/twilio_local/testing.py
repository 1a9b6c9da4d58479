"""Pytest fixtures for anything that sends SMS: a running local Twilio, a TwilioSms channel
pointed at it, a webhook receiver that records what Twilio posts, and `twilio_post`, which
posts to our own webhooks through Django's test client, signed as Twilio signs.

Registered for the whole suite in porchlight/conftest.py (pytest_plugins).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import pytest

from standins.builders import serve, shut

from .server import DEFAULT_AUTH_TOKEN, LocalTwilio
from .state import sign

FROM_NUMBER = "+15017122661"


@dataclass
class Received:
    path: str
    url: str  # the full URL as the sender called it, for signature checks
    headers: dict[str, str]
    params: dict[str, str]


@dataclass
class WebhookReceiver:
    """A plain HTTP endpoint standing in for Porchlight's Twilio webhooks."""

    status: int = 200
    requests: list[Received] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: ThreadingHTTPServer | None = None

    def start(self) -> WebhookReceiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                form = parse_qs(self.rfile.read(length).decode(), keep_blank_values=True)
                host, port = receiver.address()
                with receiver._lock:
                    receiver.requests.append(
                        Received(
                            path=self.path,
                            url=f"http://{host!s}:{port}{self.path}",
                            headers=dict(self.headers.items()),
                            params={name: values[0] for name, values in form.items()},
                        )
                    )
                self.send_response(receiver.status)
                self.send_header("Content-Type", "text/xml")
                body = b"<Response/>"
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self._server = serve(Handler)
        return self

    def stop(self) -> None:
        shut(self._server)

    def address(self) -> tuple[str, int]:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return str(host), int(port)

    def url(self, path: str) -> str:
        host, port = self.address()
        return f"http://{host}:{port}{path}"

    def wait_for(self, count: int, timeout: float = 5.0) -> list[Received]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.requests) >= count:
                    return list(self.requests)
            time.sleep(0.01)
        raise TimeoutError(f"{len(self.requests)} of {count} webhook requests after {timeout}s")


@pytest.fixture
def local_twilio() -> Iterator[LocalTwilio]:
    with LocalTwilio() as twilio:
        twilio.configure(callback_delay=0.0)
        yield twilio


@pytest.fixture
def twilio_sms(local_twilio: LocalTwilio) -> Any:
    # Imported here: the channel needs Django settings, the server does not.
    from porchlight.notify.channels.sms import TwilioSms

    return TwilioSms(
        account_sid=local_twilio.account_sid,
        auth_token=local_twilio.auth_token,
        from_number=FROM_NUMBER,
        api_base=local_twilio.base_url,
        timeout=5,
    )


@pytest.fixture
def twilio_client(local_twilio: LocalTwilio) -> Any:
    """The real SDK's Client, talking to the local Twilio."""
    from twilio.rest import Client

    from porchlight.notify.channels.sms import RebasedHttpClient

    http = RebasedHttpClient(local_twilio.base_url, timeout=5)
    return Client(local_twilio.account_sid, local_twilio.auth_token, http_client=http)


@pytest.fixture
def webhook() -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver().start()
    yield receiver
    receiver.stop()


@pytest.fixture
def twilio_post(client: Any, settings: Any) -> Any:
    """`twilio_post(path, params, valid=True)`: POST `params` to one of our Twilio webhooks as
    Twilio would, with X-Twilio-Signature computed over SITE_URL + path (with a wrong token
    when `valid` is False). Returns the test client's response."""
    settings.TWILIO_AUTH_TOKEN = settings.TWILIO_AUTH_TOKEN or DEFAULT_AUTH_TOKEN

    def post(path: str, params: dict[str, str], *, valid: bool = True) -> Any:
        token = settings.TWILIO_AUTH_TOKEN if valid else settings.TWILIO_AUTH_TOKEN + "-wrong"
        signature = sign(token, f"{settings.SITE_URL}{path}", params)
        return client.post(path, params, HTTP_X_TWILIO_SIGNATURE=signature)

    return post
