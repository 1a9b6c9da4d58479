"""Rows within a radius, for any model with lat, lon and an H3 cell column.

    from porchlight.geo.radius import within
    for place, miles in within(Address.objects.filter(agency=a), lat, lon, 1.0): ...

Small radii use the H3 prefilter (`h3 IN cells_within()`), which an index on the cell column
(ideally with the agency first) answers; larger ones use a lat/lon box, since the cell list
grows with the area. Either way the exact distance decides, and results come nearest first.
"""

from __future__ import annotations

import math
from typing import Any, TypeVar

from django.db.models import F, Model, QuerySet
from django.db.models.expressions import Expression, Value
from django.db.models.functions import ASin, Cos, Least, Power, Radians, Sin, Sqrt

from porchlight.geo import h3index

M = TypeVar("M", bound=Model)

# Past this radius the IN list (~100 cells a square mile) costs more than it saves.
H3_MAX_MILES = 3.0


def miles_expr(
    lat: float, lon: float, *, lat_field: str = "lat", lon_field: str = "lon"
) -> Expression:
    """The haversine distance in miles from (lat, lon) to the row's point, in SQL: the same
    formula as h3index.miles_between (Django provides the functions on SQLite too), so a query
    can keep only the rows in range and LIMIT counts only those."""
    half_dlat = Radians(F(lat_field) - Value(lat)) / Value(2.0)
    half_dlon = Radians(F(lon_field) - Value(lon)) / Value(2.0)
    a = Power(Sin(half_dlat), Value(2)) + Value(math.cos(math.radians(lat))) * Cos(
        Radians(F(lat_field))
    ) * Power(Sin(half_dlon), Value(2))
    return Value(2 * h3index.EARTH_RADIUS_MILES) * ASin(Least(Value(1.0), Sqrt(a)))


def within(
    queryset: QuerySet[M],
    lat: float,
    lon: float,
    miles: float,
    *,
    h3_field: str = "h3",
    lat_field: str = "lat",
    lon_field: str = "lon",
) -> list[tuple[M, float]]:
    """(row, distance in miles) for every row within `miles`, nearest first."""
    if miles <= H3_MAX_MILES:
        narrowed = queryset.filter(**{f"{h3_field}__in": h3index.cells_within(lat, lon, miles)})
    else:
        lat0, lat1, lon0, lon1 = h3index.bounding_box(lat, lon, miles)
        narrowed = queryset.filter(
            **{f"{lat_field}__range": (lat0, lat1), f"{lon_field}__range": (lon0, lon1)}
        )
    found: list[tuple[M, float]] = []
    for row in narrowed:
        r_lat: Any = getattr(row, lat_field)
        r_lon: Any = getattr(row, lon_field)
        if r_lat is None or r_lon is None:
            continue
        distance = h3index.miles_between(lat, lon, r_lat, r_lon)
        if distance <= miles:
            found.append((row, distance))
    found.sort(key=lambda pair: pair[1])
    return found
