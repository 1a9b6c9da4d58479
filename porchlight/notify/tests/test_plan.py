"""What intake plans into the outbox, in its own transaction."""

from datetime import datetime, timedelta

import pytest

from porchlight.calls.models import Call
from porchlight.notify.models import Outbox, State, Trigger
from porchlight.notify.tests.conftest import received
from standins.builders import cad_event


def rows(**filters):
    return {(o.trigger, o.state) for o in Outbox.objects.filter(**filters)}


@pytest.mark.django_db
def test_new_call_plans_first_text_and_a_delay_notice(call_in):
    call_in(received())
    assert rows() == {(Trigger.RECEIVED, State.PLANNED), (Trigger.DELAYED, State.SCHEDULED)}
    delay = Outbox.objects.get(trigger=Trigger.DELAYED)
    # Priority "2" has rank 2: 30 minutes after the call was received (never in the past).
    expected = datetime.fromisoformat("2026-11-22T14:14:00-08:00") + timedelta(minutes=30)
    assert delay.due_at == max(expected, delay.created)


@pytest.mark.django_db
def test_dispatch_cancels_the_delay_notice(call_in):
    call_in(received())
    call_in(cad_event(2, status="dispatched", at="2026-11-22T14:20:00-08:00"))
    delay = Outbox.objects.get(trigger=Trigger.DELAYED)
    assert delay.state == State.SUPPRESSED and "dispatched" in delay.reason


@pytest.mark.django_db
def test_cleared_plans_the_closing_text_and_cancelled_does_not(call_in):
    call_in(
        received(),
        cad_event(2, status="cleared", at="2026-11-22T15:00:00-08:00", disposition="RPT"),
    )
    assert (Trigger.CLEARED, State.PLANNED) in rows()
    call_in(
        received(3, incident="26-000002"),
        cad_event(4, incident="26-000002", status="cancelled", at="2026-11-22T15:00:00-08:00"),
    )
    assert not Outbox.objects.filter(
        call__incident_number="26-000002", trigger=Trigger.CLEARED
    ).exists()


@pytest.mark.parametrize(
    "extra, reason",
    [
        ({"call_type": "273.5"}, "sensitive"),
        ({"call_type": "NEWCODE"}, "not mapped"),
        ({"juvenile": True}, "juvenile"),
        ({"caller": {"phone": "661-555-0142", "do_not_contact": True}}, "not to be contacted"),
    ],
)
@pytest.mark.django_db
def test_excluded_calls_get_suppressed_rows_with_the_reason(call_in, extra, reason):
    call_in(received(**extra))
    outbox = list(Outbox.objects.all())
    assert outbox and all(o.state == State.SUPPRESSED and reason in o.reason for o in outbox)


@pytest.mark.django_db
def test_history_never_plans_anything(call_in):
    call_in(received(), historical=True)
    assert Call.objects.get().historical
    assert not Outbox.objects.exists()


@pytest.mark.django_db
def test_no_phone_means_email_only(call_in):
    call_in(received(caller={"email": "a@example.org"}))
    assert {o.channel for o in Outbox.objects.all()} == {"email"}
    call_in(received(2, incident="26-000002", caller={}))
    assert not Outbox.objects.filter(call__incident_number="26-000002").exists()


@pytest.mark.django_db
def test_replanning_never_duplicates(call_in):
    call_in(received())
    # The same call seen again (another source re-sending its first event) plans nothing new.
    call_in(received(9))
    assert Outbox.objects.filter(trigger=Trigger.RECEIVED).count() == 1


@pytest.mark.django_db
def test_call_first_seen_already_dispatched_gets_no_delay_notice(call_in):
    call_in(cad_event(1, status="dispatched", caller={"phone": "661-555-0142"}))
    # Received and dispatched, both news to the caller; no delay notice. The first text goes at
    # once; the update waits for the merge window (worker.fold), in case more news follows.
    assert rows() == {(Trigger.RECEIVED, State.PLANNED), (Trigger.DISPATCHED, State.SCHEDULED)}
