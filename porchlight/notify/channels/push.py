"""Web push (RFC 8030 with RFC 8291 encryption and RFC 8292 VAPID) through pywebpush.

A push contact's address is the browser's subscription as JSON ({"endpoint", "keys": {"p256dh",
"auth"}}), stored encrypted like any other contact address and found by the hash of its
endpoint (alerts/push.py writes them). The payload is JSON the service worker shows:
{"title", "body", "url", "tag"}; the tag is the outbox id, so a message delivered twice (a push
service has no way to ask whether it got one, see lookup()) replaces itself on the screen
instead of showing twice.

Settings (docs/operators.md): VAPID_PRIVATE_KEY (base64url, from `porchlight alerts
vapid-keys`), VAPID_SUBJECT (a mailto: or https: URL the push services can reach you at).
"""

from __future__ import annotations

import base64
import functools
import json
import re
from typing import Any

import requests
from cryptography.hazmat.primitives import serialization
from django.conf import settings
from py_vapid import Vapid02
from pywebpush import WebPushException, webpush

from .base import Channel, Message, PermanentError, Receipt, TransientError

# The most a push service must accept (RFC 8291 leaves ~4 kB after encryption overhead).
MAX_PAYLOAD = 3000
TIMEOUT = 10.0
# How long a push service may hold a message for an offline browser: alerts go stale.
TTL_SECONDS = 12 * 3600
_URL = re.compile(r"https?://\S+")


@functools.cache
def _vapid(private_key: str) -> Vapid02:
    return Vapid02.from_string(private_key)


def public_key(private_key: str | None = None) -> str:
    """The applicationServerKey browsers subscribe with: the uncompressed P-256 point,
    base64url without padding, derived from the private key (so the two cannot disagree)."""
    vapid = _vapid(private_key or settings.VAPID_PRIVATE_KEY)
    raw = vapid.public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def new_private_key() -> str:
    vapid = Vapid02()
    vapid.generate_keys()
    number = vapid.private_key.private_numbers().private_value.to_bytes(32, "big")
    return base64.urlsafe_b64encode(number).rstrip(b"=").decode()


def subscription(address: str) -> dict[str, Any]:
    """The stored address as pywebpush's subscription_info; PermanentError when it is not one."""
    try:
        info = json.loads(address)
        endpoint, keys = info["endpoint"], info["keys"]
        if not isinstance(endpoint, str) or not endpoint_allowed(endpoint):
            raise ValueError("endpoint")
        return {"endpoint": endpoint, "keys": {"p256dh": keys["p256dh"], "auth": keys["auth"]}}
    except (ValueError, KeyError, TypeError):
        raise PermanentError(
            "subscription", "not a push subscription", marks_contact=True
        ) from None


def endpoint_allowed(endpoint: str) -> bool:
    """Push services are HTTPS; plain HTTP only when the deployment allows it (a local push
    server in tests and development: PUSH_ALLOW_HTTP)."""
    if len(endpoint) > 1000:
        return False
    return endpoint.startswith("https://") or (
        settings.PUSH_ALLOW_HTTP and endpoint.startswith("http://")
    )


def payload(message: Message) -> str:
    found = _URL.search(message.body)
    body = message.body
    data = {
        "title": message.subject or "Porchlight",
        "body": body,
        "url": found.group(0).rstrip(".,;)") if found else "/",
        "tag": f"porchlight-{message.outbox_id}",
    }
    text = json.dumps(data, ensure_ascii=False)
    while len(text.encode()) > MAX_PAYLOAD and data["body"]:
        data["body"] = data["body"][: max(0, len(data["body"]) - 200)].rstrip() + "…"
        text = json.dumps(data, ensure_ascii=False)
    return text


class WebPush(Channel):
    name = "push"

    def __init__(self, private_key: str | None = None, subject: str | None = None) -> None:
        self.private_key = private_key or settings.VAPID_PRIVATE_KEY
        self.subject = subject or settings.VAPID_SUBJECT
        self.session = requests.Session()

    def send(self, message: Message) -> Receipt:
        info = subscription(message.to)
        try:
            response: Any = webpush(
                info,
                data=payload(message),
                vapid_private_key=_vapid(self.private_key),
                vapid_claims={"sub": self.subject},
                timeout=TIMEOUT,
                ttl=TTL_SECONDS,
                headers={"Urgency": "high"},
                requests_session=self.session,
            )
        except WebPushException as exc:
            raise self._error(exc) from None
        except requests.ConnectionError as exc:
            raise TransientError("connect", f"push service unreachable: {exc}"[:200]) from None
        except requests.Timeout:
            # Push services accept-or-refuse at once; a timeout may have been accepted.
            raise TransientError("timeout", "push service timed out", maybe_sent=True) from None
        # The push service's id for the message is its Location header (RFC 8030, 5).
        location = response.headers.get("Location", "") if hasattr(response, "headers") else ""
        return Receipt(provider_id=location[:255] or f"push-{message.outbox_id}", status="queued")

    def _error(self, exc: WebPushException) -> PermanentError | TransientError:
        response = exc.response
        status = getattr(response, "status_code", None)
        if status in (404, 410):
            # The browser unsubscribed or the subscription expired: never again.
            return PermanentError(str(status), "subscription gone", marks_contact=True)
        if status == 413:
            return PermanentError("413", "payload too large")
        if status in (400, 401, 403):
            # Bad VAPID keys or subject: the deployment's configuration, not the resident.
            return PermanentError(str(status), f"push service refused: {exc.message}"[:200])
        retry = None
        if response is not None:
            try:
                retry = float(response.headers.get("Retry-After", ""))
            except (TypeError, ValueError):
                retry = None
        return TransientError(str(status or "push"), f"push service: {exc.message}"[:200],
                              retry_after=retry)  # fmt: skip

    def lookup(
        self, outbox_id: int, provider_id: str | None, *, message: Message | None = None
    ) -> Receipt | None:
        # A push service keeps no list to ask. With its Location we know it took the message;
        # without, we cannot know, and sending again is the lesser harm: the tag makes a
        # repeat replace the first on the screen.
        if provider_id:
            return Receipt(provider_id=provider_id, status="queued")
        return None
