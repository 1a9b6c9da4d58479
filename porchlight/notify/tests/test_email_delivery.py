"""Email end to end: a CAD call with a caller's email address, the worker, a real SMTP server,
the one-click unsubscribe in the email that arrived, and the next update not sent."""

import re
from datetime import timedelta

import pytest
from django.test import Client

from porchlight.notify.channels.dev import DevInbox
from porchlight.notify.channels.email import EmailChannel
from porchlight.notify.models import ConsentChange, Contact, Outbox, State, Trigger
from porchlight.notify.tests.conftest import received
from porchlight.notify.worker import Worker
from standins.builders import cad_event

CALLER = {"phone": "661-555-0142", "email": "caller@example.org", "language": "es"}


@pytest.fixture
def worker(local_smtp):
    w = Worker(
        {"sms": DevInbox("sms"), "email": EmailChannel()},
        name="w",
        track_url=lambda call: f"https://pl.example/t/{call.incident_number}",
    )
    yield w
    w._pool.shutdown()


def email(trigger):
    return Outbox.objects.get(channel="email", trigger=trigger)


@pytest.mark.django_db(transaction=True)
def test_the_caller_gets_an_email_and_can_unsubscribe_from_the_next_one(
    call_in, worker, local_smtp, clock
):
    call_in(received(1, caller=CALLER))
    worker.run_once()

    first = email(Trigger.RECEIVED)
    assert first.state == State.SENT
    [mail] = local_smtp.wait_for(1)
    message = mail.message
    assert mail.rcpt_tos == ["caller@example.org"]
    assert first.provider_id == message["Message-ID"].strip("<>")
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "26-000001" in text and "https://pl.example/t/26-000001" in text  # the Spanish words
    assert '<html lang="es"' in html
    assert '<a href="https://pl.example/t/26-000001">' in html

    # The mail client's one-click unsubscribe, from the header of the email that arrived.
    link = re.fullmatch(r"<(.+)>", message["List-Unsubscribe"].strip())[1]
    r = Client(enforce_csrf_checks=True).post(
        link.removeprefix("http://localhost:8000"),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert r.status_code == 200
    assert ConsentChange.objects.get().source == "email:one-click"

    # The call clears: the text still goes, the email does not.
    call_in(cad_event(2, status="cleared", at="2026-11-22T14:18:00-08:00", caller=CALLER))
    clock.shift(timedelta(seconds=121))  # past the merge window (plan.calls)
    worker.run_once()
    closing = email(Trigger.CLEARED)
    assert closing.state == State.SUPPRESSED and "unsubscribed" in closing.reason
    assert len(local_smtp.messages) == 1
    assert Outbox.objects.filter(channel="sms", state=State.DELIVERED).count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_mailbox_that_does_not_exist_fails_the_email_and_marks_the_address(
    call_in, worker, local_smtp
):
    local_smtp.rcpt_replies["caller@example.org"] = "550 5.1.1 User unknown"

    call_in(received(1, caller=CALLER))
    worker.run_once()

    row = email(Trigger.RECEIVED)
    assert (row.state, row.error_code, row.reason) == (State.FAILED, "550", "hard_bounce")
    contact = Contact.objects.get(channel="email")
    assert contact.undeliverable == "hard_bounce"
    change = ConsentChange.objects.get()
    assert (change.action, change.source) == ("marked", "email:550")
