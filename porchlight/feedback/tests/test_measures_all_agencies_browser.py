"""The Feedback page of a platform superuser (all agencies) in a real browser, on a 390 px
phone, in English and Spanish: the figures of a local Sunday, each survey on its own agency's
clock (test_measures_all_agencies.py has the agencies and why); axe finds nothing serious.
Screenshots: test-artifacts/feedback-all-agencies-*.png."""

import pytest

from porchlight.feedback.tests.test_measures_all_agencies import two_clocks  # noqa: F401
from standins.browser import PHONE, look, make_superuser, staff_login, switch_language


@pytest.mark.parametrize("viewport", [PHONE], indirect=True, ids=["phone"])
@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.django_db(transaction=True)
def test_the_all_agency_feedback_page_on_a_phone(page, live_server, two_clocks, viewport, lang):  # noqa: F811
    staff_login(page, live_server, make_superuser())
    switch_language(page, lang)
    page.goto(f"{live_server.url}/console/feedback/?since=2026-11-01&until=2026-11-01")
    assert page.get_attribute("html", "lang") == lang
    figures = page.locator(".fb-figures").inner_text().replace(",", ".")  # Spanish: 50,0 %
    # E1 (5) and P2 (1): the local Sunday's two answers, not UTC's (P1 and E1, both 5).
    assert "50.0%" in figures and "100.0%" in figures  # CSAT, and the response rate
    assert ("2 de 2 enviadas" if lang == "es" else "2 of 2 sent") in figures
    look(page, f"feedback-all-agencies-phone-{lang}")
