"""The replies page in a real browser: a supervisor reads what callers texted back and why a
number stopped getting texts; phone and desktop, English and Spanish, axe on every screen."""

from __future__ import annotations

import itertools

import pytest

from porchlight.notify import pii
from porchlight.notify.models import Channel, Contact, Sender
from standins.browser import (
    DESKTOP,
    PHONE,
    look,
    make_staff,
    open_console_menu,
    staff_login,
    switch_language,
)
from standins.twilio_local.server import inbound_params

CALLER = "+16615550142"
OURS = "+16615550100"
_sids = itertools.count(1)

VIEWPORTS = pytest.mark.parametrize(
    "viewport", [DESKTOP, PHONE], indirect=True, ids=["desktop", "phone"]
)


@VIEWPORTS
@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.django_db(transaction=True)
def test_read_the_replies_and_the_consent_log(
    page, live_server, agency, twilio_post, viewport, lang
):
    Sender.objects.create(agency=agency, label="Main", phone_number=OURS)
    Contact.objects.create(
        agency=agency,
        channel=Channel.SMS,
        address_hash=pii.lookup_hash(CALLER),
        address_enc=pii.encrypt(CALLER),
    )
    for body in ("Is the officer still coming? The man left in a grey truck.", "HELP", "STOP"):
        params = inbound_params(f"SM{next(_sids):032d}", CALLER, body, to=OURS)
        assert twilio_post("/notify/sms/inbound/", params).status_code == 200
    login = make_staff(agency, role="supervisor")
    tag = f"{'phone' if viewport == PHONE else 'desktop'}-{lang}"

    staff_login(page, live_server, login)
    switch_language(page, lang)
    open_console_menu(page)
    page.locator("nav a[href='/console/replies/']").click()
    page.wait_for_url("**/console/replies/")

    assert page.locator("h1").inner_text() == (
        "Replies and consent" if lang == "en" else "Respuestas y consentimiento"
    )
    rows = page.locator("ol.replies > li")
    assert rows.count() == 3
    assert "grey truck" in rows.nth(2).inner_text()
    assert "…0142" in rows.nth(2).inner_text()
    assert "555-0142" not in page.content()
    consent_log = page.locator("#consent-h").locator("..").inner_text()
    assert "sms:STOP" in consent_log
    look(page, f"replies-{tag}")

    page.select_option("#id_kind", "help")
    page.locator("form.filters button[type=submit]").click()
    page.wait_for_url("**/console/replies/?kind=help*")
    assert rows.count() == 1
    assert ("Help keyword" if lang == "en" else "Palabra clave de ayuda") in rows.first.inner_text()
    assert "661-327-7111" in rows.first.inner_text()  # our answer named the non-emergency number
    look(page, f"replies-help-{tag}")
