"""Checking that a webhook request really comes from Twilio (X-Twilio-Signature)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from twilio.request_validator import RequestValidator


def valid_signature(request_url: str, params: Mapping[str, Any], signature: str) -> bool:
    """True when `signature` is Twilio's HMAC of the full URL it called and its POST params.

    `request_url` must be the URL exactly as Twilio called it (scheme, host, path and query):
    behind a TLS proxy build it from SITE_URL, not from what the proxy forwarded. `params` may
    be a QueryDict (request.POST). An unset auth token rejects everything.
    """
    token = settings.TWILIO_AUTH_TOKEN
    if not token or not signature:
        return False
    return bool(RequestValidator(token).validate(request_url, params, signature))


def from_twilio(request: HttpRequest) -> bool:
    """True when a webhook request carries Twilio's signature of exactly this request.

    The URL is rebuilt from SITE_URL, because Twilio signs the public URL it called, which a
    TLS proxy in front of us does not pass on as such.
    """
    url = f"{settings.SITE_URL}{request.get_full_path()}"
    return valid_signature(url, request.POST, request.headers.get("X-Twilio-Signature", ""))
