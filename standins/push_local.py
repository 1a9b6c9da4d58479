"""A local web push service: what a browser vendor's push server does, enough to test against.

It takes RFC 8030 push requests, checks the RFC 8292 VAPID header (the JWT's ES256 signature
against the `k=` public key, its audience and expiry), and decrypts the RFC 8291 aes128gcm
payload with the subscriber's private key, as the browser would. What it received is kept on
the server (`.received`), decrypted. A subscription whose path is in `.gone` answers 410, as
a push service does after the browser unsubscribed.

    browser = LocalBrowser()                   # the subscriber's keys
    server = serve_push()                      # http://127.0.0.1:<port>/push/<id>
    subscription = browser.subscription(server, "abc")
"""

from __future__ import annotations

import base64
import json
import os
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from standins.builders import serve


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Received:
    path: str
    payload: dict[str, Any]
    ttl: str
    urgency: str
    vapid_subject: str


@dataclass
class LocalBrowser:
    """A subscriber: its P-256 key pair and auth secret (what PushManager.subscribe makes)."""

    key: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP256R1())
    )
    auth: bytes = field(default_factory=lambda: os.urandom(16))

    @property
    def p256dh(self) -> str:
        return b64url(
            self.key.public_key().public_bytes(
                serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
            )
        )

    def subscription(self, server: ThreadingHTTPServer, name: str) -> dict[str, Any]:
        host, port = server.server_address[:2]
        return {
            "endpoint": f"http://{host!s}:{port}/push/{name}",
            "keys": {"p256dh": self.p256dh, "auth": b64url(self.auth)},
        }


def _check_vapid(header: str, endpoint_origin: str) -> str:
    """The VAPID JWT is signed by k= and names this origin; returns its subject."""
    if not header.startswith("vapid "):
        raise ValueError("no VAPID authorization")
    parts = dict(item.strip().split("=", 1) for item in header[len("vapid ") :].split(","))
    token, public = parts["t"], unb64url(parts["k"])
    head, claims, signature = token.split(".")
    key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), public)
    raw = unb64url(signature)
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    try:
        key.verify(der, f"{head}.{claims}".encode(), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        raise ValueError("bad VAPID signature") from None
    body = json.loads(unb64url(claims))
    if body.get("aud") != endpoint_origin:
        raise ValueError(f"VAPID audience {body.get('aud')!r} is not {endpoint_origin!r}")
    if int(body.get("exp", 0)) < time.time():
        raise ValueError("VAPID token expired")
    return str(body.get("sub", ""))


def serve_push(browsers: dict[str, LocalBrowser] | None = None) -> Any:
    """Start the push service. `browsers` maps a subscription name to its subscriber; a
    request for an unknown name is answered 404, as for an unknown subscription."""
    subscribers = browsers if browsers is not None else {}
    received: list[Received] = []
    gone: set[str] = set()
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_POST(self) -> None:  # noqa: N802 - the http.server API
            path = urlsplit(self.path).path
            name = path.rsplit("/", 1)[-1]
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            if name in gone:
                return self._answer(410, "subscription gone")
            browser = subscribers.get(name)
            if browser is None:
                return self._answer(404, "no such subscription")
            try:
                subject = _check_vapid(self.headers.get("Authorization", ""), self._origin())
                if self.headers.get("Content-Encoding") != "aes128gcm":
                    raise ValueError("payload must be aes128gcm")
                plain = http_ece.decrypt(
                    body, private_key=browser.key, auth_secret=browser.auth, version="aes128gcm"
                )
                payload = json.loads(plain)
            except (ValueError, KeyError) as exc:
                return self._answer(400, str(exc))
            with lock:
                received.append(
                    Received(
                        path, payload, self.headers.get("TTL", ""),
                        self.headers.get("Urgency", ""), subject,
                    )
                )  # fmt: skip
                number = len(received)
            self.send_response(201)
            self.send_header("Location", f"{self._origin()}/message/{number}")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def _origin(self) -> str:
            host, port = server.server_address[:2]
            return f"http://{host!s}:{port}"

        def _answer(self, status: int, text: str) -> None:
            data = text.encode()
            self.send_response(status)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    server = serve(Handler)
    server.received = received  # type: ignore[attr-defined]
    server.gone = gone  # type: ignore[attr-defined]
    server.subscribers = subscribers  # type: ignore[attr-defined]
    return server
