"""Per-recipient caps: however many calls a number makes, it gets at most so many messages an
hour and a day (DeliverySettings)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from porchlight.notify.channels.dev import DevInbox
from porchlight.notify.models import DeliverySettings, DevMessage, Outbox, State, Trigger
from porchlight.notify.tests.conftest import received
from porchlight.notify.worker import Worker


@pytest.fixture
def worker():
    # One send thread: the cap counts what was sent before, so the order must be definite
    # (two threads sending to one number at once can both pass: see Worker._over_cap).
    w = Worker({"sms": DevInbox("sms")}, name="w", threads=1, track_url=lambda call: None)
    yield w
    w._pool.shutdown()


def calls_from_one_number(call_in, n):
    call_in(*[received(i, incident=f"26-{i:06d}") for i in range(1, n + 1)])


@pytest.mark.django_db(transaction=True)
def test_hourly_cap(call_in, worker, agency):
    DeliverySettings.objects.create(agency=agency, max_per_hour=2, max_per_day=20)
    calls_from_one_number(call_in, 3)
    worker.run_once()
    assert DevMessage.objects.count() == 2
    capped = Outbox.objects.get(trigger=Trigger.RECEIVED, state=State.SUPPRESSED)
    assert capped.reason == "per-recipient cap reached"


@pytest.mark.django_db(transaction=True)
def test_daily_cap_counts_messages_older_than_an_hour(call_in, worker, agency):
    DeliverySettings.objects.create(agency=agency, max_per_hour=6, max_per_day=3)
    calls_from_one_number(call_in, 4)
    # Three of them went out this morning.
    first_three = Outbox.objects.filter(trigger=Trigger.RECEIVED).order_by("id")[:3]
    Outbox.objects.filter(pk__in=[r.pk for r in first_three]).update(
        state=State.DELIVERED, sent_at=timezone.now() - timedelta(hours=5)
    )
    worker.run_once()
    assert not DevMessage.objects.exists()
    assert Outbox.objects.get(state=State.SUPPRESSED).reason == "per-recipient cap reached"


@pytest.mark.django_db(transaction=True)
def test_messages_older_than_a_day_do_not_count(call_in, worker, agency):
    DeliverySettings.objects.create(agency=agency, max_per_hour=1, max_per_day=1)
    calls_from_one_number(call_in, 2)
    old = Outbox.objects.filter(trigger=Trigger.RECEIVED).order_by("id").first()
    Outbox.objects.filter(pk=old.pk).update(
        state=State.DELIVERED, sent_at=timezone.now() - timedelta(days=1, minutes=1)
    )
    worker.run_once()
    assert DevMessage.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_caps_are_per_number(call_in, worker, agency):
    DeliverySettings.objects.create(agency=agency, max_per_hour=1, max_per_day=1)
    call_in(
        received(1, incident="26-000001"),
        received(2, incident="26-000002", caller={"phone": "6615550143"}),
    )
    worker.run_once()
    assert DevMessage.objects.count() == 2
