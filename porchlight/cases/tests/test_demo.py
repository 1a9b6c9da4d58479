"""The demo shows cases: detectives, victims, notes, an exceptional clearance in the agency's
words, and a DV case with the Family Code 6228 copy; seeded once."""

import pytest

from porchlight.cases import demo, wording
from porchlight.cases.models import Case, Term
from porchlight.notify.models import Outbox, Trigger


@pytest.mark.django_db
def test_the_demo_cases(agency):
    assert demo.seed(agency) == 5
    assert demo.seed(agency) == 5  # again: nothing more
    car = Case.objects.get(number="BPD26-004321")
    assert car.term == Term.SUSPENDED and car.detective_name == "Maria Lopez"
    assert Case.objects.get(number="BPD26-004388").term == Term.CLEARED_ARREST
    dv = Case.objects.get(number="BPD26-004402")
    assert wording.copy_steps(dv, "en").free_under_6228
    assert Case.objects.filter(source="online").count() == 1
    triggers = set(Outbox.objects.values_list("trigger", flat=True))
    assert {Trigger.CASE_OPENED, Trigger.CASE_ASSIGNED, Trigger.CASE_STATUS,
            Trigger.CASE_CLOSED, Trigger.CASE_NOTE} <= triggers  # fmt: skip
