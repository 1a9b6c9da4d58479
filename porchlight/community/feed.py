"""The feed: published posts within the radius of any of the resident's places, newest first.

Each place narrows by H3 cells (or a lat/lon box past geo.radius.H3_MAX_MILES), the places'
filters are OR-ed into one query that reads only ids, points and times, and the exact
distance then decides. Pages are taken from the exact list, so a page never comes up short
because of the covering's corners.
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
    """Ids of `posts` within the radius of any place, newest first."""
    if not places:
        return []
    wanted = Q()
    for place in places:
        wanted |= _narrow(place)
    ids = []
    for pk, lat, lon in (
        posts.filter(wanted).order_by("-created", "-pk").values_list("pk", "lat", "lon")
    ):
        if any(h3index.miles_between(p.lat, p.lon, lat, lon) <= p.radius_miles for p in places):
            ids.append(pk)
    return ids


def feed_page(resident: Resident, number: int | str | None) -> Page[int]:
    """One page of post ids for the resident's feed (Paginator.get_page: a bad or past-the-end
    page number gives the nearest real page, never an error)."""
    places = list(resident.places.all())
    ids = post_ids_near(places, visible_posts(resident.agency_id))
    return Paginator(ids, PAGE_SIZE).get_page(number)


def posts_for(ids: list[int]) -> list[Post]:
    by_id = {
        p.pk: p
        for p in Post.objects.filter(pk__in=ids)
        .select_related("author")
        .prefetch_related("media__media")
    }
    return [by_id[i] for i in ids if i in by_id]
