"""API key authentication for machine clients (CAD, RMS, Open311)."""

from __future__ import annotations

from datetime import timedelta

from django.http import HttpRequest
from django.utils import timezone

from porchlight.agencies.models import ApiKey, hash_api_key

# Writing last_used_at on every request would add a write to the intake hot path; a minute of
# precision is enough to tell a live feed from a dead one.
_TOUCH_EVERY = timedelta(minutes=1)


def presented_key(request: HttpRequest) -> str | None:
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None
    return request.headers.get("X-Api-Key", "").strip() or None


def authenticate(raw: str | None) -> ApiKey | None:
    if not raw:
        return None
    try:
        key = ApiKey.objects.active().select_related("agency").get(key_hash=hash_api_key(raw))
    except ApiKey.DoesNotExist:
        return None
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at > _TOUCH_EVERY:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
    return key
