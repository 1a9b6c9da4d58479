"""The quarantine's burst panels and the call types page with long and sensitive-by-name
types, in a real browser: desktop and phone, English and Spanish, axe on every screen."""

import pytest

from porchlight.calls.intake import Feed, ingest
from porchlight.calls.models import Quarantine
from standins.browser import (
    DESKTOP,
    PHONE,
    look,
    make_staff,
    staff_login,
    switch_language,
)
from standins.builders import cad_event

LONG = "SUSPICIOUS PERSON, VEHICLE OR INCIDENT - REPORTED BY CALLER AT A BUSINESS OR RESIDENCE"


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], indirect=True, ids=["desktop", "phone"])
@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.django_db(transaction=True)
def test_bursts_and_long_types_read_well(page, live_server, agency, viewport, lang, settings):
    settings.QUARANTINE_MAX_PER_HOUR = 3
    feed = Feed(agency=agency, source="cad", covered={agency.ori: agency})
    ingest(feed, [cad_event(i, incident=f"26-{i:06d}", status="NOPE") for i in range(6)])
    ingest(
        feed,
        [
            cad_event(20, incident="26-000020", call_type=LONG),
            cad_event(
                21, incident="26-000021", call_type="SUIC", call_type_description="Suicide threat"
            ),
        ],
    )
    login = make_staff(agency, role="admin")
    tag = f"{'phone' if viewport == PHONE else 'desktop'}-{lang}"
    staff_login(page, live_server, login)
    switch_language(page, lang)

    page.goto(f"{live_server.url}/console/quarantine/")
    text = page.locator("main").inner_text()
    assert ("3 more like these" if lang == "en" else "3 más como estos") in text
    look(page, f"quarantine-bursts-{tag}")
    page.locator("main details summary").first.click()
    page.fill("#discard-reason-1", "vendor fuzzer")
    look(page, f"quarantine-bursts-open-{tag}")
    with page.expect_navigation():
        page.locator("main details form button[type=submit]").first.click()
    assert Quarantine.objects.filter(state="discarded").count() == 3

    page.goto(f"{live_server.url}/console/call-types/")
    assert page.locator(f"td[title='{LONG}']").count() == 1
    look(page, f"call-types-long-{tag}")
