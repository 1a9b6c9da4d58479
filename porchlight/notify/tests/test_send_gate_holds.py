"""Staff stops: a hold on a call or a number, and the agency-wide pause of non-urgent messages,
are checked when each message is about to go."""

import pytest
from django.utils import timezone

from porchlight.calls.models import Call
from porchlight.notify.channels.dev import DevInbox
from porchlight.notify.models import (
    DeliverySettings,
    DevMessage,
    Hold,
    Outbox,
    Priority,
    State,
    Trigger,
)
from porchlight.notify.tests.conftest import received
from porchlight.notify.worker import Worker


@pytest.fixture
def worker():
    w = Worker({"sms": DevInbox("sms")}, name="w", threads=2, track_url=lambda call: None)
    yield w
    w._pool.shutdown()


def first_text() -> Outbox:
    return Outbox.objects.get(trigger=Trigger.RECEIVED)


@pytest.mark.django_db(transaction=True)
def test_hold_on_the_call_stops_its_messages(call_in, worker, agency):
    call_in(received())
    Hold.objects.create(agency=agency, call=Call.objects.get(), reason="victim asked")
    worker.run_once()
    assert not DevMessage.objects.exists()
    row = first_text()
    assert row.state == State.SUPPRESSED and row.reason == "stopped by staff"


@pytest.mark.django_db(transaction=True)
def test_hold_on_the_number_stops_messages_about_any_call(call_in, worker, agency):
    call_in(received())
    Hold.objects.create(agency=agency, contact=first_text().contact, reason="wrong number")
    call_in(received(2, incident="26-000002"))  # the same phone calls again
    worker.run_once()
    assert not DevMessage.objects.exists()
    assert set(
        Outbox.objects.filter(trigger=Trigger.RECEIVED).values_list("reason", flat=True)
    ) == {"stopped by staff"}


@pytest.mark.django_db(transaction=True)
def test_a_lifted_hold_no_longer_stops_anything(call_in, worker, agency):
    call_in(received())
    Hold.objects.create(
        agency=agency, call=Call.objects.get(), reason="checking", lifted_at=timezone.now()
    )
    worker.run_once()
    assert first_text().state == State.DELIVERED


@pytest.mark.django_db(transaction=True)
def test_a_hold_on_another_call_does_not_stop_this_one(call_in, worker, agency):
    call_in(received(), received(2, incident="26-000002", caller={"phone": "6615550143"}))
    Hold.objects.create(
        agency=agency, call=Call.objects.get(incident_number="26-000002"), reason="x"
    )
    worker.run_once()
    assert DevMessage.objects.get().outbox.call.incident_number == "26-000001"


@pytest.mark.django_db(transaction=True)
def test_pause_stops_non_urgent_messages_and_lets_call_updates_through(call_in, worker, agency):
    DeliverySettings.objects.create(
        agency=agency, paused_at=timezone.now(), paused_reason="system test"
    )
    call_in(received(), received(2, incident="26-000002", caller={"phone": "6615550143"}))
    # The second caller's first text stands in for a non-urgent message (a case update).
    routine = Outbox.objects.get(trigger=Trigger.RECEIVED, call__incident_number="26-000002")
    Outbox.objects.filter(pk=routine.pk).update(priority=Priority.CASE)
    worker.run_once()
    assert DevMessage.objects.get().outbox.call.incident_number == "26-000001"
    routine.refresh_from_db()
    assert routine.state == State.SUPPRESSED
    assert routine.reason == "agency paused non-urgent messages"
