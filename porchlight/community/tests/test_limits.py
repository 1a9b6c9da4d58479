"""Rate limits: an account that posts, comments or flags too fast gets a 429 with the reason,
nothing is saved, other accounts keep their own budget, and reading is never limited."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from porchlight.community.models import Comment, Flag, Post
from porchlight.community.tests.factories import make_place, make_post, make_resident

LAT, LON = 35.3733, -119.0187


def signed_in(resident: Any) -> Client:
    client = Client()
    client.force_login(resident.user)
    return client


@pytest.mark.django_db
def test_posting_past_the_limit_is_refused_with_the_reason(agency: Any, settings: Any) -> None:
    settings.COMMUNITY_POST_RATE = "2/h"
    me = make_resident(agency, "me@example.org")
    place = make_place(me, LAT, LON)
    client = signed_in(me)
    data = {"category": "safety", "title": "Light out", "body": "The streetlight is out."}
    for _ in range(2):
        assert (
            client.post("/n/bakersfield/posts/new/", {**data, "place": place.pk}).status_code == 302
        )
    r = client.post("/n/bakersfield/posts/new/", {**data, "place": place.pk})
    assert r.status_code == 429
    assert r["Retry-After"] == "3600"
    assert "You have posted a lot in a short time" in r.content.decode()
    assert Post.objects.count() == 2
    # Reading the form is not limited; another account has its own budget.
    assert client.get("/n/bakersfield/posts/new/").status_code == 200
    other = make_resident(agency, "other@example.org")
    there = make_place(other, LAT, LON)
    r = signed_in(other).post("/n/bakersfield/posts/new/", {**data, "place": there.pk})
    assert r.status_code == 302


@pytest.mark.django_db
def test_commenting_past_the_limit_is_refused(
    agency: Any, settings: Any, one_rate_window: None
) -> None:
    settings.COMMUNITY_COMMENT_RATE = "3/m"
    author = make_resident(agency, "author@example.org")
    post = make_post(author, LAT, LON)
    client = signed_in(make_resident(agency, "me@example.org"))
    url = f"/n/bakersfield/posts/{post.pk}/comment/"
    for i in range(3):
        assert client.post(url, {"body": f"Seen it too, number {i}."}).status_code == 302
    r = client.post(url, {"body": "One more."})
    assert r.status_code == 429 and r["Retry-After"] == "60"
    assert "You have commented a lot in a short time" in r.content.decode()
    assert Comment.objects.count() == 3
    assert client.get(f"/n/bakersfield/posts/{post.pk}/").status_code == 200


@pytest.mark.django_db
def test_flagging_past_the_limit_is_refused(agency: Any, settings: Any) -> None:
    settings.COMMUNITY_FLAG_RATE = "2/h"
    author = make_resident(agency, "author@example.org")
    posts = [make_post(author, LAT, LON, title=f"Post {i}") for i in range(3)]
    client = signed_in(make_resident(agency, "me@example.org"))
    for post in posts[:2]:
        r = client.post(f"/n/bakersfield/posts/{post.pk}/flag/", {"reason": "spam"})
        assert r.status_code == 302
    r = client.post(f"/n/bakersfield/posts/{posts[2].pk}/flag/", {"reason": "spam"})
    assert r.status_code == 429
    assert "You have flagged a lot in a short time" in r.content.decode()
    assert Flag.objects.count() == 2
    # The flag form still opens (GET is not counted).
    assert client.get(f"/n/bakersfield/posts/{posts[2].pk}/flag/").status_code == 200
