"""Each dashboard in a real browser on a 390 px phone, in English and Spanish: a read-only
staff member signs in with a real TOTP code, opens the dashboards from the console menu, sees
each chart drawn (the SVG has its shapes and a size), follows a figure to its rows, and axe
finds nothing serious on any screen; the feedback dashboard's weekly chart has readable
labels, and so do the beat map's codes. Screenshots go to test-artifacts/insights-*.png."""

from datetime import timedelta

import pytest

from porchlight.cases.models import Case, CaseEvent, EventKind, Term
from porchlight.feedback.tests.test_measures_all_agencies_browser import (
    assert_readable,
    chart_labels,
)
from porchlight.insights import rollups
from porchlight.insights.tests.fixture import MONDAY, six_calls
from porchlight.insights.tests.test_calls_dashboard import add_beats
from standins.browser import (
    PHONE,
    look,
    make_staff,
    open_console_menu,
    staff_login,
    switch_language,
)

WEEK = "since=2026-11-16&until=2026-11-22"


@pytest.mark.parametrize("viewport", [PHONE], indirect=True, ids=["phone"])
@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.django_db(transaction=True)
def test_every_dashboard_on_a_phone(page, live_server, agency, viewport, lang):
    six_calls(agency)
    rollups.rebuild(agency)
    add_beats(agency, ["B1", "B2", "B3"])
    case = Case.objects.create(agency=agency, number="C1", source="rms", term=Term.ASSIGNED,
                               created=MONDAY + timedelta(hours=9))  # fmt: skip
    CaseEvent.objects.create(case=case, kind=EventKind.ASSIGNED, at=MONDAY + timedelta(hours=10))
    login = make_staff(agency, role="readonly", username="analyst")
    staff_login(page, live_server, login)
    switch_language(page, lang)

    page.goto(f"{live_server.url}/console/")
    open_console_menu(page)
    page.locator("a[href='/console/insights/']").first.click()
    assert page.get_attribute("html", "lang") == lang
    for kind in ("calls", "messages", "feedback", "cases"):
        page.goto(f"{live_server.url}/console/insights/{kind}/?{WEEK}")
        charts = page.locator("svg.in-chart")
        if kind in ("calls", "cases", "feedback"):
            assert charts.count() >= 1, kind
        for i in range(charts.count()):
            box = charts.nth(i).bounding_box()
            assert box and box["width"] > 100 and box["height"] > 20, (kind, i)
            shapes = charts.nth(i).locator("rect, path")
            assert shapes.count() > 0, (kind, i)
        # Numbers in the SVG are never localised ("0,4" is no opacity, "12,5" no width).
        assert not page.locator(
            "svg.in-chart [fill-opacity*=','], svg.in-chart [width*=',']"
        ).count()
        if kind == "feedback":
            assert_readable(page, ".in-weekly svg")
        look(page, f"insights-{kind}-{lang}")
    # The heatmap has one cell per day and hour, darker where busier; follow a figure.
    page.goto(f"{live_server.url}/console/insights/calls/?{WEEK}")
    assert page.locator("svg.in-heat rect.cell").count() == 7 * 24
    assert page.locator("svg.in-map path.area").count() == 3
    # The beat codes on the map show at 12 px or more on the phone (they showed at 8 px: the
    # 560-unit drawing scaled down to the phone's width, its labels with it).
    codes = chart_labels(page, "svg.in-map")
    assert sorted(c["label"] for c in codes) == ["B1", "B2", "B3"]
    assert all(c["px"] >= 12 and c["inside"] for c in codes), codes
    with page.expect_navigation():
        page.locator("table[data-figure=summary] a").first.click()
    assert page.locator("table[data-figure=rows] tbody tr").count() == 6
    look(page, f"insights-calls-rows-{lang}")
