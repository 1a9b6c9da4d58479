"""The Messages console lists texts reconciliation holds (the provider could not say whether it
has them), with the reason, the provider's error and the next check: desktop and phone,
English and Spanish, axe on each screen."""

from datetime import timedelta

import pytest
from django.utils import timezone

from porchlight.calls.models import Call
from porchlight.notify.channels.dev import DevInbox
from porchlight.notify.models import Outbox, State, Trigger
from porchlight.notify.tests.conftest import received
from porchlight.notify.worker import HELD, Worker
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
    "en": {"h2": "Held: not known whether sent", "reason": HELD},
    "es": {
        "h2": "Retenidos: no se sabe si se enviaron",
        "reason": "retenido: el proveedor no pudo decir si se envió",
    },
}


@VIEWPORTS
@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.django_db(transaction=True)
def test_held_texts_are_listed_with_the_reason(page, live_server, call_in, viewport, lang):
    call_in(received())
    call = Call.objects.get()
    # A worker claimed the first text and died; reconciliation could not ask the provider.
    worker = Worker({"sms": DevInbox()}, name="dead")
    worker.claim(10)
    worker._pool.shutdown()
    Outbox.objects.filter(trigger=Trigger.RECEIVED).update(
        body="Test PD: we received your call.", reason=HELD, error_code="20503",
        due_at=timezone.now() + timedelta(minutes=3),
    )  # fmt: skip
    words = WORDS[lang]
    tag = f"{'phone' if viewport == PHONE else 'desktop'}-{lang}"

    staff_login(page, live_server, make_staff(call.agency, role="supervisor"))
    switch_language(page, lang)
    open_console_menu(page)
    page.locator("nav a[href='/console/messages/']").click()

    section = page.locator("#held-h").locator("..")
    assert section.locator("h2").inner_text() == words["h2"]
    text = section.inner_text()
    assert words["reason"] in text and "20503" in text and call.incident_number in text
    look(page, f"messages-held-{tag}")

    # The incident link leads to the call's messages, where the row shows as sending.
    section.locator(f"a:has-text('{call.incident_number}')").click()
    page.wait_for_url("**/console/messages/?incident=*")
    assert Outbox.objects.get(trigger=Trigger.RECEIVED).state == State.SENDING
