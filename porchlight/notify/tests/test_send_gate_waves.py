"""A claimed batch is checked a wave at a time, right before the wave's sends: what changes
while earlier texts of the same batch are with the provider (a call reclassified as
sensitive, a staff hold) still stops the later ones."""

import pytest

from porchlight.calls.models import Call, CallType
from porchlight.notify.channels.base import Message, Receipt
from porchlight.notify.channels.dev import DevInbox
from porchlight.notify.models import DevMessage, Hold, Outbox, Sender, State, Trigger
from porchlight.notify.tests.conftest import received
from porchlight.notify.worker import Worker


class Meanwhile(DevInbox):
    """The dev inbox, which runs `then` once, after its first send: what staff or the CAD do
    while the first text of a batch is with the provider."""

    def __init__(self, then):
        super().__init__("sms")
        self.then = then

    def send(self, message: Message) -> Receipt:
        receipt = super().send(message)
        if self.then is not None:
            then, self.then = self.then, None
            then()
        return receipt


@pytest.fixture(autouse=True)
def fast_sender(agency):
    """The agency's number may carry the whole batch at once (the rate limit is not tested
    here)."""
    Sender.objects.update(rate_per_second=100.0)


def two_calls(call_in):
    call_in(received())
    call_in(received(2, incident="26-000002", caller={"phone": "661-555-0199", "language": "en"}))
    return Call.objects.get(incident_number="26-000002")


def run(channel):
    # One send thread: waves of one row, the first call's text going before the second's.
    worker = Worker({"sms": channel}, name="w", threads=1, batch=8, track_url=lambda call: None)
    try:
        assert worker.run_once() == 2
    finally:
        worker._pool.shutdown()


def second_text() -> Outbox:
    return Outbox.objects.get(trigger=Trigger.RECEIVED, call__incident_number="26-000002")


@pytest.mark.django_db(transaction=True)
def test_a_call_reclassified_while_the_batch_is_sending_is_suppressed(call_in):
    second = two_calls(call_in)
    sensitive = CallType.objects.get(code="273.5")
    run(Meanwhile(lambda: Call.objects.filter(pk=second.pk).update(call_type=sensitive)))
    assert [m.outbox.call_id for m in DevMessage.objects.all()] == [
        Call.objects.get(incident_number="26-000001").pk
    ]
    row = second_text()
    assert row.state == State.SUPPRESSED and row.reason == "sensitive call type"
    assert row.body == ""  # never composed, never stored


@pytest.mark.django_db(transaction=True)
def test_a_hold_placed_while_the_batch_is_sending_stops_the_rest(call_in, agency):
    second = two_calls(call_in)
    run(Meanwhile(lambda: Hold.objects.create(agency=agency, call=second, reason="victim asked")))
    assert DevMessage.objects.count() == 1
    row = second_text()
    assert (row.state, row.reason) == (State.SUPPRESSED, "stopped by staff")


@pytest.mark.django_db(transaction=True)
def test_with_two_waves_in_flight_each_wave_is_read_fresh(call_in, monkeypatch):
    # Two threads: waves of two, the second checked while the first is with the provider. A
    # reclassification committed after the first wave went out stops the second.
    two_calls(call_in)
    call_in(received(3, incident="26-000003", caller={"phone": "661-555-0177", "language": "en"}))
    third = Call.objects.get(incident_number="26-000003")
    sensitive = CallType.objects.get(code="273.5")
    worker = Worker({"sms": DevInbox("sms")}, name="w", threads=2, track_url=lambda call: None)
    store = worker._store_bodies

    def then_reclassify(messages):
        stored = store(messages)
        Call.objects.filter(pk=third.pk).update(call_type=sensitive)
        return stored

    monkeypatch.setattr(worker, "_store_bodies", then_reclassify)
    try:
        assert worker.run_once() == 3
    finally:
        worker._pool.shutdown()
    assert DevMessage.objects.count() == 2
    row = Outbox.objects.get(trigger=Trigger.RECEIVED, call=third)
    assert (row.state, row.reason) == (State.SUPPRESSED, "sensitive call type")
