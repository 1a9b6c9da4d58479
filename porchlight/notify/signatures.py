"""Checking that a webhook request really comes from Twilio (X-Twilio-Signature)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
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
