"""From the feed's places to a place's weekly safety summary and back, on a phone, in English
and Spanish, with axe on each screen."""

from __future__ import annotations

import re
from typing import Any

import pytest

from porchlight.community.tests.factories import make_place, make_resident
from porchlight.publicmap.tests.builders import BLOCK_LAT
from standins.browser import PHONE, look, resident_login

ON_A_PHONE = pytest.mark.parametrize("viewport", [PHONE], indirect=True, ids=["phone"])
WORDS = {
    "en": {"link": "Weekly safety summary for Home", "around": "Around Home",
           "back": "Back to my places", "places": "My places"},
    "es": {"link": "Resumen semanal de seguridad de Home", "around": "Alrededor de Home",
           "back": "Volver a mis lugares", "places": "Mis lugares"},
}  # fmt: skip


@ON_A_PHONE
@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.django_db(transaction=True)
def test_a_place_links_to_its_weekly_summary_and_back(
    page: Any, live_server: Any, agency: Any, viewport: Any, lang: str
) -> None:
    words = WORDS[lang]
    me = make_resident(agency, "ana@example.org", first_name="Ana")
    home = make_place(me, BLOCK_LAT, -119.008, miles=0.5, name="Home")
    resident_login(page, live_server, agency, "ana@example.org", lang)
    page.goto(f"{live_server.url}/n/{agency.slug}/feed/")
    look(page, f"community-places-summary-link-phone-{lang}")
    with page.expect_navigation():
        page.get_by_role("link", name=words["link"]).click()
    assert f"place={home.pk}" in page.url
    assert words["around"] in page.locator("h2#pm-week-h").inner_text()
    look(page, f"community-place-summary-phone-{lang}")
    with page.expect_navigation():
        page.get_by_role("link", name=words["back"]).click()
    page.wait_for_url(re.compile(rf"/n/{agency.slug}/feed/#places-h$"))
    assert words["places"] in page.locator("#places-h").inner_text()
