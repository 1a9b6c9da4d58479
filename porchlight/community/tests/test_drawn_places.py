"""Places drawn as an area: the server's checks, and every query that reads places honouring
the polygon (covering, within, the feed, alert fan-out), not the circle around it."""

from __future__ import annotations

import json
from typing import Any

import pytest

from porchlight.community.models import Place
from porchlight.community.places import (
    AreaError,
    clean_area,
    places_covering,
    places_within,
    residents_near,
)
from porchlight.community.tests.factories import make_post, make_resident, north_of
from porchlight.geo import h3index

LAT, LON = 35.3733, -119.0187
D = 0.01  # ~0.7 mile of latitude


def triangle() -> dict[str, Any]:
    """A right triangle: the south-west half of a square D on a side, corner at (LAT, LON).
    Its bounding box's north-east corner lies outside it."""
    ring = [[LON, LAT], [LON + D, LAT], [LON, LAT + D], [LON, LAT]]
    return {"type": "Polygon", "coordinates": [ring]}


def drawn(resident: Any, area: dict[str, Any], name: str = "Block") -> Place:
    geojson, lat, lon, miles = clean_area(area)
    return Place.objects.create(
        resident=resident, agency=resident.agency, name=name, lat=lat, lon=lon,
        h3=h3index.cell(lat, lon), radius_miles=miles, area=geojson,
    )  # fmt: skip


INSIDE = (LAT + D * 0.2, LON + D * 0.2)
# Inside the triangle's bounding box and its enclosing circle, outside the triangle.
OUTSIDE_IN_BOX = (LAT + D * 0.9, LON + D * 0.9)


def test_a_drawn_area_is_normalised_with_its_centre_and_enclosing_radius() -> None:
    geojson, lat, lon, miles = clean_area(triangle())
    ring = geojson["coordinates"][0]
    assert ring[0] == ring[-1] and len(ring) == 4
    assert LAT < lat < LAT + D and LON < lon < LON + D
    # The circle holds every corner: the farthest is ~0.5 mile from the centre.
    for x, y in ring:
        assert h3index.miles_between(lat, lon, y, x) <= miles * 1.01
    assert 0.25 <= miles < 1.0


@pytest.mark.parametrize(
    ("area", "reason"),
    [
        ({"type": "Point", "coordinates": [LON, LAT]}, "not a polygon"),
        ({"type": "Polygon", "coordinates": [[[LON, LAT], [LON + D, LAT], [LON, LAT]]]},
         "at least 3 corners"),
        ({"type": "Polygon", "coordinates": [[[LON, LAT], [LON + D, LAT + D], [LON + D, LAT],
                                              [LON, LAT + D], [LON, LAT]]]}, "cross each other"),
        ({"type": "Polygon", "coordinates": [[[LON, LAT], [LON + 0.3, LAT], [LON, LAT + 0.3],
                                              [LON, LAT]]]}, "too large"),
        ({"type": "Polygon", "coordinates": [[[LON, LAT], [LON + 1e-5, LAT], [LON, LAT + 1e-5],
                                              [LON, LAT]]]}, "too small"),
        ({"type": "Polygon", "coordinates": [[["a", "b"], [1, 2], [3, 4]]]}, "longitude"),
        ({"type": "Polygon", "coordinates": [[[LON, 95], [LON + D, 95], [LON, 96], [LON, 95]]]},
         "longitude"),
        ({"type": "Polygon", "coordinates": [[[LON + i * 1e-4, LAT + (i % 2) * 1e-3]
                                              for i in range(150)]]}, "at most"),
    ],
)  # fmt: skip
def test_bad_drawings_are_refused_with_the_reason(area: Any, reason: str) -> None:
    with pytest.raises(AreaError, match=reason):
        clean_area(area)


