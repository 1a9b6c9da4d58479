"""The map page in a real Chromium at phone width, English and Spanish, with axe and the CSP on:
the vendored Leaflet draws the bundled streets and the clustered incidents from the API, the
filters narrow both the map and the list, and a marker's popup names the block, not an address.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from porchlight.calls.models import CallType
from porchlight.demo import addresses
from porchlight.publicmap import publish
from porchlight.publicmap.tests.builders import make_call
from standins.browser import PHONE, look

ON_A_PHONE = pytest.mark.parametrize("viewport", [PHONE], indirect=True, ids=["phone"])


def seed(agency):
    addresses.seed(agency)
    CallType.objects.filter(agency=agency, code="415").update(description="Disturbance")
    for n in (1210, 1230, 1250, 1270):
        make_call(agency, "459R", address=f"{n} Truxtun Ave")
    make_call(agency, "415", address="2410 Chester Ave")
    make_call(agency, "273.5", address="1230 Truxtun Ave")  # sensitive: never on the page
    publish.run(agency)


@ON_A_PHONE
@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.django_db(transaction=True)
def test_a_resident_reads_the_map_on_a_phone(page, live_server, agency, viewport, lang):
    seed(agency)
    page.goto(f"{live_server.url}/map/{agency.slug}/?lang={lang}")
    assert page.get_attribute("html", "lang") == lang
    # The bundled streets and the incidents, clustered: the five published ones, whatever the
    # clusters (the sensitive call is not among them).
    page.wait_for_selector(".marker-cluster")
    page.wait_for_function(
        "() => document.querySelectorAll('.leaflet-overlay-pane svg path').length > 10"
    )
    shown = page.evaluate(
        """() => [...document.querySelectorAll('.marker-cluster')]
                 .reduce((n, c) => n + Number(c.innerText), 0)
               + document.querySelectorAll('path.leaflet-interactive').length"""
    )
    assert shown == 5
    assert page.locator(".pm-row").count() == 5
    look(page, f"publicmap-map-phone-{lang}")

    # On a phone the map is a short scroll away (it was two screens down, behind eleven
    # checkboxes): the address comes first and the categories fold away until asked for.
    top = page.evaluate("() => document.getElementById('pm-map').getBoundingClientRect().top")
    assert top < PHONE["height"] * 1.25, top
    label = "Disturbance" if lang == "en" else "Alteración del orden"
    assert not page.get_by_label(label).is_visible()

    # Filter to disturbances: the list and the map follow, and the categories stay open.
    page.get_by_text("Categories: all" if lang == "en" else "Categorías: todas").click()
    page.get_by_label(label).check()
    button = "Apply filters" if lang == "en" else "Aplicar filtros"
    page.get_by_role("button", name=button, exact=True).click()
    page.wait_for_url("**category=disturbance**")
    assert page.locator(".pm-row").count() == 1
    assert page.get_by_label(label).is_checked()
    chosen = "Categories: 1 chosen" if lang == "en" else "Categorías: 1 elegida"
    assert page.get_by_text(chosen).is_visible()
    page.wait_for_function(
        "() => document.querySelectorAll('path.leaflet-interactive').length === 1"
    )
    look(page, f"publicmap-filtered-phone-{lang}")

    # Its popup names the block and the kind, never the address.
    page.locator("path.leaflet-interactive").click(force=True)
    popup = page.locator(".pm-popup")
    popup.wait_for()
    # The popup fades in; axe reads colours, so wait until it is fully there.
    page.wait_for_function(
        "() => getComputedStyle(document.querySelector('.leaflet-popup')).opacity === '1'"
    )
    text = popup.inner_text()
    block = "2400 block of Chester Ave" if lang == "en" else "Cuadra 2400 de Chester Ave"
    kind = "Call for service" if lang == "en" else "Llamada de servicio"
    assert block in text and kind in text
    assert "2410" not in text
    look(page, f"publicmap-popup-phone-{lang}")

    # Nudging the map while reading the popup keeps it open: the markers are not redrawn for a
    # move the last answer covers (they were, and the redraw closed the popup; a popup's own
    # pan to fit the screen did the same, and axe once caught it fading out).
    answers: list[str] = []
    page.on("request", lambda r: answers.append(r.url) if "/map/incidents" in r.url else None)
    box = page.locator("#pm-map").bounding_box()
    x, y = box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.7
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 15, y + 10, steps=5)
    page.mouse.up()
    page.wait_for_timeout(600)  # a fetch the move would start has started by now
    page.wait_for_load_state("networkidle")
    assert answers == []
    expect(page.locator(".pm-popup")).to_be_visible()
    assert block in page.locator(".pm-popup").inner_text()


@ON_A_PHONE
@pytest.mark.django_db(transaction=True)
def test_the_weekly_summary_on_a_phone(page, live_server, agency, viewport):
    seed(agency)
    page.goto(f"{live_server.url}/map/{agency.slug}/summary/?address=1200+Truxtun+Ave&radius=1")
    assert "incidents this week" in page.locator(".pm-total").inner_text()
    look(page, "publicmap-summary-phone-en")
    page.goto(f"{live_server.url}/map/{agency.slug}/summary/?lang=es")
    assert "esta semana" in page.locator(".pm-total").inner_text()
    look(page, "publicmap-summary-phone-es")
