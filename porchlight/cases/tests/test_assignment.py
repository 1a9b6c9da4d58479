"""Assigned to a detective: the victim gets the detective's contact, once."""

import pytest
from django.utils import timezone

from porchlight.cases import status as case_status
from porchlight.cases.tests.conftest import sent_text
from porchlight.notify.models import Outbox, Trigger


def assign(case, **extra):
    fields = {
        "name": "Maria Lopez",
        "title": "Det.",
        "unit": "Property Crimes",
        "phone": "661-555-0142",
        "email": "mlopez@bakersfieldpd.us",
    }
    fields.update(extra)
    return case_status.assign(case, at=timezone.now(), source="rms", **fields)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "words"),
    [("en", "is assigned to Det. Maria Lopez, 661-555-0142, mlopez@bakersfieldpd.us"),
     ("es", "esta asignado a Det. Maria Lopez, 661-555-0142, mlopez@bakersfieldpd.us")],
)  # fmt: skip
def test_the_victim_gets_the_detectives_contact(make_case, language, words):
    case = make_case(language=language)
    assert assign(case).public
    text = sent_text(Outbox.objects.get(trigger=Trigger.CASE_ASSIGNED))
    assert case.number in text and words in text


@pytest.mark.django_db
def test_the_same_assignment_again_is_nothing_and_a_new_phone_is_no_text(make_case):
    case = make_case()
    assign(case)
    assert assign(case) is None
    event = assign(case, phone="661-555-0143")
    assert event is not None and not event.public
    assert Outbox.objects.filter(trigger=Trigger.CASE_ASSIGNED).count() == 1
    assign(case, name="Sam Ortiz")
    assert Outbox.objects.filter(trigger=Trigger.CASE_ASSIGNED).count() == 2
