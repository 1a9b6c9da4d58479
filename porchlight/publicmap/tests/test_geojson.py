"""The endpoint's GeoJSON, on either engine, is the same bytes.

PostgreSQL writes each feature's JSON itself (publicmap/geojson.py); other databases (SQLite
in development and tests) take the Python path (`api.feature()` + orjson). Every test here runs
on both engines: each checks that the engine takes its own path, and that what comes out is
byte for byte the Python path's and the bytes spelled out below (floats as Python's repr, times
as `isoformat()` in UTC, strings escaped as orjson escapes them, keys in order).
"""

from __future__ import annotations

from datetime import UTC, timedelta

import orjson
import pytest
from django.db import connection
from django.utils import timezone, translation

from porchlight.agencies.models import Agency
from porchlight.geo import h3index
from porchlight.publicmap import api, geojson, query
from porchlight.publicmap.models import Category, CategoryMapping, PublishedIncident

# The Python path, kept before a test makes the endpoint refuse it (only_the_engines_path).
from porchlight.publicmap.query import incidents as python_incidents

pytestmark = pytest.mark.django_db
URL = "/api/v1/map/incidents"
LAT, LON = 35.3733, -119.02
# Which path the endpoint must take on the engine the suite runs on.
SQL_WRITES_JSON = connection.vendor == "postgresql"


def _incident(agency, mapping, n, **fields):
    values = {
        "agency": agency, "source": "cad", "key": str(n), "kind": "call", "mapping": mapping,
        "occurred_at": timezone.now() - timedelta(hours=n), "block_number": 1200,
        "street": "Truxtun Ave", "lat": LAT, "lon": LON, "h3": h3index.cell(LAT, LON),
        **fields,
    }  # fmt: skip
    return PublishedIncident.objects.create(**values)


@pytest.fixture
def only_the_engines_path(monkeypatch):
    """The other path raises, so an answer proves the endpoint took the engine's own."""

    def refuse(*args, **kwargs):
        raise AssertionError("the endpoint took the other engine's path")

    assert geojson.supported() is SQL_WRITES_JSON
    if SQL_WRITES_JSON:
        monkeypatch.setattr(api.query, "incidents", refuse)
    else:
        monkeypatch.setattr(api.geojson, "features", refuse)


def _window():
    # A fixed window in whole seconds, so the answer's since and until are the ones sent.
    until = (timezone.now() + timedelta(hours=1)).replace(microsecond=0)
    return until - timedelta(days=60), until


def test_the_same_bytes_as_the_python_path(client, agency, only_the_engines_path):
    mappings = {
        c: CategoryMapping.objects.create(agency=agency, source="cad", code=c, category=c)
        for c in Category.values
    }
    odd = ['Main "St" \\ ñandú', "Tab\tand\nnewline", "Ω 東京 \x01"]
    for n, category in enumerate(Category.values, start=1):
        _incident(agency, mappings[category], n, street=odd[n % 3], lat=LAT + n * 1e-4)
    _incident(agency, mappings["theft"], 20, kind="offense", block_number=None)
    _incident(agency, mappings["theft"], 21, street="")
    # A whole-number coordinate, a time without microseconds and one with a few.
    _incident(agency, mappings["alarm"], 22, lon=-119.0)
    two_days_ago = (timezone.now() - timedelta(days=2)).replace(microsecond=0)
    _incident(agency, mappings["alarm"], 23, occurred_at=two_days_ago)
    _incident(agency, mappings["alarm"], 24, occurred_at=two_days_ago.replace(microsecond=12))
    # Microseconds whose last digits are zeros: PostgreSQL's JSON time drops them, isoformat()
    # keeps all six (geojson.py pads them back).
    _incident(agency, mappings["alarm"], 25, occurred_at=two_days_ago.replace(microsecond=500000))
    _incident(agency, mappings["alarm"], 26, occurred_at=two_days_ago.replace(microsecond=120))
    Agency.objects.filter(pk=agency.pk).update(slug='we"ird')
    slugs = dict(Agency.objects.values_list("pk", "slug"))
    since, until = _window()
    window = {"since": since.isoformat(), "until": until.isoformat()}
    areas = [
        (query.Circle(LAT, LON, 2.0), {"lat": LAT, "lon": LON, "radius": "2"}),
        (query.Box(west=-119.5, south=35.0, east=-118.5, north=36.0), {"bbox": "-119.5,35,-118.5,36"}),
    ]  # fmt: skip
    for language in ("en", "es"):
        for area, params in areas:
            for limit in (5, 1000):
                answer = client.get(URL, {**params, **window, "lang": language, "limit": limit})
                assert answer.status_code == 200
                # The Python path, called here (not through the endpoint) for the same rows.
                with translation.override(language):
                    found, more = python_incidents(area, since, until, limit=limit)
                    features = [api.feature(i, slugs) for i in found]
                assert len(found) == min(limit, 18)
                expected = {"type": "FeatureCollection", "features": features}
                expected.update(truncated=more, **window)
                assert answer.content == orjson.dumps(expected), (language, area, limit)


