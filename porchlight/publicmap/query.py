"""Reading the public map: incidents in an area and a time window, in public categories.

One function serves the GeoJSON API, the map page's list view and the weekly summary, so all
three show the same incidents. Visibility is decided here at read time by joining each row's
mapping (`visible_mappings` gives the same set, for callers that need the list): a code staff
uncategorise, or one that became sensitive, drops out at once. Distances are measured to the public point, the only one stored.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from porchlight.geo import h3index, radius
from porchlight.publicmap.models import Category, CategoryMapping, PublishedIncident

# The largest radius and box a request may ask for: a county, not a state.
MAX_MILES = 10.0
MAX_BOX_DEGREES = 1.0
DEFAULT_LIMIT = 1000
MAX_LIMIT = 5000
# Past this radius the H3 cell list costs more than a lat/lon range (geo/radius.py).
H3_MAX_MILES = 3.0


@dataclass(frozen=True)
class Circle:
    lat: float
    lon: float
    miles: float


@dataclass(frozen=True)
class Box:
    """RFC 7946 bbox order: west, south, east, north (degrees)."""

    west: float
    south: float
    east: float
    north: float


@dataclass(frozen=True)
class Incident:
    id: int
    agency_id: int
    category: str
    kind: str
    occurred_at: datetime
    block_number: int | None
    street: str
    lat: float
    lon: float
    miles: float | None  # from the circle's centre, when asked by radius


def visible_mappings(
    categories: set[str] | None = None, agency_id: int | None = None
) -> dict[int, str]:
    """Mapping id → category for every code that may be shown (categorised, not sensitive)."""
    mappings = CategoryMapping.objects.filter(sensitive=False).exclude(category="")
    if categories:
        mappings = mappings.filter(category__in=categories)
    if agency_id is not None:
        mappings = mappings.filter(agency_id=agency_id)
    return dict(mappings.values_list("pk", "category"))


COLUMNS = (
    "pk", "agency_id", "mapping__category", "kind", "occurred_at", "block_number", "street",
    "lat", "lon",
)  # fmt: skip


def incidents(
    area: Circle | Box,
    since: datetime,
    until: datetime,
    *,
    categories: set[str] | None = None,
    agency_id: int | None = None,
    limit: int = DEFAULT_LIMIT,
) -> tuple[list[Incident], bool]:
    """(incidents newest first, truncated?) in the area and (since, until]."""
    rows, columns = matching(area, since, until, categories=categories, agency_id=agency_id)
    # One index-only scan on PostgreSQL for a circle up to 3 miles: the (h3, occurred_at) index
    # holds every column read here (models.py). Measured against the page's ids first and then
    # its rows (the GeoJSON's two steps before the index held them all): docs/performance.md,
    # "Public map: where a GeoJSON request's CPU goes, and one index-only scan".
    fetched = list(rows.values_list(*columns)[: limit + 1])
    truncated = len(fetched) > limit
    found = [
        _incident(row, row[9] if isinstance(area, Circle) else None) for row in fetched[:limit]
    ]
    return found, truncated


def matching(
    area: Circle | Box,
    since: datetime,
    until: datetime,
    *,
    categories: set[str] | None = None,
    agency_id: int | None = None,
) -> tuple[QuerySet[PublishedIncident], tuple[str, ...]]:
    """The shown incidents in the area and (since, until], newest first, and the columns to
    read (`COLUMNS`, plus "distance" for a circle). For incidents() and the GeoJSON that
    PostgreSQL builds itself (publicmap/geojson.py), so both read the same rows."""
    # One query: visibility by joining the mapping (decided at read time, so a code made
    # sensitive drops out at once), and for a circle the exact distance in SQL, so the rows
    # that come back are the ones shown and LIMIT counts only those. (Profiled: the separate
    # mappings query, the rows of the covering's corners crossing into Python and the distance
    # computed there were most of a request's time; docs/performance.md.)
    rows = PublishedIncident.objects.filter(
        occurred_at__gt=since, occurred_at__lte=until, mapping__sensitive=False
    ).exclude(mapping__category="")
    if categories:
        # Sorted: the same categories always compile to the same text (geojson.py's shapes).
        rows = rows.filter(mapping__category__in=sorted(categories))
    if agency_id is not None:
        rows = rows.filter(mapping__agency_id=agency_id)
    rows = narrowed(rows, area)
    columns: tuple[str, ...] = COLUMNS
    if isinstance(area, Circle):
        rows = rows.annotate(distance=radius.miles_expr(area.lat, area.lon)).filter(
            distance__lte=area.miles
        )
        columns = (*COLUMNS, "distance")
    return rows.order_by("-occurred_at", "-pk"), columns


def narrowed(rows: QuerySet[PublishedIncident], area: Circle | Box) -> QuerySet[PublishedIncident]:
    """The rows that may be in the area, by index: H3 cells for a small circle, else a lat/lon
    range. A circle still needs `inside()` on each row: the covering has corners."""
    if isinstance(area, Circle) and area.miles <= H3_MAX_MILES:
        return rows.filter(radius.in_cells(h3index.cells_within(area.lat, area.lon, area.miles)))
    box = area if isinstance(area, Box) else box_around(area)
    return rows.filter(lat__range=(box.south, box.north), lon__range=(box.west, box.east))


def inside(area: Circle | Box, lat: float, lon: float) -> bool:
    if isinstance(area, Box):
        return area.south <= lat <= area.north and area.west <= lon <= area.east
    return h3index.miles_between(area.lat, area.lon, lat, lon) <= area.miles


def box_around(circle: Circle) -> Box:
    """The lat/lon range a large circle is narrowed by (geojson.py passes the same values)."""
    south, north, west, east = h3index.bounding_box(circle.lat, circle.lon, circle.miles)
    return Box(west=west, south=south, east=east, north=north)


def _incident(row: tuple[Any, ...], miles: float | None) -> Incident:
    pk, agency_id, category, kind, at, number, street, lat, lon = row[:9]
    return Incident(pk, agency_id, category, kind, at, number, street, lat, lon, miles)


def block_label(number: int | None, street: str) -> str:
    """ "1200 block of Truxtun Ave" in the active language; "" with no block known."""
    if not street or number is None:
        return ""
    return _("%(number)s block of %(street)s") % {"number": number, "street": street}


def parse_categories(text: str) -> set[str]:
    """ "theft,burglary" → {"theft", "burglary"}; ValueError names an unknown one."""
    wanted = {c.strip() for c in text.split(",") if c.strip()}
    unknown = sorted(wanted - set(Category.values))
    if unknown:
        raise ValueError(f"unknown category {unknown[0]!r}; known: {', '.join(Category.values)}")
    return wanted


def valid_point(lat: float, lon: float) -> bool:
    return math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180
