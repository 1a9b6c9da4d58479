"""Drawing a place as an area on a phone, in English and Spanish, with axe on each screen: taps
on the map add corners, "Undo last corner" takes one back, and the saved place is the polygon."""

from __future__ import annotations

from typing import Any

import pytest

from porchlight.community.models import Place
from porchlight.community.places import places_covering
from porchlight.community.tests.factories import make_resident
from porchlight.geo import h3index
from porchlight.geo.models import Address
from standins.browser import PHONE, look, resident_login

ON_A_PHONE = pytest.mark.parametrize("viewport", [PHONE], indirect=True, ids=["phone"])
WORDS = {
    "en": {"map": "Map to draw an area", "undo": "Undo last corner", "save": "Save place",
           "ready": "Area with 3 corners", "some": "Corners: 2"},
    "es": {"map": "Mapa para dibujar una zona", "undo": "Deshacer la última esquina",
           "save": "Guardar lugar", "ready": "Zona con 3 esquinas", "some": "Esquinas: 2"},
}  # fmt: skip


@ON_A_PHONE
@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.django_db(transaction=True)
def test_a_resident_draws_an_area_for_a_place(
    page: Any, live_server: Any, agency: Any, viewport: Any, lang: str
) -> None:
    words = WORDS[lang]
    # The agency's area, for the map to centre on: one address downtown.
    lat, lon = 35.37329, -119.01871
    Address.objects.create(
        agency=agency, number="1600", number_int=1600, street="TRUXTUN AVE",
        street_name="TRUXTUN", label="1600 Truxtun Ave", lat=lat, lon=lon,
        h3=h3index.cell(lat, lon),
    )  # fmt: skip
    me = make_resident(agency, "rosa@example.org")
    resident_login(page, live_server, agency, "rosa@example.org", lang)
    page.goto(f"{live_server.url}/n/{agency.slug}/places/new/")
    assert page.get_attribute("html", "lang") == lang

    region = page.get_by_role("region", name=words["map"])
    region.wait_for(state="visible")
    region.scroll_into_view_if_needed()
    box = region.bounding_box()
    assert box is not None
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    # Three corners around the middle, then a stray fourth that "Undo" takes back.
    for dx, dy in ((-60, 40), (60, 40), (0, -50), (90, -90)):
        page.mouse.click(cx + dx, cy + dy)
    page.get_by_role("button", name=words["undo"]).click()
    status = page.locator("#draw-status")
    assert words["ready"] in status.inner_text()
    look(page, f"community-draw-place-phone-{lang}")
    page.get_by_role("button", name=words["undo"]).click()
    assert words["some"] in status.inner_text() and page.input_value("#id_area") == ""
    page.mouse.click(cx, cy - 50)

    page.fill("#id_name", "Mi cuadra" if lang == "es" else "My block")
    page.get_by_role("button", name=words["save"]).click()
    page.wait_for_url(f"**/n/{agency.slug}/feed/")
    place = Place.objects.get(resident=me)
    ring = place.area["coordinates"][0]
    assert len(ring) == 4 and place.address == ""
    # The map is centred on the address, which lies inside the drawn triangle.
    assert places_covering(agency, lat, lon) == [place]
    look(page, f"community-draw-saved-phone-{lang}")
