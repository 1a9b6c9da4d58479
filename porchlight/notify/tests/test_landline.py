"""Landlines cannot get texts: found with Twilio Lookup (the real SDK against the local Twilio)
before the first text to a number, they get the update by email when the caller gave one."""

import pytest

from porchlight.notify.channels.dev import DevInbox
from porchlight.notify.models import Contact, DevMessage, Outbox, State, Trigger
from porchlight.notify.tests.conftest import received
from porchlight.notify.worker import Worker

PHONE = "+16615550142"


@pytest.fixture
def worker(settings, twilio_sms):
    settings.TWILIO_LOOKUP = True
    w = Worker(
        {"sms": twilio_sms, "email": DevInbox("email")},
        name="w", threads=2, track_url=lambda call: None,
    )  # fmt: skip
    yield w
    w._pool.shutdown()


def first_text() -> Outbox:
    return Outbox.objects.get(trigger=Trigger.RECEIVED, channel="sms")


@pytest.mark.django_db(transaction=True)
def test_landline_with_an_email_address_gets_the_update_by_email(call_in, worker, local_twilio):
    local_twilio.set_line_type(PHONE, "landline")
    call_in(received(caller={"phone": "661-555-0142", "email": "ana@example.org"}))
    worker.run_once()
    worker.run_once()  # the email written in place of the text

    sms = first_text()
    assert sms.state == State.SUPPRESSED and sms.reason == "landline: sent by email instead"
    assert local_twilio.messages() == []
    assert Contact.objects.get(channel="sms").line_type == "landline"
    # One email for the update, whether the rules planned one already or the worker wrote it.
    email = Outbox.objects.get(trigger=Trigger.RECEIVED, channel="email")
    assert email.state == State.DELIVERED and email.call_id == sms.call_id
    assert DevMessage.objects.get(channel="email").to == "ana@example.org"


@pytest.mark.django_db(transaction=True)
def test_the_email_is_written_when_the_rules_planned_none(call_in, worker, local_twilio):
    local_twilio.set_line_type(PHONE, "landline")
    call_in(received(caller={"phone": "661-555-0142", "email": "ana@example.org"}))
    Outbox.objects.filter(channel="email").delete()  # a rule that texts only
    worker.run_once()
    email = Outbox.objects.get(trigger=Trigger.RECEIVED, channel="email")
    sms = first_text()
    assert email.state == State.PLANNED and email.priority == sms.priority
    assert email.rule_id == sms.rule_id and email.expires_at == sms.expires_at
    assert email.dedupe_key == Outbox.key(email.contact_id, Trigger.RECEIVED, sms.call_id, "email")


@pytest.mark.django_db(transaction=True)
def test_landline_without_an_email_address_gets_nothing_with_the_reason(
    call_in, worker, local_twilio
):
    local_twilio.set_line_type(PHONE, "landline")
    call_in(received())
    worker.run_once()
    sms = first_text()
    assert sms.state == State.SUPPRESSED and sms.reason == "landline and no email address"
    assert local_twilio.messages() == [] and not Outbox.objects.filter(channel="email").exists()


@pytest.mark.django_db(transaction=True)
def test_a_mobile_is_looked_up_once_and_texted(call_in, worker, local_twilio):
    call_in(received())
    worker.run_once()
    assert first_text().state == State.SENT
    contact = Contact.objects.get(channel="sms")
    assert contact.line_type == "mobile" and contact.line_type_checked_at is not None
    call_in(received(2, incident="26-000002"))  # the same mobile calls again
    worker.run_once()
    assert local_twilio.lookups() == [PHONE]  # remembered on the contact
    assert len(local_twilio.messages()) == 2


@pytest.mark.django_db(transaction=True)
def test_a_failed_lookup_does_not_hold_up_the_text(call_in, worker, local_twilio):
    local_twilio.fail_lookup(PHONE, 20503)
    call_in(received())
    worker.run_once()
    assert first_text().state == State.SENT
    assert Contact.objects.get(channel="sms").line_type == ""  # asked again next time


@pytest.mark.django_db(transaction=True)
def test_lookup_off_means_no_lookup(call_in, worker, local_twilio, settings):
    settings.TWILIO_LOOKUP = False
    local_twilio.set_line_type(PHONE, "landline")
    call_in(received())
    worker.run_once()
    assert first_text().state == State.SENT and local_twilio.lookups() == []


@pytest.mark.django_db(transaction=True)
def test_a_number_lookup_calls_invalid_is_marked_not_texted(call_in, worker, local_twilio):
    call_in(received(caller={"phone": "661-055-0142"}))  # no exchange starts with 0
    worker.run_once()
    sms = first_text()
    assert sms.state == State.SUPPRESSED and sms.reason == "undeliverable: invalid_number"
    assert Contact.objects.get(channel="sms").undeliverable == "invalid_number"
    assert local_twilio.messages() == []
