"""open_case(): numbered from the agency's sequence, the reporter told the case number."""

import pytest

from porchlight.cases.models import Case, CaseEvent, CaseSequence, Victim
from porchlight.cases.open import CaseNumberTaken, open_case
from porchlight.cases.tests.conftest import sent_text
from porchlight.notify.models import Outbox, State, Trigger
from standins.builders import make_agency


@pytest.mark.django_db
def test_cases_are_numbered_in_sequence_per_agency(agency, make_case):
    first, second = make_case(), make_case()
    year = first.created.astimezone(agency.tz).year % 100
    assert first.number == f"C{year:02d}-000001"
    assert second.number == f"C{year:02d}-000002"
    other = make_agency(slug="kern", ori="CA0150000")
    assert open_case(other, source="online", offense_code="", offense="", occurred_at=None,
                     address="", lat=None, lon=None).number == f"C{year:02d}-000001"  # fmt: skip
    assert CaseSequence.objects.get(agency=agency).last == 2


@pytest.mark.django_db
def test_a_number_the_rms_already_used_is_skipped(agency, make_case):
    year = make_case().number[1:3]
    make_case(number=f"C{year}-000002")
    assert make_case().number == f"C{year}-000003"


@pytest.mark.django_db
def test_a_given_number_is_kept_and_a_taken_one_refused(make_case):
    case = make_case(number="BPD26-1234", incident_numbers=["26-000001", "26-000001", " "])
    assert case.number == "BPD26-1234"
    assert list(case.incidents.values_list("incident_number", flat=True)) == ["26-000001"]
    with pytest.raises(CaseNumberTaken):
        make_case(number="BPD26-1234")
    assert Case.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("en", "Bakersfield PD: your report was taken. Your case number is "),
        ("es", "Bakersfield PD: se tomo su denuncia. Su numero de caso es "),
    ],
)
def test_the_reporter_is_told_the_case_number(make_case, language, words):
    case = make_case(reporter_email="Pat@Example.org", language=language)
    victim = Victim.objects.get(case=case)
    assert victim.reporter and victim.opted_in and victim.language == language
    assert victim.phone.address == "+16615550199" and victim.email.address == "pat@example.org"
    rows = Outbox.objects.filter(trigger=Trigger.CASE_OPENED).order_by("channel")
    assert [r.channel for r in rows] == ["email", "sms"]
    assert all(r.state == State.PLANNED and r.language == language for r in rows)
    text = sent_text(rows[1])
    assert text.startswith(words + case.number)
    assert "661-327-7111" in text and "911" in text  # questions number, and the notice
    assert "Truxtun" not in text and "motor vehicle" not in text.lower()
    assert CaseEvent.objects.get(case=case).kind == "opened"


@pytest.mark.django_db
def test_opening_twice_plans_one_message_per_case(make_case):
    make_case()
    make_case()
    assert Outbox.objects.filter(trigger=Trigger.CASE_OPENED).count() == 2
    assert len({r.dedupe_key for r in Outbox.objects.all()}) == 2


@pytest.mark.django_db
def test_unusable_contacts_are_ignored_and_nothing_is_planned(make_case):
    case = make_case(reporter_phone="call me", reporter_email="nobody")
    assert not case.victims.exists()
    assert not Outbox.objects.exists()


@pytest.mark.django_db
def test_without_notify_nothing_is_planned(make_case):
    case = make_case(notify=False)
    assert case.victims.count() == 1
    assert not Outbox.objects.exists()


@pytest.mark.django_db
def test_an_unknown_language_falls_back_to_the_agency_default(make_case):
    case = make_case(language="fr-CA")
    assert case.victims.get().language == "en"
    case = make_case(language="ES-mx")
    assert case.victims.get().language == "es"
