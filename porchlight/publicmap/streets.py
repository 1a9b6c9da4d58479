"""The demo city's streets as GeoJSON: the map's base layer when no tile server is set, so the
map is legible with no internet.

Drawn from the same districts and street geometry as the demo's address table
(demo/addresses.py): each street is the line its house numbers run along. The result is
committed as static/publicmap/demo-streets.geojson; a test checks the file is what this
function makes, and `python -m porchlight.publicmap.streets` writes it again.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

FILE = Path(__file__).parent / "static" / "publicmap" / "demo-streets.geojson"


def demo_streets() -> dict[str, Any]:
    from porchlight.calls.simulator import DISTRICTS

    features = []
    for district, spec in DISTRICTS.items():
        lat0, lat1, lon0, lon1 = spec["box"]
        for i, street in enumerate(spec["streets"]):
            across = (i + 1) / (len(spec["streets"]) + 1)  # as demo/addresses.py places it
            if i % 2 == 0:  # west to east
                lat = round(lat0 + across * (lat1 - lat0), 6)
                line = [[lon0, lat], [lon1, lat]]
            else:  # south to north
                lon = round(lon0 + across * (lon1 - lon0), 6)
                line = [[lon, lat0], [lon, lat1]]
            features.append(
                {
                    "type": "Feature",
                    "geometry": {"type": "LineString", "coordinates": line},
                    "properties": {"name": street, "district": district},
                }
            )
    return {"type": "FeatureCollection", "features": features}


def render() -> bytes:
    return orjson.dumps(demo_streets(), option=orjson.OPT_INDENT_2) + b"\n"


if __name__ == "__main__":
    import django

    django.setup()
    FILE.write_bytes(render())
    print(f"wrote {FILE}")
