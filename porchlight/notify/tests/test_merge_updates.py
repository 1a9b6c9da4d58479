"""Updates about one call that fall due within the merge window go as one text with the latest
news; the first text is never held; texts follow the call's order; a text already sent is never
taken back; and the fold is one transaction, so a crash inside it loses and repeats nothing."""

from datetime import timedelta

import pytest
from django.db import DatabaseError
from django.utils import timezone

from porchlight.notify.channels.dev import DevInbox
from porchlight.notify.models import (
    MERGED_REASON,
    DeliverySettings,
    DevMessage,
    Outbox,
    State,
    Trigger,
)
from porchlight.notify.tests.conftest import received
from porchlight.notify.worker import Worker
from standins.builders import cad_event

WINDOW = timedelta(seconds=120)


@pytest.fixture
def worker():
    w = Worker(
        {"sms": DevInbox("sms")}, name="w", threads=1, track_url=lambda call: "https://pl.ex/t/a"
    )
    yield w
    w._pool.shutdown()


def send_all(worker):
    """Run the worker until nothing more is due now."""
    while worker.run_once():
        pass


def texts():
    return list(DevMessage.objects.order_by("id").values_list("body", flat=True))


def cleared(n=2, at="2026-11-22T14:40:00-08:00", **extra):
    extra.setdefault("disposition", "RPT")
    return cad_event(n, status="cleared", at=at, **extra)


@pytest.mark.django_db(transaction=True)
def test_cleared_then_report_taken_within_the_window_is_one_text_with_both(call_in, worker, clock):
    call_in(received())
    send_all(worker)
    # The first text went at once, and says how to stop; it is never held.
    (first,) = texts()
    assert "got your call 26-000001" in first and "Reply STOP" in first

    call_in(cleared())
    clock.shift(timedelta(seconds=40))
    call_in(cad_event(3, status="cleared", at="2026-11-22T14:41:00-08:00",
                      report_number="R26-003585"))  # fmt: skip
    send_all(worker)
    assert len(texts()) == 1  # both wait for the window

    clock.shift(WINDOW)
    send_all(worker)
    assert texts()[1:] == [
        "Bakersfield PD: officers finished at your call 26-000001. Report R26-003585 was "
        "taken; for a copy call 661-327-7111"
    ]
    rows = dict(Outbox.objects.filter(channel="sms").values_list("trigger", "state"))
    assert rows[Trigger.CLEARED] == State.SUPPRESSED or rows[Trigger.REPORT] == State.SUPPRESSED
    merged = Outbox.objects.get(reason=MERGED_REASON)
    assert merged.state == State.SUPPRESSED and merged.sent_at is None


@pytest.mark.django_db(transaction=True)
def test_updates_further_apart_than_the_window_are_two_texts(call_in, worker, clock):
    call_in(received())
    send_all(worker)
    call_in(cleared(disposition="GOA"))
    clock.shift(WINDOW + timedelta(seconds=1))
    send_all(worker)
    clock.shift(timedelta(minutes=10))
    call_in(cad_event(3, status="cleared", at="2026-11-22T14:52:00-08:00",
                      report_number="R26-003585"))  # fmt: skip
    clock.shift(WINDOW + timedelta(seconds=1))
    send_all(worker)
    first, closing, report = texts()
    assert "did not find anyone" in closing and "Questions: 661-327-7111" in closing
    assert report == (
        "Bakersfield PD: officers finished at your call 26-000001. Report R26-003585 was "
        "taken; for a copy call 661-327-7111"
    )
    # Only the first text carries the notice; each names the agency.
    assert "Reply STOP" in first and "STOP" not in closing and "STOP" not in report
    assert all(t.startswith("Bakersfield PD") for t in texts())
    assert not Outbox.objects.filter(reason=MERGED_REASON).exists()


@pytest.mark.django_db(transaction=True)
def test_the_first_text_is_never_held_even_when_it_is_an_update(call_in, worker, agency):
    # No "call received" rule: the dispatch is the caller's first text, so it goes at once.
    agency.rules.filter(trigger=Trigger.RECEIVED).update(enabled=False)
    call_in(received(), cad_event(2, status="dispatched", at="2026-11-22T14:16:00-08:00"))
    send_all(worker)
    (text,) = texts()
    assert "an officer is assigned to your call 26-000001" in text and "Reply STOP" in text


