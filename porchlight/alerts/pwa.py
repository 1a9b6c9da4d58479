"""The resident site as an installable web app: the manifest, the service worker and the
offline page (911 and the non-emergency number, readable with no connection).

The service worker is served from the site's root (/sw.js), so its scope is the whole site;
it caches only the offline page and its stylesheet (never a signed-in page, which could show
one resident's data to the next user of a shared phone) and shows push notifications.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.views.decorators.http import require_safe

from porchlight.agencies.models import Agency
from porchlight.alerts.views import public_page

SW_VERSION = "1"


@require_safe
def manifest(request: HttpRequest) -> HttpResponse:
    agency = Agency.objects.order_by("pk").first() if Agency.objects.count() == 1 else None
    name = f"{agency.name} · Porchlight" if agency else "Porchlight"
    data = {
        "name": name,
        "short_name": "Porchlight",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#1d4f91",
        "lang": translation.get_language() or "en",
        "icons": [
            {"src": static("porchlight/favicon.svg"), "sizes": "any", "type": "image/svg+xml",
             "purpose": "any"},
            {"src": static("alerts/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("alerts/icon-512.png"), "sizes": "512x512", "type": "image/png"},
        ],
    }  # fmt: skip
    return JsonResponse(data, content_type="application/manifest+json")


@require_safe
def service_worker(request: HttpRequest) -> HttpResponse:
    from django.contrib.staticfiles import finders

    path = finders.find("alerts/sw.js")
    assert path is not None
    with open(path, encoding="utf-8") as source:
        body = source.read()
    body = (
        body.replace("__OFFLINE_URL__", reverse("alerts:offline"))
        .replace("__CSS_URL__", static("porchlight/site.css"))
        .replace("__VERSION__", SW_VERSION)
    )
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    # Browsers check for a new worker on navigation; never let a cache pin an old one.
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = "/"
    return response


@require_safe
def offline(request: HttpRequest) -> HttpResponse:
    agencies = list(Agency.objects.order_by("pk")[:2])
    agency = agencies[0] if len(agencies) == 1 else None
    return public_page(request, "alerts/offline.html", agency, {})
