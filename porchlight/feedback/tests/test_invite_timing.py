"""The invitation goes out the survey's delay after the call clears, and never in quiet hours."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from porchlight.feedback.models import Invitation
from porchlight.feedback.tests.calls import cleared_call
from porchlight.notify.models import Outbox, State, Trigger

PACIFIC = ZoneInfo("America/Los_Angeles")


@pytest.mark.django_db
def test_a_call_cleared_in_the_afternoon_is_asked_a_day_later(agency):
    with time_machine.travel(datetime(2026, 11, 22, 15, 6, tzinfo=PACIFIC), tick=False):
        call = cleared_call(agency)
    invitation = Invitation.objects.get(call=call)
    row = Outbox.objects.get(trigger=Trigger.SURVEY, call=call)
    assert invitation.outbox == row
    assert row.state == State.SCHEDULED
    assert row.channel == "sms"
    assert row.due_at == datetime(2026, 11, 23, 15, 6, tzinfo=PACIFIC)
    assert invitation.expires_at == row.due_at + timedelta(days=7)
    assert row.context["survey_url"].startswith("http")
    assert "/s/" in row.context["survey_url"]
    assert row.context["incident_number"] == call.incident_number


@pytest.mark.django_db
def test_a_call_cleared_late_at_night_is_asked_after_the_quiet_hours(agency):
    # Cleared at 22:30: a day later is 22:30 again, inside quiet hours (21:00–08:00), so the
    # invitation waits for 08:00 the morning after.
    with time_machine.travel(datetime(2026, 11, 22, 22, 30, tzinfo=PACIFIC), tick=False):
        call = cleared_call(agency)
    row = Outbox.objects.get(trigger=Trigger.SURVEY, call=call)
    assert row.due_at == datetime(2026, 11, 24, 8, 0, tzinfo=PACIFIC)
    assert Invitation.objects.get(call=call).expires_at == datetime(
        2026, 12, 1, 8, 0, tzinfo=PACIFIC
    )


@pytest.mark.django_db
def test_the_delay_is_the_surveys_own(agency):
    from porchlight.feedback import defaults
    from porchlight.feedback.models import Survey

    defaults.ensure(agency.pk)
    Survey.objects.filter(agency=agency).update(delay_hours=2)
    with time_machine.travel(datetime(2026, 11, 22, 15, 6, tzinfo=PACIFIC), tick=False):
        call = cleared_call(agency)
        row = Outbox.objects.get(trigger=Trigger.SURVEY, call=call)
    assert row.due_at == datetime(2026, 11, 22, 17, 6, tzinfo=PACIFIC)


@pytest.mark.django_db
def test_a_replayed_batch_asks_nobody_twice(agency):
    with time_machine.travel(datetime(2026, 11, 22, 15, 6, tzinfo=PACIFIC), tick=False):
        call = cleared_call(agency)
        # A closure path that runs again (a retried job) finds the invitation it made.
        from porchlight.feedback import invite

        again = invite.after_call_cleared(call)
    assert again == Invitation.objects.get(call=call)
    assert Invitation.objects.filter(call=call).count() == 1
    assert Outbox.objects.filter(trigger=Trigger.SURVEY, call=call).count() == 1


@pytest.mark.django_db
def test_the_invitation_says_who_asks_and_why(agency):
    from porchlight.notify import texts

    with time_machine.travel(datetime(2026, 11, 22, 15, 6, tzinfo=PACIFIC), tick=False):
        call = cleared_call(agency, language="es")
    row = Outbox.objects.get(trigger=Trigger.SURVEY, call=call)
    assert row.language == "es"
    words = texts.compose(row, call, None)
    assert agency.sms_name or agency.name.split()[0] in words.body
    assert "26-020001" in words.body
    assert row.context["survey_url"] in words.body
    assert "supervisores" in words.body
