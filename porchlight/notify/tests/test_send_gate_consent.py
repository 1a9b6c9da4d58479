"""Consent at send time: an opt-out applies to the sender it was sent to, a marked address gets
nothing, and the provider's refusals (21610, 21211) are recorded. Through the real Twilio SDK
and the local Twilio."""

import pytest
from django.conf import settings

from porchlight.calls.models import Call
from porchlight.notify import consent
from porchlight.notify.channels.dev import DevInbox
from porchlight.notify.models import (
    ConsentChange,
    Contact,
    DevMessage,
    OptOut,
    Outbox,
    Sender,
    State,
    Trigger,
)
from porchlight.notify.tests.conftest import received
from porchlight.notify.worker import Worker

PHONE = "+16615550142"


@pytest.fixture
def senders(agency):
    main = Sender.objects.create(agency=agency, label="Main", phone_number="+16615550100")
    other = Sender.objects.create(
        agency=agency, label="Records unit", phone_number="+16615550199", is_default=False
    )
    return main, other


@pytest.fixture
def worker(twilio_sms):
    w = Worker(
        {"sms": twilio_sms, "email": DevInbox("email")},
        name="w", threads=2, track_url=lambda call: None,
    )  # fmt: skip
    yield w
    w._pool.shutdown()


def two_calls(call_in, first: Sender, second: Sender) -> tuple[Outbox, Outbox]:
    """Two calls from the same phone, the first texted from `first`, the second from `second`."""
    call_in(received(1, incident="26-000001"), received(2, incident="26-000002"))
    rows = Outbox.objects.filter(trigger=Trigger.RECEIVED).order_by("call__incident_number")
    a, b = rows
    Outbox.objects.filter(pk=a.pk).update(sender=first)
    Outbox.objects.filter(pk=b.pk).update(sender=second)
    return a, b


@pytest.mark.django_db(transaction=True)
def test_opt_out_from_one_number_does_not_block_another(call_in, worker, senders, local_twilio):
    main, other = senders
    a, b = two_calls(call_in, main, other)
    contact = Contact.objects.get(channel="sms")
    consent.opt_out("sms", contact.address_hash, main.phone_number, "sms:STOP")
    worker.run_once()

    a.refresh_from_db()
    assert a.state == State.SUPPRESSED and a.reason == "opted out (STOP)"
    (sent,) = local_twilio.messages()
    assert sent["from"] == other.phone_number and sent["to"] == PHONE
    assert Outbox.objects.get(pk=b.pk).state == State.SENT


@pytest.mark.django_db(transaction=True)
def test_21610_records_an_opt_out_for_that_sender_only(call_in, worker, senders, local_twilio):
    main, other = senders
    a, b = two_calls(call_in, main, main)
    local_twilio.fail_number(PHONE, 21610)
    worker.run_once()

    failed = Outbox.objects.get(pk=a.pk)
    assert failed.state == State.FAILED and failed.error_code == "21610"
    contact = Contact.objects.get(channel="sms")
    assert OptOut.objects.filter(
        channel="sms", address_hash=contact.address_hash, sender=main.phone_number,
        source="twilio:21610",
    ).exists()  # fmt: skip
    assert contact.undeliverable == ""  # an opt-out is consent, not a mark
    assert ConsentChange.objects.filter(action="opt_out", source="twilio:21610").count() == 1

    # The same number may still hear from another of our numbers.
    local_twilio.reset()
    call_in(received(3, incident="26-000003"))
    third = Outbox.objects.get(trigger=Trigger.RECEIVED, call__incident_number="26-000003")
    Outbox.objects.filter(pk=third.pk).update(sender=other)
    worker.run_once()
    assert Outbox.objects.get(pk=third.pk).state == State.SENT


@pytest.mark.django_db(transaction=True)
def test_invalid_number_marks_the_contact_and_nothing_more_is_sent(call_in, worker, local_twilio):
    local_twilio.fail_number(PHONE, 21211)
    call_in(received())
    worker.run_once()
    row = Outbox.objects.get(trigger=Trigger.RECEIVED)
    assert row.state == State.FAILED and row.error_code == "21211"
    contact = Contact.objects.get(channel="sms")
    assert contact.undeliverable == "invalid_number" and contact.marked_at is not None
    change = ConsentChange.objects.get(action="marked")
    assert change.source == "sms:21211" and change.detail == "invalid_number"

    local_twilio.reset()
    call_in(received(2, incident="26-000002"))
    worker.run_once()
    second = Outbox.objects.get(trigger=Trigger.RECEIVED, call__incident_number="26-000002")
    assert second.state == State.SUPPRESSED and second.reason == "undeliverable: invalid_number"
    assert local_twilio.messages() == []


@pytest.mark.django_db(transaction=True)
def test_unsubscribed_email_address_gets_no_email(call_in, worker):
    call_in(received(caller={"phone": "661-555-0142", "email": "ana@example.org"}))
    call = Call.objects.get()
    email = Contact.objects.get(channel="email")
    # Planned by the rules when they include email; written here so the test stands alone.
    row, _ = Outbox.objects.get_or_create(
        dedupe_key=Outbox.key(email.pk, Trigger.RECEIVED, call.pk, "email"),
        defaults={
            "agency_id": call.agency_id, "contact": email, "channel": "email",
            "trigger": Trigger.RECEIVED, "call": call, "due_at": call.created,
        },
    )  # fmt: skip
    consent.opt_out(
        "email", email.address_hash, settings.DEFAULT_FROM_EMAIL.lower(), "email:one-click"
    )
    worker.run_once()
    row.refresh_from_db()
    assert row.state == State.SUPPRESSED and row.reason == "unsubscribed"
    assert not DevMessage.objects.filter(channel="email").exists()
