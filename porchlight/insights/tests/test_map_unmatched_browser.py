"""The calls dashboard on a phone and a desktop, in English and Spanish, when the beat shapes'
codes are not all the CAD's: the beat map says how many calls it cannot place and in which
beats, under the map. axe and a screenshot."""

from __future__ import annotations

from typing import Any

import pytest

from porchlight.insights import rollups
from porchlight.insights.tests.fixture import six_calls
from porchlight.insights.tests.test_calls_dashboard import add_beats
from standins.browser import DESKTOP, PHONE, look, make_staff, staff_login, switch_language

WEEK = "since=2026-11-16&until=2026-11-22"
SAYS = {"en": "calls are in beats this map has no shape for (B2, B3)",
        "es": "llamadas están en sectores que este mapa no tiene dibujados (B2, B3)"}  # fmt: skip


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], indirect=True, ids=["phone", "desktop"])
@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.django_db(transaction=True)
def test_the_beat_map_names_the_beats_it_cannot_place(
    page: Any, live_server: Any, agency: Any, viewport: Any, lang: str
) -> None:
    six_calls(agency)
    rollups.rebuild(agency)
    add_beats(agency, ["B1", "B9"])  # the calls are in B1, B2 and B3
    staff_login(page, live_server, make_staff(agency, role="readonly", username="analyst"))
    switch_language(page, lang)
    page.goto(f"{live_server.url}/console/insights/calls/?{WEEK}")
    figure = page.locator("#map-h").locator("xpath=..")
    assert SAYS[lang] in figure.inner_text()
    look(page, f"insights-beat-map-unmatched-{lang}-{viewport['width']}")
