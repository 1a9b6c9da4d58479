"""Radius queries over residents' places: the entry points other apps use.

    places_covering(agency, lat, lon)       places whose own radius reaches the point
                                            (who hears about something that happened here)
    places_within(agency, lat, lon, miles)  places located within `miles` of the point
                                            (an alert drawn as a circle)
    residents_near(agency, lat, lon)        the distinct residents of places_covering()

A place's radius is at most MAX_RADIUS_MILES, so every place that can cover a point lies in
that circle around it: the prefilter is a lat/lon box of that size (an H3 IN list of a
5-mile disk is thousands of cells), then the exact distance against each place's own radius.
"""

from __future__ import annotations

from django.db.models import QuerySet

from porchlight.agencies.models import Agency
from porchlight.community.models import MAX_RADIUS_MILES, Place, Resident
from porchlight.geo import h3index, radius


def places_within(
    agency: Agency, lat: float, lon: float, miles: float
) -> list[tuple[Place, float]]:
    """(place, distance in miles) for the agency's places within `miles`, nearest first."""
    return radius.within(Place.objects.filter(agency=agency), lat, lon, miles)


def places_covering(
    agency: Agency, lat: float, lon: float, queryset: QuerySet[Place] | None = None
) -> list[Place]:
    """The agency's places whose radius reaches (lat, lon), nearest first."""
    base = queryset if queryset is not None else Place.objects.filter(agency=agency)
    lat0, lat1, lon0, lon1 = h3index.bounding_box(lat, lon, MAX_RADIUS_MILES)
    found: list[tuple[float, Place]] = []
    for place in base.filter(lat__range=(lat0, lat1), lon__range=(lon0, lon1)):
        distance = h3index.miles_between(lat, lon, place.lat, place.lon)
        if distance <= place.radius_miles:
            found.append((distance, place))
    found.sort(key=lambda pair: (pair[0], pair[1].pk))
    return [place for _distance, place in found]


def residents_near(agency: Agency, lat: float, lon: float) -> list[Resident]:
    """Residents with at least one place whose radius reaches (lat, lon), each once."""
    seen: dict[int, Resident] = {}
    for place in places_covering(
        agency, lat, lon, Place.objects.filter(agency=agency).select_related("resident__user")
    ):
        seen.setdefault(place.resident_id, place.resident)
    return list(seen.values())