@pytest.mark.django_db
def test_covering_and_within_follow_the_polygon_not_its_circle(agency: Any) -> None:
    ana = make_resident(agency, "ana@example.org")
    block = drawn(ana, triangle())
    assert places_covering(agency, *INSIDE) == [block]
    assert places_covering(agency, *OUTSIDE_IN_BOX) == []
    assert residents_near(agency, *INSIDE) == [ana]
    # Within: any part of the area counts (distance 0 inside it), measured to its edge.
    assert places_within(agency, *INSIDE, 0.1) == [(block, 0.0)]
    south = north_of(LAT, -0.3)  # 0.3 mile south of the triangle's south edge
    assert places_within(agency, south, LON + D / 2, 0.25) == []
    [(found, miles)] = places_within(agency, south, LON + D / 2, 0.35)
    assert found == block and 0.29 < miles < 0.31


@pytest.mark.django_db
def test_the_feed_of_a_drawn_place_shows_only_posts_inside_it(client: Any, agency: Any) -> None:
    me = make_resident(agency, "me@example.org")
    drawn(me, triangle())
    other = make_resident(agency, "bo@example.org")
    make_post(other, *INSIDE, title="inside")
    make_post(other, *OUTSIDE_IN_BOX, title="in the box, outside the area")
    make_post(other, LAT - D, LON, title="far")
    client.force_login(me.user)
    r = client.get("/n/bakersfield/feed/")
    assert [p.title for p in r.context["posts"]] == ["inside"]


@pytest.mark.django_db
def test_adding_a_drawn_place_through_the_form(client: Any, agency: Any) -> None:
    me = make_resident(agency, "me@example.org")
    client.force_login(me.user)
    r = client.post(
        "/n/bakersfield/places/new/",
        {"name": "My block", "radius_miles": "1.0", "area": json.dumps(triangle())},
    )
    assert r.status_code == 302
    place = Place.objects.get(resident=me)
    assert place.area["type"] == "Polygon" and place.address == ""
    # Refused with the reason, nothing saved.
    crossing = {"type": "Polygon", "coordinates": [[[LON, LAT], [LON + D, LAT + D],
                [LON + D, LAT], [LON, LAT + D], [LON, LAT]]]}  # fmt: skip
    for bad, reason in (
        (json.dumps(crossing), "cross each other"),
        ("{not json", "could not be read"),
    ):
        r = client.post(
            "/n/bakersfield/places/new/", {"name": "Bad", "radius_miles": "1.0", "area": bad}
        )
        assert r.status_code == 400 and reason in r.content.decode()
    assert Place.objects.filter(resident=me).count() == 1


@pytest.mark.django_db
def test_an_alert_reaches_a_drawn_place_when_the_areas_meet(agency: Any) -> None:
    from porchlight.alerts import fanout, publish

    ana = make_resident(agency, "ana@example.org")
    drawn(ana, triangle())
    # A small circle inside the triangle's box but outside the triangle: not reached.
    missed = publish.publish(agency, publish.radius_area(*OUTSIDE_IN_BOX, 0.05),
                             title="Missed", body="Not here.")  # fmt: skip
    assert ana.pk not in fanout.reached(missed)
    hit = publish.publish(agency, publish.radius_area(*INSIDE, 0.05), title="Hit", body="Here.")
    assert ana.pk in fanout.reached(hit)


@pytest.mark.django_db
def test_a_drawn_place_makes_its_resident_eligible_for_a_watch_group_it_meets(
    agency: Any,
) -> None:
    from porchlight.alerts import watch

    ana = make_resident(agency, "ana@example.org")
    drawn(ana, triangle())
    square = lambda lat, lon, d: {  # noqa: E731
        "type": "Polygon",
        "coordinates": [[[lon, lat], [lon + d, lat], [lon + d, lat + d], [lon, lat + d],
                         [lon, lat]]],
    }  # fmt: skip
    # Overlaps the triangle's corner at (LAT, LON) but holds neither its centre nor its box's
    # far corner; another group only covers the box's empty corner.
    meets = watch.create(agency, "Meets", square(LAT - D / 4, LON - D / 4, D / 2))
    watch.create(agency, "Misses", square(LAT + D * 0.8, LON + D * 0.8, D / 10))
    assert watch.eligible(ana) == [meets]
