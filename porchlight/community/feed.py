"""The feed: published posts within the radius of any of the resident's places, newest first.

One query per page. Each place narrows by H3 cells (or a lat/lon box past
geo.radius.H3_MAX_MILES) and the exact great-circle distance is checked in SQL, so LIMIT counts
only posts really in range; the places' conditions are OR-ed. Pages are a keyset cursor ("older
than this post": created, then id), not an offset, so page 50 costs what page 1 costs and a post
arriving meanwhile never shifts a page. The `(agency, h3, created)` index on published posts
(community_post_feed) serves the cell lookup; the planner may instead walk the newest posts on
`(agency, status, created)` when the radius holds many posts (docs/performance.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db.models import Q, QuerySet
from django.db.models.expressions import Expression

from porchlight.community.models import Place, Post, Resident
from porchlight.geo import h3index, radius

PAGE_SIZE = 20
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def visible_posts(agency_id: int) -> QuerySet[Post]:
    return Post.objects.filter(
        agency_id=agency_id, status=Post.Status.PUBLISHED, deleted__isnull=True
    )


def _narrow(place: Place) -> Q:
    if place.radius_miles <= radius.H3_MAX_MILES:
        return Q(h3__in=h3index.cells_within(place.lat, place.lon, place.radius_miles))
    lat0, lat1, lon0, lon1 = h3index.bounding_box(place.lat, place.lon, place.radius_miles)
    return Q(lat__range=(lat0, lat1), lon__range=(lon0, lon1))


def near(places: list[Place], posts: QuerySet[Post]) -> QuerySet[Post]:
    """`posts` within the radius of any of `places`, newest first (empty without places)."""
    if not places:
        return posts.none()
    wanted = Q()
    distances: dict[str, Expression] = {}
    for i, place in enumerate(places):
        distances[f"_d{i}"] = radius.miles_expr(place.lat, place.lon)
        wanted |= _narrow(place) & Q(**{f"_d{i}__lte": place.radius_miles})
    return posts.alias(**distances).filter(wanted).order_by("-created", "-pk")


def post_ids_near(places: list[Place], posts: QuerySet[Post]) -> list[int]:
    """Ids of `posts` within the radius of any place, newest first (all of them)."""
    return list(near(places, posts).values_list("pk", flat=True))


# --- the cursor ----------------------------------------------------------------------------


def cursor_of(created: datetime, pk: int) -> str:
    micros = (created - EPOCH) // timedelta(microseconds=1)
    return f"{micros}_{pk}"


def parse_cursor(raw: str | None) -> tuple[datetime, int] | None:
    """The (created, id) a cursor names; None for a missing or malformed one (the first page:
    a bad link is never an error)."""
    if not raw:
        return None
    micros, _, pk = raw.partition("_")
    try:
        at = EPOCH + timedelta(microseconds=int(micros))
        key = int(pk)
    except (ValueError, OverflowError):
        return None
    return (at, key) if key > 0 else None


@dataclass
class FeedPage:
    ids: list[int]
    # The link to the next, older page (None on the last one).
    older: str | None
    # Whether this is a later page (so it offers a way back to the newest posts).
    later: bool


def feed_page(resident: Resident, before: str | None) -> FeedPage:
    """One page of post ids for the resident's feed: the PAGE_SIZE newest posts older than the
    cursor, read with one query of PAGE_SIZE + 1 rows (the extra one says there is more)."""
    places = list(resident.places.all())
    posts = near(places, visible_posts(resident.agency_id))
    after = parse_cursor(before)
    if after is not None:
        at, key = after
        posts = posts.filter(Q(created__lt=at) | Q(created=at, pk__lt=key))
    rows = list(posts.values_list("pk", "created")[: PAGE_SIZE + 1])
    shown = rows[:PAGE_SIZE]
    older = None
    if len(rows) > PAGE_SIZE:
        last_pk, last_created = shown[-1]
        older = cursor_of(last_created, last_pk)
    return FeedPage(ids=[pk for pk, _created in shown], older=older, later=after is not None)


def posts_for(ids: list[int]) -> list[Post]:
    by_id = {
        p.pk: p
        for p in Post.objects.filter(pk__in=ids)
        .select_related("author")
        .prefetch_related("media__media")
    }
    return [by_id[i] for i in ids if i in by_id]
