"""The track page in a real Chromium at phone width, in English and Spanish, checked by axe.

The app's CSP stays on (standins/browser.py fails the test on any violation), the page must
fit a 390px screen, and the language switch must keep the token working without cookies.
"""

from __future__ import annotations

import pytest

from porchlight.calls.tests.track_calls import PHONE as CALLER_PHONE
from porchlight.calls.tests.track_calls import apply, path_of, received, whole_call
from porchlight.calls.track import link_for
from standins.browser import PHONE, look

ON_A_PHONE = pytest.mark.parametrize("viewport", [PHONE], indirect=True, ids=["phone"])


@ON_A_PHONE
@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.django_db(transaction=True)
def test_a_caller_follows_their_call_on_a_phone(page, live_server, agency, viewport, lang):
    call = whole_call(agency, caller={"phone": CALLER_PHONE, "language": lang})
    path = path_of(link_for(call))
    page.goto(live_server.url + path)
    assert page.get_attribute("html", "lang") == lang
    heading = "Incident 26-012345" if lang == "en" else "Incidente 26-012345"
    assert page.locator("h1").inner_text() == heading
    steps = page.locator(".track-step").all_inner_texts()
    assert len(steps) == 5
    tel = page.locator("a.track-phone")
    assert tel.get_attribute("href") == "tel:+16613277111"
    look(page, f"track-cleared-phone-{lang}")
    assert page.context.cookies() == []

    # Switch language with the visible link: same token, other language, still no cookie.
    other, name = ("es", "Español") if lang == "en" else ("en", "English")
    page.get_by_role("link", name=name).click()
    page.wait_for_url(f"**{path}?lang={other}")
    assert page.get_attribute("html", "lang") == other
    assert len(page.locator(".track-step").all_inner_texts()) == 5
    assert page.context.cookies() == []


@ON_A_PHONE
@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.django_db(transaction=True)
def test_a_waiting_call_and_a_dead_link_on_a_phone(page, live_server, agency, viewport, lang):
    call = apply(agency, received(caller={"phone": CALLER_PHONE, "language": lang}))
    page.goto(live_server.url + path_of(link_for(call)))
    assert page.locator(".track-step").count() == 1
    look(page, f"track-waiting-phone-{lang}")

    response = page.goto(f"{live_server.url}/t/AAAAAAAAAAAAAAAAAAAAAAAA?lang={lang}")
    assert response is not None and response.status == 404
    assert page.get_attribute("html", "lang") == lang
    look(page, f"track-not-found-phone-{lang}")
