"""The form's map pin picker is served only where it can be centred (the agency has an area),
with the public map's base layer; the page works without it."""

from __future__ import annotations

import re

from django.test import override_settings

FORM = "/report/bakersfield/vehicle-burglary/"


def test_no_area_no_map_and_no_leaflet(client, categories) -> None:
    page = client.get(FORM).content.decode()
    assert 'id="pin-map"' not in page and "leaflet.js" not in page
    assert 'id="id_address"' in page  # the address field still says where


def test_the_map_is_centred_on_the_agency_area_with_the_bundled_streets(
    client, categories, address
) -> None:
    page = client.get(FORM + "?lang=es").content.decode()
    assert 'id="pin-map"' in page and "leaflet-1.9.4/leaflet.js" in page
    assert f'data-bounds="{address.lat},{address.lon},{address.lat},{address.lon}"' in page
    assert 'data-streets="/static/publicmap/demo-streets.geojson"' in page
    assert 'aria-label="Mapa para poner un marcador donde pasó.' in page
    # Hidden until pin.js shows it: without JavaScript there is no dead map on the page.
    assert re.search(r'<div id="pin-map"[^>]* hidden', page)


@override_settings(MAP_TILE_URL="https://tiles.example.org/{z}/{x}/{y}.png")
def test_with_tiles_the_map_uses_them_instead_of_the_streets(client, categories, address) -> None:
    page = client.get(FORM).content.decode()
    assert 'data-tiles="https://tiles.example.org/{z}/{x}/{y}.png"' in page
    assert 'data-streets=""' in page
