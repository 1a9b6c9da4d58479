"""The Messages console in a real browser: find a call, read why a text was not sent, stop the
call's messages, pause the agency; desktop and phone, English and Spanish, axe on every screen."""

import pytest

from porchlight.calls.models import Call
from porchlight.notify.models import Hold, Outbox, State
from porchlight.notify.tests.conftest import received
from standins.browser import (
    DESKTOP,
    PHONE,
    look,
    make_staff,
    open_console_menu,
    staff_login,
    switch_language,
)

VIEWPORTS = pytest.mark.parametrize(
    "viewport", [DESKTOP, PHONE], indirect=True, ids=["desktop", "phone"]
)
WORDS = {
    "en": {
        "h1": "Messages",
        "suppressed": "Suppressed",
        "why": "A juvenile is involved.",
        "stopped": "Messages stopped",
    },
    "es": {
        "h1": "Mensajes",
        "suppressed": "Suprimido",
        "why": "Hay un menor involucrado.",  # stored as "juvenile involved" (reasons.py)
        "stopped": "Mensajes detenidos",
    },
}


@VIEWPORTS
@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.django_db(transaction=True)
def test_find_a_call_see_why_and_stop_its_messages(page, live_server, call_in, viewport, lang):
    call_in(received(juvenile=True))
    call = Call.objects.get()
    words = WORDS[lang]
    login = make_staff(call.agency, role="supervisor")
    tag = f"{'phone' if viewport == PHONE else 'desktop'}-{lang}"

    staff_login(page, live_server, login)
    switch_language(page, lang)
    open_console_menu(page)
    page.locator("nav a[href='/console/messages/']").click()
    assert page.locator("h1").inner_text() == words["h1"]
    page.fill("#incident", call.incident_number)
    page.locator("form.filters button[type=submit]").last.click()
    page.wait_for_url("**/console/messages/?incident=*")
    table = page.locator(f"#call-{call.pk}").locator("..")
    assert words["suppressed"] in table.inner_text()
    assert words["why"] in table.inner_text()
    look(page, f"messages-call-{tag}")

    page.fill(f"#reason-call-{call.pk}", "Officer asked: do not text this phone")
    with page.expect_navigation():
        page.locator(f"#reason-call-{call.pk}").press("Enter")
    assert words["stopped"] in page.locator("body").inner_text()
    assert Hold.objects.get().call == call
    assert not Outbox.objects.filter(state__in=(State.PLANNED, State.SCHEDULED)).exists()
    look(page, f"messages-stopped-{tag}")

    page.fill("#pause-reason", "Major incident: no surveys tonight")
    with page.expect_navigation():
        page.locator("#pause-reason").press("Enter")
    assert (
        "Major incident: no surveys tonight" in page.locator("#pause-h").locator("..").inner_text()
    )
    look(page, f"messages-paused-{tag}")
