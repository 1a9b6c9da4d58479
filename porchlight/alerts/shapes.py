"""Alert areas as shapes: GeoJSON in and out, a radius as a polygon, points tested in bulk.

Everything is WGS 84 longitude/latitude, as GeoJSON (RFC 7946) has it. Shapes are tested in
plain degrees: over a city's extent the error of treating degrees as planar is far smaller
than the hundred-block generalisation everything else uses, and it keeps shapely's vectorised
point tests (one call for 50,000 places) available.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import shapely
from django.utils.translation import gettext as _
from shapely.geometry import MultiPolygon, Polygon, mapping, shape
from shapely.geometry.base import BaseGeometry

from porchlight.geo import h3index

# A radius is drawn as this many points: within 0.2% of the true circle's area.
CIRCLE_POINTS = 64
MILES_PER_DEGREE_LAT = 69.0
# The most points a drawn or imported shape may have: a beat map has tens to hundreds; a
# shape with more is a mistake (or an attempt to make every point test slow).
MAX_POINTS = 20_000


class BadShape(ValueError):
    """The GeoJSON is not a usable area; the message says why, for the person who sent it
    (translated into the language active when the shape is read: forms, the assist API and
    the beat and district uploads show it)."""


def from_geojson(data: Any) -> Polygon | MultiPolygon:
    """A Polygon or MultiPolygon from a GeoJSON geometry (or a Feature holding one)."""
    if isinstance(data, dict) and data.get("type") == "Feature":
        data = data.get("geometry")
    if not isinstance(data, dict) or data.get("type") not in ("Polygon", "MultiPolygon"):
        raise BadShape(_("an area must be a GeoJSON Polygon or MultiPolygon"))
    try:
        geometry = shape(data)
    except (ValueError, TypeError, AttributeError, IndexError, KeyError) as exc:
        raise BadShape(
            _("the coordinates are not a polygon (%(detail)s)") % {"detail": exc}
        ) from None
    if shapely.get_num_coordinates(geometry) > MAX_POINTS:
        raise BadShape(_("the shape has more than %(n)d points") % {"n": MAX_POINTS})
    bounds = geometry.bounds
    if not bounds or not (
        -180 <= bounds[0] <= bounds[2] <= 180 and -90 <= bounds[1] <= bounds[3] <= 90
    ):
        raise BadShape(_("coordinates must be longitude, latitude in degrees (WGS 84)"))
    if geometry.is_empty or geometry.area == 0:
        raise BadShape(_("the shape encloses no area"))
    if not geometry.is_valid:
        # A ring drawn crossing itself: make_valid keeps what was meant (both lobes).
        geometry = shapely.make_valid(geometry)
        polygons = [g for g in getattr(geometry, "geoms", [geometry]) if isinstance(g, Polygon)]
        if not polygons:
            raise BadShape(_("the shape encloses no area"))
        geometry = polygons[0] if len(polygons) == 1 else MultiPolygon(polygons)
    assert isinstance(geometry, (Polygon, MultiPolygon))
    return geometry


def to_geojson(geometry: BaseGeometry) -> dict[str, Any]:
    return dict(mapping(geometry))


def circle(lat: float, lon: float, miles: float) -> Polygon:
    """The radius as a polygon, for feeds and point tests (degrees of longitude shrink with
    latitude, so the circle is an ellipse in degrees)."""
    d_lat = miles / MILES_PER_DEGREE_LAT
    d_lon = miles / (MILES_PER_DEGREE_LAT * max(math.cos(math.radians(lat)), 1e-6))
    points = [
        (
            lon + d_lon * math.cos(2 * math.pi * i / CIRCLE_POINTS),
            lat + d_lat * math.sin(2 * math.pi * i / CIRCLE_POINTS),
        )
        for i in range(CIRCLE_POINTS)
    ]
    return Polygon(points)


def union(shapes: Iterable[BaseGeometry]) -> Polygon | MultiPolygon:
    merged = shapely.union_all(list(shapes))
    if isinstance(merged, (Polygon, MultiPolygon)) and not merged.is_empty:
        return merged
    raise BadShape(_("the beats have no area"))


def contains(geometry: BaseGeometry, lats: Sequence[float], lons: Sequence[float]) -> Any:
    """A boolean array: which of the points are inside (or on the edge of) the shape."""
    if not lats:
        return np.zeros(0, dtype=bool)
    shapely.prepare(geometry)
    return shapely.intersects_xy(geometry, np.asarray(lons), np.asarray(lats))


def cells(geometry: BaseGeometry) -> list[int]:
    """H3 cells (the geo app's resolution) covering the shape, with a margin: a prefilter for
    rows with an h3 column; the exact test is contains()."""
    min_lon, min_lat, max_lon, max_lat = geometry.bounds
    center_lat, center_lon = (min_lat + max_lat) / 2, (min_lon + max_lon) / 2
    half_diagonal = h3index.miles_between(min_lat, min_lon, max_lat, max_lon) / 2
    return h3index.cells_within(center_lat, center_lon, half_diagonal)


def cap_polygons(geometry: BaseGeometry) -> list[str]:
    """CAP 1.2's <polygon> values: "lat,lon" pairs separated by spaces, first = last, one per
    outer ring (CAP has no holes; a hole only widens the area, never narrows who is told)."""
    polygons = list(getattr(geometry, "geoms", [geometry]))
    out = []
    for polygon in polygons:
        ring = list(polygon.exterior.coords)
        if ring[0] != ring[-1]:
            ring.append(ring[0])
        out.append(" ".join(f"{lat:.6f},{lon:.6f}" for lon, lat in ring))
    return out
