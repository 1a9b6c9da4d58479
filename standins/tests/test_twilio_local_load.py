"""The local Twilio holds up under benchmark load: many connections at once, kept alive.

Counts, not wall-clock times: on a shared machine a timing is noise. How fast it answers is
measured by the benchmarks (bench/), not asserted here.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from porchlight.notify.channels.base import Message
from porchlight.notify.channels.sms import TwilioSms
from standins.twilio_local.testing import FROM_NUMBER


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

    with ThreadPoolExecutor(150) as pool:
        receipts = list(pool.map(sms.send, messages))

    # Every send answered, in the order asked, each with its own message.
    assert len({r.provider_id for r in receipts}) == 150
    held = {m["sid"]: m["to"] for m in local_twilio.messages()}
    assert [held[r.provider_id] for r in receipts] == [m.to for m in messages]
    # Side by side, not one after another: served one at a time, the peak would be 1.
    assert local_twilio.peak_concurrent_creates() > 1
    assert local_twilio.connections_accepted() > 1


def test_sequential_sends_reuse_one_connection(twilio_sms, local_twilio):
    # Keep-alive: one TCP connection carries every request (the server also sets TCP_NODELAY,
    # without which each request stalled ~40 ms; bench/ measures that).
    for n in range(21):
        twilio_sms.send(Message(outbox_id=n, to="+15558675310", body=f"text {n}"))

    assert local_twilio.connections_accepted() == 1
    bodies = [m["body"] for m in reversed(local_twilio.messages())]
    assert bodies == [f"text {n}" for n in range(21)]
