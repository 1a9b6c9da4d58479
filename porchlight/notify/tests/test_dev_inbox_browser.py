"""The development inbox in a real browser: texts shown as each phone received them."""

import pytest
from django.core import mail

from porchlight.notify.channels.dev import DevInbox
from porchlight.notify.tests.conftest import received
from porchlight.notify.worker import Worker
from standins.browser import DESKTOP, PHONE, look, switch_language


@pytest.fixture
def sent(call_in, settings):
    settings.DEV_INBOX = True
    settings.EMAIL_BACKEND = "porchlight.notify.devmail.EmailBackend"
    call_in(
        received(1, incident="26-000001"),
        received(2, incident="26-000002", caller={"phone": "661-555-0199", "language": "es"}),
    )
    worker = Worker(
        {"sms": DevInbox()},
        name="w",
        track_url=lambda call: f"https://pl.example/t/{call.incident_number}",
    )
    worker.run_once()
    worker._pool.shutdown()
    # A resident's account email (notify/devmail.py) beside the callers' texts.
    mail.EmailMessage(
        "Confirm your email",
        "Follow this link: https://pl.example/confirm/abc/",
        to=["rosa@example.org"],
    ).send(fail_silently=False)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], indirect=True, ids=["desktop", "phone"])
@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.django_db(transaction=True)
def test_inbox_shows_each_phones_texts(page, live_server, sent, viewport, lang):
    page.goto(f"{live_server.url}/dev/inbox/")
    switch_language(page, lang)
    assert page.get_attribute("html", "lang") == lang
    phones = page.locator("section.phone")
    assert phones.count() == 3
    account = page.locator("section.phone", has_text="rosa@example.org")
    assert ("Account email" if lang == "en" else "Correo de la cuenta") in account.inner_text()
    assert account.locator("a[href='https://pl.example/confirm/abc/']").count() == 1
    text = page.locator("main").inner_text()
    assert "got your call" in text and "tiene su llamada" in text
    # Every time says its zone: texts on the agency's clock, account emails (no agency) in UTC.
    times = page.locator(".bubble-meta time").all_inner_texts()
    assert times and all(t.endswith((" PST", " PDT", " UTC")) for t in times), times
    assert any(t.endswith((" PST", " PDT")) for t in times), times
    # The tracking link is a link a person can tap.
    assert page.locator("a[href='https://pl.example/t/26-000001']").count() == 1
    look(page, f"dev-inbox-{'phone' if viewport == PHONE else 'desktop'}-{lang}")


@pytest.mark.django_db
def test_inbox_does_not_exist_outside_the_demo(client, settings):
    settings.DEV_INBOX = False
    settings.DEBUG = False
    assert client.get("/dev/inbox/").status_code == 404