def test_the_bytes_spelled_out(client, agency, only_the_engines_path):
    """Independent of both paths: one feature's exact text, in English and in Spanish."""
    mapping = CategoryMapping.objects.create(
        agency=agency, source="cad", code="x", category="theft"
    )
    at = (timezone.now() - timedelta(days=2)).replace(microsecond=12)
    incident = _incident(
        agency, mapping, 1, kind="offense", street='Main "St" \\ ñandú\x01', lon=-119.0,
        lat=35.37331, occurred_at=at,
    )  # fmt: skip
    since, until = _window()
    params = {"lat": LAT, "lon": LON, "radius": "2", "since": since.isoformat()}
    when = at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000012+00:00")
    for language, words in (
        ("en", ("Theft", "Reported crime", "1200 block of")),
        ("es", ("Hurto", "Delito denunciado", "Cuadra 1200 de")),
    ):
        answer = client.get(URL, {**params, "until": until.isoformat(), "lang": language})
        theft, kind, block = words
        assert answer.content == (
            '{"type":"FeatureCollection","features":[{"type":"Feature","id":' f"{incident.pk},"
            '"geometry":{"type":"Point","coordinates":[-119.0,35.37331]},'
            '"properties":{"category":"theft","category_label":"' f'{theft}","kind":"offense",'
            f'"kind_label":"{kind}","block":"{block}' ' Main \\"St\\" \\\\ ñandú\\u0001",'
            f'"occurred_at":"{when}","agency":"{agency.slug}"' "}}],"
            f'"truncated":false,"since":"{since.isoformat()}","until":"{until.isoformat()}"' "}"
        ).encode()  # fmt: skip


def test_the_engine_takes_its_own_path(client, agency, only_the_engines_path):
    mapping = CategoryMapping.objects.create(
        agency=agency, source="cad", code="x", category="theft"
    )
    for n in range(1, 4):
        _incident(agency, mapping, n, lat=LAT + n * 1e-4)
    answer = client.get(URL, {"lat": LAT, "lon": LON, "radius": "1"})
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/geo+json"
    body = answer.json()
    assert body["type"] == "FeatureCollection"
    assert [f["properties"]["category"] for f in body["features"]] == ["theft"] * 3


def test_every_shape_gives_the_python_paths_bytes(client, agency, only_the_engines_path):
    """Circles by cells and by range, boxes; with and without categories and an agency; both
    languages. On PostgreSQL each is one statement compiled once per shape (geojson.py): the
    slots must be found for every shape, and a request of a known shape compiles nothing."""
    mappings = {
        c: CategoryMapping.objects.create(agency=agency, source="cad", code=c, category=c)
        for c in Category.values
    }
    for n, category in enumerate(Category.values, start=1):
        _incident(agency, mappings[category], n, lat=LAT + n * 2e-3, lon=LON - n * 1e-3)
    slugs = dict(Agency.objects.values_list("pk", "slug"))
    since, until = _window()
    window = {"since": since.isoformat(), "until": until.isoformat()}
    areas = [
        (query.Circle(LAT, LON, 1.0), {"lat": LAT, "lon": LON, "radius": "1"}),
        (query.Circle(LAT, LON, 5.0), {"lat": LAT, "lon": LON, "radius": "5"}),
        (query.Box(west=-119.1, south=35.3, east=-118.9, north=35.4), {"bbox": "-119.1,35.3,-118.9,35.4"}),
    ]  # fmt: skip
    for language in ("en", "es"):
        for area, params in areas:
            for categories in (None, {"theft"}, {"alarm", "theft", "vandalism", "burglary"}):
                for agency_id in (None, agency.pk):
                    asked = {**params, **window, "lang": language, "limit": 7}
                    if categories:
                        asked["category"] = ",".join(sorted(categories))
                    if agency_id:
                        asked["agency"] = agency.slug
                    answer = client.get(URL, asked)
                    with translation.override(language):
                        found, more = python_incidents(
                            area, since, until, categories=categories, agency_id=agency_id, limit=7
                        )
                        features = [api.feature(i, slugs) for i in found]
                    assert found, asked
                    expected = {"type": "FeatureCollection", "features": features}
                    expected.update(truncated=more, **window)
                    assert answer.content == orjson.dumps(expected), asked
                    if SQL_WRITES_JSON:
                        shape = geojson._Shape.of(area, categories, agency_id, language)
                        assert geojson._shapes[shape] is not None, shape


def test_a_known_shape_compiles_nothing(client, agency, monkeypatch):
    # Both engines, each on its own path: PostgreSQL reuses the compiled statement of a
    # shape; SQLite (the Python path) keeps none and builds the query for every request.
    mapping = CategoryMapping.objects.create(
        agency=agency, source="cad", code="x", category="theft"
    )
    _incident(agency, mapping, 1)
    since, until = _window()
    circle = {"lat": LAT, "lon": LON, "radius": "1", "since": since.isoformat(), "lang": "en"}
    first = client.get(URL, {**circle, "until": until.isoformat()})
    assert len(first.json()["features"]) == 1

    def refuse(*args, **kwargs):
        raise AssertionError("compiled again")

    monkeypatch.setattr(geojson.query, "matching", refuse)
    # Another circle, window and limit of the same shape: the statement is reused.
    later = until + timedelta(minutes=1)
    other = {**circle, "lat": LAT + 0.001, "until": later.isoformat(), "limit": "3"}
    if not SQL_WRITES_JSON:
        assert not geojson._shapes
        with pytest.raises(AssertionError, match="compiled again"):
            client.get(URL, other)
        return
    again = client.get(URL, other)
    assert again.status_code == 200 and len(again.json()["features"]) == 1
