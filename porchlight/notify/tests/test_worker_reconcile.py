"""A worker that died mid-send: its rows are settled without a second message."""

from datetime import timedelta

import pytest
from django.utils import timezone

from porchlight.notify.channels.base import Message
from porchlight.notify.channels.dev import DevInbox
from porchlight.notify.models import DevMessage, Outbox, State, Trigger
from porchlight.notify.tests.conftest import received
from porchlight.notify.worker import Worker, take_lease


@pytest.mark.django_db(transaction=True)
def test_row_the_provider_accepted_is_marked_sent_not_resent(call_in, clock):
    call_in(received())
    dead = Worker({"sms": DevInbox()}, name="dead-worker")
    (pk,) = dead.claim(10)
    # The worker rendered and stored the body, the provider accepted the message, and then the
    # worker died before recording that.
    Outbox.objects.filter(pk=pk).update(body="hello")
    DevInbox().send(Message(outbox_id=pk, to="+16615550142", body="hello"))
    clock.shift(timedelta(minutes=5))
    survivor = Worker({"sms": DevInbox()}, name="survivor")
    assert survivor.reconcile() == 1
    assert Outbox.objects.get(pk=pk).state == State.SENT
    survivor.run_once()
    assert DevMessage.objects.filter(outbox_id=pk).count() == 1


@pytest.mark.django_db(transaction=True)
def test_row_never_sent_goes_back_to_the_queue(call_in, clock):
    call_in(received())
    (pk,) = Worker({"sms": DevInbox()}, name="dead-worker").claim(10)
    clock.shift(timedelta(minutes=5))
    survivor = Worker({"sms": DevInbox()}, name="survivor")
    assert survivor.reconcile() == 1
    survivor.run_once()
    assert DevMessage.objects.filter(outbox_id=pk).count() == 1
    assert Outbox.objects.get(pk=pk, trigger=Trigger.RECEIVED).state == State.DELIVERED


@pytest.mark.django_db(transaction=True)
def test_a_live_workers_rows_are_left_alone(call_in):
    call_in(received())
    Worker({"sms": DevInbox()}, name="busy").claim(10)
    assert Worker({"sms": DevInbox()}, name="other").reconcile() == 0


@pytest.mark.django_db(transaction=True)
def test_lease_is_held_by_one_worker_until_it_expires():
    now = timezone.now()
    assert take_lease("job", "a", timedelta(minutes=1), now)
    assert not take_lease("job", "b", timedelta(minutes=1), now)
    assert take_lease("job", "a", timedelta(minutes=1), now)  # renewing
    assert take_lease("job", "b", timedelta(minutes=1), now + timedelta(minutes=2))
