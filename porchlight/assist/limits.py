"""The limits a request must keep: the defaults in models.py, tightened by the agency's Policy.

`limits_for(agency)` reads them; `check(...)` returns the area as a shape or raises
`LimitExceeded` with a sentence for the person who filled in the form. The console form, the
flow functions and the tests all go through `check`, so no path can send a wider request.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import shapely
from django.utils.translation import gettext as _
from shapely.geometry import MultiPolygon, Polygon

from porchlight.agencies.models import Agency
from porchlight.alerts import shapes
from porchlight.assist.models import (
    DEFAULT_RETENTION_DAYS,
    MAX_EXPIRY_DAYS,
    MAX_POLYGON_M2,
    MAX_RADIUS_M,
    MAX_WINDOW_HOURS,
    Policy,
)

METRES_PER_DEGREE_LAT = 111_320.0
MILES_PER_METRE = 1 / 1609.344


class LimitExceeded(ValueError):
    """The request is outside a limit; `field` names the form field, the message says why."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Limits:
    max_radius_m: int
    max_window_hours: int
    max_expiry_days: int
    retention_days: int

    @property
    def max_polygon_m2(self) -> float:
        # A drawn area may be as large as the largest circle the agency allows.
        return min(MAX_POLYGON_M2, math.pi * self.max_radius_m**2)


def limits_for(agency: Agency) -> Limits:
    policy = Policy.objects.filter(agency=agency).first()

    def tight(value: int | None, default: int) -> int:
        # min(): even a row written around the form and the constraints cannot loosen a limit.
        return default if value is None else min(value, default)

    if policy is None:
        return Limits(MAX_RADIUS_M, MAX_WINDOW_HOURS, MAX_EXPIRY_DAYS, DEFAULT_RETENTION_DAYS)
    return Limits(
        tight(policy.max_radius_m, MAX_RADIUS_M),
        tight(policy.max_window_hours, MAX_WINDOW_HOURS),
        tight(policy.max_expiry_days, MAX_EXPIRY_DAYS),
        tight(policy.retention_days, DEFAULT_RETENTION_DAYS),
    )


def area_m2(geometry: Polygon | MultiPolygon) -> float:
    """The area in square metres (degrees scaled at the shape's latitude: a city's extent)."""
    mid = (geometry.bounds[1] + geometry.bounds[3]) / 2
    scale = math.cos(math.radians(mid))
    local = shapely.transform(geometry, lambda xy: xy * [scale, 1.0])
    return float(local.area) * METRES_PER_DEGREE_LAT**2


def check(
    limits: Limits,
    *,
    center: tuple[float, float] | None,
    radius_m: int | None,
    polygon: Any,
    window_start: datetime,
    window_end: datetime,
    expires_at: datetime,
    now: datetime,
) -> Polygon | MultiPolygon:
    """The request's area as a shape, if every limit holds; else LimitExceeded."""
    if polygon is not None and (center is not None or radius_m is not None):
        raise LimitExceeded("area", _("Give either a radius or a drawn area, not both."))
    if polygon is not None:
        try:
            geometry = shapes.from_geojson(polygon)
        except shapes.BadShape as exc:
            raise LimitExceeded("polygon", _("The drawn area is not usable: %s") % exc) from None
        if area_m2(geometry) > limits.max_polygon_m2:
            raise LimitExceeded(
                "polygon",
                _("The drawn area is larger than %(km2).2f km², the largest allowed.")
                % {"km2": limits.max_polygon_m2 / 1e6},
            )
    else:
        if center is None or radius_m is None:
            raise LimitExceeded("radius_m", _("Give a centre and a radius, or draw an area."))
        lat, lon = center
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise LimitExceeded("lat", _("The centre must be a latitude and longitude."))
        if radius_m <= 0 or radius_m > limits.max_radius_m:
            raise LimitExceeded(
                "radius_m",
                _("The radius must be more than 0 and at most %(metres)d metres.")
                % {"metres": limits.max_radius_m},
            )
        geometry = shapes.circle(lat, lon, radius_m * MILES_PER_METRE)
    if window_end <= window_start:
        raise LimitExceeded("window_end", _("The time window must end after it starts."))
    if window_end - window_start > timedelta(hours=limits.max_window_hours):
        raise LimitExceeded(
            "window_end",
            _("The time window may be at most %(hours)d hours.")
            % {"hours": limits.max_window_hours},
        )
    if window_start > now:
        raise LimitExceeded("window_start", _("The time window cannot start in the future."))
    if expires_at <= now:
        raise LimitExceeded("expires_at", _("The request must stay open for some time."))
    if expires_at - now > timedelta(days=limits.max_expiry_days):
        raise LimitExceeded(
            "expires_at",
            _("A request may stay open for at most %(days)d days.")
            % {"days": limits.max_expiry_days},
        )
    return geometry
