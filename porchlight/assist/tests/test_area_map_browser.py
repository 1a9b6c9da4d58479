"""Picking a request's area on the map, in a real Chromium at phone width, in English and
Spanish, with axe on each screen: the detective clicks the centre, sets the radius (a larger
one is brought down to the agency's limit), saves, and the draft has the clicked centre within
a few metres; then draws an area by clicks (kept when the form comes back with an error) and
the draft has that polygon instead."""

from __future__ import annotations

import math
import re
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from porchlight.assist import limits
from porchlight.assist.models import AssistanceRequest
from porchlight.cases.models import Case
from porchlight.geo import h3index
from porchlight.geo.models import Address
from standins.browser import PHONE, look, make_staff, staff_login, switch_language

from .conftest import LAT, LON

ON_A_PHONE = pytest.mark.parametrize("viewport", [PHONE], indirect=True, ids=["phone"])
WORDS = {
    "en": {"map": "Map of the request's area", "save": "Save draft",
           "corner": "adds a corner of a drawn area", "centre": "a circle of 300 metres",
           "limited": "at most", "ready": "Area with 3 corners"},
    "es": {"map": "Mapa de la zona de la solicitud", "save": "Guardar borrador",
           "corner": "añade una esquina de una zona dibujada",
           "centre": "un círculo de 300 metros", "limited": "como máximo",
           "ready": "Zona con 3 esquinas"},
}  # fmt: skip
# The map fits the agency's area, here one address, at zoom 15 (areamap.js), so it opens
# centred on that address: a click dx, dy pixels off the middle is this far off it (Web
# Mercator: metres per pixel at zoom 15 and this latitude).
METRES_PER_PX = 2 * math.pi * 6378137 * math.cos(math.radians(LAT)) / (256 * 2**15)
METRES_PER_DEG_LAT = 111_320


def metres_apart(a: tuple[float, float], b: tuple[float, float]) -> float:
    dy = (a[0] - b[0]) * METRES_PER_DEG_LAT
    dx = (a[1] - b[1]) * METRES_PER_DEG_LAT * math.cos(math.radians(a[0]))
    return math.hypot(dx, dy)


def local(dt: Any) -> str:
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


def fill_the_rest(page: Any, now: Any) -> None:
    page.fill("#id_case_number", "C26-000888")
    page.fill("#id_incident_type", "Burglary")
    page.fill("#id_description", "A garage break-in. Footage of the street, 2 to 4 AM.")
    page.fill("#id_neighborhood", "Downtown")
    page.fill("#id_window_start", local(now - timedelta(hours=10)))
    page.fill("#id_window_end", local(now - timedelta(hours=6)))
    page.fill("#id_expires_days", "7")
    page.fill("#id_contact_name", "Det. Dee Ortiz")


def map_middle(page: Any, name: str) -> tuple[float, float]:
    region = page.get_by_role("region", name=re.compile(re.escape(name)))
    region.wait_for(state="visible")
    region.scroll_into_view_if_needed()
    box = region.bounding_box()
    assert box is not None
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


@ON_A_PHONE
@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.django_db(transaction=True)
def test_a_detective_picks_the_area_on_the_map(
    page: Any, live_server: Any, agency: Any, viewport: Any, lang: str
) -> None:
    words = WORDS[lang]
    Address.objects.create(
        agency=agency, number="1600", number_int=1600, street="TRUXTUN AVE",
        street_name="TRUXTUN", label="1600 Truxtun Ave", lat=LAT, lon=LON,
        h3=h3index.cell(LAT, LON),
    )  # fmt: skip
    Case.objects.create(agency=agency, number="C26-000888", source="rms")
    most = limits.limits_for(agency).max_radius_m
    detective = make_staff(agency, role="detective", username="dee")
    staff_login(page, live_server, detective, next_path="/console/assist/new/")
    switch_language(page, lang)
    assert page.get_attribute("html", "lang") == lang
    timezone.activate(agency.tz)
    now = timezone.now()

    # 1. A centre by a click, a radius typed: the circle follows; too large, it is clamped.
    fill_the_rest(page, now)
    cx, cy = map_middle(page, words["map"])
    dx, dy = 40, -30  # east and north of the address
    page.mouse.click(cx + dx, cy + dy)
    page.fill("#id_radius_m", str(most + 1000))
    page.locator("#id_radius_m").blur()
    assert page.input_value("#id_radius_m") == str(most)
    assert words["limited"] in page.locator("#area-status").inner_text()
    page.fill("#id_radius_m", "300")
    assert words["centre"] in page.locator("#area-status").inner_text()
    assert page.locator("#area-map path").count() >= 1
    look(page, f"assist-area-centre-phone-{lang}")
    # Leave the number field as a person would (Tab): clicking "Save" with a number field
    # still focused far above scrolls headless Chromium back to it mid-click.
    page.locator("#id_radius_m").press("Tab")
    with page.expect_navigation():
        page.get_by_role("button", name=words["save"]).click()
    assert re.search(r"/console/assist/\d+/$", page.url), page.locator(
        ".msg-error"
    ).all_inner_texts()
    item = AssistanceRequest.objects.get()
    assert item.polygon is None and item.radius_m == 300
    clicked = (
        LAT - dy * METRES_PER_PX / METRES_PER_DEG_LAT,
        LON + dx * METRES_PER_PX / (METRES_PER_DEG_LAT * math.cos(math.radians(LAT))),
    )
    assert item.center_lat is not None and item.center_lon is not None
    assert metres_apart((item.center_lat, item.center_lon), clicked) < 10

    # 2. An area drawn by clicks: the polygon is saved, the centre emptied.
    page.goto(f"{live_server.url}/console/assist/new/")
    fill_the_rest(page, now)
    page.get_by_label(words["corner"]).check()
    cx, cy = map_middle(page, words["map"])
    page.mouse.click(cx - 50, cy + 40)
    page.mouse.click(cx + 50, cy + 40)
    page.mouse.click(cx, cy - 50)
    assert words["ready"] in page.locator("#area-status").inner_text()
    assert page.input_value("#id_lat") == "" and page.input_value("#id_lon") == ""
    look(page, f"assist-area-drawn-phone-{lang}")
    # Refused for a missing name: the page comes back with the area still drawn.
    page.fill("#id_contact_name", "")
    with page.expect_navigation():
        page.get_by_role("button", name=words["save"]).click()
    assert page.url.endswith("/console/assist/new/")
    assert words["ready"] in page.locator("#area-status").inner_text()
    assert page.get_by_label(words["corner"]).is_checked()
    page.fill("#id_contact_name", "Det. Dee Ortiz")
    with page.expect_navigation():
        page.get_by_role("button", name=words["save"]).click()
    assert re.search(r"/console/assist/\d+/$", page.url), page.locator(
        ".msg-error"
    ).all_inner_texts()
    drawn = AssistanceRequest.objects.exclude(pk=item.pk).get()
    assert drawn.center_lat is None and drawn.radius_m is None
    ring = drawn.polygon["coordinates"][0]
    assert len(ring) == 4 and ring[0] == ring[-1]
    # The triangle is around the middle of the map, the address.
    lons, lats = [c[0] for c in ring], [c[1] for c in ring]
    assert min(lats) < LAT < max(lats) and min(lons) < LON < max(lons)
    look(page, f"assist-area-drawn-saved-phone-{lang}")
