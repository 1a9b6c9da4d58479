"""The feed: posts within the radius of any of my places, newest first, paged."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any
from urllib.parse import unquote

import pytest
from django.utils import timezone

from porchlight.community.feed import PAGE_SIZE
from porchlight.community.models import Post
from porchlight.community.tests.factories import make_place, make_post, make_resident, north_of
from porchlight.demo.agency import make_agency

LAT, LON = 35.3733, -119.0187


@pytest.fixture
def me(client: Any, agency: Any) -> Any:
    resident = make_resident(agency, "me@example.org")
    client.force_login(resident.user)
    return resident


def titles(client: Any, before: str = "") -> list[str]:
    r = client.get("/n/bakersfield/feed/", {"before": before} if before else {})
    assert r.status_code == 200
    return [p.title for p in r.context["posts"]]


def older_link(client: Any, before: str = "") -> str | None:
    """The cursor in the page's "Older" link, as a resident would follow it."""
    r = client.get("/n/bakersfield/feed/", {"before": before} if before else {})
    found = re.search(r'href="\?before=([^"]+)"', r.content.decode())
    return unquote(found.group(1)) if found else None


@pytest.mark.django_db
def test_posts_inside_any_places_radius_show_and_others_do_not(
    client: Any, agency: Any, me: Any
) -> None:
    make_place(me, LAT, LON, miles=0.5)
    far_lat = north_of(LAT, 3)
    make_place(me, far_lat, LON, miles=0.25, name="Work")
    other = make_resident(agency, "bo@example.org")
    make_post(other, north_of(LAT, 0.49), LON, title="near home")
    make_post(other, north_of(LAT, 0.51), LON, title="just outside home")
    make_post(other, north_of(far_lat, 0.2), LON, title="near work")
    assert sorted(titles(client)) == ["near home", "near work"]


@pytest.mark.django_db
def test_the_largest_radius_uses_the_box_and_still_stops_at_the_edge(
    client: Any, agency: Any, me: Any
) -> None:
    make_place(me, LAT, LON, miles=5)
    other = make_resident(agency, "bo@example.org")
    make_post(other, north_of(LAT, 4.98), LON, title="inside")
    make_post(other, north_of(LAT, 5.02), LON, title="outside")
    assert titles(client) == ["inside"]


@pytest.mark.django_db
def test_only_published_posts_of_my_agency_newest_first(client: Any, agency: Any, me: Any) -> None:
    make_place(me, LAT, LON)
    other = make_resident(agency, "bo@example.org")
    now = timezone.now()
    make_post(other, LAT, LON, title="older", created=now - timedelta(hours=2))
    make_post(other, LAT, LON, title="newer", created=now - timedelta(hours=1))
    make_post(other, LAT, LON, title="waiting", status=Post.Status.PENDING)
    make_post(other, LAT, LON, title="removed", status=Post.Status.REMOVED)
    make_post(other, LAT, LON, title="deleted", deleted=now)
    elsewhere = make_agency(slug="other", ori="CA0150099", name="Other PD")
    make_post(make_resident(elsewhere, "cy@example.org"), LAT, LON, title="other agency")
    assert titles(client) == ["newer", "older"]


@pytest.mark.django_db
def test_the_feed_is_paged(client: Any, agency: Any, me: Any) -> None:
    make_place(me, LAT, LON)
    other = make_resident(agency, "bo@example.org")
    now = timezone.now()
    for i in range(PAGE_SIZE + 3):
        make_post(other, LAT, LON, title=f"post {i}", created=now - timedelta(minutes=i))
    first = titles(client)
    assert len(first) == PAGE_SIZE and first[0] == "post 0"
    cursor = older_link(client)
    assert cursor is not None
    second = titles(client, cursor)
    assert second == [f"post {i}" for i in range(PAGE_SIZE, PAGE_SIZE + 3)]
    # The last page has no "Older" link; it links back to the newest posts.
    assert older_link(client, cursor) is None
    assert (
        'href="/n/bakersfield/feed/"'
        in client.get("/n/bakersfield/feed/", {"before": cursor}).content.decode()
    )
    # A post arriving meanwhile does not shift the older page (a keyset, not an offset).
    make_post(other, LAT, LON, title="brand new", created=now + timedelta(minutes=1))
    assert titles(client, cursor) == second
    # A malformed cursor is the first page: never an error.
    for bad in ("nonsense", "12_x", "99999999999999999999999_3", "_", "5_-1"):
        assert titles(client, bad)[0] == "brand new"


@pytest.mark.django_db
def test_posts_with_the_same_time_page_by_id_without_loss_or_repeats(
    client: Any, agency: Any, me: Any
) -> None:
    make_place(me, LAT, LON)
    other = make_resident(agency, "bo@example.org")
    same = timezone.now()
    for i in range(PAGE_SIZE * 2 + 5):
        make_post(other, LAT, LON, title=f"post {i}", created=same)
    seen: list[str] = []
    cursor = ""
    while True:
        seen += titles(client, cursor)
        cursor = older_link(client, cursor) or ""
        if not cursor:
            break
    assert sorted(seen) == sorted(f"post {i}" for i in range(PAGE_SIZE * 2 + 5))
    assert len(seen) == len(set(seen))


@pytest.mark.django_db
def test_with_no_places_the_feed_says_to_add_one(client: Any, agency: Any, me: Any) -> None:
    r = client.get("/n/bakersfield/feed/")
    assert r.status_code == 200 and b"Add a place" in r.content


@pytest.mark.django_db
def test_the_feed_needs_a_resident_of_this_agency(client: Any, agency: Any) -> None:
    # Signed out: the community's own sign-in (test_signin_redirect.py), not the staff one.
    assert client.get("/n/bakersfield/feed/")["Location"].startswith("/n/bakersfield/signin/")
    elsewhere = make_agency(slug="other", ori="CA0150099", name="Other PD")
    client.force_login(make_resident(elsewhere, "cy@example.org").user)
    assert client.get("/n/bakersfield/feed/").status_code == 404
