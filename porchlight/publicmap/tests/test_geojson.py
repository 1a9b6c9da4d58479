"""PostgreSQL's GeoJSON text (publicmap/geojson.py) is byte for byte the Python path's."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import orjson
import pytest
from django.db import connection
from django.utils import timezone, translation

from porchlight.agencies.models import Agency
from porchlight.geo import h3index
from porchlight.publicmap import api, geojson, query
from porchlight.publicmap.models import Category, CategoryMapping, PublishedIncident

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the SQL-built GeoJSON is PostgreSQL's"
    ),
]
LAT, LON = 35.3733, -119.02


def _incident(agency, mapping, n, **fields):
    values = {
        "agency": agency, "source": "cad", "key": str(n), "kind": "call", "mapping": mapping,
        "occurred_at": timezone.now() - timedelta(hours=n), "block_number": 1200,
        "street": "Truxtun Ave", "lat": LAT, "lon": LON, "h3": h3index.cell(LAT, LON),
        **fields,
    }  # fmt: skip
    return PublishedIncident.objects.create(**values)


def test_the_same_bytes_as_the_python_path(agency):
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
    _incident(agency, mappings["alarm"], 23, occurred_at=datetime(2026, 12, 1, 5, 6, 7, tzinfo=UTC))
    _incident(
        agency, mappings["alarm"], 24, occurred_at=datetime(2026, 12, 1, 5, 6, 7, 12, tzinfo=UTC)
    )
    Agency.objects.filter(pk=agency.pk).update(slug='we"ird')
    slugs = dict(Agency.objects.values_list("pk", "slug"))
    until = timezone.now()
    since = datetime(2026, 11, 1, tzinfo=UTC)
    areas = [
        query.Circle(LAT, LON, 2.0),
        query.Box(west=-119.5, south=35.0, east=-118.5, north=36.0),
    ]
    for language in ("en", "es"):
        with translation.override(language):
            for area in areas:
                for limit in (5, 1000):
                    texts, truncated = geojson.features(
                        area, since, until, categories=None, agency_id=None, limit=limit
                    )
                    found, more = query.incidents(area, since, until, limit=limit)
                    assert truncated == more
                    assert len(found) == min(limit, 16)
                    assert texts == [orjson.dumps(api.feature(i, slugs)).decode() for i in found]


def test_the_endpoint_answers_the_same_either_way(client, agency, monkeypatch):
    mapping = CategoryMapping.objects.create(
        agency=agency, source="cad", code="x", category="theft"
    )
    for n in range(1, 4):
        _incident(agency, mapping, n, lat=LAT + n * 1e-4)
    # A fixed window, so both answers name the same since and until.
    until = (timezone.now() + timedelta(hours=1)).replace(microsecond=0).isoformat()
    params = {"lat": LAT, "lon": LON, "radius": "1", "until": until}
    sql = client.get(api_url := "/api/v1/map/incidents", params)
    monkeypatch.setattr(geojson, "supported", lambda: False)
    python = client.get(api_url, params)
    assert sql.status_code == python.status_code == 200
    assert sql.content == python.content
    assert len(sql.json()["features"]) == 3
