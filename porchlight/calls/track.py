"""The public track page, /t/<token>: a call's timeline for the person who called.

No login: the link itself is the key, so it is unguessable (96 random bits), stored only as a
SHA-256 for lookup and an AES-GCM copy for later texts, and every way it can fail (unknown,
expired, revoked, or the call is no longer one we may show) gives the same 404, so the page is
no oracle for which incident numbers or tokens exist.

What the page never shows: the caller's phone or email, the address or coordinates, officer
names or unit ids, the call type (of any call: even an ordinary type says something about
someone to whoever the link was forwarded to), priority, or raw disposition codes (a few map
to plain words; the rest are left out).

Expiry runs from `Call.updated`, the server time of the last applied CAD event, not from
`last_event_at`: that is the CAD's own clock, which can be wrong, and history imports carry
old CAD times. `settings.TRACK_LINK_DAYS` (default 30) sets the length.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.log import log_response
from django.utils.translation import gettext_lazy as _
from django_ratelimit.decorators import ratelimit

from porchlight.calls.models import Call, Status, TrackLink
from porchlight.cases.track import section as case_section
from porchlight.notify import pii
from porchlight.notify.plan import exclusion
from porchlight.notify.texts import disposition_wording

# 12 bytes → 16 URL-safe characters, 96 bits: short enough for a text, far beyond guessing
# (links issued before were 24 characters, 144 bits; they are looked up the same way).
TOKEN_BYTES = 12
# Longer than any token we issue; anything longer is not looked up at all.
MAX_TOKEN_LENGTH = 64
_TOKEN_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def refusal(call: Call) -> str:
    """Why this call must have no public page, or "" when it may have one.

    The same exclusions as texts (notify.plan.exclusion: unmapped or sensitive call type,
    juvenile, do not contact), plus history: an imported call never had a caller to tell.
    """
    if call.historical:
        return "historical call"
    return exclusion(call, call.call_type)


def expires_at(call: Call) -> datetime:
    return call.updated + timedelta(days=settings.TRACK_LINK_DAYS)


def link_for(call: Call) -> str | None:
    """The call's tracking URL, made on first use and the same every time after.

    Returns None, rather than raising, when the call must have no link (see `refusal`), when
    staff revoked its link, or when it has already expired: a text then goes out without a
    link, which is what every caller of this function wants. Safe under concurrency: two
    workers asking at once get the same link (the one-per-call constraint decides).
    """
    if refusal(call) or timezone.now() >= expires_at(call):
        return None
    link = TrackLink.objects.filter(call=call).first()
    if link is None:
        new = secrets.token_urlsafe(TOKEN_BYTES)
        try:
            with transaction.atomic():
                link = TrackLink.objects.create(
                    call=call, token_hash=token_hash(new), token_enc=pii.encrypt(new)
                )
        except IntegrityError:
            # Another process made this call's link first: use theirs.
            link = TrackLink.objects.get(call=call)
    if link.revoked:
        return None
    token = pii.decrypt(link.token_enc)
    if token is None:  # token_enc is never null; this only satisfies the type checker
        return None
    return settings.SITE_URL + reverse("track", args=[token])


# --- The page -------------------------------------------------------------------------------

# Public names of the steps, in the order a call moves through them.
STEPS: list[tuple[str, Promise, str]] = [
    (Status.RECEIVED, _("Call received"), "received_at"),
    (Status.DISPATCHED, _("Officer assigned"), "dispatched_at"),
    (Status.ENROUTE, _("Officer on the way"), "enroute_at"),
    (Status.ONSCENE, _("Officer arrived"), "onscene_at"),
    (Status.CLEARED, _("Call completed"), "cleared_at"),
    (Status.CANCELLED, _("Call cancelled"), "cancelled_at"),
]

NEXT: dict[str, Promise] = {
    Status.RECEIVED: _(
        "Your call is waiting for the next available officer. Calls are answered in order of "
        "urgency, so the wait depends on what else is happening. You do not need to call again."
    ),
    Status.DISPATCHED: _(
        "An officer has been assigned to your call and will come as soon as they can."
    ),
    Status.ENROUTE: _("An officer is on the way."),
    Status.ONSCENE: _("An officer has arrived and is handling the call."),
    Status.CLEARED: _("The officers have finished with this call."),
    Status.CANCELLED: _(
        "This call was cancelled. If you still need help, call the non-emergency number below."
    ),
}
NEXT[Status.PENDING] = NEXT[Status.RECEIVED]


@dataclass
class Step:
    label: Promise
    at: datetime


def timeline(call: Call) -> list[Step]:
    """The steps the call has reached, in the order calls move, each with the time it was first
    reached. A step the CAD skipped (no time) is left out rather than guessed."""
    steps = []
    for _status, label, field in STEPS:
        at = getattr(call, field)
        if field == "received_at" and at is None:
            at = call.first_event_at
        if at is not None:
            steps.append(Step(label, at))
    return steps


def _languages() -> set[str]:
    return {code for code, _name in settings.LANGUAGES}


def language_for(request: HttpRequest, call: Call | None) -> str:
    """?lang= when it names a language we have; else the caller's language; else the agency's.

    Without a call (the 404 page) it is ?lang= or what LocaleMiddleware chose from the browser:
    never anything about a call, which would tell a guesser the token exists.
    """
    wanted = request.GET.get("lang", "")
    if wanted in _languages():
        return wanted
    if call is None:
        return translation.get_language() or settings.LANGUAGE_CODE
    for candidate in (call.caller_language, call.caller_language.split("-")[0]):
        if candidate in _languages():
            return candidate
    default = call.agency.default_language
    return default if default in _languages() else settings.LANGUAGE_CODE


def _private(response: HttpResponse, language: str) -> HttpResponse:
    # The token is in the URL: never send it on as a referrer, never index or cache the page.
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Cache-Control"] = "private, no-store"
    response["Content-Language"] = language
    if response.status_code >= 400:
        # Django would log "Not Found: /t/<token>" with the request attached; log it here
        # without the token (or the request), which also marks the response as logged.
        log_response("%s: /t/…", response.reason_phrase, response=response, request=None)
    return response


def language_links(language: str) -> list[dict[str, Any]]:
    """public.html's language switch: one ?lang= link per language, the current one marked."""
    return [
        {"code": code, "name": name, "current": code == language}
        for code, name in settings.LANGUAGES
    ]