@pytest.mark.django_db(transaction=True)
def test_updates_follow_the_calls_order_and_the_latest_goes(call_in, worker, clock):
    call_in(received())
    send_all(worker)
    # The CAD sends on scene before the dispatch it had forgotten (later in CAD time order
    # first): the late dispatch is history, and one text says where the call is now.
    call_in(cad_event(2, status="onscene", at="2026-11-22T14:30:00-08:00"))
    call_in(cad_event(3, status="dispatched", at="2026-11-22T14:20:00-08:00"))
    call_in(cleared(4, at="2026-11-22T14:45:00-08:00", disposition="ADV"))
    clock.shift(WINDOW)
    send_all(worker)
    assert len(texts()) == 2
    assert "officers finished" in texts()[1] and "gave advice" in texts()[1]
    states = dict(Outbox.objects.filter(channel="sms").values_list("trigger", "state"))
    assert states[Trigger.CLEARED] == State.DELIVERED
    assert Trigger.DISPATCHED not in states  # the late dispatch fired nothing


@pytest.mark.django_db(transaction=True)
def test_an_update_older_than_a_text_already_sent_is_not_sent_after_it(call_in, worker, clock):
    call_in(received())
    send_all(worker)
    call_in(cad_event(2, status="dispatched", at="2026-11-22T14:20:00-08:00"))
    call_in(cleared(3))
    # The dispatch row was held back (say, by a provider outage) and the closing text went.
    dispatched = Outbox.objects.get(trigger=Trigger.DISPATCHED)
    Outbox.objects.filter(pk=dispatched.pk).update(due_at=timezone.now() + timedelta(hours=1))
    clock.shift(WINDOW)
    send_all(worker)
    assert "officers finished" in texts()[-1]
    clock.shift(timedelta(hours=1))
    send_all(worker)
    # It never goes after the news that followed it; what was sent stays sent.
    assert len(texts()) == 2
    assert Outbox.objects.get(pk=dispatched.pk).reason == MERGED_REASON
    assert Outbox.objects.get(trigger=Trigger.CLEARED).state == State.DELIVERED


@pytest.mark.django_db(transaction=True)
def test_a_window_of_zero_sends_each_update_at_once(call_in, worker, agency):
    DeliverySettings.objects.create(agency=agency, merge_seconds=0)
    call_in(received())
    call_in(cad_event(2, status="dispatched", at="2026-11-22T14:16:00-08:00"))
    send_all(worker)
    assert len(texts()) == 2


@pytest.mark.django_db(transaction=True)
def test_a_crash_inside_the_fold_changes_nothing_and_the_retry_sends_once(
    call_in, worker, clock, monkeypatch
):
    call_in(received())
    send_all(worker)
    call_in(cad_event(2, status="dispatched", at="2026-11-22T14:20:00-08:00"))
    clock.shift(timedelta(seconds=30))
    call_in(cleared(3, disposition="GOA"))
    clock.shift(WINDOW)

    # The worker dies half-way through the fold: after suppressing the earlier update, before
    # the rest is written. The transaction rolls back whole.
    real = worker._give_back_token

    def crash(row):
        raise DatabaseError("killed")

    monkeypatch.setattr(worker, "_give_back_token", crash)
    (dispatched_id,) = worker.claim(1)
    assert Outbox.objects.get(pk=dispatched_id).trigger == Trigger.DISPATCHED
    with pytest.raises(DatabaseError):
        worker.deliver(dispatched_id)
    row = Outbox.objects.get(pk=dispatched_id)
    assert (row.state, row.reason) == (State.SENDING, "")  # nothing of the fold was kept
    assert Outbox.objects.get(trigger=Trigger.CLEARED).state == State.SCHEDULED

    # The stale row is reconciled (nothing was sent for it) and the fold runs again.
    monkeypatch.setattr(worker, "_give_back_token", real)
    clock.shift(timedelta(minutes=5))
    worker.reconcile()
    send_all(worker)
    assert len(texts()) == 2 and "did not find anyone" in texts()[1]
    assert Outbox.objects.get(pk=dispatched_id).reason == MERGED_REASON
    assert DevMessage.objects.filter(outbox__call__incident_number="26-000001").count() == 2
