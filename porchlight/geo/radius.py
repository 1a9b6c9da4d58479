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

from django.db.models import F, FloatField, Func, Lookup, Model, Q, QuerySet
from django.db.models.expressions import Expression

from porchlight.geo import h3index

M = TypeVar("M", bound=Model)

# Past this radius the IN list (~100 cells a square mile) costs more than it saves.
H3_MAX_MILES = 3.0


class InCells(Lookup):  # type: ignore[type-arg]
    """`column IN cells` for a long list of H3 cells, cheaply: one array parameter on
    PostgreSQL (`= ANY(%s)`), where Django's IN would prepare each of the hundreds of values
    and psycopg split the query at each placeholder (profiled: most of a feed or map query's
    Python time); a plain IN list elsewhere. Use it as an expression:
    `qs.filter(InCells(F("h3"), cells))`, or inside Q()."""

    lookup_name = "in_cells"
    prepare_rhs = False

    def as_sql(self, compiler: Any, connection: Any) -> Any:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        cells = [int(c) for c in self.rhs]
        if not cells:
            return "1 = 0", []
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s)", [*lhs_params, cells]
        return f"{lhs} IN ({', '.join(['%s'] * len(cells))})", [*lhs_params, *cells]


def in_cells(cells: list[int], field: str = "h3") -> Q:
    return Q(InCells(F(field), cells))


class MilesFrom(Func):
    """The haversine distance in miles from a fixed point to the row's point, in SQL: the same
    formula as h3index.miles_between (Django provides the functions on SQLite too), so a query
    keeps only the rows in range and LIMIT counts only those. Written as one SQL template, not
    a tree of Django function nodes: resolving that tree was a large share of a feed or map
    query's Python time (profiled)."""

    output_field = FloatField()

    def __init__(self, lat: float, lon: float, lat_field: str = "lat", lon_field: str = "lon"):
        super().__init__(F(lat_field), F(lon_field))
        self.point = (float(lat), float(lon))

    def as_sql(self, compiler: Any, connection: Any, *args: Any, **extra: Any) -> Any:  # type: ignore[override]
        lat_sql, lat_params = compiler.compile(self.source_expressions[0])
        lon_sql, lon_params = compiler.compile(self.source_expressions[1])
        assert not lat_params and not lon_params  # plain columns
        least = "LEAST" if connection.vendor == "postgresql" else "MIN"
        lat, lon = self.point
        sql = (
            f"({2 * h3index.EARTH_RADIUS_MILES!r} * ASIN({least}(1.0, SQRT("
            f"POWER(SIN(RADIANS({lat_sql} - %s) / 2.0), 2)"
            f" + %s * COS(RADIANS({lat_sql})) * POWER(SIN(RADIANS({lon_sql} - %s) / 2.0), 2)))))"
        )
        return sql, [lat, math.cos(math.radians(lat)), lon]


def miles_expr(
    lat: float, lon: float, *, lat_field: str = "lat", lon_field: str = "lon"
) -> Expression:
    """MilesFrom(lat, lon) on the given columns."""
    return MilesFrom(lat, lon, lat_field, lon_field)


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
        narrowed = queryset.filter(in_cells(h3index.cells_within(lat, lon, miles), h3_field))
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
