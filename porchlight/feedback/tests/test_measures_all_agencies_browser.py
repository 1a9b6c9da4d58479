"""The Feedback page of a platform superuser (all agencies) in a real browser, on a 390 px
phone (and a desktop), in English and Spanish: the figures of a local Sunday, each survey on
its own agency's clock (test_measures_all_agencies.py has the agencies and why); the weekly
chart's labels are readable at either width; axe finds nothing serious.
Screenshots: test-artifacts/feedback-all-agencies-*.png."""

import re
from typing import Any

import pytest

from porchlight.feedback.tests.test_measures_all_agencies import two_clocks  # noqa: F401
from standins.browser import DESKTOP, PHONE, look, make_superuser, staff_login, switch_language

# The SVG is drawn in its viewBox's units and scaled to its box: a 12-unit label on a phone's
# 358 px box rendered at about 7.7 px (its box about 9 px high).
LABELS = """(svg) => [...svg.querySelectorAll('text')].map((t) => {
  const box = t.getBoundingClientRect(), outer = svg.getBoundingClientRect();
  return {
    label: t.textContent, height: box.height,
    px: parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a,
    left: box.left, right: box.right, top: box.top, bottom: box.bottom,
    inside: box.left >= outer.left && box.right <= outer.right
      && box.top >= outer.top && box.bottom <= outer.bottom,
  };
})"""


# The weekly chart's week labels, their lines joined by a space.
WEEKS = """(svg) => [...svg.querySelectorAll('text')].filter((t) => t.querySelector('tspan'))
  .map((t) => [...t.querySelectorAll('tspan')].map((s) => s.textContent).join(' '))"""


def chart_labels(page: Any, selector: str) -> list[dict[str, Any]]:
    """Each <text> of the chart: its rendered box's height and its font size on screen (CSS
    px, the viewBox's scaling included)."""
    labels: list[dict[str, Any]] = page.locator(selector).evaluate(LABELS)
    assert labels, selector
    return labels


def assert_readable(page: Any, selector: str) -> None:
    """Every label shows at 12 px or more, inside the chart, overlapping no other label, and
    the SVG's numbers are not localised (in Spanish "35,0" is no x: the labels piled up)."""
    labels = chart_labels(page, selector)
    for label in labels:
        assert label["height"] >= 11 and label["px"] >= 12 and label["inside"], label
    for i, one in enumerate(labels):
        for other in labels[i + 1 :]:
            apart = (one["right"] <= other["left"] or other["right"] <= one["left"]
                     or one["bottom"] <= other["top"] or other["bottom"] <= one["top"])  # fmt: skip
            assert apart, (one, other)
    assert not page.locator(
        f"{selector} [x*=','], {selector} [y*=','], {selector} [width*=',']"
    ).count()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], indirect=True, ids=["phone", "desktop"])
@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.django_db(transaction=True)
def test_the_all_agency_feedback_page(page, live_server, two_clocks, viewport, lang):  # noqa: F811
    staff_login(page, live_server, make_superuser())
    switch_language(page, lang)
    page.goto(f"{live_server.url}/console/feedback/?since=2026-11-01&until=2026-11-01")
    assert page.get_attribute("html", "lang") == lang
    figures = page.locator(".fb-figures").inner_text().replace(",", ".")  # Spanish: 50,0 %
    # E1 (5) and P2 (1): the local Sunday's two answers, not UTC's (P1 and E1, both 5).
    assert "50.0%" in figures and "100.0%" in figures  # CSAT, and the response rate
    assert ("2 de 2 enviadas" if lang == "es" else "2 of 2 sent") in figures
    assert_readable(page, "svg.fb-chart")
    # Each week by its first day in the page's language, month named: "Nov 16" over two
    # lines, "16 nov" in Spanish; never "11/16", which reads day/month to a Spanish reader.
    weeks = page.locator("svg.fb-chart").evaluate(WEEKS)
    assert len(weeks) == 8, weeks
    pattern = r"\d{1,2} [a-z]{3}" if lang == "es" else r"[A-Z][a-z]{2} \d{1,2}"
    assert all(re.fullmatch(pattern, week) for week in weeks), weeks
    # Per question: the two agencies' overall question is one row (5 and 1: 3.0).
    rows = page.locator("table.stack tbody tr")
    assert rows.count() == 1 and "3" in rows.first.inner_text()
    assert ("una sola fila" if lang == "es" else "is one row") in page.locator(
        ".fb-note"
    ).inner_text()
    look(page, f"feedback-all-agencies-{'phone' if viewport['width'] < 600 else 'desktop'}-{lang}")
