"""Radius and area queries over residents' places: the entry points other apps use.

    places_covering(agency, lat, lon)       places that reach the point: its radius, or the
                                            drawn area holding it (who hears about something
                                            that happened here)
    places_within(agency, lat, lon, miles)  places located within `miles` of the point (for a
                                            drawn area: any part of it)
    residents_near(agency, lat, lon)        the distinct residents of places_covering()
    clean_area(geojson)                     a drawn area checked and normalised, or AreaError

A place is a circle (a point and a radius) or a drawn polygon. A polygon place also stores its
centre and the radius of the circle around the centre that holds it, at most MAX_RADIUS_MILES,
so every place that can cover a point lies within MAX_RADIUS_MILES of it: the prefilter is a
lat/lon box of that size (an H3 IN list of a 5-mile disk is thousands of cells), then the exact
test (the distance against the place's own radius, or the point in the polygon).
"""

from __future__ import annotations

import math
from typing import Any

import shapely
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from shapely.geometry import Point, Polygon, shape

from porchlight.agencies.models import Agency
from porchlight.community.models import MAX_RADIUS_MILES, MIN_RADIUS_MILES, Place, Resident
from porchlight.geo import h3index, radius

MAX_VERTICES = 100
# Smaller than a house lot is a slip of the finger, not an area.
MIN_AREA_SQ_MILES = 0.0005
MILES_PER_DEGREE_LAT = 69.0


class AreaError(ValueError):
    """Why a drawn area was refused, in words for the resident."""


def _local(lat0: float) -> tuple[float, float]:
    """Miles per degree (longitude, latitude) near lat0: a plane that is true to a few feet
    over the 10 miles an area can span."""
    return MILES_PER_DEGREE_LAT * math.cos(math.radians(lat0)), MILES_PER_DEGREE_LAT


def _in_miles(polygon: Polygon, lat0: float, lon0: float) -> Polygon:
    kx, ky = _local(lat0)
    return shapely.transform(polygon, lambda xy: (xy - [lon0, lat0]) * [kx, ky])


def clean_area(data: Any) -> tuple[dict[str, Any], float, float, float]:
    """(GeoJSON Polygon, centre lat, centre lon, radius in miles holding it) for a drawn area;
    AreaError when it is not one polygon of 3 to MAX_VERTICES corners, crosses itself, is
    almost nothing, or does not fit within MAX_RADIUS_MILES of its centre."""
    if not isinstance(data, dict) or data.get("type") != "Polygon":
        raise AreaError(_("The drawn area is not a polygon."))
    rings = data.get("coordinates")
    if not isinstance(rings, list) or len(rings) != 1 or not isinstance(rings[0], list):
        raise AreaError(_("Draw one area, without holes."))
    ring = rings[0]
    try:
        corners = [(float(p[0]), float(p[1])) for p in ring]
    except (TypeError, ValueError, IndexError):
        raise AreaError(_("The drawn area's corners are not longitude and latitude.")) from None
    if corners and corners[0] == corners[-1]:
        corners = corners[:-1]
    if len(set(corners)) < 3:
        raise AreaError(_("Tap at least 3 corners to draw an area."))
    if len(corners) > MAX_VERTICES:
        raise AreaError(_("Draw the area with at most %(n)s corners.") % {"n": MAX_VERTICES})
    if not all(
        math.isfinite(x) and math.isfinite(y) and -180 <= x <= 180 and -90 <= y <= 90
        for x, y in corners
    ):
        raise AreaError(_("The drawn area's corners are not longitude and latitude."))
    polygon = shape({"type": "Polygon", "coordinates": [[*corners, corners[0]]]})
    if not polygon.is_valid:
        raise AreaError(_("The area's edges cross each other. Draw it again around the outside."))
    centre = polygon.centroid
    lat0, lon0 = centre.y, centre.x
    local = _in_miles(polygon, lat0, lon0)
    if local.area < MIN_AREA_SQ_MILES:
        raise AreaError(_("The drawn area is too small. Tap corners farther apart."))
    reach = max(math.hypot(x, y) for x, y in local.exterior.coords)
    if reach > MAX_RADIUS_MILES:
        raise AreaError(
            _("The drawn area is too large: keep it within %(miles)s miles of its centre.")
            % {"miles": int(MAX_RADIUS_MILES)}
        )
    # Counter-clockwise outer ring (RFC 7946), rounded to ~10 cm.
    ring_out = shapely.geometry.polygon.orient(polygon, 1.0).exterior.coords
    geojson = {
        "type": "Polygon",
        "coordinates": [[[round(x, 6), round(y, 6)] for x, y in ring_out]],
    }
    return geojson, lat0, lon0, max(MIN_RADIUS_MILES, math.ceil(reach * 1000) / 1000)


