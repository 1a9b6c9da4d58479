"""Rate limits on what residents write: posts, comments and flags.

django-ratelimit, as the report form and the track page use it (the cache is Redis in
production, so the limits hold across web processes). The key is the signed-in account, not
the address: neighbours behind one carrier NAT must not share a budget, and an account that
floods the forum is the thing to slow down. Only POSTs count; reading is never limited.
The rates are settings (COMMUNITY_*_RATE, docs/admins.md).
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django_ratelimit.core import _split_rate
from django_ratelimit.decorators import ratelimit

from porchlight.agencies.models import Agency

# What the 429 page says was limited, by group.
GROUPS = {
    "community.post": "COMMUNITY_POST_RATE",
    "community.comment": "COMMUNITY_COMMENT_RATE",
    "community.flag": "COMMUNITY_FLAG_RATE",
}


def _rate(group: str, request: HttpRequest) -> str:
    return str(getattr(settings, GROUPS[group]))


def _account(group: str, request: HttpRequest) -> str:
    # resident_required lets only signed-in residents reach the view; an anonymous POST is
    # redirected before it could count, but keep it apart from every account anyway.
    user = request.user
    return f"user:{user.pk}" if user.is_authenticated else "anonymous"


def limit(group: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Count the account's POSTs to `group`; the view checks `is_limited(request)`."""
    if group not in GROUPS:
        raise ValueError(f"unknown rate-limit group {group!r}")
    return ratelimit(key=_account, rate=_rate, group=group, method="POST", block=False)


def is_limited(request: HttpRequest) -> bool:
    return request.method == "POST" and bool(getattr(request, "limited", False))


def reason(group: str) -> str:
    if group == "community.post":
        return _("You have posted a lot in a short time. Try again later.")
    if group == "community.comment":
        return _("You have commented a lot in a short time. Try again later.")
    return _("You have flagged a lot in a short time. Try again later.")  # posts and comments


def retry_after(group: str) -> int:
    """Seconds until the window that refused the request has surely passed."""
    _count, seconds = _split_rate(_rate(group, HttpRequest()))
    return int(seconds)


def refused(request: HttpRequest, agency: Agency, group: str) -> HttpResponse:
    """429 with the reason, the non-emergency number and the 911 line (base template)."""
    from porchlight.community.views.common import page

    response = page(
        request,
        agency,
        "community/rate_limited.html",
        {"reason": reason(group)},
        status=429,
    )
    response["Retry-After"] = str(retry_after(group))
    return response
