"""lookup(): what Twilio knows of a row a crash left in `sending`."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from django.utils import timezone

from porchlight.notify.channels.base import Message, Receipt, TransientError

TO = "+15558675310"


def test_lookup_by_provider_id_fetches_the_current_status(local_twilio, twilio_sms):
    sent = twilio_sms.send(Message(outbox_id=3, to=TO, body="hi"))
    local_twilio.wait_for_status(sent.provider_id, "delivered")

    assert twilio_sms.lookup(3, sent.provider_id) == Receipt(sent.provider_id, "delivered")


def test_an_unknown_provider_id_is_none(twilio_sms):
    assert twilio_sms.lookup(3, "SM" + "0" * 32) is None


def test_a_lost_provider_id_is_found_by_recipient_and_body(twilio_sms):
    # The crash fell between Twilio accepting the message and our commit of its sid.
    lost = Message(outbox_id=3, to=TO, body="Agency: we received your call. Incident 26-1.")
    sent = twilio_sms.send(lost)
    twilio_sms.send(Message(outbox_id=4, to=TO, body="Agency: a later update. Incident 26-1."))
    twilio_sms.send(Message(outbox_id=5, to="+15558675311", body=lost.body))

    found = twilio_sms.lookup(3, None, message=lost)

    assert found is not None and found.provider_id == sent.provider_id


def test_a_message_twilio_never_got_is_none(twilio_sms):
    twilio_sms.send(Message(outbox_id=4, to=TO, body="another text"))
    never_sent = Message(outbox_id=3, to=TO, body="Agency: we received your call.")

    assert twilio_sms.lookup(3, None, message=never_sent) is None


def test_messages_older_than_the_window_are_not_matched(twilio_sms):
    lost = Message(outbox_id=3, to=TO, body="hi")
    twilio_sms.send(lost)
    twilio_sms.lookup_window = timedelta(seconds=-60)  # every message is "too old"

    assert twilio_sms.lookup(3, None, message=lost) is None


def test_lookup_across_pages(twilio_sms):
    lost = Message(outbox_id=3, to=TO, body="the one")
    sent = twilio_sms.send(lost)
    for n in range(60):  # more than one page of 50 newer messages
        twilio_sms.send(Message(outbox_id=10 + n, to=TO, body=f"newer {n}"))

    assert twilio_sms.lookup(3, None, message=lost).provider_id == sent.provider_id


def test_without_provider_id_the_message_is_required(twilio_sms):
    with pytest.raises(ValueError, match="needs the message"):
        twilio_sms.lookup(3, None)


AGENCY_NUMBER = "+16615550100"


SERVICE = "MG" + "a" * 32


def test_a_lost_text_is_found_by_the_number_it_went_from(twilio_sms):
    # The agency's own number, not the channel's default (settings.TWILIO_FROM_NUMBER).
    lost = Message(outbox_id=3, to=TO, body="Agency: we received your call.", sender=AGENCY_NUMBER)
    sent = twilio_sms.send(lost)

    assert twilio_sms.lookup(3, None, message=lost).provider_id == sent.provider_id
    # The same words to the same number from another of our numbers are another message.
    other = Message(outbox_id=3, to=TO, body=lost.body, sender="+16615550199")
    assert twilio_sms.lookup(3, None, message=other) is None


def test_a_lost_text_through_a_messaging_service_is_found_by_recipient_and_words(
    twilio_sms, local_twilio
):
    """A Messaging Service picks its number when the message leaves its queue, so there is no
    From to filter by: the recipient, the window and the exact words decide."""
    lost = Message(outbox_id=3, to=TO, body="Agency: an officer is on the way.", sender=SERVICE)
    sent = twilio_sms.send(lost)
    local_twilio.wait_for_status(sent.provider_id, "delivered")  # it has a From by now
    twilio_sms.send(Message(outbox_id=4, to=TO, body="Agency: a later update.", sender=SERVICE))

    assert twilio_sms.lookup(3, None, message=lost).provider_id == sent.provider_id
    # The same words through another service are not ours.
    elsewhere = Message(outbox_id=3, to=TO, body=lost.body, sender="MG" + "b" * 32)
    assert twilio_sms.lookup(3, None, message=elsewhere) is None


def test_a_list_that_fails_is_a_transient_error_not_a_no(twilio_sms, local_twilio):
    lost = Message(outbox_id=3, to=TO, body="hi", sender=AGENCY_NUMBER)
    twilio_sms.send(lost)
    local_twilio.configure(list_failure_code=20503)

    with pytest.raises(TransientError, match="lookup"):
        twilio_sms.lookup(3, None, message=lost)


def test_a_list_that_times_out_is_a_transient_error_not_a_no(twilio_sms, local_twilio):
    lost = Message(outbox_id=3, to=TO, body="hi", sender=AGENCY_NUMBER)
    twilio_sms.send(lost)
    local_twilio.configure(list_latency=1.0)
    twilio_sms.http.timeout = 0.2

    with pytest.raises(TransientError, match="lookup"):
        twilio_sms.lookup(3, None, message=lost)


def test_the_search_starts_at_the_claim_however_long_ago(twilio_sms, clock):
    lost = Message(outbox_id=3, to=TO, body="the one", sender=AGENCY_NUMBER)
    sent = twilio_sms.send(lost)
    claimed = timezone.now()
    clock.shift(timedelta(days=3))  # held for days while Twilio's list was down

    found = twilio_sms.lookup(3, None, message=replace(lost, claimed_at=claimed))

    assert found is not None and found.provider_id == sent.provider_id


def test_a_text_from_before_the_claim_is_not_taken_for_it(twilio_sms, clock):
    earlier = Message(outbox_id=3, to=TO, body="the same words", sender=AGENCY_NUMBER)
    twilio_sms.send(earlier)
    clock.shift(timedelta(hours=1))

    later = replace(earlier, outbox_id=4, claimed_at=timezone.now())
    assert twilio_sms.lookup(4, None, message=later) is None
