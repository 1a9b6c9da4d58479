"""Publishing an agency alert or post: its area is fixed, the row saved and audited.

The area is computed once, here: a radius becomes a polygon, beats become the union of their
shapes, and a drawn polygon is checked. Staff call publish() from the console; the demo and
the bench call it the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from porchlight.agencies.models import Agency
from porchlight.alerts import fanout, shapes
from porchlight.alerts.models import Alert, Beat, Kind, Severity, Target
from porchlight.audit.log import record

# Residents save places with radii of 0.25 to 5 miles; an alert reaches a little further.
MAX_RADIUS_MILES = 25.0


@dataclass(frozen=True)
class Area:
    target: str
    geometry: Any  # shapely Polygon or MultiPolygon
    label: str
    center: tuple[float, float] | None = None  # (lat, lon)
    radius_miles: float | None = None
    beats: tuple[Beat, ...] = ()


def radius_area(lat: float, lon: float, miles: float, label: str = "") -> Area:
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise shapes.BadShape(_("the centre must be a latitude and longitude"))
    if not (0 < miles <= MAX_RADIUS_MILES):
        raise shapes.BadShape(
            _("the radius must be more than 0 and at most %(miles)s miles")
            % {"miles": f"{MAX_RADIUS_MILES:g}"}
        )
    return Area(
        Target.RADIUS, shapes.circle(lat, lon, miles), label or f"{miles:g} mi radius",
        center=(lat, lon), radius_miles=miles,
    )  # fmt: skip


def polygon_area(geojson: Any, label: str = "") -> Area:
    return Area(Target.POLYGON, shapes.from_geojson(geojson), label or "Drawn area")


def beats_area(beats: Sequence[Beat]) -> Area:
    if not beats:
        raise shapes.BadShape(_("choose at least one beat"))
    geometry = shapes.union(shapes.from_geojson(beat.geometry) for beat in beats)
    label = ", ".join(beat.label for beat in beats)[:200]
    return Area(Target.BEATS, geometry, label, beats=tuple(beats))


def publish(
    agency: Agency,
    area: Area,
    *,
    title: str,
    body: str,
    kind: str = Kind.ALERT,
    severity: str = Severity.ADVISORY,
    expires_at: datetime | None = None,
    pinned: bool = False,
    actor: Any = None,
    request: HttpRequest | None = None,
) -> Alert:
    """Save and audit one alert. Its residents' messages are planned by fanout.fan_out()."""
    now = timezone.now()
    if expires_at is not None and expires_at <= now:
        raise ValueError("the expiry must be in the future")
    if any(beat.agency_id != agency.pk for beat in area.beats):
        raise ValueError("the beats must belong to the agency")
    with transaction.atomic():
        alert = Alert.objects.create(
            agency=agency, kind=kind, title=title.strip(), body=body.strip(), severity=severity,
            target=area.target, area=shapes.to_geojson(area.geometry), area_label=area.label,
            center_lat=area.center[0] if area.center else None,
            center_lon=area.center[1] if area.center else None,
            radius_miles=area.radius_miles, pinned=pinned, published_at=now,
            expires_at=expires_at, created_by=actor, updated=now,
        )  # fmt: skip
        if area.beats:
            alert.beats.set(area.beats)
        record(
            "alerts.publish",
            request=request,
            actor=actor,
            agency=agency,
            target=alert,
            changes={
                "kind": kind, "severity": severity, "target": area.target,
                "beats": [beat.code for beat in area.beats], "pinned": pinned,
                "expires_at": expires_at.isoformat() if expires_at else None,
            },
        )  # fmt: skip
    return alert


def cancel(alert: Alert, *, actor: Any = None, request: HttpRequest | None = None) -> None:
    """Withdraw an alert: off the pages and feeds (the CAP feed says Cancel), unsent messages
    dropped by fanout's send-time check."""
    now = timezone.now()
    with transaction.atomic():
        Alert.objects.filter(pk=alert.pk).update(cancelled_at=now, updated=now)
        alert.cancelled_at, alert.updated = now, now
        dropped = fanout.withdraw(alert)
        record(
            "alerts.cancel", request=request, actor=actor, agency=alert.agency, target=alert,
            changes={"messages_dropped": dropped},
        )  # fmt: skip


def set_pinned(
    alert: Alert, pinned: bool, *, actor: Any = None, request: HttpRequest | None = None
) -> None:
    now = timezone.now()
    with transaction.atomic():
        Alert.objects.filter(pk=alert.pk).update(pinned=pinned, updated=now)
        alert.pinned, alert.updated = pinned, now
        record(
            "alerts.pin", request=request, actor=actor, agency=alert.agency, target=alert,
            changes={"pinned": pinned},
        )  # fmt: skip
