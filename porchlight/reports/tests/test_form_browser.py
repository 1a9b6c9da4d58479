"""The online report form in a real Chromium at phone width, in English and Spanish, with axe.

The app's CSP stays on (standins/browser.py fails a test on any violation): the
"use my location" button is our own script, and the phone's position comes from the browser's
geolocation, granted here as a phone's user would.
"""

from __future__ import annotations

import re

import pytest

from porchlight.reports.demo import seed_categories
from porchlight.reports.models import Report
from porchlight.reports.tests.conftest import add_address
from standins.browser import PHONE, look

ON_A_PHONE = pytest.mark.parametrize("viewport", [PHONE], indirect=True, ids=["phone"])
WORDS = {
    "en": {
        "category": "Vehicle burglary",
        "locate": "Use my current location",
        "located": "Your location is added",
        "send": "Send report",
        "problems": "Please check the fields marked below.",
        "entry": "Broke a window",
        "received": "Your report was received",
        "plate": "Your vehicle's license plate",
        "what": "What happened?",
    },
    "es": {
        "category": "Robo en vehículo",
        "locate": "Usar mi ubicación actual",
        "located": "Se agregó su ubicación",
        "send": "Enviar reporte",
        "problems": "Revise los campos marcados abajo.",
        "entry": "Rompieron una ventana",
        "received": "Recibimos su reporte",
        "plate": "La placa de su vehículo",
        "what": "¿Qué pasó?",
    },
}


@ON_A_PHONE
@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.django_db(transaction=True)
def test_a_resident_files_a_report_on_a_phone(page, live_server, agency, viewport, lang):
    seed_categories(agency)
    add_address(agency)
    words = WORDS[lang]
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation({"latitude": 35.3801, "longitude": -119.0213})

    page.goto(f"{live_server.url}/report/{agency.slug}/?lang={lang}")
    assert page.get_attribute("html", "lang") == lang
    look(page, f"report-choose-phone-{lang}")
    page.get_by_role("link", name=words["category"]).click()
    page.wait_for_url("**/report/bakersfield/vehicle-burglary/**")
    assert page.locator("h1").inner_text() == words["category"]
    assert "911" in page.locator(".track-911").inner_text()
    look(page, f"report-form-phone-{lang}")

    # Sent empty: every problem is named beside its field, and the page still passes axe.
    with page.expect_navigation():
        page.get_by_role("button", name=words["send"]).click()
    assert words["problems"] in page.locator("#problems").inner_text()
    look(page, f"report-form-errors-phone-{lang}")

    page.get_by_label(words["what"]).fill("They smashed the window and took a backpack.")
    assert not page.locator("#unlocate").is_visible()
    page.get_by_role("button", name=words["locate"]).click()
    page.wait_for_function(
        "text => document.getElementById('locate-status').textContent === text",
        arg=words["located"],
    )
    assert page.input_value("#id_lat") == "35.380100"
    assert not page.get_by_role("button", name=words["locate"]).is_visible()
    page.get_by_label(words["entry"]).check()
    page.get_by_label(words["plate"]).fill("8ABC123")
    page.fill("#id_q-value", "250")
    page.fill("#id_phone", "661-555-0199")
    page.get_by_role("button", name=words["send"]).click()
    page.wait_for_url(f"**/report/bakersfield/filed/?lang={lang}")

    report = Report.objects.get()
    assert page.locator("h1").inner_text() == words["received"]
    assert page.locator(".report-number").inner_text() == report.case.number
    assert re.fullmatch(r"C\d{2}-\d{6}", report.case.number)
    assert (report.lat, report.lon, report.language) == (35.3801, -119.0213, lang)
    look(page, f"report-filed-phone-{lang}")


PIN_WORDS = {
    "en": {"map": "Map to place a pin", "placed": "Pin placed on the map"},
    "es": {"map": "Mapa para poner un marcador", "placed": "Marcador puesto en el mapa"},
}


@ON_A_PHONE
@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.django_db(transaction=True)
def test_a_resident_places_a_pin_on_the_map_instead_of_an_address(
    page, live_server, agency, viewport, lang
):
    # No geolocation granted: the map is how this resident says where, with no address typed.
    seed_categories(agency)
    add_address(agency)
    words = {**WORDS[lang], **PIN_WORDS[lang]}

    page.goto(f"{live_server.url}/report/{agency.slug}/vehicle-burglary/?lang={lang}")
    pin_map = page.get_by_role("region", name=re.compile(words["map"]))
    pin_map.wait_for(state="visible")
    # Centred on the agency: its one address is in the middle of the map.
    pin_map.scroll_into_view_if_needed()
    box = pin_map.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] / 2 + 20, box["y"] + box["height"] / 2 + 10)
    page.wait_for_function(
        "text => document.getElementById('locate-status').textContent === text",
        arg=words["placed"],
    )
    lat, lon = float(page.input_value("#id_lat")), float(page.input_value("#id_lon"))
    assert abs(lat - 35.37329) < 0.01 and abs(lon - -119.01871) < 0.01
    assert (lat, lon) != (35.37329, -119.01871)  # where the click landed, not the centre
    assert page.locator(".leaflet-marker-icon").count() == 1
    look(page, f"report-pin-phone-{lang}")

    page.get_by_label(words["what"]).fill("Someone tried every car door on the block.")
    page.get_by_label(words["entry"]).check()
    page.get_by_label(words["plate"]).fill("8ABC123")
    page.fill("#id_q-value", "0")
    page.fill("#id_email", "resident@example.org")
    assert page.input_value("#id_address") == ""
    page.get_by_role("button", name=words["send"]).click()
    page.wait_for_url(f"**/report/bakersfield/filed/?lang={lang}")

    report = Report.objects.get()
    assert page.locator(".report-number").inner_text() == report.case.number
    assert (report.lat, report.lon) == (lat, lon)
    look(page, f"report-pin-filed-phone-{lang}")
