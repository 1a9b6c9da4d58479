"""The demo's agency voice: four beats over the demo city, alerts of each kind (one urgent,
one pinned road closure, an agency post, one withdrawn), the demo residents' alert settings
and their planned messages, a Neighborhood Watch group with a block captain and a message, and
a department reply under a resident's post."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from porchlight.agencies.models import Agency
from porchlight.alerts import beats, fanout, publish, reach, shapes, watch
from porchlight.alerts.models import (
    Alert,
    Beat,
    Kind,
    Mode,
    Pointer,
    Preference,
    Severity,
    StaffReply,
    WatchMember,
    WatchRole,
)
from porchlight.community.models import Place, Post
from porchlight.geo.models import Address

# The demo city's centre, when it has no address table.
CENTRE = (35.3733, -119.0187)


def _grid(agency: Agency) -> list[Beat]:
    """Four beats (NW, NE, SW, SE) over the box holding the demo's addresses and places."""
    points = list(Address.objects.filter(agency=agency).values_list("lat", "lon")[:20000])
    points += list(Place.objects.filter(agency=agency).values_list("lat", "lon"))
    lats = [p[0] for p in points] or [CENTRE[0] - 0.03, CENTRE[0] + 0.03]
    lons = [p[1] for p in points] or [CENTRE[1] - 0.03, CENTRE[1] + 0.03]
    south, north = min(lats) - 0.002, max(lats) + 0.002
    west, east = min(lons) - 0.002, max(lons) + 0.002
    mid_lat, mid_lon = (south + north) / 2, (west + east) / 2
    boxes = {
        "1": ("North-west", mid_lat, north, west, mid_lon),
        "2": ("North-east", mid_lat, north, mid_lon, east),
        "3": ("South-west", south, mid_lat, west, mid_lon),
        "4": ("South-east", south, mid_lat, mid_lon, east),
    }
    features = [
        {"type": "Feature", "properties": {"beat": code, "name": name}, "geometry": {
            "type": "Polygon",
            "coordinates": [[[w, s], [e, s], [e, n], [w, n], [w, s]]],
        }}
        for code, (name, s, n, w, e) in boxes.items()
    ]  # fmt: skip
    beats.import_geojson(
        agency, json.dumps({"type": "FeatureCollection", "features": features}).encode()
    )
    return list(Beat.objects.filter(agency=agency).order_by("code"))


def seed(agency: Agency) -> int:
    """Returns how many alerts it published (0 when the demo already has them)."""
    if Alert.objects.filter(agency=agency).exists():
        return 0
    staff = get_user_model().objects.filter(staff__agency=agency).order_by("pk").first()
    with transaction.atomic():
        grid = _grid(agency)
        places = list(Place.objects.filter(agency=agency).select_related("resident__user"))
        for n, place in enumerate(places):
            # Most want news as it happens by email; one in three reads a morning digest.
            Preference.objects.get_or_create(
                place=place,
                defaults={"mode": Mode.DIGEST if n % 3 == 2 else Mode.INSTANT, "email": True},
            )
            reach.ensure_email(place.resident)
    now = timezone.now()
    made = [
        publish.publish(
            agency, publish.beats_area(grid[:2]), title="Water main break: Truxtun Ave closed",
            body="Truxtun Ave is closed between Oak St and Chester Ave while crews repair a "
            "water main. Use California Ave instead. Expect delays until about 6 PM.",
            severity=Severity.ADVISORY, pinned=True, expires_at=now + timedelta(hours=10),
            actor=staff,
        ),
        publish.publish(
            agency, publish.radius_area(*_centre(places), 0.5, "Around the 1900 block of Chester Ave"),
            title="Police activity: avoid the area",
            body="Officers are searching for a suspect near Chester Ave and 19th St. Stay "
            "indoors, lock doors, and call 911 if you see anything suspicious.",
            severity=Severity.URGENT, expires_at=now + timedelta(hours=3), actor=staff,
        ),
        publish.publish(
            agency, publish.beats_area(grid), title="Coffee with a Cop, Saturday 9 AM",
            body="Meet the officers who patrol your neighborhood at the Central Library. "
            "Coffee and pastries are on us.", kind=Kind.POST, severity=Severity.INFO,
            expires_at=now + timedelta(days=5), actor=staff,
        ),
        publish.publish(
            agency, publish.beats_area(grid[2:3]), title="Missing 8-year-old found safe",
            body="Thank you to everyone who shared this alert. The child is home safe.",
            severity=Severity.WARNING, actor=staff,
        ),
    ]  # fmt: skip
    for alert in made:
        fanout.fan_out(alert)
    publish.cancel(made[3], actor=staff)
    _watch(agency, grid[0], places, staff)
    _reply(agency, staff)
    return len(made)


def _centre(places: list[Place]) -> tuple[float, float]:
    if not places:
        return CENTRE
    return places[0].lat, places[0].lon


def _watch(agency: Agency, beat: Beat, places: list[Place], staff: Any) -> None:
    group = watch.create(agency, f"{beat.label} Neighborhood Watch", beat.geometry)
    inside = shapes.contains(shapes.from_geojson(group.area), [p.lat for p in places],
                             [p.lon for p in places])  # fmt: skip
    members = [place.resident for place, hit in zip(places, inside, strict=True) if hit]
    if not members and places:  # the demo's places all lie elsewhere: widen the group
        members = [places[0].resident]
        WatchMember.objects.get_or_create(group=group, resident=members[0])
    for resident in dict.fromkeys(members):
        WatchMember.objects.get_or_create(group=group, resident=resident)
    first = WatchMember.objects.filter(group=group).order_by("pk").first()
    if first is not None:
        watch.set_role(first, WatchRole.CAPTAIN, actor=staff)
    watch.message(group, "Block meeting Thursday at 7 PM",
                  "Join your neighbors and your beat officer at the Beale Library community room "
                  "to talk about package thefts and porch lighting.", actor=staff)  # fmt: skip


def _reply(agency: Agency, staff: Any) -> None:
    post = Post.objects.filter(agency=agency, status=Post.Status.PUBLISHED).order_by("pk").first()
    if post is None:
        return
    StaffReply.objects.create(
        post=post, agency=agency, author=staff, points_to=Pointer.REPORT_FORM,
        body="Thanks for letting us know. If anything was taken or damaged, please file a "
        "report so an officer can follow up.",
    )  # fmt: skip
