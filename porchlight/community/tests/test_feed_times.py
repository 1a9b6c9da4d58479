"""A post's age reads as an age ("3 hours ago", "hace 3 horas"), not as a bare duration
("3 hours, 2 minutes"), in the feed and under comments."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from porchlight.community.models import Comment, Post
from porchlight.community.tests.factories import make_place, make_post, make_resident

LAT, LON = 35.3733, -119.0187


@pytest.mark.django_db
@pytest.mark.parametrize(("lang", "words"), [("en", "3 hours ago"), ("es", "hace 3 horas")])
def test_ages_read_as_ages(client: Any, agency: Any, lang: str, words: str) -> None:
    resident = make_resident(agency, "ana@example.org")
    make_place(resident, LAT, LON)
    post = make_post(resident, LAT, LON)
    Post.objects.filter(pk=post.pk).update(created=timezone.now() - timedelta(hours=3))
    comment = Comment.objects.create(post=post, author=resident, body="Still dark tonight.")
    Comment.objects.filter(pk=comment.pk).update(created=timezone.now() - timedelta(hours=3))
    client.force_login(resident.user)
    client.post("/i18n/setlang/", {"language": lang, "next": "/"})
    for path in ("/n/bakersfield/feed/", f"/n/bakersfield/posts/{post.pk}/"):
        # Django joins a number to its unit with a no-break space.
        assert words in client.get(path).content.decode().replace("\xa0", " "), path
