"""The sampling rate holds: a fixed share of calls is asked, the same calls every time."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from porchlight.feedback import defaults, invite
from porchlight.feedback.models import Invitation, Survey
from porchlight.feedback.tests.calls import cleared_call

CLEARED = datetime(2026, 11, 22, 15, 6, tzinfo=ZoneInfo("America/Los_Angeles"))


@pytest.mark.django_db
@pytest.mark.parametrize("percent", [5, 30, 50, 90])
def test_the_share_asked_is_the_sampling_rate(agency, percent):
    defaults.ensure(agency.pk)
    survey = Survey.objects.get(agency=agency)
    survey.sample_percent = percent
    n = 20000
    picked = sum(invite.sampled(survey, f"call:{i}") for i in range(n))
    # Within 1.5 points of the rate over 20,000 calls (the binomial spread is under 0.4).
    assert abs(100 * picked / n - percent) < 1.5
    # The same calls every time: a replayed batch picks the same ones.
    assert [invite.sampled(survey, f"call:{i}") for i in range(200)] == [
        invite.sampled(survey, f"call:{i}") for i in range(200)
    ]


@pytest.mark.django_db
def test_through_intake_a_sample_of_zero_asks_nobody_and_a_hundred_everyone(agency):
    defaults.ensure(agency.pk)
    Survey.objects.filter(agency=agency).update(sample_percent=0)
    with time_machine.travel(CLEARED, tick=False):
        for i in range(5):
            cleared_call(agency, f"26-03000{i}")
    assert not Invitation.objects.exists()
    Survey.objects.filter(agency=agency).update(sample_percent=100)
    with time_machine.travel(CLEARED, tick=False):
        for i in range(5):
            cleared_call(agency, f"26-03100{i}")
    assert Invitation.objects.count() == 5


@pytest.mark.django_db
def test_through_intake_half_the_calls_are_asked(agency):
    defaults.ensure(agency.pk)
    survey = Survey.objects.get(agency=agency)
    Survey.objects.filter(pk=survey.pk).update(sample_percent=50)
    survey.refresh_from_db()
    with time_machine.travel(CLEARED, tick=False):
        calls = [cleared_call(agency, f"26-04{i:04d}") for i in range(40)]
    expected = {c.pk for c in calls if invite.sampled(survey, f"call:{c.pk}")}
    assert set(Invitation.objects.values_list("call_id", flat=True)) == expected
    assert 10 <= len(expected) <= 30
