"""The map page's list view and filters, and the weekly summary page, without a browser."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from porchlight.calls.models import CallType
from porchlight.publicmap import publish
from porchlight.publicmap.tests.builders import make_call, truxtun_block

pytestmark = pytest.mark.django_db


def test_the_list_view_shows_published_incidents_with_the_disclaimer(client, agency):
    truxtun_block(agency)
    make_call(agency, "459R", address="1234 Truxtun Ave")
    make_call(agency, "273.5", address="1250 Truxtun Ave")  # sensitive
    publish.run(agency)
    page = client.get(f"/map/{agency.slug}/").content.decode()
    assert "1200 block of Truxtun Ave" in page
    assert page.count('class="pm-row"') == 1
    assert "Burglary" in page and "Call for service" in page
    assert "not 911" in page and "tel:+16613277111" in page
    assert "1234" not in page and "1250" not in page


def test_the_list_filters_by_category_days_and_address(client, agency):
    truxtun_block(agency)
    now = timezone.now()
    make_call(agency, "459R", ago=timedelta(days=2), now=now)
    make_call(agency, "415", ago=timedelta(days=20), now=now, address="1290 Truxtun Ave")
    CallType.objects.filter(code="415").update(description="Disturbance")
    publish.run(agency, now, lookback=timedelta(days=40))
    url = f"/map/{agency.slug}/"

    def rows(**params):
        response = client.get(url, params)
        assert response.status_code == 200
        return response.content.decode().count('class="pm-row"')

    assert rows() == 2
    assert rows(days="7") == 1
    assert rows(category="disturbance") == 1
    assert rows(address="1200 Truxtun Ave", radius="0.25") == 2
    page = client.get(url, {"address": "1 Nowhere Rd"}).content.decode()
    assert "We could not find that address" in page


@pytest.mark.parametrize(
    "params",
    [{"days": "8"}, {"radius": "100"}, {"category": "arson"}, {"page": "0"}],
)
def test_bad_filters_are_a_400_that_says_why(client, agency, params):
    response = client.get(f"/map/{agency.slug}/", params)
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()


def test_an_unknown_agency_is_a_404(client, agency):
    assert client.get("/map/nowhere/").status_code == 404
    assert client.get("/map/nowhere/summary/").status_code == 404


def test_map_index_goes_to_the_only_agency(client, agency):
    response = client.get("/map/")
    assert response.status_code == 302 and response["Location"] == f"/map/{agency.slug}/"


def test_the_start_page_links_to_the_map(client, agency):
    assert 'href="/map/"' in client.get("/").content.decode()


def test_spanish(client, agency):
    make_call(agency)
    publish.run(agency)
    page = client.get(f"/map/{agency.slug}/", {"lang": "es"}).content.decode()
    assert '<html lang="es">' in page
    assert "Mapa de delitos" in page and "Robo con allanamiento" in page
    assert "Cuadra 1200 de Truxtun Ave" in page
    page = client.get(f"/map/{agency.slug}/summary/", {"lang": "es"}).content.decode()
    assert "Resumen semanal de seguridad" in page


def test_the_map_element_carries_what_map_js_needs(client, agency, settings):
    truxtun_block(agency)
    page = client.get(f"/map/{agency.slug}/").content.decode()
    assert 'data-api="/api/v1/map/incidents"' in page
    assert 'data-streets="/static/publicmap/demo-streets.geojson"' in page
    assert 'data-bounds="' in page
    settings.MAP_TILE_URL = "https://tiles.example.org/{z}/{x}/{y}.png"
    page = client.get(f"/map/{agency.slug}/").content.decode()
    assert 'data-tiles="https://tiles.example.org/{z}/{x}/{y}.png"' in page
    assert 'data-streets=""' in page


def test_the_summary_page(client, agency):
    truxtun_block(agency)
    now = timezone.now()
    for week in range(1, 9):
        make_call(agency, ago=timedelta(days=7 * week + 1), now=now)
    for _ in range(3):
        make_call(agency, ago=timedelta(days=2), now=now)
    make_call(agency, ago=timedelta(days=75), now=now)  # publication began before the 8 weeks
    publish.run(agency, now, lookback=timedelta(days=80))
    page = client.get(
        f"/map/{agency.slug}/summary/", {"address": "1234 Truxtun Ave"}
    ).content.decode()
    assert "3 incidents this week." in page
    assert "More than in any of the previous 8 weeks (usually 1–1)." in page


def test_the_map_asks_the_api_for_a_window_that_starts_on_a_whole_minute(client, agency):
    # Every visitor of the same view within a minute asks the same GeoJSON URL, so the
    # browser and a shared cache can reuse the answer (it is sent with max-age=60).
    page = client.get(f"/map/{agency.slug}/", {"days": "7"}).content.decode()
    since = re.search(r'data-since="([^"]+)"', page)
    assert since, "the map's data-since attribute is missing"
    start = datetime.fromisoformat(since.group(1))
    assert start.second == 0 and start.microsecond == 0
    expected = timezone.now() - timedelta(days=7)
    assert timedelta(0) <= expected - start < timedelta(minutes=1, seconds=5)
