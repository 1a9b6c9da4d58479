"""A call update past its validity period is dropped with a reason, not sent hours late."""

from datetime import timedelta

import pytest
from django.utils import timezone

from porchlight.notify.channels.base import TransientError
from porchlight.notify.channels.dev import DevInbox
from porchlight.notify.models import DevMessage, Outbox, State, Trigger
from porchlight.notify.tests.conftest import received
from porchlight.notify.tests.test_worker_send import Failing
from porchlight.notify.worker import Worker


@pytest.fixture
def worker():
    w = Worker({"sms": DevInbox("sms")}, name="w", threads=2, track_url=lambda call: None)
    yield w
    w._pool.shutdown()


@pytest.mark.django_db(transaction=True)
def test_an_update_past_its_validity_is_dropped(call_in, worker, clock):
    call_in(received())
    Outbox.objects.filter(trigger=Trigger.RECEIVED).update(
        expires_at=timezone.now() + timedelta(hours=2)
    )
    # The worker was down (or the queue backed up) for three hours.
    clock.shift(timedelta(hours=3))
    worker.run_once()
    row = Outbox.objects.get(trigger=Trigger.RECEIVED)
    assert row.state == State.SUPPRESSED
    assert row.reason == "stale: not sent within its validity period"
    assert not DevMessage.objects.filter(outbox=row).exists()


@pytest.mark.django_db(transaction=True)
def test_an_update_within_its_validity_goes(call_in, worker, clock):
    call_in(received())
    Outbox.objects.filter(trigger=Trigger.RECEIVED).update(
        expires_at=timezone.now() + timedelta(hours=2)
    )
    clock.shift(timedelta(minutes=90))
    worker.run_once()
    assert Outbox.objects.get(trigger=Trigger.RECEIVED).state == State.DELIVERED


@pytest.mark.django_db(transaction=True)
def test_a_retry_that_comes_too_late_is_dropped_too(call_in, clock):
    """A row rescheduled by backoff is checked again when it comes round."""
    call_in(received())
    Outbox.objects.filter(trigger=Trigger.RECEIVED).update(
        expires_at=timezone.now() + timedelta(minutes=10)
    )
    failing = Worker({"sms": Failing(TransientError("20503", "unavailable"))}, name="w1")
    failing.run_once()
    failing._pool.shutdown()
    assert Outbox.objects.get(trigger=Trigger.RECEIVED).state == State.SCHEDULED
    clock.shift(timedelta(hours=2))
    w = Worker({"sms": DevInbox("sms")}, name="w2", track_url=lambda call: None)
    w.run_once()
    w._pool.shutdown()
    row = Outbox.objects.get(trigger=Trigger.RECEIVED)
    assert row.state == State.SUPPRESSED and row.reason.startswith("stale")
