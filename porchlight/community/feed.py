"""The feed: published posts within the radius of any of the resident's places, newest first.

Each place narrows by H3 cells (or a lat/lon box past geo.radius.H3_MAX_MILES), the places'
filters are OR-ed into one query that reads only ids, points and times, newest first and a
chunk at a time, and the exact distance then decides. Reading stops once the page asked for
is full, so a page never comes up short because of the covering's corners and never reads
every post in the radius.
"""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet

from porchlight.community.models import Place, Post, Resident
from porchlight.geo import h3index, radius

PAGE_SIZE = 20


def visible_posts(agency_id: int) -> QuerySet[Post]:
    return Post.objects.filter(
        agency_id=agency_id, status=Post.Status.PUBLISHED, deleted__isnull=True
    )


def _narrow(place: Place) -> Q:
    if place.radius_miles <= radius.H3_MAX_MILES:
        return Q(h3__in=h3index.cells_within(place.lat, place.lon, place.radius_miles))
    lat0, lat1, lon0, lon1 = h3index.bounding_box(place.lat, place.lon, place.radius_miles)
    return Q(lat__range=(lat0, lat1), lon__range=(lon0, lon1))


def post_ids_near(places: list[Place], posts: QuerySet[Post]) -> list[int]:
    """Ids of `posts` within the radius of any place, newest first (all of them)."""
    return _near(places, posts, limit=None)


CHUNK = 500


def _near(places: list[Place], posts: QuerySet[Post], limit: int | None) -> list[int]:
    if not places:
        return []
    wanted = Q()
    for place in places:
        wanted |= _narrow(place)
    ordered = posts.filter(wanted).order_by("-created", "-pk")
    ids: list[int] = []
    start = 0
    # Newest first, a chunk at a time, stopping once `limit` rows are in: a page reads a few
    # hundred rows, not every post inside the radius.
    while True:
        chunk = list(ordered.values_list("pk", "lat", "lon")[start : start + CHUNK])
        for pk, lat, lon in chunk:
            if any(h3index.miles_between(p.lat, p.lon, lat, lon) <= p.radius_miles for p in places):
                ids.append(pk)
                if limit is not None and len(ids) >= limit:
                    return ids
        if len(chunk) < CHUNK:
            return ids
        start += CHUNK


def feed_page(resident: Resident, number: int | str | None) -> Page[int]:
    """One page of post ids for the resident's feed. Reads only as far as the page asked for
    (plus one row, to know there is a next page); a bad page number is page 1."""
    try:
        page = max(1, int(number or 1))
    except (TypeError, ValueError):
        page = 1
    places = list(resident.places.all())
    ids = _near(places, visible_posts(resident.agency_id), limit=page * PAGE_SIZE + 1)
    # Past the end: the last page that has posts.
    last = max(1, -(-len(ids) // PAGE_SIZE))
    # The paginator knows only the rows read so far, so the page shows Newer/Older, no total.
    return Paginator(ids, PAGE_SIZE).get_page(min(page, last))


def posts_for(ids: list[int]) -> list[Post]:
    by_id = {
        p.pk: p
        for p in Post.objects.filter(pk__in=ids)
        .select_related("author")
        .prefetch_related("media__media")
    }
    return [by_id[i] for i in ids if i in by_id]
