"""The public map pages: /map/<agency>/ (map, filters and the list view) and
/map/<agency>/summary/ (the weekly safety summary). Public, no login, in the visitor's language.

The list view is the page itself, rendered on the server from the same query as the GeoJSON
API: it works with no script, and it is what a screen reader reads. The map (map.js) is drawn
over it from the API when scripts run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Max, Min
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from porchlight.agencies.models import Agency
from porchlight.calls.track import language_for, language_links
from porchlight.geo import geocode
from porchlight.geo.models import Address
from porchlight.notify import pii
from porchlight.publicmap import query, summary
from porchlight.publicmap.models import Category, Kind, PublishedIncident

DAYS = (7, 30, 90)
RADII = ("0.25", "0.5", "1", "2", "5")
PAGE = 50


@dataclass
class Filters:
    categories: list[str] = field(default_factory=list)
    days: int = 30
    address: str = ""
    radius: str = "1"
    page: int = 1
    errors: list[str] = field(default_factory=list)
    notice: str = ""
    circle: query.Circle | None = None


def read_filters(request: HttpRequest, agency: Agency) -> Filters:
    """The page's GET form. Values outside the offered choices are errors the page states."""
    params = request.GET
    found = Filters()
    for value in params.getlist("category"):
        if value in Category.values:
            found.categories.append(value)
        else:
            found.errors.append(_("Unknown category: %(value)s") % {"value": value[:40]})
    days = params.get("days", "30")
    if days.isdigit() and int(days) in DAYS:
        found.days = int(days)
    else:
        found.errors.append(_("Choose 7, 30 or 90 days."))
    radius = params.get("radius", "1")
    if radius in RADII:
        found.radius = radius
    else:
        found.errors.append(_("Choose a distance from the list."))
    page = params.get("page", "1")
    if page.isdigit() and 1 <= int(page) <= 1000:
        found.page = int(page)
    else:
        found.errors.append(_("That page number is not valid."))
    found.address = params.get("address", "").strip()[:200]
    if found.address and not found.errors:
        match = geocode.geocode(agency, found.address)
        if match is None:
            found.notice = str(geocode.NOT_FOUND)
        else:
            found.circle = query.Circle(match.lat, match.lon, float(found.radius))
    return found


def extent(agency: Agency) -> query.Box | None:
    """The agency's area: what its address table and its published incidents cover (public
    points sit up to 120 m off the addresses)."""
    boxes = [
        model.objects.filter(agency=agency).aggregate(  # type: ignore[attr-defined]
            south=Min("lat"), north=Max("lat"), west=Min("lon"), east=Max("lon")
        )
        for model in (Address, PublishedIncident)
    ]
    boxes = [b for b in boxes if b["south"] is not None]
    if not boxes:
        return None
    return query.Box(
        west=min(b["west"] for b in boxes),
        south=min(b["south"] for b in boxes),
        east=max(b["east"] for b in boxes),
        north=max(b["north"] for b in boxes),
    )


