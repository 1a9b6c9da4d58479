"""The demo's neighbours: realistic, complete (photos without GPS, a flag, a removal, an
appeal), and seeded once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from porchlight.community import demo, moderation, places
from porchlight.community.models import Comment, Flag, Place, Post, PostMedia, Removal, Resident
from porchlight.community.places import residents_near
from porchlight.demo import addresses


@pytest.mark.django_db
def test_the_demo_shows_every_part_of_the_feature_once(agency: Any, media_storage: Path) -> None:
    addresses.seed(agency)
    assert demo.seed(agency) == len(demo.POSTS)
    assert demo.seed(agency) == 0  # idempotent
    assert Resident.objects.count() == len(demo.RESIDENTS)
    # One place each, and one drawn as an area (valid by the form's own check).
    assert Place.objects.count() == len(demo.RESIDENTS) + 1
    drawn = Place.objects.get(area__isnull=False)
    assert places.clean_area(drawn.area)[0] == drawn.area
    assert places.reaches(drawn, drawn.lat, drawn.lon)
    assert set(Post.objects.values_list("status", flat=True)) == {"published", "pending", "removed"}
    assert Comment.objects.exists() and Flag.objects.filter(resolved__isnull=True).exists()
    # A removed post and a removed comment, both appealed, both waiting for another moderator.
    post_removal = Removal.objects.get(post__isnull=False)
    comment_removal = Removal.objects.get(comment__isnull=False)
    for removal in (post_removal, comment_removal):
        assert removal.appealed and removal.appeal_decided is None
    assert comment_removal.comment is not None and comment_removal.comment.removed is not None
    assert set(moderation.appeals(agency)) == {post_removal, comment_removal}
    # A flagged comment puts its post in the queue.
    flag = Flag.objects.get(comment__isnull=False)
    assert flag.resolved is None
    queued = {p.pk: p for p in moderation.queue(agency)}
    assert queued[flag.post_id].comment_flags == 1
    for item in PostMedia.objects.select_related("media"):
        with item.media.published.open("rb") as f, Image.open(f) as image:
            assert not image.getexif()
    # Every place geocoded from the demo's address table (not the fallback point).
    assert Place.objects.exclude(lat=35.3733).count() == len(demo.RESIDENTS) + 1
    first = Place.objects.order_by("pk").first()
    assert first is not None
    assert residents_near(agency, first.lat, first.lon)


@pytest.mark.django_db
def test_a_demo_resident_signs_in_and_sees_the_feed(
    client: Any, agency: Any, media_storage: Path
) -> None:
    addresses.seed(agency)
    demo.seed(agency)
    email = demo.RESIDENTS[0][0]
    r = client.post("/n/bakersfield/signin/", {"login": email, "password": demo.DEMO_PASSWORD})
    assert r.status_code == 302
    r = client.get("/n/bakersfield/feed/")
    assert r.status_code == 200 and b"Car window smashed overnight" in r.content
