"""Each saved place links to its weekly safety summary (the public map's summary page, for the
circle around the place), and the summary links back to the resident's places. Only the
resident who saved the place can open its summary."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from porchlight.community.tests.factories import make_place, make_resident
from porchlight.publicmap import publish
from porchlight.publicmap.tests.builders import BLOCK_LAT, make_call, truxtun_block

LON = -119.008


def signed_in(resident: Any) -> Client:
    client = Client()
    client.force_login(resident.user)
    return client


@pytest.mark.django_db
def test_a_saved_place_links_to_its_weekly_summary_and_back(agency: Any) -> None:
    truxtun_block(agency)
    now = timezone.now()
    for _ in range(2):
        make_call(agency, ago=timedelta(days=2), now=now)
    publish.run(agency, now, lookback=timedelta(days=80))
    me = make_resident(agency, "me@example.org")
    home = make_place(me, BLOCK_LAT, LON, miles=0.5, name="Home")
    work = make_place(me, BLOCK_LAT + 0.3, LON, miles=2.0, name="Work")
    client = signed_in(me)
    feed = client.get("/n/bakersfield/feed/").content.decode()
    for place in (home, work):
        assert f"/map/bakersfield/summary/?place={place.pk}" in feed
    assert "Weekly safety summary for Home" in feed

    r = client.get(f"/map/bakersfield/summary/?place={home.pk}")
    page = r.content.decode()
    assert r.status_code == 200 and r["Cache-Control"] == "private, no-store"
    assert "Around Home" in page and "within 0.50 mi of your place" in page
    assert "2 incidents this week." in page
    assert 'href="/n/bakersfield/feed/#places-h"' in page
    # The place's point is the resident's alone: the page never shows it.
    assert f"{BLOCK_LAT}" not in page and "Near an address" not in page
    # Far away, nothing happened.
    assert "0 incidents this week." in client.get(f"/map/bakersfield/summary/?place={work.pk}")\
        .content.decode()  # fmt: skip

    es = client.get(f"/map/bakersfield/summary/?place={home.pk}&lang=es").content.decode()
    assert "Alrededor de Home" in es and "Volver a mis lugares" in es


@pytest.mark.django_db
def test_only_the_places_resident_opens_its_summary(client: Client, agency: Any) -> None:
    me = make_resident(agency, "me@example.org")
    home = make_place(me, BLOCK_LAT, LON)
    url = f"/map/bakersfield/summary/?place={home.pk}"
    assert client.get(url).status_code == 404
    other = signed_in(make_resident(agency, "other@example.org"))
    assert other.get(url).status_code == 404
    assert other.get("/map/bakersfield/summary/?place=abc").status_code == 404
    # The public summary without a place is unchanged.
    assert other.get("/map/bakersfield/summary/").status_code == 200
