"""lookup(): what Twilio knows of a row a crash left in `sending`."""

from __future__ import annotations

from datetime import timedelta

import pytest

from porchlight.notify.channels.base import Message, Receipt

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
