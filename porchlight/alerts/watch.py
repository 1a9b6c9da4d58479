"""Neighborhood Watch groups: an area, block captains and members; the agency messages a group.

A resident may join a group when one of their places lies in its area. Captains (named by
staff) see their group's members, as residents appear to each other ("Neighbor" or a first
name, never an address), and the published posts inside the area. A message to a group is
sent to its members like an alert (fanout.plan_rows, trigger ALERT), on the channels their
places' preferences ask for (email when they set none).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse

from porchlight.agencies.models import Agency
from porchlight.alerts import fanout, shapes
from porchlight.alerts.models import Preference, WatchGroup, WatchMember, WatchMessage, WatchRole
from porchlight.audit.log import record
from porchlight.community.models import Place, Post, Resident
from porchlight.notify.models import Trigger


def create(
    agency: Agency, name: str, area: dict[str, Any], *, actor: Any = None,
    request: HttpRequest | None = None,
) -> WatchGroup:  # fmt: skip
    geometry = shapes.from_geojson(area)
    with transaction.atomic():
        group = WatchGroup.objects.create(
            agency=agency, name=name.strip(), area=shapes.to_geojson(geometry)
        )
        record("alerts.watch_create", request=request, actor=actor, agency=agency, target=group,
               changes={"name": group.name})  # fmt: skip
    return group


def _inside(group: WatchGroup, points: list[tuple[float, float]]) -> list[bool]:
    if not points:
        return []
    hit = shapes.contains(
        shapes.from_geojson(group.area), [p[0] for p in points], [p[1] for p in points]
    )
    return [bool(h) for h in hit]


def eligible(resident: Resident) -> list[WatchGroup]:
    """The agency's groups whose area holds one of the resident's places (a point place), or
    meets one of their drawn areas."""
    points, drawn = [], []
    for lat, lon, area in Place.objects.filter(resident=resident).values_list("lat", "lon", "area"):
        if area:
            drawn.append(shapes.from_geojson(area))
        else:
            points.append((lat, lon))
    return [
        group for group in WatchGroup.objects.filter(agency=resident.agency)
        if any(_inside(group, points))
        or any(shapes.from_geojson(group.area).intersects(shape) for shape in drawn)
    ]  # fmt: skip


def join(resident: Resident, group: WatchGroup) -> WatchMember:
    if group not in eligible(resident):
        raise PermissionError("none of your places is in this group's area")
    member, _ = WatchMember.objects.get_or_create(group=group, resident=resident)
    return member


def set_role(member: WatchMember, role: str, *, actor: Any = None,
             request: HttpRequest | None = None) -> None:  # fmt: skip
    with transaction.atomic():
        WatchMember.objects.filter(pk=member.pk).update(role=role)
        member.role = role
        record("alerts.watch_role", request=request, actor=actor, agency=member.group.agency,
               target=member, changes={"role": role, "group": member.group_id})  # fmt: skip


def message(
    group: WatchGroup, title: str, body: str, *, actor: Any = None,
    request: HttpRequest | None = None,
) -> WatchMessage:  # fmt: skip
    agency = group.agency
    members = list(group.members.values_list("resident_id", flat=True))
    wanted: dict[int, set[str]] = {rid: set() for rid in members}
    for resident_id, email, push, sms in Preference.objects.filter(
        place__resident_id__in=members
    ).values_list("place__resident_id", "email", "push", "sms"):
        wanted[resident_id].update(
            name for name, on in (("email", email), ("push", push), ("sms", sms)) if on
        )
    for channels in wanted.values():
        if not channels:
            channels.add("email")
    with transaction.atomic():
        note = WatchMessage.objects.create(
            group=group, author=actor, title=title.strip(), body=body.strip()
        )
        url = settings.SITE_URL + reverse("alerts:watch_group", args=[group.pk])
        context = {
            "alert_title": f"{group.name}: {note.title}",
            "alert_text": note.body,
            "alert_url": url,
        }
        written = fanout.plan_rows(agency, Trigger.ALERT, wanted, f"watch:{note.pk}", context)
        WatchMessage.objects.filter(pk=note.pk).update(recipients=written)
        note.recipients = written
        record("alerts.watch_message", request=request, actor=actor, agency=agency, target=note,
               changes={"group": group.pk, "messages": written})  # fmt: skip
    return note


def posts_in(group: WatchGroup, limit: int = 50) -> list[Post]:
    """Published posts inside the group's area, newest first (what captains see)."""
    geometry = shapes.from_geojson(group.area)
    min_lon, min_lat, max_lon, max_lat = geometry.bounds
    candidates = list(
        Post.objects.filter(
            agency=group.agency, status=Post.Status.PUBLISHED, deleted__isnull=True,
            shown_lat__range=(min_lat, max_lat), shown_lon__range=(min_lon, max_lon),
        ).order_by("-created")[:500]
    )  # fmt: skip
    hit = _inside(group, [(p.shown_lat, p.shown_lon) for p in candidates])
    return [post for post, inside in zip(candidates, hit, strict=True) if inside][:limit]


def is_captain(resident: Resident, group: WatchGroup) -> bool:
    return WatchMember.objects.filter(
        group=group, resident=resident, role=WatchRole.CAPTAIN
    ).exists()
