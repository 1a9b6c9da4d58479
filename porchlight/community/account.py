"""A resident's own data: export it as JSON, or delete the account.

Deletion removes the account, its places, posts (with their photos and videos, originals
included), comments and flags. It keeps:
  - audit entries (append-only; they hold ids, never contact details);
  - removal records and moderation decisions, detached from the deleted post;
  - footage the resident shared with the department that was taken into evidence (C8,
    requests for assistance), detached from the account: see the hook in `delete_account`.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest

from porchlight.audit.log import record
from porchlight.community.models import Post, PostMedia, Removal, Resident
from porchlight.community.moderation import resident_actor
from porchlight.media.models import MediaFile


def _media(post: Post) -> list[dict[str, Any]]:
    return [
        {
            "kind": item.media.kind,
            "url": item.media.published.url,
            "sha256_of_original": item.media.original_sha256,
        }
        for item in post.media.select_related("media")
    ]


def _removal(r: Removal) -> dict[str, Any]:
    return {
        "rule": r.rule,
        "reason": r.reason,
        "created": r.created.isoformat(),
        "appeal": r.appeal,
        "appeal_upheld": r.appeal_upheld,
        "appeal_note": r.appeal_note,
    }


def export(resident: Resident) -> dict[str, Any]:
    """Everything the account holds, in one JSON-ready document."""
    # The alerts app's part (preferences, alert addresses, alerts received, watch groups).
    from porchlight.alerts import export as alerts_export

    user = resident.user
    alert_prefs = alerts_export.preferences(resident)
    return {
        "format": "porchlight.community.export/2",
        "account": {
            "email": user.email,
            "first_name": resident.first_name,
            "language": resident.language,
            "joined": resident.created.isoformat(),
            "agency": resident.agency.name,
            "trusted": resident.trusted,
        },
        "places": [
            {
                "name": p.name,
                "address": p.address,
                "lat": p.lat,
                "lon": p.lon,
                "radius_miles": p.radius_miles,
                "area": p.area,
                "created": p.created.isoformat(),
                "alert_preference": alert_prefs.get(p.pk),
            }
            for p in resident.places.order_by("pk")
        ],
        "posts": [
            {
                "id": post.pk,
                "category": post.category,
                "title": post.title,
                "body": post.body,
                "lat": post.lat,
                "lon": post.lon,
                "exact_location": post.exact_location,
                "status": post.status,
                "created": post.created.isoformat(),
                "edited": post.edited.isoformat() if post.edited else None,
                "deleted": post.deleted.isoformat() if post.deleted else None,
                "media": _media(post),
                "removals": [_removal(r) for r in Removal.objects.filter(post=post)],
            }
            for post in resident.posts.order_by("pk")
        ],
        "comments": [
            {
                "post": c.post_id,
                "body": c.body,
                "created": c.created.isoformat(),
                "removed": c.removed.isoformat() if c.removed else None,
                "removals": [_removal(r) for r in Removal.objects.filter(comment=c)],
            }
            for c in resident.comments.order_by("pk")
        ],
        "flags": [
            {
                "post": f.post_id,
                "comment": f.comment_id,
                "reason": f.reason,
                "note": f.note,
                "created": f.created.isoformat(),
            }
            for f in resident.flags.order_by("pk")
        ],
        **alerts_export.for_resident(resident),
    }


def delete_account(resident: Resident, request: HttpRequest) -> None:
    user = resident.user
    agency = resident.agency
    media_ids = list(
        PostMedia.objects.filter(post__author=resident).values_list("media_id", flat=True)
    )
    # C8, requests for assistance: footage this resident shared that the department took into
    # evidence survives the account, detached from it; their other shares' files are deleted
    # (assist.sharing.forget_resident). Share media are not post media, so `media_ids` never
    # holds them.
    from porchlight.assist.sharing import forget_resident

    with transaction.atomic():
        forget_resident(resident)
        record(
            "community.account.delete",
            request=request,
            actor=user,
            actor_label=resident_actor(resident),
            agency=agency,
            target=resident,
            changes={"posts": resident.posts.count(), "places": resident.places.count()},
        )
        files = _drop_media_rows(media_ids)
        # Alerts waiting for them are suppressed, their alert addresses purged (alerts app).
        from porchlight.alerts import export as alerts_export

        alerts_export.forget(resident)
        # The user row cascades to the resident, places, posts, comments and email
        # addresses; flags they raised stay (anonymous), removals keep their record.
        user.delete()
    _delete_files(files)


def _drop_media_rows(media_ids: list[int]) -> list[MediaFile]:
    PostMedia.objects.filter(media_id__in=media_ids).delete()
    files = list(MediaFile.objects.filter(pk__in=media_ids))
    MediaFile.objects.filter(pk__in=media_ids).delete()
    return files


def _delete_files(files: list[MediaFile]) -> None:
    # After the commit: a rollback must not leave rows pointing at deleted files.
    for media in files:
        for stored in (media.published, media.poster, media.original):
            if stored and stored.name:
                stored.storage.delete(stored.name)


def delete_post(post: Post, request: HttpRequest) -> None:
    """The author deletes their post: hidden everywhere, its photos and videos deleted
    (originals too); the row stays while moderation records point at it."""
    from django.utils import timezone

    media_ids = list(post.media.values_list("media_id", flat=True))
    with transaction.atomic():
        post.deleted = timezone.now()
        post.save(update_fields=["deleted"])
        files = _drop_media_rows(media_ids)
        record(
            "community.post.delete",
            request=request,
            actor_label=resident_actor(post.author),
            agency=post.agency,
            target=post,
        )
    _delete_files(files)
