"""The demo's operations data: a records schedule item and one audited hold, seeded once."""

from __future__ import annotations

import pytest

from porchlight.audit.models import AuditEntry
from porchlight.cases.open import open_case
from porchlight.operations import demo, retention
from porchlight.operations.models import LegalHold, RecordsSchedule


@pytest.mark.django_db
def test_the_demo_seeds_a_schedule_and_a_hold_once(agency):
    case = open_case(
        agency, source="console", offense_code="23F", offense="Theft", occurred_at=None,
        address="", lat=None, lon=None, notify=False,
    )  # fmt: skip
    demo.seed(agency)
    demo.seed(agency)
    assert LegalHold.objects.get().case == case
    assert RecordsSchedule.objects.get().min_days == 730
    assert AuditEntry.objects.filter(action="operations.hold.place").count() == 1
    assert retention.held(agency).cases == {case.pk}