def _respond(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    language = language_for(request, None)
    agency: Agency = context["agency"]
    number = agency.non_emergency_number
    context |= {
        "lang": language,
        "languages": language_links(language),
        "phone": number,
        "phone_href": pii.normalize_phone(number)
        or "".join(c for c in number if c.isdigit() or c == "+"),
    }
    with translation.override(language), timezone.override(agency.time_zone):
        response = render(request, template, context, status=status)
    response["Content-Language"] = language
    response["Vary"] = "Accept-Language, Cookie"
    return response


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    """/map/: the only agency's map, or a list of agencies."""
    agencies = list(Agency.objects.order_by("name"))
    if len(agencies) == 1:
        return HttpResponseRedirect(reverse("publicmap:map", args=[agencies[0].slug]))
    if not agencies:
        raise Http404
    language = language_for(request, None)
    with translation.override(language):
        response = render(
            request,
            "publicmap/index.html",
            {"agencies": agencies, "languages": language_links(language)},
        )
    response["Content-Language"] = language
    return response


@require_safe
def map_page(request: HttpRequest, slug: str) -> HttpResponse:
    agency = get_object_or_404(Agency, slug=slug)
    filters = read_filters(request, agency)
    now = timezone.now()
    # The window starts on a whole minute, so every visitor of the same view within a minute
    # asks the GeoJSON API the same URL, which the browser and a shared cache may reuse for
    # its max-age of 60 s; incidents publish an hour late, so the minute changes nothing seen.
    since = (now - timedelta(days=filters.days)).replace(second=0, microsecond=0)
    area: query.Circle | query.Box | None = filters.circle or extent(agency)
    rows: list[dict[str, Any]] = []
    more = False
    if area is not None and not filters.errors:
        found, more = query.incidents(
            area,
            since,
            now,
            categories=set(filters.categories) or None,
            agency_id=agency.pk,
            limit=PAGE * filters.page,
        )
        # Block labels are words: made in the page's language, not the server's.
        with translation.override(language_for(request, None)):
            rows = [_row(i) for i in found[PAGE * (filters.page - 1) :]]
    context = {
        "agency": agency,
        "filters": filters,
        "categories": [(c.value, c.label, c.value in filters.categories) for c in Category],
        "days_choices": DAYS,
        "radii": RADII,
        "rows": rows,
        "more": more,
        "first": PAGE * (filters.page - 1) + 1,
        "next_page": _page_link(request, filters.page + 1) if more else "",
        "prev_page": _page_link(request, filters.page - 1) if filters.page > 1 else "",
        "map": _map_data(agency, filters, area, since),
    }
    return _respond(request, "publicmap/map.html", context, 400 if filters.errors else 200)


@require_safe
def summary_page(request: HttpRequest, slug: str) -> HttpResponse:
    agency = get_object_or_404(Agency, slug=slug)
    filters = read_filters(request, agency)
    place = _own_place(request, agency)
    area: query.Circle | query.Box | None
    if place is not None:
        # A drawn area's place keeps the circle that holds the whole area (community.models).
        area = query.Circle(place.lat, place.lon, place.radius_miles)
    else:
        area = filters.circle or extent(agency)
    result = None
    if area is not None and not filters.errors:
        result = summary.weekly_summary(area, agency_id=agency.pk)
    context = {
        "agency": agency,
        "place": place,
        "filters": filters,
        "radii": RADII,
        "summary": result,
        "whole": result.whole if result else None,
        "weeks": summary.WEEKS_BEFORE,
    }
    if result is not None:
        # The sentences are words: made in the page's language, not the server's.
        with translation.override(language_for(request, None)):
            context["rows"] = [(row, summary.sentence(row)) for row in result.categories]
            context["whole_sentence"] = summary.sentence(result.whole)
    response = _respond(request, "publicmap/summary.html", context, 400 if filters.errors else 200)
    if place is not None:
        # One resident's place: never kept by a shared cache.
        response["Cache-Control"] = "private, no-store"
    return response


def _own_place(request: HttpRequest, agency: Agency) -> Any:
    """?place=<id>: one of the signed-in resident's saved places (linked from their places in
    the community feed). Anyone else's, or anyone not signed in, gets a 404: a place's point is
    the resident's alone, and the page never shows it, only the counts around it."""
    wanted = request.GET.get("place")
    if wanted is None:
        return None
    from porchlight.community.models import Place

    if not wanted.isdigit() or not request.user.is_authenticated:
        raise Http404
    return get_object_or_404(Place, pk=int(wanted), agency=agency, resident__user=request.user)


def _row(incident: query.Incident) -> dict[str, Any]:
    block = query.block_label(incident.block_number, incident.street)
    return {
        "category": incident.category,
        "category_label": Category(incident.category).label,
        "call": incident.kind == Kind.CALL,
        "kind_label": Kind(incident.kind).label,
        "block": block,
        "at": incident.occurred_at,
        "miles": incident.miles,
    }


def _page_link(request: HttpRequest, page: int) -> str:
    params = request.GET.copy()
    params["page"] = str(page)
    return f"?{params.urlencode()}"


def _map_data(
    agency: Agency, filters: Filters, area: query.Circle | query.Box | None, since: datetime
) -> dict[str, Any]:
    """What map.js reads from the map element's data- attributes."""
    data: dict[str, Any] = {
        "api": reverse("api:map_incidents"),
        "agency": agency.slug,
        "tz": agency.time_zone,
        "categories": ",".join(filters.categories),
        "since": since.isoformat(),
        "tiles": settings.MAP_TILE_URL,
        "attribution": settings.MAP_TILE_ATTRIBUTION,
        # The bundled streets are the base layer when there are no tiles (offline, the demo).
        "streets": static(settings.MAP_STREETS)
        if settings.MAP_STREETS and not settings.MAP_TILE_URL
        else "",
    }
    if isinstance(area, query.Circle):
        data["circle"] = f"{area.lat},{area.lon},{area.miles}"
    elif isinstance(area, query.Box):
        data["bounds"] = f"{area.south},{area.west},{area.north},{area.east}"
    return data
