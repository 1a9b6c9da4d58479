"""A worker that died mid-send: its rows are settled without a second message."""

from datetime import timedelta

import pytest
from django.utils import timezone

from porchlight.notify.channels.base import Message, TransientError
from porchlight.notify.channels.dev import DevInbox
from porchlight.notify.models import DevMessage, Outbox, State, Trigger
from porchlight.notify.tests.conftest import received
from porchlight.notify.worker import HELD, Worker, take_lease


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
    # The dev inbox says "delivered", so the row is; Twilio's "sent" or "queued" would be sent.
    row = Outbox.objects.get(pk=pk)
    assert row.state == State.DELIVERED and row.sent_at is not None
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


class Flaky(DevInbox):
    """Times out after storing the message (maybe sent), and cannot be asked at first."""

    def __init__(self):
        super().__init__("sms")
        self.lookups_fail = True

    def send(self, message):
        super().send(message)
        raise TransientError("timeout", "read timed out", maybe_sent=True)

    def lookup(self, outbox_id, provider_id, *, message=None):
        if self.lookups_fail:
            raise TransientError("20503", "service unavailable")
        return super().lookup(outbox_id, provider_id, message=message)


@pytest.mark.django_db(transaction=True)
def test_a_send_that_may_have_gone_through_is_never_blindly_retried(call_in, clock):
    call_in(received())
    channel = Flaky()
    worker = Worker({"sms": channel}, name="w")
    worker.run_once()
    row = Outbox.objects.get(trigger=Trigger.RECEIVED)
    assert row.state == State.SENDING  # not rescheduled: the provider may have it
    clock.shift(timedelta(minutes=5))
    assert worker.reconcile() == 0  # the provider cannot answer yet: nothing changes, no crash
    held = Outbox.objects.get(pk=row.pk)
    assert held.state == State.SENDING and held.reason == HELD and held.error_code == "20503"
    channel.lookups_fail = False
    assert worker.reconcile() == 0  # not asked again before its next check
    clock.shift(held.due_at - timezone.now() + timedelta(seconds=1))
    assert worker.reconcile() == 1
    row = Outbox.objects.get(pk=row.pk)
    assert row.state == State.DELIVERED and row.reason == "" and row.error_code == ""
    assert DevMessage.objects.filter(outbox_id=row.pk).count() == 1
