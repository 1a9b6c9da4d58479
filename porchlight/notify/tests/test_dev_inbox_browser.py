"""The development inbox in a real browser: texts shown as each phone received them."""

import pytest

from porchlight.notify.channels.dev import DevInbox
from porchlight.notify.tests.conftest import received
from porchlight.notify.worker import Worker
from standins.browser import DESKTOP, PHONE, look, switch_language


@pytest.fixture
def sent(call_in, settings):
    settings.DEV_INBOX = True
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


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], indirect=True, ids=["desktop", "phone"])
@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.django_db(transaction=True)
def test_inbox_shows_each_phones_texts(page, live_server, sent, viewport, lang):
    page.goto(f"{live_server.url}/dev/inbox/")
    switch_language(page, lang)
    assert page.get_attribute("html", "lang") == lang
    phones = page.locator("section.phone")
    assert phones.count() == 2
    text = page.locator("main").inner_text()
    assert "got your call" in text and "tiene su llamada" in text
    # The tracking link is a link a person can tap.
    assert page.locator("a[href='https://pl.example/t/26-000001']").count() == 1
    look(page, f"dev-inbox-{'phone' if viewport == PHONE else 'desktop'}-{lang}")


@pytest.mark.django_db
def test_inbox_does_not_exist_outside_the_demo(client, settings):
    settings.DEV_INBOX = False
    settings.DEBUG = False
    assert client.get("/dev/inbox/").status_code == 404
