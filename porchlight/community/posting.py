"""Writing a post from a cleaned PostForm: the public point, the moderation status, and the
photos and video (stored through media.storage.keep(): originals byte-exact in the evidence
storage, metadata-free copies in the public one)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from porchlight.audit.log import record
from porchlight.community.models import Post, PostMedia, Resident
from porchlight.community.moderation import resident_actor, status_for_new_post
from porchlight.geo import blocks, h3index
from porchlight.media import storage


def public_point(lat: float, lon: float, exact: bool) -> tuple[float, float]:
    """What others see: the point itself only when the poster chose; otherwise moved 40–120 m
    in a direction fixed by the point (geo.blocks.generalize), so reloading never reveals it."""
    if exact:
        return lat, lon
    return blocks.generalize(lat, lon, f"community.post:{lat:.5f},{lon:.5f}")


def _place(post: Post, data: dict[str, Any]) -> None:
    lat, lon = data["point"]
    post.lat, post.lon = lat, lon
    post.h3 = h3index.cell(lat, lon)
    post.exact_location = bool(data.get("exact_location"))
    post.shown_lat, post.shown_lon = public_point(lat, lon, post.exact_location)


def create_post(
    resident: Resident, data: dict[str, Any], request: HttpRequest, *, prompted_anyway: bool
) -> Post:
    # Media files are written first (storage.keep), then the rows in one transaction: a failure
    # leaves unreferenced files, never a post pointing at a missing one.
    kept = [storage.keep(a) for a in data.get("photos") or []]
    if data.get("video") is not None:
        kept.append(storage.keep(data["video"]))
    with transaction.atomic():
        post = Post(
            agency=resident.agency,
            author=resident,
            category=data["category"],
            title=data["title"],
            body=data["body"],
            status=status_for_new_post(resident, prompted_anyway=prompted_anyway),
        )
        _place(post, data)
        post.save()
        PostMedia.objects.bulk_create(
            PostMedia(post=post, media=media, position=i) for i, media in enumerate(kept)
        )
        record(
            "community.post.create",
            request=request,
            actor_label=resident_actor(resident),
            agency=resident.agency,
            target=post,
            changes={"status": post.status, "media": len(kept), "prompted_anyway": prompted_anyway},
        )
    return post


def edit_post(
    post: Post, data: dict[str, Any], request: HttpRequest, *, prompted_anyway: bool
) -> None:
    """The author edits: an account still pre-moderated goes back to the queue."""
    with transaction.atomic():
        post.category = data["category"]
        post.title = data["title"]
        post.body = data["body"]
        _place(post, data)
        post.edited = timezone.now()
        if post.status != Post.Status.REMOVED:
            post.status = status_for_new_post(post.author, prompted_anyway=prompted_anyway)
        post.save()
        record(
            "community.post.edit",
            request=request,
            actor_label=resident_actor(post.author),
            agency=post.agency,
            target=post,
            changes={"status": post.status},
        )
