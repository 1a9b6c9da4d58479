"""Status callbacks that say the recipient cannot be texted: 21610 is an opt-out from the
sending number, 30005/30006 mark the contact; the row fails either way."""

from __future__ import annotations

import time

import pytest
from django.utils import timezone

from porchlight.notify import consent, pii
from porchlight.notify.channels.base import Message
from porchlight.notify.models import (
    Channel,
    ConsentChange,
    Contact,
    Outbox,
    Sender,
    State,
    Trigger,
)

TO = "+16615550142"
OURS = "+16615550100"


def outbox_row(agency, sender=None, to=TO):
    contact = Contact.objects.create(
        agency=agency,
        channel=Channel.SMS,
        address_hash=pii.lookup_hash(to),
        address_enc=pii.encrypt(to),
    )
    return Outbox.objects.create(
        agency=agency,
        contact=contact,
        sender=sender,
        channel=Channel.SMS,
        trigger=Trigger.RECEIVED,
        dedupe_key=f"test:{to}",
        due_at=timezone.now(),
        state=State.SENDING,
    )


def wait_for_state(pk, state, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        row = Outbox.objects.select_related("contact").get(pk=pk)
        if row.state == state:
            return row
        time.sleep(0.05)
    raise AssertionError(f"outbox {pk} is {Outbox.objects.get(pk=pk).state}, not {state}")


@pytest.fixture
def send(settings, live_server, local_twilio, twilio_sms):
    """Send the row's text through the real SDK to the local Twilio, whose signed status
    callbacks come back to our webhook."""
    settings.SITE_URL = live_server.url
    settings.TWILIO_AUTH_TOKEN = local_twilio.auth_token

    def go(row):
        receipt = twilio_sms.send(
            Message(
                outbox_id=row.pk,
                to=row.contact.address,
                body="Bakersfield Police Department: we received your call.",
                sender=row.sender.address if row.sender else "",
                status_callback=f"{live_server.url}/notify/sms/status/{row.pk}/",
            )
        )
        Outbox.objects.filter(pk=row.pk).update(provider_id=receipt.provider_id, state=State.SENT)
        return receipt

    return go


@pytest.mark.django_db(transaction=True)
def test_21610_opts_the_number_out_of_the_sending_number(agency, local_twilio, send):
    sender = Sender.objects.create(agency=agency, label="Main", phone_number=OURS)
    row = outbox_row(agency, sender)
    local_twilio.set_outcome(TO, "failed", 21610)

    send(row)

    row = wait_for_state(row.pk, State.FAILED)
    assert row.error_code == "21610"
    assert consent.opted_out(Channel.SMS, row.contact.address_hash, OURS)
    [change] = ConsentChange.objects.all()
    assert (change.action, change.source, change.sender) == ("opt_out", "status-callback", OURS)
    assert row.contact.undeliverable == ""  # consent is not a mark: START lifts it


@pytest.mark.django_db(transaction=True)
def test_without_a_sender_row_the_opt_out_is_from_the_default_sender(agency, local_twilio, send):
    row = outbox_row(agency)
    local_twilio.set_outcome(TO, "failed", 21610)

    send(row)

    row = wait_for_state(row.pk, State.FAILED)
    key = consent.sender_key(Channel.SMS, None)
    assert consent.opted_out(Channel.SMS, row.contact.address_hash, key)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("code", "reason"), [(30005, "unknown_destination"), (30006, "landline")])
def test_a_dead_or_landline_number_marks_the_contact(agency, local_twilio, send, code, reason):
    row = outbox_row(agency)
    local_twilio.set_outcome(TO, "undelivered", code)

    send(row)

    row = wait_for_state(row.pk, State.FAILED)  # consent is recorded before the row fails
    contact = Contact.objects.get(pk=row.contact_id)
    assert contact.undeliverable == reason and contact.marked_at is not None
    [change] = ConsentChange.objects.all()
    assert (change.action, change.source) == ("marked", f"status-callback:{code}")


@pytest.mark.django_db(transaction=True)
def test_a_phone_that_was_off_changes_no_consent(agency, local_twilio, send):
    row = outbox_row(agency)
    local_twilio.set_outcome(TO, "undelivered", 30003)

    send(row)

    row = wait_for_state(row.pk, State.FAILED)
    assert row.contact.undeliverable == ""
    assert not ConsentChange.objects.exists()


@pytest.mark.django_db
def test_a_repeated_callback_logs_once_and_a_forged_one_nothing(agency, twilio_post):
    row = outbox_row(agency)
    path = f"/notify/sms/status/{row.pk}/"
    params = {"MessageSid": "SM" + "7" * 32, "MessageStatus": "undelivered", "ErrorCode": "21610"}

    assert twilio_post(path, params, valid=False).status_code == 403
    assert not ConsentChange.objects.exists()

    assert twilio_post(path, params).status_code == 204
    assert twilio_post(path, params).status_code == 204
    assert ConsentChange.objects.count() == 1


@pytest.mark.django_db
def test_a_code_that_is_not_a_number_fails_the_row_and_nothing_else(agency, twilio_post):
    row = outbox_row(agency)
    params = {"MessageSid": "SM" + "8" * 32, "MessageStatus": "failed", "ErrorCode": "x21610"}

    response = twilio_post(f"/notify/sms/status/{row.pk}/", params)

    assert response.status_code == 204
    assert Outbox.objects.get(pk=row.pk).state == State.FAILED
    assert not ConsentChange.objects.exists()
