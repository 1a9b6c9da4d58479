"""H3 cells (h3 v4) for radius queries on both databases.

A location stores `cell(lat, lon)` in an indexed bigint column. A radius query is a prefilter
`h3__in=cells_within(lat, lon, miles)` followed by an exact `miles_between` check on the few
rows it returns: the prefilter uses the index, the exact check removes the covering's corners.

H3 indexes are 64-bit with the top bit always zero (it is the reserved "mode" high bit), so
the unsigned integer h3 returns is already below 2**63 and fits a signed bigint as it is.
"""

from __future__ import annotations

import math

import h3
import numpy as np

# Resolution 9: hexagons about 200 m across, about a city block. Fine enough that a one-mile
# radius is a few hundred cells, coarse enough that a 5-mile radius stays a few thousand.
RESOLUTION = 9

EARTH_RADIUS_MILES = 3958.7613
METERS_PER_MILE = 1609.344


def cell(lat: float, lon: float) -> int:
    """The resolution-9 H3 cell holding the point, as a signed-64-bit-safe int."""
    index = h3.str_to_int(h3.latlng_to_cell(lat, lon, RESOLUTION))
    assert index < 2**63  # the reserved high bit is zero in every valid H3 index
    return int(index)


def miles_between(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in miles (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_MILES * math.asin(min(1.0, math.sqrt(a)))


def _circumradius_miles(index: str) -> float:
    """The farthest a point of this cell can be from its center."""
    clat, clon = h3.cell_to_latlng(index)
    return max(miles_between(clat, clon, vlat, vlon) for vlat, vlon in h3.cell_to_boundary(index))


def cells_within(lat: float, lon: float, miles: float) -> list[int]:
    """Every cell that holds some point within `miles` of (lat, lon): a conservative covering.

    Completeness is what matters (a missing cell silently drops a row), so the disk of cells
    is grown past the radius with margin, then trimmed only of cells that provably hold no
    point in range: a cell whose center is farther than radius + a cell's circumradius.
    Cost grows with the area: ~1 ms for a mile, ~0.1 s for 10 miles (7,000 cells, a long
    IN list); past a few miles, prefilter with `bounding_box()` instead.
    """
    if miles < 0 or not math.isfinite(miles):
        raise ValueError("miles must be a finite number ≥ 0")
    origin = h3.latlng_to_cell(lat, lon, RESOLUTION)
    # Cell size varies over the globe (up to ~2x); measure it here rather than use an average.
    edge = min(h3.edge_length(e, "m") for e in h3.origin_to_directed_edges(origin))
    edge_miles = edge / METERS_PER_MILE
    # Ring k's centers are at least ~1.5 * k * edge from the origin's center; ask for rings
    # until that passes radius + two circumradii, with 20% slack for distortion.
    k = math.ceil((miles + 2 * edge_miles) / (1.2 * edge_miles)) + 1
    # Cells change size slowly (a few percent over tens of miles, away from the 12
    # pentagons), so the largest circumradius around the origin, with 25% slack, bounds
    # every cell's in the disk: measuring each cell's own would cost most of the time.
    reach = miles + 1.25 * max(_circumradius_miles(c) for c in h3.grid_disk(origin, 1))
    disk = h3.grid_disk(origin, k)
    centres = np.array([h3.cell_to_latlng(index) for index in disk])
    # The haversine of every centre at once (miles_between's formula, vectorised: one call
    # per cell was most of this function's time, profiled for the feed and the map).
    p1, p2 = math.radians(lat), np.radians(centres[:, 0])
    a = (
        np.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * np.cos(p2) * np.sin(np.radians(centres[:, 1] - lon) / 2) ** 2
    )
    miles_away = 2 * EARTH_RADIUS_MILES * np.arcsin(np.minimum(1.0, np.sqrt(a)))
    return [
        int(h3.str_to_int(index))
        for index, away in zip(disk, miles_away, strict=True)
        if away <= reach
    ]


def bounding_box(lat: float, lon: float, miles: float) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lon, max_lon) holding every point within `miles`: the prefilter
    for radii too large for an H3 IN list (`lat__range`, `lon__range`, then miles_between)."""
    dlat = math.degrees(miles / EARTH_RADIUS_MILES)
    # The widest longitude span is at the box's edge nearest a pole.
    widest = min(89.999, abs(lat) + dlat)
    dlon = min(180.0, dlat / max(math.cos(math.radians(widest)), 1e-9))
    return (max(-90.0, lat - dlat), min(90.0, lat + dlat), lon - dlon, lon + dlon)
