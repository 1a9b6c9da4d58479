"""Dashboards for the demo: the district shapes (the simulator's district boxes, each the
union of its beats, loaded through the same GeoJSON import as an upload) and the rollups built
from the demo's history at once, so the calls dashboard has figures and maps before the
worker's first refresh (which keeps them current after)."""

from __future__ import annotations

import json

from porchlight.agencies.models import Agency
from porchlight.calls.simulator import DISTRICTS
from porchlight.insights import districts, rollups


def district_geojson() -> bytes:
    """The simulator's districts as a FeatureCollection; codes are what its calls carry."""
    features = []
    for code, spec in DISTRICTS.items():
        s, n, w, e = spec["box"]
        features.append({
            "type": "Feature",
            "properties": {"district": code, "name": code},
            "geometry": {"type": "Polygon",
                         "coordinates": [[[w, s], [e, s], [e, n], [w, n], [w, s]]]},
        })  # fmt: skip
    return json.dumps({"type": "FeatureCollection", "features": features}).encode()


def seed(agency: Agency) -> None:
    districts.import_geojson(agency, district_geojson())
    rollups.rebuild(agency)
