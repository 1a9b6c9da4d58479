"""A row reconciliation cannot settle either way (the provider's list of messages fails or
times out) is held: still `sending`, with the reason and the code, asked about again at its
next check (due_at), and never sent again on a guess."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from porchlight.notify.models import SentBy, State
from porchlight.notify.tests.conftest import received
from porchlight.notify.tests.test_sent_paths import (
    agency_number,  # noqa: F401 - a fixture
    killed_after_the_provider_accepted,
    sms_row,
)
from porchlight.notify.worker import HELD, Worker

# Rows go from the agency's own number (test_sent_paths.agency_number, imported above).
pytestmark = pytest.mark.usefixtures("agency_number")


@pytest.mark.parametrize(
    ("failure", "code"),
    [({"list_failure_code": 20503}, "20503"), ({"list_latency": 1.0}, "timeout")],
)
@pytest.mark.django_db(transaction=True)
def test_held_until_the_provider_can_answer(
    call_in,
    twilio_sms,
    local_twilio,
    clock,
    settings,
    failure,
    code,
):
    call_in(received())
    row, sid = killed_after_the_provider_accepted(twilio_sms)
    local_twilio.configure(**failure)
    twilio_sms.http.timeout = 0.3
    clock.shift(timedelta(seconds=settings.NOTIFY_STALE_SECONDS + 1))
    survivor = Worker({"sms": twilio_sms}, name="survivor", track_url=lambda call: None)

    assert survivor.reconcile() == 0
    survivor.run_once()  # nothing to claim: a held row is not due

    held = sms_row()
    assert held.state == State.SENDING and held.reason == HELD and held.error_code == code
    assert held.due_at > timezone.now()  # its next check
    assert held.sent_at is None
    assert len(local_twilio.messages()) == 1

    local_twilio.configure(list_failure_code=0, list_latency=0.0)
    assert survivor.reconcile() == 0  # not before its next check
    clock.shift(held.due_at - timezone.now() + timedelta(seconds=1))
    assert survivor.reconcile() == 1
    survivor.run_once()
    survivor._pool.shutdown()

    row = sms_row()
    assert row.state in (State.SENT, State.DELIVERED) and row.provider_id == sid
    assert row.reason == "" and row.error_code == "" and row.sent_by == SentBy.RECONCILE
    assert len(local_twilio.messages()) == 1  # never sent twice


@pytest.mark.django_db(transaction=True)
def test_a_long_outage_is_asked_about_less_and_less_often(
    call_in,
    twilio_sms,
    local_twilio,
    clock,
    settings,
):
    call_in(received())
    killed_after_the_provider_accepted(twilio_sms)
    local_twilio.configure(list_failure_code=20500)
    survivor = Worker({"sms": twilio_sms}, name="survivor", track_url=lambda call: None)
    clock.shift(timedelta(seconds=settings.NOTIFY_STALE_SECONDS + 1))
    waits = []
    for _ in range(4):
        assert survivor.reconcile() == 0
        held = sms_row()
        waits.append(held.due_at - timezone.now())
        clock.shift(held.due_at - timezone.now() + timedelta(seconds=1))
    survivor._pool.shutdown()
    assert waits == sorted(waits) and waits[-1] > waits[0]
    assert all(w <= timedelta(minutes=15) for w in waits)
    assert sms_row().state == State.SENDING and len(local_twilio.messages()) == 1
