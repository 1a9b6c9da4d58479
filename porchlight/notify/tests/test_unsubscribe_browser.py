"""The unsubscribe page in a real browser: open the link from the email, press the button, see
the confirmation; in the contact's language, at phone and desktop width, with axe."""

import re

import pytest

from porchlight.notify import consent
from porchlight.notify.channels import Message
from porchlight.notify.channels.email import EmailChannel
from porchlight.notify.models import ConsentChange
from standins.browser import DESKTOP, PHONE, look

WORDS = {
    "en": {
        "heading": "Stop emails about your calls?",
        "button": "Unsubscribe",
        "done": "You are unsubscribed",
    },
    "es": {
        "heading": "¿Dejar de recibir correos sobre sus llamadas?",
        "button": "Cancelar la suscripción",
        "done": "Su suscripción está cancelada",
    },
}


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], indirect=True, ids=["desktop", "phone"])
@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.django_db(transaction=True)
def test_the_link_in_the_email_leads_to_a_button_and_a_confirmation(
    page, live_server, local_smtp, email_row, settings, viewport, lang
):
    settings.SITE_URL = live_server.url
    row = email_row("vecina@example.org", language=lang)
    EmailChannel().send(Message(outbox_id=row.pk, to="vecina@example.org", body="Hello."))
    header = local_smtp.wait_for(1)[0].message["List-Unsubscribe"].strip()
    link = re.fullmatch(r"<(.+)>", header)[1]
    words = WORDS[lang]
    size = "phone" if viewport == PHONE else "desktop"

    page.goto(link)

    assert page.get_attribute("html", "lang") == lang
    assert page.locator("h1").inner_text() == words["heading"]
    assert "v…@example.org" in page.locator("main").inner_text()  # masked, for recognition
    look(page, f"unsubscribe-{size}-{lang}")
    # Opening the page changed nothing.
    assert not ConsentChange.objects.exists()

    with page.expect_navigation():
        page.get_by_role("button", name=words["button"]).click()
    assert page.get_attribute("html", "lang") == lang
    assert page.locator("h1").inner_text() == words["done"]
    look(page, f"unsubscribed-{size}-{lang}")
    assert consent.opted_out("email", row.contact.address_hash, consent.sender_key("email", None))
    assert ConsentChange.objects.get().source == "email:unsubscribe-page"

    # Opening the link again says so, with no button.
    page.goto(link)
    assert page.locator("h1").inner_text() == words["done"]
    assert page.get_by_role("button", name=words["button"]).count() == 0

    # The confirmation is the page itself, so the language switch works there too.
    other = "en" if lang == "es" else "es"
    with page.expect_navigation():
        page.get_by_role("link", name={"en": "English", "es": "Español"}[other]).click()
    assert page.get_attribute("html", "lang") == other
    assert page.locator("h1").inner_text() == WORDS[other]["done"]
