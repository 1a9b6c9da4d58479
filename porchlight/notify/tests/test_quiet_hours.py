"""Quiet hours: non-urgent messages wait for the morning in the agency's own time zone; call
updates go at once."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from porchlight.calls.models import Call
from porchlight.notify.channels.dev import DevInbox
from porchlight.notify.models import DeliverySettings, DevMessage, Outbox, Priority, State, Trigger
from porchlight.notify.tests.conftest import received
from porchlight.notify.timing import after_quiet_hours, in_quiet_hours
from porchlight.notify.worker import Worker

PACIFIC = ZoneInfo("America/Los_Angeles")


@pytest.fixture
def worker():
    w = Worker({"sms": DevInbox("sms")}, name="w", threads=2, track_url=lambda call: None)
    yield w
    w._pool.shutdown()


def survey_for(call: Call, **extra) -> Outbox:
    """A survey invitation for the caller, due now (planned by the feedback app, later)."""
    contact_id = call.caller_phone_id
    assert contact_id is not None
    extra.setdefault("due_at", datetime.now(UTC))
    return Outbox.objects.create(
        agency_id=call.agency_id, contact_id=contact_id, channel="sms", trigger=Trigger.SURVEY,
        call=call, dedupe_key=Outbox.key(contact_id, Trigger.SURVEY, call.pk, "sms"),
        priority=Priority.ROUTINE, **extra,
    )  # fmt: skip


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=PACIFIC)


@pytest.mark.django_db(transaction=True)
def test_survey_waits_until_eight_and_the_call_update_goes_now(call_in, worker, clock):
    clock.move_to("2026-11-22T22:00:00-08:00")
    call_in(received(at="2026-11-22T21:58:00-08:00"))
    survey = survey_for(Call.objects.get())
    worker.run_once()

    assert DevMessage.objects.get().outbox.trigger == Trigger.RECEIVED  # urgent: sent at 22:00
    survey.refresh_from_db()
    assert survey.state == State.SCHEDULED
    assert survey.due_at == local("2026-11-23T08:00:00")
    assert survey.attempts == 0  # waiting is not a failed try
    assert survey.claimed_by == "" and survey.reason == "quiet hours: held until 08:00"

    clock.move_to("2026-11-23T07:59:00-08:00")
    assert survey.pk not in worker.claim(10)
    clock.move_to("2026-11-23T08:00:00-08:00")
    assert survey.pk in worker.claim(10)


@pytest.mark.django_db(transaction=True)
def test_validity_window_moves_with_the_held_message(call_in, worker, clock):
    clock.move_to("2026-11-22T23:30:00-08:00")
    call_in(received(at="2026-11-22T23:29:00-08:00"))
    now = datetime.now(UTC)
    survey = survey_for(Call.objects.get(), due_at=now, expires_at=now + timedelta(hours=2))
    worker.run_once()
    survey.refresh_from_db()
    # Two hours of validity from when it may go, not from a time it could never be sent.
    assert survey.expires_at == local("2026-11-23T10:00:00")


@pytest.mark.django_db(transaction=True)
def test_agency_quiet_hours_are_its_own(call_in, worker, clock, agency):
    DeliverySettings.objects.create(agency=agency, quiet_start=time(23, 0), quiet_end=time(6, 30))
    clock.move_to("2026-11-22T22:30:00-08:00")
    call_in(received(at="2026-11-22T22:29:00-08:00"))
    # Only the priority matters to quiet hours: a first text made routine stands in for any
    # non-urgent message that has words today.
    Outbox.objects.filter(trigger=Trigger.RECEIVED).update(priority=Priority.ROUTINE)
    worker.run_once()
    assert Outbox.objects.get(trigger=Trigger.RECEIVED).state == State.DELIVERED  # not quiet yet

    call_in(received(2, incident="26-000002", at="2026-11-22T23:10:00-08:00"))
    clock.move_to("2026-11-22T23:15:00-08:00")
    late = survey_for(Call.objects.get(incident_number="26-000002"))
    worker.run_once()
    assert Outbox.objects.get(pk=late.pk).due_at == local("2026-11-23T06:30:00")


@pytest.mark.django_db(transaction=True)
def test_the_morning_after_the_clocks_go_back_is_eight_local(call_in, worker, clock):
    # 1 November 2026: 02:00 PDT becomes 01:00 PST, so the night is an hour longer.
    clock.move_to("2026-10-31T23:00:00-07:00")
    call_in(received(at="2026-10-31T22:58:00-07:00"))
    survey = survey_for(Call.objects.get())
    worker.run_once()
    survey.refresh_from_db()
    assert survey.due_at == datetime(2026, 11, 1, 16, 0, tzinfo=UTC)  # 08:00 PST, 9 hours on


def test_quiet_hours_across_both_dst_changes():
    policy = DeliverySettings()  # 21:00–08:00
    # Spring forward (8 March 2026): the night is an hour shorter, the morning still 08:00.
    held = after_quiet_hours(
        datetime(2026, 3, 8, 7, 0, tzinfo=UTC), Priority.ROUTINE, policy, PACIFIC
    )  # 23:00 PST on the 7th
    assert held == datetime(2026, 3, 8, 15, 0, tzinfo=UTC)  # 08:00 PDT
    # Fall back (1 November 2026), asked at 01:30 in the repeated hour.
    first = datetime(2026, 11, 1, 8, 30, tzinfo=UTC)  # 01:30 PDT
    second = datetime(2026, 11, 1, 9, 30, tzinfo=UTC)  # 01:30 PST
    for when in (first, second):
        assert after_quiet_hours(when, Priority.CASE, policy, PACIFIC) == datetime(
            2026, 11, 1, 16, 0, tzinfo=UTC
        )


def test_urgent_messages_ignore_quiet_hours_and_daytime_is_not_quiet():
    policy = DeliverySettings()
    night = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)  # 22:00 PST
    assert after_quiet_hours(night, Priority.URGENT, policy, PACIFIC) == night
    noon = datetime(2026, 11, 23, 20, 0, tzinfo=UTC)
    assert after_quiet_hours(noon, Priority.ROUTINE, policy, PACIFIC) == noon
    # The edges: 21:00 is quiet, 08:00 is not.
    assert in_quiet_hours(time(21, 0), time(21, 0), time(8, 0))
    assert not in_quiet_hours(time(8, 0), time(21, 0), time(8, 0))
    assert not in_quiet_hours(time(3, 0), time(0, 0), time(0, 0))  # start == end: none
    assert in_quiet_hours(time(3, 0), time(1, 0), time(5, 0))
