"""The demo shows feedback with realistic data: answered surveys, follow-ups, commendations."""

import pytest

from porchlight.demo.seed import seed
from porchlight.feedback import measures
from porchlight.feedback.models import Commendation, FollowUp, Invitation, Officer, Response


@pytest.mark.django_db
def test_the_demo_has_answered_surveys_follow_ups_and_commendations(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    demo = seed(history_days=2)
    agency = demo.agency
    invited = Invitation.objects.filter(agency=agency).count()
    assert invited > 50
    responded = Response.objects.filter(submitted_at__isnull=False).count()
    assert 0.25 < responded / invited < 0.6
    assert FollowUp.objects.filter(agency=agency).exists()
    assert Commendation.objects.filter(agency=agency).exists()
    assert Officer.objects.filter(agency=agency, user__username="demo").exists()
    figures = measures.compute(agency, measures.Filters())
    assert figures.rate is not None and figures.csat is not None
    assert any(n for _, _, n in figures.weekly)

    seed(history_days=2)  # again: nothing added
    assert Invitation.objects.filter(agency=agency).count() == invited
