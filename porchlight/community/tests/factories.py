"""Residents, places and posts for tests (the demo has its own, realistic ones)."""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model

from porchlight.agencies.models import Agency
from porchlight.community.models import Comment, Place, Post, Resident
from porchlight.geo import blocks, h3index
from standins.browser import RESIDENT_PASSWORD


def make_resident(
    agency: Agency, email: str, *, first_name: str = "", trusted: bool = False
) -> Resident:
    user = get_user_model().objects.create_user(
        username=email, email=email, password=RESIDENT_PASSWORD
    )
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return Resident.objects.create(user=user, agency=agency, first_name=first_name, trusted=trusted)


def make_place(
    resident: Resident, lat: float, lon: float, miles: float = 1.0, name: str = "Home"
) -> Place:
    return Place.objects.create(
        resident=resident,
        agency=resident.agency,
        name=name,
        lat=lat,
        lon=lon,
        h3=h3index.cell(lat, lon),
        radius_miles=miles,
    )


def make_post(author: Resident, lat: float, lon: float, **fields: Any) -> Post:
    shown_lat, shown_lon = blocks.generalize(lat, lon, f"{lat:.5f},{lon:.5f}")
    values: dict[str, Any] = {
        "category": Post.Category.SAFETY,
        "title": "Streetlight out",
        "body": "The streetlight at the corner has been out for a week.",
        "status": Post.Status.PUBLISHED,
    }
    values.update(fields)
    return Post.objects.create(
        agency=author.agency,
        author=author,
        lat=lat,
        lon=lon,
        h3=h3index.cell(lat, lon),
        shown_lat=shown_lat,
        shown_lon=shown_lon,
        **values,
    )


def north_of(lat: float, miles: float) -> float:
    """The latitude `miles` due north (along a meridian a degree is the same everywhere)."""
    return lat + miles / (h3index.EARTH_RADIUS_MILES * 3.141592653589793 / 180)


def make_thread(
    agency: Agency, body: str, *, author: str = "author@example.org", **post_fields: Any
) -> tuple[Post, Comment, Resident]:
    """Ana's post with one comment on it by Cy (cy@example.org): the moderation tests' case."""
    ana = make_resident(agency, author, first_name="Ana")
    post = make_post(ana, 35.3733, -119.0187, **post_fields)
    cy = make_resident(agency, "cy@example.org", first_name="Cy")
    return post, Comment.objects.create(post=post, author=cy, body=body), cy
