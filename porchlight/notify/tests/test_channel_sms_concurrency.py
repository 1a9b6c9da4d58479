"""One TwilioSms shared by worker threads: every send recorded once, with its own sid."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from porchlight.notify.channels.base import Message


def test_fifty_sends_from_ten_threads(local_twilio, twilio_sms):
    messages = [Message(outbox_id=n, to=f"+1555867{n:04d}", body=f"text {n}") for n in range(50)]

    with ThreadPoolExecutor(10) as pool:
        receipts = list(pool.map(twilio_sms.send, messages))

    sids = [r.provider_id for r in receipts]
    assert len(set(sids)) == 50
    stored = {m["sid"]: m for m in local_twilio.messages()}
    assert set(stored) == set(sids)
    # Each receipt belongs to its own message.
    for message, receipt in zip(messages, receipts, strict=True):
        assert stored[receipt.provider_id]["to"] == message.to
        assert stored[receipt.provider_id]["body"] == message.body
