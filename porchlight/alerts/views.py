"""Public alert pages and feeds: anyone may read an agency's live alerts, no login.

Every page carries the disclaimers (not 911, not monitored around the clock) and the agency's
non-emergency number. Pages use the link-based language switch (?lang=), so a shared link
opens in the language the visitor asks for.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone, translation
from django.views.decorators.http import require_safe

from porchlight.agencies.models import Agency
from porchlight.alerts import feeds
from porchlight.alerts.models import Alert, Beat
from porchlight.calls.track import language_for, language_links
from porchlight.notify import pii

ATOM_TYPE = "application/atom+xml; charset=utf-8"
CAP_TYPE = "application/cap+xml; charset=utf-8"
# Feed readers poll; a minute of caching keeps a busy relay from hammering the database.
FEED_MAX_AGE = 60


def phone_href(number: str) -> str:
    return pii.normalize_phone(number) or "".join(c for c in number if c.isdigit() or c == "+")


def public_page(
    request: HttpRequest, template: str, agency: Agency | None, context: dict[str, Any],
    status: int = 200,
) -> HttpResponse:  # fmt: skip
    language = language_for(request, None)
    context = {
        **context,
        "agency": agency,
        "languages": language_links(language),
        "phone": agency.non_emergency_number if agency else "",
        "phone_href": phone_href(agency.non_emergency_number) if agency else "",
    }
    with translation.override(language):
        response = render(request, template, context, status=status)
    response["Content-Language"] = language
    response["Vary"] = "Accept-Language, Cookie"
    return response


def _live(agency: Agency) -> Any:
    now = timezone.now()
    return (
        Alert.objects.filter(agency=agency, cancelled_at__isnull=True, published_at__lte=now)
        .exclude(expires_at__lte=now)
        .prefetch_related("beats")
    )


@require_safe
def agency_alerts(request: HttpRequest, slug: str) -> HttpResponse:
    agency = get_object_or_404(Agency, slug=slug)
    alerts = list(_live(agency).order_by("-pinned", "-published_at")[:50])
    return public_page(request, "alerts/list.html", agency, {"alerts": alerts})


@require_safe
def page(request: HttpRequest, token: str) -> HttpResponse:
    alert = (
        Alert.objects.select_related("agency")
        .prefetch_related("beats")
        .filter(share_token=token)
        .first()
    )
    if alert is None or alert.published_at > timezone.now():
        raise Http404
    url = feeds.page(alert)
    text = f"{alert.agency.name}: {alert.title}"
    share = {
        "url": url,
        "email": "mailto:?" + urlencode({"subject": text, "body": url}, quote_via=quote),
        "sms": "sms:?&" + urlencode({"body": f"{text} {url}"}, quote_via=quote),
        "facebook": "https://www.facebook.com/sharer/sharer.php?" + urlencode({"u": url}),
        "x": "https://x.com/intent/post?" + urlencode({"text": text, "url": url}),
    }
    context = {"alert": alert, "live": alert.is_live(), "share": share}
    return public_page(request, "alerts/page.html", alert.agency, context)


def _feed_response(body: bytes, content_type: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Cache-Control"] = f"public, max-age={FEED_MAX_AGE}"
    response["Access-Control-Allow-Origin"] = "*"  # relays read feeds from other origins
    return response


@require_safe
def agency_feed(request: HttpRequest, slug: str, kind: str) -> HttpResponse:
    agency = get_object_or_404(Agency, slug=slug)
    cap = kind == "cap"
    alerts = feeds.feed_alerts(Alert.objects.filter(agency=agency), with_cancelled=cap)
    name = "alerts:cap_feed" if cap else "alerts:atom_feed"
    body = feeds.atom(
        alerts,
        title=f"{agency.name}: {'CAP alerts' if cap else 'alerts'}",
        self_url=_absolute(reverse(name, args=[agency.slug])),
        page_url=_absolute(reverse("alerts:list", args=[agency.slug])),
        feed_id=f"tag:{feeds.host()},2026:{agency.slug}:{kind}",
        cap=cap,
    )
    return _feed_response(body, ATOM_TYPE)


@require_safe
def beat_feed(request: HttpRequest, slug: str, code: str, kind: str) -> HttpResponse:
    agency = get_object_or_404(Agency, slug=slug)
    beat = get_object_or_404(Beat, agency=agency, code=code)
    cap = kind == "cap"
    alerts = feeds.feed_alerts(
        feeds.for_beat(Alert.objects.filter(agency=agency), beat), with_cancelled=cap
    )
    name = "alerts:beat_cap_feed" if cap else "alerts:beat_atom_feed"
    body = feeds.atom(
        alerts,
        title=f"{agency.name}, beat {beat.label}: {'CAP alerts' if cap else 'alerts'}",
        self_url=_absolute(reverse(name, args=[agency.slug, beat.code])),
        page_url=_absolute(reverse("alerts:list", args=[agency.slug])),
        feed_id=f"tag:{feeds.host()},2026:{agency.slug}:beat:{quote(beat.code)}:{kind}",
        cap=cap,
    )
    return _feed_response(body, ATOM_TYPE)


@require_safe
def cap_message(request: HttpRequest, token: str) -> HttpResponse:
    alert = get_object_or_404(
        Alert.objects.select_related("agency"), share_token=token, published_at__lte=timezone.now()
    )
    return _feed_response(feeds.cap_message(alert), CAP_TYPE)


def _absolute(path: str) -> str:
    from django.conf import settings

    return settings.SITE_URL + path
