"""Pytest fixtures for anything that sends email: a real SMTP server (aiosmtpd) that keeps what
it receives and can refuse or drop on demand, and a local Postmark-compatible HTTP API for
django-anymail's real Postmark backend.

Registered for the whole suite in porchlight/conftest.py (pytest_plugins).
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import itertools
import json
import logging
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from standins.builders import serve, shut

# aiosmtpd logs every command at INFO; a test wants to see its own output.
logging.getLogger("mail.log").setLevel(logging.WARNING)

DJANGO_SMTP = "django.core.mail.backends.smtp.EmailBackend"
ANYMAIL_POSTMARK = "anymail.backends.postmark.EmailBackend"


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    raw: bytes

    @property
    def message(self) -> EmailMessage:
        parsed = email.message_from_bytes(self.raw, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed


@dataclass
class LocalSmtp:
    """An SMTP server on 127.0.0.1 and a free port.

    `rcpt_replies` maps an address to the reply its RCPT TO gets (e.g. "550 5.1.1 No such
    user"); `data_reply` replaces the "250" after the message; `drop_after_data` hangs up
    after reading the whole message, without answering (the "maybe sent" case).
    """

    rcpt_replies: dict[str, str] = field(default_factory=dict)
    data_reply: str | None = None
    drop_after_data: bool = False
    messages: list[Received] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _controller: Controller | None = None

    # aiosmtpd handler hooks.
    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        reply = self.rcpt_replies.get(address.lower())
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        with self._lock:
            self.messages.append(
                Received(str(envelope.mail_from), list(envelope.rcpt_tos), bytes(content))
            )
        if self.drop_after_data:
            assert isinstance(server.transport, asyncio.Transport)
            server.transport.abort()
            return "421 closing"  # never reaches the client: the connection is gone
        return self.data_reply or "250 Message accepted for delivery"

    def start(self) -> LocalSmtp:
        self._controller = Controller(self, hostname="127.0.0.1", port=free_port())
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()

    @property
    def port(self) -> int:
        assert self._controller is not None
        return int(self._controller.port)

    def wait_for(self, count: int, timeout: float = 5.0) -> list[Received]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.messages) >= count:
                    return list(self.messages)
            time.sleep(0.01)
        raise TimeoutError(f"{len(self.messages)} of {count} messages after {timeout}s")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def local_smtp(settings: Any) -> Iterator[LocalSmtp]:
    """A running SMTP server, and Django's email settings pointed at it."""
    server = LocalSmtp().start()
    settings.EMAIL_BACKEND = DJANGO_SMTP
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    yield server
    server.stop()


# --- A Postmark-compatible API ---------------------------------------------------------------


@dataclass
class LocalPostmark:
    """POST /email as Postmark answers it (https://postmarkapp.com/developer/api/email-api).

    `inactive` holds addresses Postmark has deactivated (a hard bounce or complaint before):
    sending to one gets Postmark's ErrorCode 406. `status` forces an HTTP error status.
    """

    token: str = "local-postmark-server-token"
    inactive: set[str] = field(default_factory=set)
    status: int | None = None
    sent: list[dict[str, Any]] = field(default_factory=list)
    message_ids: list[str] = field(default_factory=list)  # what it answered, in order
    _server: ThreadingHTTPServer | None = None

    def start(self) -> LocalPostmark:
        api = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                payload = json.loads(self.rfile.read(length) or b"{}")
                if self.headers.get("X-Postmark-Server-Token") != api.token:
                    return self._answer(
                        401, {"ErrorCode": 10, "Message": "Bad or missing API token."}
                    )
                if api.status is not None:
                    return self._answer(api.status, {"ErrorCode": 0, "Message": "Server error"})
                to = str(payload.get("To", ""))
                if to.split("<")[-1].strip(">").lower() in api.inactive:
                    return self._answer(422, {
                        "ErrorCode": 406,
                        "Message": "You tried to send to a recipient that has been marked as "
                        f"inactive.\nFound inactive addresses: {to}.\nInactive recipients are "
                        "ones that have generated a hard bounce or a spam complaint. ",
                    })  # fmt: skip
                api.sent.append(payload)
                api.message_ids.append(str(uuid.uuid4()))
                return self._answer(200, {
                    "To": to,
                    "SubmittedAt": datetime.now(UTC).isoformat(),
                    "MessageID": api.message_ids[-1],
                    "ErrorCode": 0,
                    "Message": "OK",
                })  # fmt: skip

            def _answer(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self._server = serve(Handler)
        return self

    def stop(self) -> None:
        shut(self._server)

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/"


@pytest.fixture
def local_postmark(settings: Any) -> Iterator[LocalPostmark]:
    """A running Postmark-compatible API, and anymail's Postmark backend pointed at it."""
    api = LocalPostmark().start()
    settings.EMAIL_BACKEND = ANYMAIL_POSTMARK
    settings.ANYMAIL = {
        **getattr(settings, "ANYMAIL", {}),
        "POSTMARK_SERVER_TOKEN": api.token,
        "POSTMARK_API_URL": api.url,
    }
    yield api
    api.stop()


# --- Email outbox rows -----------------------------------------------------------------------

_events = itertools.count(9000)


@pytest.fixture
def email_row(agency: Any) -> Any:
    """A factory: an email outbox row for a new call whose caller gave `address`.

    The call comes in through intake like any CAD event; the row is the call-received email
    (made here if planning did not make one), with `fields` set on it.
    """
    from django.utils import timezone

    from porchlight.calls.intake import Feed, ingest
    from porchlight.calls.models import Call
    from porchlight.notify import pii
    from porchlight.notify.models import Channel, Contact, Outbox, Trigger
    from standins.builders import cad_event

    feed = Feed(agency=agency, source="cad", covered={agency.ori: agency})

    def make(address: str = "caller@example.org", language: str = "en", **fields: Any) -> Outbox:
        n = next(_events)
        incident = f"26-{n:06d}"
        caller = {"email": address, "language": language}
        ingest(feed, [cad_event(n, incident=incident, caller=caller)])
        call = Call.objects.get(agency=agency, incident_number=incident)
        contact = Contact.objects.get(
            agency=agency,
            channel=Channel.EMAIL,
            address_hash=pii.lookup_hash(address.strip().lower()),
        )
        row, _ = Outbox.objects.update_or_create(
            dedupe_key=Outbox.key(contact.pk, Trigger.RECEIVED, call.pk, Channel.EMAIL),
            defaults={
                "agency": agency, "contact": contact, "channel": Channel.EMAIL,
                "trigger": Trigger.RECEIVED, "call": call, "due_at": timezone.now(),
                "language": language, **fields,
            },
        )  # fmt: skip
        return row

    return make
