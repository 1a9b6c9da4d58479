"""The operations pages in a real Chromium at 390 px, in English and Spanish, checked by axe,
with a screenshot of each screen: intake health (a silent feed, the quarantine with its replay
button, worker lag), retention (placing and releasing a hold) and a public-records download."""

from __future__ import annotations

import zipfile
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from porchlight.calls.intake import ingest
from porchlight.operations import feeds
from porchlight.operations.models import LegalHold
from porchlight.operations.tests.builders import cleared_call, feed, post
from standins.browser import PHONE, look, make_staff, staff_login, switch_language

ON_A_PHONE = pytest.mark.parametrize("viewport", [PHONE], indirect=True, ids=["phone"])
LANGS = pytest.mark.parametrize("lang", ["en", "es"])


@ON_A_PHONE
@LANGS
@pytest.mark.django_db(transaction=True)
def test_a_supervisor_sees_a_silent_feed_and_the_quarantine(
    page, live_server, agency, viewport, lang, settings
):
    settings.OPS_FEED_DEFAULT_GAP_MINUTES = 30
    start = timezone.now() - timedelta(hours=2)
    with time_machine.travel(start, tick=False) as clock:
        for i in range(3):
            post(agency, source="cad-west", incident=f"26-91000{i}")
            clock.shift(60)
        ingest(feed(agency, "cad-west"), [{"event_id": "bad-1", "incident_number": "26-1"}])
    with time_machine.travel(timezone.now() - timedelta(minutes=20), tick=False):
        post(agency, source="drop-folder", incident="26-920000")
    feeds.run("test", timezone.now())
    login = make_staff(agency, role="supervisor", username="sgt")

    staff_login(page, live_server, login)
    switch_language(page, lang)
    page.goto(f"{live_server.url}/console/operations/intake/")
    assert page.get_attribute("html", "lang") == lang
    main = page.locator("main").inner_text()
    silent = (
        "La fuente cad-west está en silencio." if lang == "es" else "The cad-west feed is silent."
    )
    assert silent in main
    assert "drop-folder" in main
    look(page, f"operations-intake-phone-{lang}")

    with page.expect_navigation():
        page.locator("form:has(input[name=source][value=cad-west]) button").click()
    assert page.url.endswith("/console/operations/intake/")
    look(page, f"operations-intake-replayed-phone-{lang}")


@ON_A_PHONE
@LANGS
@pytest.mark.django_db(transaction=True)
def test_records_staff_hold_a_call_and_release_it(page, live_server, agency, viewport, lang):
    cleared_call(agency, "26-930000", timezone.now() - timedelta(days=200), phone="+16615550150")
    cleared_call(agency, "26-930001", timezone.now() - timedelta(days=190), phone="+16615550151")
    login = make_staff(agency, role="records", username="clerk")

    staff_login(page, live_server, login)
    switch_language(page, lang)
    page.goto(f"{live_server.url}/console/operations/retention/")
    assert "26-930000" in page.locator("main").inner_text()
    look(page, f"operations-retention-phone-{lang}")

    page.select_option("#id_target", "incident")
    page.fill("#id_value", "26-930000")
    page.fill("#id_reason", "Claim 24-118 against the city")
    with page.expect_navigation():
        page.locator("form:has(#id_reason) button[type=submit]").click()
    hold = LegalHold.objects.get()
    assert hold.call is not None and hold.call.incident_number == "26-930000"
    look(page, f"operations-retention-held-phone-{lang}")

    page.fill(f"#release-{hold.pk}", "Claim settled")
    with page.expect_navigation():
        page.locator(f"form:has(#release-{hold.pk}) button").click()
    hold.refresh_from_db()
    assert hold.released_at is not None


@ON_A_PHONE
@LANGS
@pytest.mark.django_db(transaction=True)
def test_records_staff_download_a_public_records_export(
    page, live_server, agency, viewport, lang, tmp_path
):
    cleared_call(agency, "26-940000", timezone.now() - timedelta(days=3), phone="+16615550160")
    login = make_staff(agency, role="records", username="clerk")

    staff_login(page, live_server, login)
    switch_language(page, lang)
    page.goto(f"{live_server.url}/console/operations/records/")
    assert page.get_attribute("html", "lang") == lang
    page.fill("#id_phone", "661-555-0160")
    look(page, f"operations-records-phone-{lang}")
    with page.expect_download() as download:
        page.locator("form.panel button[type=submit]").click()
    path = tmp_path / "export.zip"
    download.value.save_as(path)
    assert "calls.csv" in zipfile.ZipFile(path).namelist()

    page.fill("#id_phone", "661-555-0000")
    with page.expect_navigation():
        page.locator("form.panel button[type=submit]").click()
    assert page.locator("[role=alert]").count() == 1
    look(page, f"operations-records-none-phone-{lang}")
