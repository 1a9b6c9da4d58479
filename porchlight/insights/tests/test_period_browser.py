"""The period report in a real browser, on a 390 px phone and a desktop, in English and
Spanish: a read-only staff member opens it from the calls dashboard, sees its charts drawn and
the comparison table and the district maps, axe finds nothing serious, the PDF link downloads a PDF, and the print view (emulated print media)
leaves out the menus and the form and keeps the agency, the period and the figures.
Screenshots go to test-artifacts/period-*.png."""

import pytest

from porchlight.insights import districts, rollups
from porchlight.insights.tests.fixture import six_calls
from porchlight.insights.tests.test_districts import district_file
from porchlight.insights.tests.test_other_dashboards import answered  # noqa: F401
from standins.browser import (
    ARTIFACTS,
    DESKTOP,
    PHONE,
    look,
    make_staff,
    screenshot,
    staff_login,
    switch_language,
)

WEEK = "since=2026-11-16&until=2026-11-22"


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], indirect=True, ids=["phone", "desktop"])
@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.django_db(transaction=True)
def test_the_period_report_on_screen_and_in_print(
    page,
    live_server,
    agency,
    viewport,
    lang,
    answered,  # noqa: F811
):
    six_calls(agency)
    rollups.rebuild(agency)
    districts.import_geojson(agency, district_file())
    login = make_staff(agency, role="readonly", username="analyst")
    staff_login(page, live_server, login)
    switch_language(page, lang)
    size = "phone" if viewport == PHONE else "desktop"

    page.goto(f"{live_server.url}/console/insights/calls/?{WEEK}")
    page.locator("a[href^='/console/insights/period/']").first.click()
    assert page.get_attribute("html", "lang") == lang
    assert page.locator("#pr-since").input_value() == "2026-11-16"
    compare = page.locator("table[data-figure=compare] tbody tr")
    assert compare.count() >= 20
    # Charts drawn: bars for the days, the CSAT/NPS trend as lines with their markers.
    charts = page.locator("svg.in-chart")
    assert charts.count() >= 3
    for i in range(charts.count()):
        box = charts.nth(i).bounding_box()
        assert box and box["width"] > 100 and box["height"] > 20, i
    assert page.locator("svg.pr-lines-chart circle.csat-dot").count() == 1
    assert page.locator("svg.pr-lines-chart rect.nps-dot").count() == 1
    assert agency.name in page.locator(".pr-agency").inner_text()
    # The district maps (calls, CSAT): drawn shapes, no script.
    assert page.locator("#pr-volumes svg.in-map path.area").count() == 2
    assert page.locator("#pr-satisfaction svg.in-map path.area").count() == 2
    look(page, f"period-{size}-{lang}")
    # The date fields are the size of the other fields and the button beside them (they were
    # left unstyled: small text, a 20 px tall box).
    for field in page.locator(".pr-controls input[type=date]").all():
        box = field.bounding_box()
        assert box["height"] >= 36, box
    # "To" a date is "Hasta" in Spanish, not the "Para" of a message's recipient.
    assert page.locator("label[for=pr-until]").inner_text().strip() == (
        "To" if lang == "en" else "Hasta"
    )
    # The calls map alone, to look at (the full page is long).
    shot = ARTIFACTS / f"period-map-{size}-{lang}.png"
    page.locator("section:has(> #district_map-h)").screenshot(path=str(shot))
    if viewport == DESKTOP:
        # The PDF link gives the report as a PDF file (its content: test_period_pdf.py).
        with page.expect_download(timeout=90_000) as started:  # a PDF takes seconds to lay out
            page.locator("#pr-pdf").click()
        download = started.value
        assert download.suggested_filename.endswith(".pdf")
        with open(download.path(), "rb") as f:
            assert f.read(5) == b"%PDF-"

    # A shortcut reloads the report for its period.
    with page.expect_navigation():
        page.locator(".pr-shortcuts a").nth(1).click()
    assert "since=" in page.url and page.locator("table[data-figure=compare]").count() == 1

    page.goto(f"{live_server.url}/console/insights/period/?{WEEK}")
    page.emulate_media(media="print")
    assert not page.locator("header.top").is_visible()
    assert not page.locator(".pr-controls").is_visible()
    assert page.locator(".pr-agency").is_visible()
    assert page.locator("table[data-figure=compare]").is_visible()
    # Every section after the summary starts a new printed page.
    breaks = page.evaluate(
        "() => [...document.querySelectorAll('.pr-section')].map("
        "s => getComputedStyle(s).breakBefore)"
    )
    assert breaks[0] != "page" and set(breaks[1:]) == {"page"}
    assert page.locator("#pr-volumes svg.in-map").is_visible()
    screenshot(page, f"period-print-{size}-{lang}")