def _respond(
    request: HttpRequest, template: str, context: dict[str, Any], status: int, language: str
) -> HttpResponse:
    with translation.override(language):
        response = render(
            request, template, {**context, "languages": language_links(language)}, status=status
        )
    return _private(response, language)


def not_found(request: HttpRequest) -> HttpResponse:
    return _respond(request, "track/not_found.html", {}, 404, language_for(request, None))


def _find(token: str) -> Call | None:
    if not token or len(token) > MAX_TOKEN_LENGTH or not set(token) <= _TOKEN_CHARS:
        return None
    link = (
        TrackLink.objects.select_related("call__agency", "call__call_type")
        .filter(token_hash=token_hash(token), revoked_at__isnull=True)
        .first()
    )
    if link is None:
        return None
    call = link.call
    # Checked on every view, not only when the link was made: a call reclassified as
    # domestic violence, or marked juvenile, disappears from the public at once.
    if refusal(call) or timezone.now() >= expires_at(call):
        return None
    return call


def _rate(group: str, request: HttpRequest) -> str:
    return settings.TRACK_RATE_LIMIT


@ratelimit(key="ip", rate=_rate, group="track", block=False)
def page(request: HttpRequest, token: str) -> HttpResponse:
    if request.method not in ("GET", "HEAD"):
        # Not require_GET: its 405 would log the path, token and all.
        return _private(HttpResponseNotAllowed(["GET", "HEAD"]), translation.get_language())
    if getattr(request, "limited", False):
        response = _respond(
            request, "track/rate_limited.html", {}, 429, language_for(request, None)
        )
        response["Retry-After"] = "60"
        return response
    call = _find(token)
    if call is None:
        return not_found(request)
    agency = call.agency
    language = language_for(request, call)
    with translation.override(language):
        outcome = disposition_wording(call) if call.status == Status.CLEARED else ""
    context = {
        "agency": agency,
        "incident_number": call.incident_number,
        "received_at": call.received_at or call.first_event_at,
        "steps": timeline(call),
        "next": NEXT.get(call.status, NEXT[Status.RECEIVED]),
        "outcome": outcome,
        "report_number": call.report_number,
        # The case the call's report became, after the call's own timeline (cases/track.py).
        "case": case_section(call, language),
        "phone": agency.non_emergency_number,
        "phone_href": pii.normalize_phone(agency.non_emergency_number)
        or "".join(c for c in agency.non_emergency_number if c.isdigit() or c == "+"),
    }
    with timezone.override(agency.tz):
        return _respond(request, "track/page.html", context, 200, language)
