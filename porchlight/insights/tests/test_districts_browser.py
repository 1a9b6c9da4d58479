"""District shapes in a real browser: an agency admin opens the upload page from the
dashboards' tabs, uploads a GeoJSON file, sees what was added and why a feature was skipped, and the calls dashboard then
draws calls by district as a map. On a phone and a desktop, in English and Spanish; axe finds
nothing serious. Screenshots: test-artifacts/districts-*.png."""

import pytest

from porchlight.insights import rollups
from porchlight.insights.tests.fixture import six_calls
from porchlight.insights.tests.test_districts import district_file
from standins.browser import (
    DESKTOP,
    PHONE,
    look,
    make_staff,
    staff_login,
    switch_language,
)

WEEK = "since=2026-11-16&until=2026-11-22"


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], indirect=True, ids=["phone", "desktop"])
@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.django_db(transaction=True)
def test_an_admin_uploads_districts_and_sees_the_map(
    page, live_server, agency, viewport, lang, tmp_path
):
    six_calls(agency)
    rollups.rebuild(agency)
    login = make_staff(agency, role="admin", username="gis")
    staff_login(page, live_server, login)
    switch_language(page, lang)
    size = "phone" if viewport == PHONE else "desktop"

    page.goto(f"{live_server.url}/console/insights/calls/?{WEEK}")
    assert page.locator("#district_map-h").count() == 0
    with page.expect_navigation():
        page.locator("a[href='/console/insights/districts/']").first.click()
    assert page.get_attribute("html", "lang") == lang
    look(page, f"districts-empty-{size}-{lang}")
    upload = tmp_path / "districts.geojson"
    # One feature without a code: its reason is shown in the page's language.
    upload.write_bytes(district_file({"type": "Feature", "properties": {}, "geometry": None}))
    page.set_input_files("#id_file", str(upload))
    with page.expect_navigation():
        page.locator("form.edit button[type=submit]").click()
    assert page.locator("#district-result").is_visible()
    assert page.locator("#districts tbody tr").count() == 2
    reason = {"en": "Feature 3: no 'district' property", "es": "Elemento 3: falta la propiedad"}
    assert reason[lang] in page.locator("section:has(#result-h) li").inner_text()
    look(page, f"districts-uploaded-{size}-{lang}")

    page.goto(f"{live_server.url}/console/insights/calls/?{WEEK}")
    shapes = page.locator("section:has(#district_map-h) svg path")
    assert shapes.count() == 2
    page.locator("#district_map-h").scroll_into_view_if_needed()
    look(page, f"districts-map-{size}-{lang}")
