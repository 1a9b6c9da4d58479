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
from shapely.geometry import shape

from porchlight.community.models import Place, Post, Resident
from porchlight.community.places import reaches
from porchlight.geo import h3index, radius

PAGE_SIZE = 20
# Rows read per query when a drawn place needs the polygon test in Python.
CHUNK = 200
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def visible_posts(agency_id: int) -> QuerySet[Post]:
    return Post.objects.filter(
        agency_id=agency_id, status=Post.Status.PUBLISHED, deleted__isnull=True
    )


def _narrow(place: Place) -> Q:
    if place.area:
        # A drawn area: its bounding box here, the polygon itself in Python (_keep).
        min_lon, min_lat, max_lon, max_lat = shape(place.area).bounds
        return Q(lat__range=(min_lat, max_lat), lon__range=(min_lon, max_lon))
    if place.radius_miles <= radius.H3_MAX_MILES:
        return radius.in_cells(h3index.cells_within(place.lat, place.lon, place.radius_miles))
    lat0, lat1, lon0, lon1 = h3index.bounding_box(place.lat, place.lon, place.radius_miles)
    return Q(lat__range=(lat0, lat1), lon__range=(lon0, lon1))


def near(places: list[Place], posts: QuerySet[Post]) -> QuerySet[Post]:
    """`posts` within the radius of any of `places`, newest first (empty without places).

    Exact for circles (the distance in SQL). A drawn area's posts come by its bounding box,
    so with drawn places the rows are a superset that `_keep` narrows."""
    if not places:
        return posts.none()
    wanted = Q()
    distances: dict[str, Expression] = {}
    for i, place in enumerate(places):
        if place.area:
            wanted |= _narrow(place)
            continue
        distances[f"_d{i}"] = radius.miles_expr(place.lat, place.lon)
        wanted |= _narrow(place) & Q(**{f"_d{i}__lte": place.radius_miles})
    return posts.alias(**distances).filter(wanted).order_by("-created", "-pk")


def _keep(places: list[Place], lat: float, lon: float) -> bool:
    return any(reaches(place, lat, lon) for place in places)


def post_ids_near(places: list[Place], posts: QuerySet[Post]) -> list[int]:
    """Ids of `posts` within the radius or drawn area of any place, newest first (all)."""
    rows = near(places, posts).values_list("pk", "lat", "lon")
    if not any(p.area for p in places):
        return [pk for pk, _lat, _lon in rows]
    return [pk for pk, lat, lon in rows if _keep(places, lat, lon)]


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
        posts = _older_than(posts, after)
    wanted = PAGE_SIZE + 1  # the extra one says there is an older page
    if not any(p.area for p in places):
        rows = list(posts.values_list("pk", "created")[:wanted])
    else:
        rows = _read_drawn(places, posts, wanted)
    shown = rows[:PAGE_SIZE]
    older = None
    if len(rows) > PAGE_SIZE:
        last_pk, last_created = shown[-1]
        older = cursor_of(last_created, last_pk)
    return FeedPage(ids=[pk for pk, _created in shown], older=older, later=after is not None)


def _older_than(posts: QuerySet[Post], key: tuple[datetime, int]) -> QuerySet[Post]:
    at, pk = key
    return posts.filter(Q(created__lt=at) | Q(created=at, pk__lt=pk))


def _read_drawn(
    places: list[Place], posts: QuerySet[Post], wanted: int
) -> list[tuple[int, datetime]]:
    """With a drawn place the query is a superset: read newest first a chunk at a time (by the
    same keyset) and keep what is really in a place, until the page is full."""
    kept: list[tuple[int, datetime]] = []
    while True:
        chunk = list(posts.values_list("pk", "created", "lat", "lon")[:CHUNK])
        for pk, created, lat, lon in chunk:
            if _keep(places, lat, lon):
                kept.append((pk, created))
                if len(kept) >= wanted:
                    return kept
        if len(chunk) < CHUNK:
            return kept
        last_pk, last_created = chunk[-1][0], chunk[-1][1]
        posts = _older_than(posts, (last_created, last_pk))


def posts_for(ids: list[int]) -> list[Post]:
    by_id = {
        p.pk: p
        for p in Post.objects.filter(pk__in=ids)
        .select_related("author")
        .prefetch_related("media__media")
    }
    return [by_id[i] for i in ids if i in by_id]
