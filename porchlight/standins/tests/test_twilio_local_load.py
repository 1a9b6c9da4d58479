"""The local Twilio holds up under benchmark load: many connections at once, kept alive."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

from porchlight.notify.channels.base import Message
from porchlight.notify.channels.sms import TwilioSms
from porchlight.standins.twilio_local.testing import FROM_NUMBER


def test_150_connections_at_once_are_all_served(local_twilio):
    # socketserver's default listen backlog (5) reset connections at this level.
    local_twilio.configure(latency=0.2)
    sms = TwilioSms(
        account_sid=local_twilio.account_sid,
        auth_token=local_twilio.auth_token,
        from_number=FROM_NUMBER,
        api_base=local_twilio.base_url,
        timeout=10,
        max_connections=150,
    )
    messages = [Message(outbox_id=n, to=f"+1555867{n:04d}", body=f"text {n}") for n in range(150)]

    started = time.monotonic()
    with ThreadPoolExecutor(150) as pool:
        receipts = list(pool.map(sms.send, messages))
    elapsed = time.monotonic() - started

    assert len({r.provider_id for r in receipts}) == 150
    assert len(local_twilio.messages()) == 150
    assert elapsed < 10 * 0.2  # side by side, not one after another (which would take 30 s)


def test_sequential_sends_reuse_the_connection_without_stalls(twilio_sms):
    # Nagle's algorithm against delayed ACKs cost ~40 ms a request on keep-alive connections.
    twilio_sms.send(Message(outbox_id=0, to="+15558675310", body="warm-up"))
    started = time.monotonic()
    for n in range(20):
        twilio_sms.send(Message(outbox_id=n, to="+15558675310", body=f"text {n}"))
    assert (time.monotonic() - started) / 20 < 0.035