def polygon_of(place: Place) -> Polygon | None:
    return shape(place.area) if place.area else None


def area_miles_to(place: Place, lat: float, lon: float) -> float:
    """Miles from (lat, lon) to a drawn place's area (0 inside it)."""
    polygon = polygon_of(place)
    assert polygon is not None
    if polygon.covers(Point(lon, lat)):
        return 0.0
    return float(_in_miles(polygon, lat, lon).distance(Point(0, 0)))


def reaches(place: Place, lat: float, lon: float) -> bool:
    """Whether something at (lat, lon) is the place's business: inside its radius, or inside
    its drawn area."""
    if place.area:
        return area_miles_to(place, lat, lon) == 0.0
    return h3index.miles_between(lat, lon, place.lat, place.lon) <= place.radius_miles


def places_within(
    agency: Agency, lat: float, lon: float, miles: float
) -> list[tuple[Place, float]]:
    """(place, distance in miles) for the agency's places within `miles`, nearest first. A
    drawn place counts when any part of its area is within `miles` (distance 0 inside it)."""
    base = Place.objects.filter(agency=agency)
    found = radius.within(base.filter(area__isnull=True), lat, lon, miles)
    # A drawn area's centre is at most its radius (≤ MAX_RADIUS_MILES) from its edge.
    lat0, lat1, lon0, lon1 = h3index.bounding_box(lat, lon, miles + MAX_RADIUS_MILES)
    for place in base.filter(area__isnull=False, lat__range=(lat0, lat1), lon__range=(lon0, lon1)):
        distance = area_miles_to(place, lat, lon)
        if distance <= miles:
            found.append((place, distance))
    found.sort(key=lambda pair: (pair[1], pair[0].pk))
    return found


def places_covering(
    agency: Agency, lat: float, lon: float, queryset: QuerySet[Place] | None = None
) -> list[Place]:
    """The agency's places that reach (lat, lon) — by radius or drawn area — nearest first."""
    base = queryset if queryset is not None else Place.objects.filter(agency=agency)
    lat0, lat1, lon0, lon1 = h3index.bounding_box(lat, lon, MAX_RADIUS_MILES)
    found: list[tuple[float, Place]] = []
    for place in base.filter(lat__range=(lat0, lat1), lon__range=(lon0, lon1)):
        if place.area:
            if area_miles_to(place, lat, lon) == 0.0:
                found.append((h3index.miles_between(lat, lon, place.lat, place.lon), place))
            continue
        distance = h3index.miles_between(lat, lon, place.lat, place.lon)
        if distance <= place.radius_miles:
            found.append((distance, place))
    found.sort(key=lambda pair: (pair[0], pair[1].pk))
    return [place for _distance, place in found]


def residents_near(agency: Agency, lat: float, lon: float) -> list[Resident]:
    """Residents with at least one place that reaches (lat, lon), each once."""
    seen: dict[int, Resident] = {}
    for place in places_covering(
        agency, lat, lon, Place.objects.filter(agency=agency).select_related("resident__user")
    ):
        seen.setdefault(place.resident_id, place.resident)
    return list(seen.values())
