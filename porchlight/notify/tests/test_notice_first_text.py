"""The notice ("not monitored, call 911, reply STOP") goes on the first text a caller reads
about a call, not on every update; each text still names the agency."""

import pytest

from porchlight.notify import texts
from porchlight.notify.models import Outbox, State, Trigger
from porchlight.notify.tests.conftest import received
from standins.builders import cad_event

NOTICE = "Not monitored. Emergencies: 911. Reply STOP to opt out."


def compose(trigger):
    row = Outbox.objects.select_related("call__agency").get(trigger=trigger, channel="sms")
    return texts.compose(row, row.call, None).body


@pytest.mark.django_db
def test_the_first_text_has_the_notice_and_later_ones_do_not(call_in):
    call_in(received(), cad_event(2, status="dispatched", at="2026-11-22T14:16:00-08:00"))
    assert compose(Trigger.RECEIVED).endswith("\n" + NOTICE)
    # Before the first text has gone, the dispatch would be the first the caller reads.
    assert compose(Trigger.DISPATCHED).endswith(NOTICE)

    Outbox.objects.filter(trigger=Trigger.RECEIVED).update(state=State.DELIVERED)
    dispatched = compose(Trigger.DISPATCHED)
    assert "STOP" not in dispatched and "911" not in dispatched
    assert dispatched.startswith("Bakersfield PD: an officer is assigned to your call 26-000001")


@pytest.mark.django_db
def test_a_first_text_that_never_went_does_not_count(call_in):
    call_in(received(), cad_event(2, status="dispatched", at="2026-11-22T14:16:00-08:00"))
    Outbox.objects.filter(trigger=Trigger.RECEIVED).update(
        state=State.SUPPRESSED, reason="stopped by staff"
    )
    assert compose(Trigger.DISPATCHED).endswith(NOTICE)


@pytest.mark.django_db
def test_emails_have_no_notice_field(call_in):
    call_in(received(caller={"phone": "661-555-0142", "email": "a@example.org"}))
    row = Outbox.objects.select_related("call__agency").get(
        channel="email", trigger=Trigger.RECEIVED
    )
    body = texts.compose(row, row.call, None).body
    assert "STOP" not in body and body.startswith("Bakersfield Police Department got your call")
