"""The demo seeds a public map from its call history: incidents in several categories, none of
a sensitive type, and a second seed adds nothing."""

from __future__ import annotations

import pytest

from porchlight.calls.models import Call
from porchlight.demo import seed
from porchlight.publicmap.models import CategoryMapping, PublishedIncident

pytestmark = pytest.mark.django_db


def test_the_demo_publishes_its_history(settings):
    demo = seed.seed(history_days=2)
    published = PublishedIncident.objects.filter(agency=demo.agency)
    calls = Call.objects.filter(agency=demo.agency, historical=True)
    assert published.count() > calls.count() / 2
    shown = published.filter(mapping__category__gt="", mapping__sensitive=False)
    assert shown.values("mapping__category").distinct().count() >= 6
    sensitive_calls = calls.filter(call_type__sensitive=True)
    assert sensitive_calls.exists()
    assert not published.filter(call_id__in=sensitive_calls.values("pk")).exists()
    assert CategoryMapping.objects.get(agency=demo.agency, code="WELF").category == "service"
    before = published.count()
    seed.seed(history_days=2)
    assert published.count() == before
