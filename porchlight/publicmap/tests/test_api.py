"""GET /api/v1/map/incidents: GeoJSON by radius or box, filtered by time and category."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from porchlight.calls.models import CallType
from porchlight.geo import h3index
from porchlight.publicmap import publish
from porchlight.publicmap.models import CategoryMapping, PublishedIncident
from porchlight.publicmap.tests.builders import BLOCK_LAT, make_call, truxtun_block

pytestmark = pytest.mark.django_db
URL = "/api/v1/map/incidents"


def published(agency, **call):
    make_call(agency, **call)
    publish.run(agency)
    return PublishedIncident.objects.latest("pk")


def test_a_feature_collection_by_radius(client, agency):
    truxtun_block(agency)
    incident = published(agency)
    response = client.get(URL, {"lat": BLOCK_LAT, "lon": -119.008, "radius": "1"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    body = response.json()
    assert body["type"] == "FeatureCollection"
    assert body["truncated"] is False
    [feature] = body["features"]
    assert feature["type"] == "Feature"
    assert feature["geometry"] == {"type": "Point", "coordinates": [incident.lon, incident.lat]}
    assert feature["properties"] == {
        "category": "burglary",
        "category_label": "Burglary",
        "kind": "call",
        "kind_label": "Call for service",
        "block": "1200 block of Truxtun Ave",
        "occurred_at": incident.occurred_at.isoformat(),
        "agency": agency.slug,
    }


def test_the_radius_edge_is_the_public_point(client, agency):
    """Just inside the radius is in, just outside is out, measured to the published point."""
    incident = published(agency)
    lat = incident.lat + 0.02  # ~1.38 miles north
    lon = incident.lon
    distance = h3index.miles_between(lat, lon, incident.lat, incident.lon)
    for radius, count in ((distance + 0.001, 1), (distance - 0.001, 0)):
        response = client.get(URL, {"lat": lat, "lon": lon, "radius": f"{radius:.6f}"})
        assert len(response.json()["features"]) == count, radius
    # Past 3 miles the query takes the lat/lon box instead of H3 cells: same edge.
    far_lat = incident.lat + 0.05  # ~3.45 miles
    far = h3index.miles_between(far_lat, lon, incident.lat, incident.lon)
    for radius, count in ((far + 0.001, 1), (far - 0.001, 0)):
        response = client.get(URL, {"lat": far_lat, "lon": lon, "radius": f"{radius:.6f}"})
        assert len(response.json()["features"]) == count, radius


def test_by_bounding_box(client, agency):
    incident = published(agency)
    around = f"{incident.lon - 0.001},{incident.lat - 0.001},{incident.lon + 0.001},{incident.lat + 0.001}"
    beside = f"{incident.lon + 0.001},{incident.lat - 0.001},{incident.lon + 0.002},{incident.lat + 0.001}"
    assert len(client.get(URL, {"bbox": around}).json()["features"]) == 1
    assert client.get(URL, {"bbox": beside}).json()["features"] == []


def test_since_until_and_category_filters(client, agency):
    now = timezone.now()
    make_call(agency, "459R", ago=timedelta(days=3), now=now)
    make_call(agency, "488", ago=timedelta(days=10), now=now)
    CallType.objects.filter(agency=agency, code="488").update(description="Petty theft")
    publish.run(agency, now, lookback=timedelta(days=30))
    # The builder's 488 was created without a description, so staff categorise it:
    CategoryMapping.objects.filter(code="488").update(category="theft")
    box = "-119.1,35.3,-118.9,35.45"

    def got(**params):
        response = client.get(URL, {"bbox": box, **params})
        assert response.status_code == 200, response.content
        return sorted(f["properties"]["category"] for f in response.json()["features"])

    assert got() == ["burglary", "theft"]
    assert got(category="theft") == ["theft"]
    assert got(category="theft,burglary") == ["burglary", "theft"]
    assert got(since=(now - timedelta(days=5)).isoformat()) == ["burglary"]
    assert got(until=(now - timedelta(days=5)).isoformat()) == ["theft"]
    assert got(since=(now - timedelta(days=5)).date().isoformat(), category="theft") == []


def test_never_a_sensitive_type_nor_an_uncategorised_one(client, agency):
    make_call(agency, "273.5")  # sensitive: never published at all
    make_call(agency, "XYZ")  # no category yet: kept hidden
    published(agency, code="415")
    box = "-119.1,35.3,-118.9,35.45"
    features = client.get(URL, {"bbox": box}).json()["features"]
    assert [f["properties"]["category"] for f in features] == ["disturbance"]
    # Marked sensitive after publication: gone from the answer at once, before any run.
    CategoryMapping.objects.filter(code="415").update(sensitive=True)
    assert client.get(URL, {"bbox": box}).json()["features"] == []


def test_never_an_exact_point(client, agency):
    truxtun_block(agency)
    calls = [make_call(agency, address=f"{n} Truxtun Ave") for n in (1210, 1250, 1290)]
    publish.run(agency)
    features = client.get(URL, {"bbox": "-119.1,35.3,-118.9,35.45"}).json()["features"]
    assert len(features) == 3
    exact = {(c.lon, c.lat) for c in calls}
    from porchlight.geo.models import Address

    exact |= set(Address.objects.values_list("lon", "lat"))
    for f in features:
        assert tuple(f["geometry"]["coordinates"]) not in exact
        assert "1210" not in str(f) and "1250" not in str(f) and "1290" not in str(f)


def test_limit_truncates_newest_first(client, agency):
    for hours in (2, 3, 4):
        make_call(agency, ago=timedelta(hours=hours))
    publish.run(agency)
    body = client.get(URL, {"bbox": "-119.1,35.3,-118.9,35.45", "limit": "2"}).json()
    assert body["truncated"] is True
    times = [f["properties"]["occurred_at"] for f in body["features"]]
    assert len(times) == 2 and times == sorted(times, reverse=True)
    circle = {"lat": BLOCK_LAT, "lon": -119.008, "radius": "2", "limit": "2"}
    assert client.get(URL, circle).json()["truncated"] is True


def test_labels_in_the_language_asked_for(client, agency):
    published(agency)
    body = client.get(URL, {"bbox": "-119.1,35.3,-118.9,35.45", "lang": "es"}).json()
    properties = body["features"][0]["properties"]
    assert properties["category_label"] == "Robo con allanamiento"
    assert properties["kind_label"] == "Llamada de servicio"
    assert properties["block"] == "Cuadra 1200 de Truxtun Ave"
    assert properties["category"] == "burglary"  # the codes never change with the language


def test_one_agency_only(client, agency):
    published(agency)
    box = "-119.1,35.3,-118.9,35.45"
    assert len(client.get(URL, {"bbox": box, "agency": agency.slug}).json()["features"]) == 1
    response = client.get(URL, {"bbox": box, "agency": "nowhere"})
    assert response.status_code == 404
    assert response.json() == {"detail": "no agency 'nowhere'"}


@pytest.mark.parametrize(
    ("params", "reason"),
    [
        ({}, "give either bbox"),
        ({"bbox": "1,2,3,4", "lat": "35"}, "give either bbox"),
        ({"bbox": "1,2,3"}, "four numbers"),
        ({"bbox": "a,b,c,d"}, "four numbers"),
        ({"bbox": "-119,35.5,-118.9,35.4"}, "south ≤ north"),
        ({"bbox": "-200,35,-118.9,35.4"}, "outside"),
        ({"bbox": "-121,35,-118,35.4"}, "at most 1°"),
        ({"lat": "35", "lon": "-119"}, "radius is required"),
        ({"lat": "x", "lon": "-119", "radius": "1"}, "lat must be a number"),
        ({"lat": "nan", "lon": "-119", "radius": "1"}, "finite"),
        ({"lat": "95", "lon": "-119", "radius": "1"}, "within -90..90"),
        ({"lat": "35", "lon": "-119", "radius": "0"}, "radius must be more than 0"),
        ({"lat": "35", "lon": "-119", "radius": "11"}, "at most 10 miles"),
        ({"lat": "35", "lon": "-119", "radius": "1", "since": "yesterday"}, "since must be an ISO"),
        ({"lat": "35", "lon": "-119", "radius": "1", "until": "2026-13-45"}, "until must be an ISO"),
        ({"lat": "35", "lon": "-119", "radius": "1", "since": "2026-01-02", "until": "2026-01-01"},
         "since must be before until"),
        ({"lat": "35", "lon": "-119", "radius": "1", "since": "2020-01-01", "until": "2026-01-01"},
         "at most 366 days"),
        ({"lat": "35", "lon": "-119", "radius": "1", "category": "theft,arson"}, "unknown category 'arson'"),
        ({"lat": "35", "lon": "-119", "radius": "1", "limit": "0"}, "limit must be"),
        ({"lat": "35", "lon": "-119", "radius": "1", "limit": "9999"}, "limit must be"),
    ],
)  # fmt: skip
def test_bad_parameters_are_a_400_that_says_why(client, agency, params, reason):
    response = client.get(URL, params)
    assert response.status_code == 400
    assert reason in response.json()["detail"]


def test_the_openapi_document_describes_it(client):
    spec = client.get("/api/v1/openapi.json").json()
    operation = spec["paths"]["/api/v1/map/incidents"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert {"bbox", "lat", "lon", "radius", "since", "until", "category", "limit"} <= names
    assert "application/geo+json" in operation["responses"]["200"]["content"]
    assert "FeatureCollection" in spec["components"]["schemas"]
