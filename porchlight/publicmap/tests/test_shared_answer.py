"""The map's API answers the same whoever asks, so anyone's answer may be shared.

A signed-in resident's or staff member's request issues only the map's own SQL (no session,
user or staff read by the middlewares: agencies/staff.py), and no answer varies by cookie.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from porchlight.agencies.tests.conftest import make_user
from porchlight.community.tests.factories import make_resident
from porchlight.publicmap import answers, publish
from porchlight.publicmap.tests.builders import BLOCK_LAT, make_call, truxtun_block

pytestmark = pytest.mark.django_db
URL = "/api/v1/map/incidents"
CIRCLE = {"lat": BLOCK_LAT, "lon": -119.008, "radius": "1"}


def _fixed_window() -> dict[str, str]:
    # Both ends given, so two requests' SQL (their parameters included) can be compared.
    until = (timezone.now() + timedelta(hours=1)).replace(microsecond=0)
    return {"since": (until - timedelta(days=30)).isoformat(), "until": until.isoformat()}


def _sql(client: Client, params: dict[str, str]) -> tuple[list[str], bytes, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL, params)
    assert response.status_code == 200
    return [q["sql"] for q in queries.captured_queries], response.content, response["Vary"]


def _clear_answers() -> None:
    # Each request below must run the map's SQL itself, not be served a kept answer.
    answers.forget_all()


@pytest.mark.parametrize("who", ["resident", "staff"])
def test_a_signed_in_visitor_issues_only_the_maps_own_sql(agency, who):
    truxtun_block(agency)
    make_call(agency)
    publish.run(agency)
    params = {**CIRCLE, **_fixed_window()}
    _clear_answers()
    anonymous_sql, anonymous_body, _vary = _sql(Client(), params)
    assert anonymous_sql, "the map's own SQL"
    if who == "resident":
        user = make_resident(agency, "neighbor@example.org").user
    else:
        user, _secret = make_user("ada", agency=agency)
    client = Client()
    client.force_login(user)
    _clear_answers()
    signed_in_sql, body, vary = _sql(client, params)
    assert signed_in_sql == anonymous_sql
    assert body == anonymous_body
    assert "Cookie" not in vary


def test_the_language_cookie_does_not_change_the_answer(client, agency):
    """The labels' language comes from ?lang= or Accept-Language, never from a cookie."""
    truxtun_block(agency)
    make_call(agency)
    publish.run(agency)
    client.cookies["django_language"] = "es"
    response = client.get(URL, CIRCLE, headers={"accept-language": "en"})
    assert response.json()["features"][0]["properties"]["category_label"] == "Burglary"
    assert "Cookie" not in response["Vary"]
    spanish = client.get(URL, {**CIRCLE, "lang": "es"})
    assert spanish.json()["features"][0]["properties"]["category_label"] == "Robo con allanamiento"
